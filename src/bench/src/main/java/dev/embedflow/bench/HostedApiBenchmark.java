package dev.embedflow.bench;

import dev.embedflow.bench.hosted.HostedApiProfile;
import dev.embedflow.bench.hosted.HostedApiServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Rows 9: EmbedFlow and Flink SQL's {@code ML_PREDICT} against a hosted embedding API as users meet
 * it ({@link HostedApiServer} with a {@link HostedApiProfile}): latency per request, per-request
 * limits, RPM and TPM limits and 429s. A one-text-per-request client is capped by RPM, a batching
 * one by TPM; the profile's ceiling {@code min(RPM x texts per request, TPM / tokens per text)} is
 * what any client could reach. Each cell runs {@code runs} times; the rows carry the median and the
 * notes the spread and the per-cell figures.
 */
final class HostedApiBenchmark {

    /** The model the stand-in reports (it embeds nothing). */
    static final String MODEL = "text-embedding-stand-in";

    /**
     * One run of one cell.
     *
     * @param texts texts the client was given
     * @param seconds the run's time (EmbedFlow: first send to last document indexed; ML_PREDICT:
     *     first request to last answer)
     * @param requests requests the server received
     * @param admitted requests it answered with vectors
     * @param rateLimited requests it refused with 429
     * @param embedded texts it embedded
     * @param tokens tokens it embedded
     * @param maxInFlight the most requests in flight at the server
     * @param lost texts given but never indexed (EmbedFlow) or never embedded (the peer)
     * @param cpuSeconds CPU of every process of the run (this JVM, OpenSearch, Kafka)
     * @param note what the client said of the run, or empty
     */
    record Run(
            long texts,
            double seconds,
            long requests,
            long admitted,
            long rateLimited,
            long embedded,
            long tokens,
            int maxInFlight,
            long lost,
            double cpuSeconds,
            String note) {

        /**
         * Texts that arrived (given minus lost) per second: a peer that drops texts gains nothing.
         */
        double rate() {
            return (texts - lost) / seconds;
        }

        double textsPerRequest() {
            return admitted == 0 ? 0 : (double) embedded / admitted;
        }

        double tokensPerText() {
            return embedded == 0 ? 0 : (double) tokens / embedded;
        }
    }

    /** The runs of one cell and its summary. */
    record Cell(String peer, String settings, List<Run> runs) {

        /** The run of median rate. */
        Run median() {
            List<Run> sorted = runs.stream().sorted(Comparator.comparingDouble(Run::rate)).toList();
            return sorted.get(sorted.size() / 2);
        }

        /** {@code lowest-highest texts/s}. */
        String spread() {
            double low = runs.stream().mapToDouble(Run::rate).min().orElse(0);
            double high = runs.stream().mapToDouble(Run::rate).max().orElse(0);
            return String.format(Locale.ROOT, "%.1f-%.1f", low, high);
        }

        /** The fraction of {@code profile}'s ceiling the median run reached. */
        double ceilingFraction(HostedApiProfile profile) {
            Run m = median();
            double ceiling = profile.ceilingTextsPerSecond(m.textsPerRequest(), m.tokensPerText());
            return Double.isInfinite(ceiling) ? Double.NaN : m.rate() / ceiling;
        }

        /** The per-cell figures the report prints beside the rate. */
        String describe(HostedApiProfile profile) {
            Run m = median();
            double fraction = ceilingFraction(profile);
            return String.format(
                    Locale.ROOT,
                    "median of %d runs (%s texts/s); %.2f requests/text, %.0f texts/request;"
                            + " %d 429s, %d requests refused in all; at most %d in flight at the"
                            + " server; %d lost; %.2f CPU-s per 1,000 texts%s; %s",
                    runs.size(),
                    spread(),
                    m.texts == 0 ? 0 : (double) m.requests / m.texts,
                    m.textsPerRequest(),
                    m.rateLimited,
                    m.requests - m.admitted,
                    m.maxInFlight,
                    m.lost,
                    m.texts == 0 ? 0 : 1000 * m.cpuSeconds / m.texts,
                    Double.isNaN(fraction)
                            ? ""
                            : String.format(Locale.ROOT, "; %.2f of the ceiling", fraction),
                    m.note().isEmpty() ? settings : settings + "; " + m.note());
        }
    }

    private final MiniCluster flink;
    private final StreamingBenchmark streaming;
    private final OpenSearchConnection connection;
    private final CpuMeter cpu;
    private final Consumer<String> progress;

    HostedApiBenchmark(
            MiniCluster flink,
            StreamingBenchmark streaming,
            OpenSearchConnection connection,
            CpuMeter cpu,
            Consumer<String> progress) {
        this.flink = flink;
        this.streaming = streaming;
        this.connection = connection;
        this.cpu = cpu;
        this.progress = progress;
    }

