package dev.embedflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JDK Flight Recorder profile of a measured run in this JVM (the Flink MiniCluster, the embedding
 * server, the stub): method samples of threads running Java code ({@code jdk.ExecutionSample}) and
 * of threads in the model's native code ({@code jdk.NativeMethodSample} in ONNX Runtime or the
 * tokenizer; other native samples are threads waiting and are left out), summarized by thread
 * group, by hot method (top frame) and by the first EmbedFlow frame on the stack. Kafka and
 * OpenSearch run in child processes and are not sampled.
 */
public final class Profile {

    /** One sample: the thread's name, its stack's frames (top first) and whether it ran native. */
    record Sample(String thread, List<String> frames, boolean nativeCode) {}

    private static final Pattern NUMBERS = Pattern.compile("[-#\\s]*\\(?\\d+(/\\d+)?\\)?");

    private Profile() {}

    /** A running recording; {@link #stop} ends it and reads its samples. */
    public static final class Session implements AutoCloseable {
        private final Recording recording;
        private final Path file;

        private Session(Recording recording, Path file) {
            this.recording = recording;
            this.file = file;
        }

        public List<Sample> stop() throws IOException {
            recording.stop();
            recording.dump(file);
            try {
                return read(file);
            } finally {
                Files.deleteIfExists(file);
            }
        }

        @Override
        public void close() {
            recording.close();
        }
    }

    /** Starts sampling every thread of this JVM every 10 ms. */
    public static Session start(Path workDir, String name) throws IOException {
        Recording recording = new Recording();
        recording.setName(name);
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(20));
        recording.setToDisk(true);
        Files.createDirectories(workDir);
        Path file = Files.createTempFile(workDir, name, ".jfr");
        recording.start();
        return new Session(recording, file);
    }

    static List<Sample> read(Path file) throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            boolean nativeCode = type.equals("jdk.NativeMethodSample");
            if (!nativeCode && !type.equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null) {
                continue;
            }
            List<String> frames = new ArrayList<>();
            for (RecordedFrame frame : stack.getFrames()) {
                if (frame.isJavaFrame()) {
                    frames.add(
                            frame.getMethod().getType().getName()
                                    + "."
                                    + frame.getMethod().getName());
                }
            }
            if (nativeCode && !busyNative(frames)) {
                continue;
            }
            var thread = event.getThread("sampledThread");
            samples.add(
                    new Sample(
                            thread == null || thread.getJavaName() == null
                                    ? "?"
                                    : thread.getJavaName(),
                            frames,
                            nativeCode));
        }
        return samples;
    }

    /**
     * Whether a thread sampled in native code was working: only the model's inference (ONNX
     * Runtime, the tokenizer) counts; threads in native code are otherwise mostly waiting (epoll,
     * accept, process exit), which is not where time goes.
     */
    static boolean busyNative(List<String> frames) {
        return !frames.isEmpty()
                && (frames.get(0).startsWith("ai.onnxruntime.")
                        || frames.get(0).startsWith("ai.djl."));
    }

    /**
     * A thread's name without its numbers: {@code opensearch-sink-io-0} → {@code
     * opensearch-sink-io}.
     */
    static String threadGroup(String thread) {
        String group = NUMBERS.matcher(thread).replaceAll("").trim();
        return group.isEmpty() ? thread : group;
    }

    /**
     * The summary: samples per thread group, the hottest top frames and the hottest first EmbedFlow
     * frames ({@code dev.embedflow...} but not the benchmark itself), {@code top} of each, as
     * Markdown list lines with shares of all samples.
     */
    static List<String> summarize(List<Sample> samples, int top) {
        List<String> lines = new ArrayList<>();
        if (samples.isEmpty()) {
            lines.add("no samples");
            return lines;
        }
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> methods = new HashMap<>();
        Map<String, Integer> ours = new HashMap<>();
        for (Sample sample : samples) {
            threads.merge(threadGroup(sample.thread()), 1, Integer::sum);
            if (!sample.frames().isEmpty()) {
                methods.merge(
                        sample.frames().get(0) + (sample.nativeCode() ? " (native)" : ""),
                        1,
                        Integer::sum);
            }
            sample.frames().stream()
                    .filter(
                            f ->
                                    f.startsWith("dev.embedflow.")
                                            && !f.startsWith("dev.embedflow.bench."))
                    .findFirst()
                    .ifPresent(f -> ours.merge(f, 1, Integer::sum));
        }
        int total = samples.size();
        lines.add("threads: " + shares(threads, total, top));
        lines.add("hot methods: " + shares(methods, total, top));
        lines.add(
                "EmbedFlow frames on the stack: "
                        + (ours.isEmpty() ? "none" : shares(ours, total, top)));
        return lines;
    }

    private static String shares(Map<String, Integer> counts, int total, int top) {
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(
                        Map.Entry.<String, Integer>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                .limit(top)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        List<String> parts = new ArrayList<>();
        sorted.forEach(
                (name, count) ->
                        parts.add(
                                String.format(
                                        Locale.ROOT, "`%s` %.0f%%", name, 100.0 * count / total)));
        return String.join(", ", parts);
    }
}
