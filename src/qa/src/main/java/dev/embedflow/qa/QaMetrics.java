package dev.embedflow.qa;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The service's Prometheus metrics, on {@code GET /metrics} (text format): requests by route and
 * status, stage latencies, tokens, passages retrieved per question, guardrail refusals, LLM errors
 * by reason, and whether the session store answers. One registry per service instance.
 */
public final class QaMetrics {

    /** The stages of a question, as the {@code stage} label names them. */
    public enum Stage {
        SESSION,
        REWRITE,
        RETRIEVE,
        GENERATE,
        STORE;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram stages;
    private final Counter tokens;
    private final Histogram passages;
    private final Counter refusals;
    private final Counter llmErrors;
    private final Counter sessionErrors;
    private final Gauge sessionStoreUp;

    public QaMetrics() {
        requests =
                Counter.builder()
                        .name("embedflow_qa_requests_total")
                        .help("HTTP requests by route and status")
                        .labelNames("route", "status")
                        .register(registry);
        stages =
                Histogram.builder()
                        .name("embedflow_qa_stage_seconds")
                        .help("Time a question spends in each stage")
                        .labelNames("stage")
                        .classicOnly()
                        .classicUpperBounds(
                                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                        .register(registry);
        tokens =
                Counter.builder()
                        .name("embedflow_qa_tokens_total")
                        .help("Tokens of prompts and answers (as the LLM reported, or estimated)")
                        .labelNames("kind")
                        .register(registry);
        passages =
                Histogram.builder()
                        .name("embedflow_qa_retrieval_passages")
                        .help("Passages retrieved per question (after duplicates are dropped)")
                        .classicOnly()
                        .classicUpperBounds(0, 1, 2, 4, 6, 8, 12, 16, 32)
                        .register(registry);
        refusals =
                Counter.builder()
                        .name("embedflow_qa_guardrail_refusals_total")
                        .help("Questions answered with 'nothing relevant found' (no LLM call)")
                        .register(registry);
        llmErrors =
                Counter.builder()
                        .name("embedflow_qa_llm_errors_total")
                        .help("LLM requests that failed after their retries, by reason")
                        .labelNames("reason")
                        .register(registry);
        sessionErrors =
                Counter.builder()
                        .name("embedflow_qa_session_store_errors_total")
                        .help("Session reads and writes that failed (the question went on without)")
                        .register(registry);
        sessionStoreUp =
                Gauge.builder()
                        .name("embedflow_qa_session_store_up")
                        .help("1 when the last session store call succeeded, 0 when it failed")
                        .register(registry);
        sessionStoreUp.set(1);
    }

    public void request(String route, int status) {
        requests.labelValues(route, Integer.toString(status)).inc();
    }

    public void stage(Stage stage, long nanos) {
        stages.labelValues(stage.label()).observe(nanos / 1e9);
    }

    public void tokens(int prompt, int completion) {
        tokens.labelValues("prompt").inc(prompt);
        tokens.labelValues("completion").inc(completion);
    }

    public void passages(int count) {
        passages.observe(count);
    }

    public void refusal() {
        refusals.inc();
    }

    public void llmError(String reason) {
        llmErrors.labelValues(reason).inc();
    }

    public void sessionStore(boolean up) {
        sessionStoreUp.set(up ? 1 : 0);
        if (!up) {
            sessionErrors.inc();
        }
    }

    /** The Prometheus text format's content type. */
    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Every metric in the Prometheus text format. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
