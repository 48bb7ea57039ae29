package dev.embedflow.devserver.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server started as a child process whose output goes to a log file: started, watched and stopped
 * the same way for every local server (Kafka broker, OpenSearch node).
 */
public final class ChildProcess {

    private final String name;
    private final Process process;
    private final Path logFile;

    private ChildProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts {@code command} in {@code directory} with extra environment variables, appending its
     * standard output and error to {@code logFile}.
     */
    public static ChildProcess start(
            String name,
            List<String> command,
            Map<String, String> environment,
            Path directory,
            Path logFile)
            throws IOException {
        Files.createDirectories(logFile.getParent());
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(directory.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        return new ChildProcess(name, builder.start(), logFile);
    }

    /** Runs {@code command} to completion, failing with its output when it exits non-zero. */
    public static void run(
            String name,
            List<String> command,
            Map<String, String> environment,
            Path directory,
            Path logFile,
            Duration timeout)
            throws IOException {
        ChildProcess child = start(name, command, environment, directory, logFile);
        try {
            if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                child.stop(Duration.ofSeconds(5));
                throw new IOException(
                        name
                                + " did not finish within "
                                + timeout
                                + "; its output:\n"
                                + child.tail(40));
            }
        } catch (InterruptedException e) {
            child.stop(Duration.ofSeconds(5));
            Thread.currentThread().interrupt();
            throw new IOException(name + " was interrupted", e);
        }
        if (child.process.exitValue() != 0) {
            throw new IOException(
                    name
                            + " failed with exit code "
                            + child.process.exitValue()
                            + "; its output:\n"
                            + child.tail(40));
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int exitValue() {
        return process.exitValue();
    }

    public Path logFile() {
        return logFile;
    }

    /**
     * Asks the process (and everything it started) to stop with SIGTERM, waits up to {@code grace},
     * then kills what is left.
     */
    public void stop(Duration grace) {
        Processes.terminate(process, grace);
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String tail(int lines) {
        List<String> last = Processes.tail(logFile, 0, lines);
        return last.isEmpty() ? "(no output in " + logFile + ")" : String.join("\n", last);
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", log " + logFile + "]";
    }
}
