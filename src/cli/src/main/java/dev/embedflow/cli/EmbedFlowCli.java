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
            DeadLettersCommand.class,
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

    /** The exit code of a configuration error (a setting missing or wrong). */
    public static final int CONFIGURATION_ERROR = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace too.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /**
     * What a command printed through the command line's writers and its exit code.
     *
     * @param exitCode the exit code
     * @param out standard output
     * @param err standard error
     */
    public record Result(int exitCode, String out, String err) {}

    /**
     * Runs {@code args} in this JVM, capturing what the command prints through the command line's
     * writers (not what a job prints to {@code System.out}), for tests and tools that embed the
     * command line.
     */
    public static Result run(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine commandLine = newCommandLine();
        commandLine.setOut(new java.io.PrintWriter(out));
        commandLine.setErr(new java.io.PrintWriter(err));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    /** The command line with every subcommand, for main() and for tests. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new EmbedFlowCli());
        commandLine.setExecutionExceptionHandler(EmbedFlowCli::explain);
        return commandLine;
    }

    /**
     * Prints the message of a failure the user can act on instead of a stack trace (with {@code
     * --verbose}, the stack trace too): a configuration error (a setting missing or wrong; exit
     * code {@value #CONFIGURATION_ERROR}), OpenSearch unreachable, TLS, credentials, an index that
     * does not fit, a bad option value (exit code 1). Rethrows others.
     */
    private static int explain(
            Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        java.util.Optional<Throwable> setting = configurationError(e);
        boolean configuration = setting.isPresent();
        if (configuration
                || e instanceof OpenSearchConnectionException
                || e instanceof IndexMismatchException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            java.io.PrintWriter err = commandLine.getErr();
            err.println(
                    configuration
                            ? "Configuration error: " + setting.get().getMessage()
                            : "Error: " + e.getMessage());
            if (verbose(parseResult)) {
                e.printStackTrace(err);
            } else {
                err.println("(--verbose shows the stack trace)");
            }
            err.flush();
            return configuration ? CONFIGURATION_ERROR : 1;
        }
        throw e;
    }

    /** Flink's own configuration error among the causes of {@code e}, if there is one. */
    static java.util.Optional<Throwable> configurationError(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.apache.flink.configuration.IllegalConfigurationException) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }

    private static boolean verbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
