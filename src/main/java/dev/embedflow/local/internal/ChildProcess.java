package dev.embedflow.local.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
        List<ProcessHandle> descendants;
        try (Stream<ProcessHandle> stream = process.descendants()) {
            descendants = stream.toList();
        }
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
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
        return tail(logFile, lines);
    }

    /** The last {@code lines} lines of a text file, or a note when it cannot be read. */
    public static String tail(Path file, int lines) {
        if (!Files.isReadable(file)) {
            return "(no output in " + file + ")";
        }
        Deque<String> last = new ArrayDeque<>(lines);
        try (Stream<String> stream = Files.lines(file, StandardCharsets.UTF_8).onClose(() -> {})) {
            stream.forEach(
                    line -> {
                        if (last.size() == lines) {
                            last.removeFirst();
                        }
                        last.addLast(line);
                    });
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
        return String.join("\n", last);
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", log " + logFile + "]";
    }
}
