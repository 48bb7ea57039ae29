package dev.embedflow.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU time of the benchmark's processes (this JVM: the model, Flink and the clients; OpenSearch;
 * Kafka) over a measured phase, from the operating system's accounting.
 */
final class CpuMeter {

    private final Map<String, ProcessHandle> processes = new LinkedHashMap<>();

    /** Adds a process by name; an absent pid is skipped. */
    CpuMeter add(String name, OptionalLong pid) {
        if (pid.isPresent()) {
            ProcessHandle.of(pid.getAsLong()).ifPresent(handle -> processes.put(name, handle));
        }
        return this;
    }

    CpuMeter addSelf(String name) {
        processes.put(name, ProcessHandle.current());
        return this;
    }

    /** CPU seconds so far per process (absent where the system does not say). */
    Map<String, Double> snapshot() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        processes.forEach(
                (name, handle) ->
                        handle.info()
                                .totalCpuDuration()
                                .ifPresent(cpu -> seconds.put(name, cpu.toNanos() / 1e9)));
        return seconds;
    }

    /**
     * The CPU each process used between two snapshots, as a share of what the machine's cores could
     * give over {@code wallSeconds}: e.g. {@code this JVM 41.2 s (76%), OpenSearch 8.0 s (15%); 2
     * cores x 27.0 s = 54.0 core-seconds}.
     */
    static String describe(
            Map<String, Double> before, Map<String, Double> after, double wallSeconds, int cores) {
        double available = wallSeconds * cores;
        List<String> parts = new ArrayList<>();
        after.forEach(
                (name, end) -> {
                    Double start = before.get(name);
                    if (start != null) {
                        double used = end - start;
                        parts.add(
                                String.format(
                                        Locale.ROOT,
                                        "%s %.1f s (%.0f%%)",
                                        name,
                                        used,
                                        available > 0 ? 100 * used / available : 0));
                    }
                });
        return String.join(", ", parts)
                + String.format(
                        Locale.ROOT,
                        "; %d cores x %.1f s = %.1f core-seconds",
                        cores,
                        wallSeconds,
                        available);
    }
}
