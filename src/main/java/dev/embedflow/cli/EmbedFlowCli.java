package dev.embedflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `embedflow` command line: one subcommand per thing a user runs. */
@Command(
        name = "embedflow",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Keeps an OpenSearch k-NN index in step with business events.",
        subcommands = {CommandLine.HelpCommand.class, ServeEmbeddingsCommand.class})
public final class EmbedFlowCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with every subcommand, for main() and for tests. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new EmbedFlowCli());
    }
}
