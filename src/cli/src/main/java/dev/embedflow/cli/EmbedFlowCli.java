package dev.embedflow.cli;

import dev.embedflow.index.IndexMismatchException;
import dev.embedflow.opensearch.OpenSearchConnectionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `embedflow` command line: one subcommand per thing a user runs. */
@Command(
        name = "embedflow",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Keeps an OpenSearch k-NN index in step with business events.",
        subcommands = {
            CommandLine.HelpCommand.class,
            LocalCommand.class,
            ProduceCommand.class,
            ServeEmbeddingsCommand.class,
            SearchCommand.class,
            QaCommand.class,
            IndexCommand.class,
            StreamCommand.class,
            BatchCommand.class,
            ConfigCommand.class,
            DoctorCommand.class,
            BenchCommand.class
        })
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
        CommandLine commandLine = new CommandLine(new EmbedFlowCli());
        commandLine.setExecutionExceptionHandler(EmbedFlowCli::explain);
        return commandLine;
    }

    /**
     * Prints the message of a failure the user can act on (OpenSearch unreachable, TLS,
     * credentials, an index that does not fit, a bad option value) instead of a stack trace;
     * rethrows others.
     */
    private static int explain(
            Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        if (e instanceof OpenSearchConnectionException
                || e instanceof IndexMismatchException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            commandLine.getErr().println("Error: " + e.getMessage());
            commandLine.getErr().flush();
            return 1;
        }
        throw e;
    }
}
