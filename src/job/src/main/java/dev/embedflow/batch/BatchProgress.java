package dev.embedflow.batch;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The progress line of a running batch job, from its accumulators (which TaskManagers report with
 * their heartbeats): files, records and chunks done, the chunk rate, and an ETA. While files are
 * being read the ETA extrapolates the bytes read so far over the input's total size (when the
 * inputs are local); after that, the chunks still to embed over the recent chunk rate.
 */
@Internal
public final class BatchProgress {

    private final PrintStream console;
    private final long totalFiles;
    private final long totalBytes;
    private final long startNanos = System.nanoTime();

    /**
     * @param totalFiles files to read, 0 when unknown (remote inputs, a table)
     * @param totalBytes their size, 0 when unknown
     */
    public BatchProgress(PrintStream console, long totalFiles, long totalBytes) {
        this.console = console;
        this.totalFiles = totalFiles;
        this.totalBytes = totalBytes;
    }

    /** Prints one progress line for the accumulator values {@code now}. */
    public void report(Map<String, Object> now) {
        console.println(line(now, Duration.ofNanos(System.nanoTime() - startNanos)));
    }

    /** The progress line for accumulator values {@code now} after {@code elapsed}. */
    String line(Map<String, Object> now, Duration elapsed) {
        long files = BatchSummary.get(now, BatchCounters.FILES);
        long bytes = BatchSummary.get(now, BatchCounters.BYTES);
        long documents = BatchSummary.get(now, BatchCounters.DOCUMENTS);
        long chunks = BatchSummary.get(now, BatchCounters.CHUNKS);
        long done =
                BatchSummary.get(now, BatchCounters.EMBEDDED)
                        + BatchSummary.get(now, BatchCounters.UNCHANGED);
        long deadLetters = BatchSummary.get(now, BatchCounters.DEAD_LETTERS);
        double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
        double rate = done / seconds;
        String eta = "?";
        boolean reading = totalFiles == 0 || files < totalFiles;
        if (reading && totalBytes > 0 && bytes > 0) {
            eta =
                    duration(
                            Duration.ofMillis(
                                    (long) (seconds * 1000 * (totalBytes - bytes) / bytes)));
        } else if (!reading && rate > 0) {
            eta = duration(Duration.ofMillis((long) (1000 * Math.max(0, chunks - done) / rate)));
        }
        return String.format(
                Locale.ROOT,
                "[%s] files %s, records %d, chunks %d/%d done (%.1f/s), dead letters %d, ETA %s",
                duration(elapsed),
                totalFiles > 0 ? files + "/" + totalFiles : String.valueOf(files),
                documents,
                done,
                chunks,
                rate,
                deadLetters,
                eta);
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60
                        ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                        : String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
