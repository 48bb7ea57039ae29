package dev.embedflow.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code embedflow config}: the configuration reference, generated from the typed options. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Prints every setting with its type, default and meaning (Markdown).")
final class ConfigCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(ConfigReference.markdown());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
