package dev.embedflow.devserver.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small helpers for child processes: short commands, termination, log tails. */
public final class Processes {

    /** How much of the end of a log file {@link #tail} reads at most. */
    private static final int MAX_TAIL_BYTES = 256 * 1024;

    private Processes() {}

    /** The outcome of a finished short command: its exit code and its merged stdout and stderr. */
    public record Result(int exitCode, String output) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Runs a short command to completion with stdout and stderr merged.
     *
     * @throws UncheckedIOException if the command cannot be started
     * @throws IllegalStateException if it does not finish within {@code timeout} (it is killed)
     */
    public static Result run(List<String> command, Duration timeout) {
        Path output;
        try {
            output = Files.createTempFile("embedflow-command", ".out");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not create a temporary file for a command's output", e);
        }
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not run " + String.join(" ", command), e);
            }
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(
                            "Command did not finish within "
                                    + timeout
                                    + ": "
                                    + String.join(" ", command));
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "Interrupted while running " + String.join(" ", command), e);
            }
            return new Result(
                    process.exitValue(), Files.readString(output, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not read the output of " + String.join(" ", command), e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // A leftover file in the temporary directory is harmless.
            }
        }
    }

    /**
     * Stops a process and everything it started: SIGTERM to the process, up to {@code grace} for it
     * to exit, then SIGKILL to it and to every descendant still alive.
     *
     * @return {@code true} if the process exited within the grace period, {@code false} if it had
     *     to be killed
     */
    public static boolean terminate(Process process, Duration grace) {
        // Collected before the process exits: afterwards its children are re-parented and lost.
        List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
        process.destroy();
        boolean exited;
        try {
            exited = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            descendants.addAll(process.descendants().toList());
            process.destroyForcibly();
        }
        for (ProcessHandle descendant : descendants) {
            if (descendant.isAlive()) {
                descendant.destroyForcibly();
            }
        }
        if (!exited) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return exited;
    }

    /**
     * Returns the last {@code maxLines} lines of a text file, reading only what was written at or
     * after byte {@code fromOffset} (and at most the last 256 KiB). A missing file yields an empty
     * list.
     */
    public static List<String> tail(Path file, long fromOffset, int maxLines) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long size = channel.size();
            long start = Math.max(Math.max(0, fromOffset), size - MAX_TAIL_BYTES);
            if (start >= size) {
                return List.of();
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
            channel.position(start);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // keep reading
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            List<String> lines = Arrays.asList(text.split("\\R"));
            return List.copyOf(lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
        } catch (IOException e) {
            return List.of("(could not read " + file + ": " + e + ")");
        }
    }
}