    /** EmbedFlow's settings for {@code profile}: its rate limits as the job's caps. */
    static Map<String, String> embedFlowSettings(HostedApiProfile profile) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        if (profile.requestsPerMinute() > 0) {
            settings.put(
                    "embedding.rate.requests-per-second",
                    String.format(Locale.ROOT, "%.3f", profile.requestsPerMinute() / 60.0));
        }
        if (profile.tokensPerMinute() > 0) {
            settings.put(
                    "embedding.rate.tokens-per-minute", String.valueOf(profile.tokensPerMinute()));
        }
        return settings;
    }

    /**
     * What one run of a client returned: its time, the texts that never arrived, the CPU seconds of
     * a child process of its own (0 if none), and a note.
     */
    private record Outcome(double seconds, long lost, double childCpuSeconds, String note) {
        Outcome(double seconds, long lost) {
            this(seconds, lost, 0, "");
        }
    }

    /** One run of a client over the stand-in. */
    @FunctionalInterface
    private interface Client {
        Outcome run(int run) throws Exception;
    }

    /**
     * Runs {@code client} {@code runs} times over {@code count} texts, the server's counters reset
     * before each run, and keeps what each run did. Each run starts once the MiniCluster runs no
     * job and OpenSearch merges no segment (an earlier run's merges would take the CPU from this
     * one). Where the server sets no limits, the clients' own speed (their JIT, OpenSearch's
     * caches) decides the rate: a warm-up run goes first and is not counted. {@code meter} reads
     * the CPU of the run's processes.
     */
    private Cell cell(
            HostedApiServer server,
            String peer,
            String settings,
            int count,
            int runs,
            CpuMeter meter,
            Client client)
            throws Exception {
        HostedApiProfile profile = server.profile();
        boolean warmUp = !profile.limited();
        List<Run> results = new ArrayList<>();
        for (int run = warmUp ? 0 : 1; run <= runs; run++) {
            progress.accept(
                    String.format(
                            Locale.ROOT,
                            "9 %s: %s, %s, %d texts...",
                            profile.name(),
                            peer,
                            run == 0 ? "warm-up run (not counted)" : "run " + run + " of " + runs,
                            count));
            awaitIdle();
            Merges.awaitNone(connection, progress);
            server.reset();
            Map<String, Double> before = meter.snapshot();
            Outcome outcome = client.run(run);
            double cpuSeconds = used(before, meter.snapshot()) + outcome.childCpuSeconds();
            if (run == 0) {
                continue;
            }
            results.add(
                    new Run(
                            count,
                            outcome.seconds(),
                            server.requests(),
                            server.admitted(),
                            server.rateLimited(),
                            server.texts(),
                            server.tokens(),
                            server.maxInFlight(),
                            outcome.lost(),
                            cpuSeconds,
                            outcome.note()));
        }
        return new Cell(peer, settings, results);
    }

    /** EmbedFlow's streaming job (windows NONE: one document per event) over {@code events}. */
    Cell embedFlow(HostedApiServer server, List<String> events, int runs) throws Exception {
        HostedApiProfile profile = server.profile();
        Map<String, String> settings = embedFlowSettings(profile);
        return cell(
                server,
                "EmbedFlow",
                settings.isEmpty() ? "defaults" : "job settings " + settings,
                events.size(),
                runs,
                cpu,
                run -> {
                    StreamingBenchmark.Scenario scenario =
                            new StreamingBenchmark.Scenario(
                                            "h" + profile.name() + "-" + run,
                                            StreamingBenchmark.Window.NONE,
                                            server.baseUri(),
                                            MODEL,
                                            server::requests,
                                            server::texts)
                                    .with(settings);
                    StreamingBenchmark.Result r =
                            streaming.run(scenario, events, List.of(), 0, 0, false);
                    return new Outcome(r.seconds(), Math.max(0, events.size() - r.documents()));
                });
    }

    /**
     * Flink SQL's ML_PREDICT (flink-model-openai) over {@code texts}, tuned as {@code tuning}, on
     * the benchmark's MiniCluster (one JVM).
     */
    Cell mlPredict(
            HostedApiServer server, List<String> texts, MlPredictPeer.Tuning tuning, int runs)
            throws Exception {
        URI rest = flink.getRestAddress().get(30, TimeUnit.SECONDS);
        return mlPredict(server, texts, tuning, runs, new MlPredictPeer(rest), "ML_PREDICT", cpu);
    }

    /**
     * As above, on a standalone cluster of {@code taskManagers} TaskManager JVMs (one slot each, so
     * each subtask has its own JVM and its own OpenAI client) at {@code rest}, shipping {@code
     * jars}; the cell's CPU is this JVM's and the cluster's ({@code clusterPids}).
     */
    Cell mlPredictOnCluster(
            HostedApiServer server,
            List<String> texts,
            MlPredictPeer.Tuning tuning,
            int runs,
            URI rest,
            List<String> jars,
            int taskManagers,
            Map<String, Long> clusterPids)
            throws Exception {
        CpuMeter clusterCpu = new CpuMeter().addSelf("this JVM");
        clusterPids.forEach((name, pid) -> clusterCpu.add(name, java.util.OptionalLong.of(pid)));
        return mlPredict(
                server,
                texts,
                tuning,
                runs,
                new MlPredictPeer(rest, jars),
                "ML_PREDICT, " + taskManagers + " TaskManager JVMs",
                clusterCpu);
    }

    private Cell mlPredict(
            HostedApiServer server,
            List<String> texts,
            MlPredictPeer.Tuning tuning,
            int runs,
            MlPredictPeer peer,
            String name,
            CpuMeter meter)
            throws Exception {
        return cell(
                server,
                name,
                tuning.toString(),
                texts.size(),
                runs,
                meter,
                run -> {
                    try {
                        MlPredictPeer.Result r =
                                peer.run(
                                        URI.create(server.baseUri() + "/v1/embeddings"),
                                        MODEL,
                                        texts,
                                        tuning,
                                        () -> {}, // the cell has reset the counters
                                        server::texts,
                                        server::requests,
                                        server::busySeconds);
                        return new Outcome(
                                r.seconds(),
                                Math.max(0, texts.size() - server.texts()),
                                0,
                                r.placement());
                    } catch (Exception failed) {
                        // The job gave up (flink-model-openai fails over once its retries of a
                        // request are spent): what it had not embedded is lost.
                        return new Outcome(
                                server.busySeconds(),
                                Math.max(0, texts.size() - server.texts()),
                                0,
                                "the job failed: " + rootMessage(failed));
                    }
                });
    }

    /**
     * How the two library peers ingest: the same threads and documents per call, into an index
     * whose HNSW graph is built as EmbedFlow's.
     */
    private static String ingestingThreads() {
        return LangChain4jPeer.THREADS
                + " threads of "
                + LangChain4jPeer.DOCUMENTS_PER_CALL
                + " documents per call; text and vector per document, HNSW m="
                + LangChain4jPeer.HNSW_M
                + ", ef_construction="
                + LangChain4jPeer.HNSW_EF_CONSTRUCTION
                + " as EmbedFlow's index";
    }

    /** The innermost cause's message, first line, at most 160 characters. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String line = firstLine(root.getClass().getSimpleName() + ": " + root.getMessage());
        return line.length() <= 160 ? line : line.substring(0, 157) + "...";
    }

    /** The first line of {@code message} ("null" for none): for findings that quote an error. */
    static String firstLine(String message) {
        return String.valueOf(message).lines().findFirst().orElse("");
    }

    /** LangChain4j's ingestor, {@value LangChain4jPeer#THREADS} threads, over {@code texts}. */
    Cell langChain4j(HostedApiServer server, List<String> texts, int runs) throws Exception {
        LangChain4jPeer peer = new LangChain4jPeer(connection);
        return cell(
                server,
                "LangChain4j",
                "EmbeddingStoreIngestor + OpenAiEmbeddingModel (defaults), " + ingestingThreads(),
                texts.size(),
                runs,
                cpu,
                run -> {
                    LangChain4jPeer.Result r =
                            peer.run(URI.create(server.baseUri() + "/v1"), MODEL, texts);
                    return new Outcome(r.seconds(), Math.max(0, texts.size() - r.stored()));
                });
    }

    /**
     * Spring AI's ETL writer ({@link SpringAiPeerProcess}, a child JVM) over {@code texts}, into
     * {@code openSearch}.
     */
    Cell springAi(
            HostedApiServer server,
            List<String> texts,
            int runs,
            SpringAiPeerProcess peer,
            URI openSearch,
            int dimensions)
            throws Exception {
        return cell(
                server,
                "Spring AI",
                "OpenAiEmbeddingModel (default retry template, 429 retried), "
                        + "TokenCountBatchingStrategy (defaults), OpenSearchVectorStore; "
                        + ingestingThreads(),
                texts.size(),
                runs,
                cpu,
                run -> {
                    SpringAiPeerProcess.Result r =
                            peer.run(server.baseUri(), MODEL, dimensions, openSearch, texts);
                    return new Outcome(
                            r.seconds(),
                            Math.max(0, texts.size() - r.stored()),
                            r.cpuSeconds(),
                            "");
                });
    }

    /**
     * Until no job of the MiniCluster runs any more (a cancelled job gives its slots back after its
     * tasks end), so that each run starts with every slot free.
     */
    private void awaitIdle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (flink.listJobs().get(30, TimeUnit.SECONDS).stream()
                .anyMatch(job -> !job.getJobState().isGloballyTerminalState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "A job of the benchmark's MiniCluster still runs after a minute");
            }
            Thread.sleep(100);
        }
    }

    private static double used(Map<String, Double> before, Map<String, Double> after) {
        double sum = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            Double start = before.get(e.getKey());
            if (start != null) {
                sum += e.getValue() - start;
            }
        }
        return sum;
    }
}
