package dev.embedflow.sink.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.DeadLetterWriter;
import dev.embedflow.deadletter.Stage;
import dev.embedflow.index.IndexFields;
import dev.embedflow.index.IndexManager;
import dev.embedflow.opensearch.JsonResponse;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionException;
import dev.embedflow.sink.IndexAction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes index actions to OpenSearch in bulk requests.
 *
 * <p>Threading: every field is touched on the task thread only. A request is performed on one of
 * the writer's I/O threads (one per request that may be in flight), and its result comes back as a
 * mailbox mail; the flush interval and retry backoff are processing-time timers, which also run as
 * mails.
 *
 * <p>Ordering: a bulk never holds two actions on the same id. Versioned actions (OpenSearch's
 * external versioning: the index keeps the newest version of a document whatever order they arrive
 * in, and answers an older one with a version conflict, counted as superseded) go in up to {@code
 * maxInFlightRequests} bulks at once; an unversioned bulk runs alone, and actions to retry go back
 * to the head of the queue, so that unversioned actions on one document reach OpenSearch in the
 * order they were written. Entity deletes are a barrier: the ones queued together run alone, after
 * one refresh, once everything before them is stored.
 *
 * <p>Failures: items OpenSearch rejects as overloaded (429) are retried with backoff up to a limit,
 * then dead-lettered; items it cannot store (mapping errors) are dead-lettered at once; a request
 * that got no answer (cluster unreachable) is retried with backoff without limit while {@link
 * #write} backpressures on a bounded number and size of pending actions. {@link #flush} returns
 * only when nothing is pending and every dead letter is written.
 */
@Internal
public final class OpenSearchSinkWriter implements SinkWriter<IndexAction> {

    private static final Logger LOG = LoggerFactory.getLogger(OpenSearchSinkWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Most entity deletes sent together (one refresh, one search for all of them). */
    private static final int MAX_ENTITY_DELETES = 100;

    private final WriterSettings settings;
    private final MailboxExecutor mailbox;
    private final ProcessingTimeService time;
    private final OpenSearchConnection connection;
    private final DeadLetterWriter deadLetters;
    private final ExecutorService io;
    private final Backoff backoff;

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    private int requestsInFlight;
    private int inFlightActions;
    private long inFlightBytes;
    private boolean barrierInFlight;
    private long retryNotBefore;
    private boolean retryTimerSet;
    private int failedRequestsInARow;
    private boolean closed;

    private final Counter actionsSent;
    private final Counter retries;
    private final Counter deadLettered;
    private final Counter superseded;
    private final Counter bytesSent;
    private final Histogram bulkLatency;
    private final Histogram freshness;
    private volatile long lastLatencyMillis;

    /** {@link #pending()}, {@link #pendingBytes()} and requests in flight, for metric reporters. */
    private volatile int pendingForMetrics;

    private volatile long pendingBytesForMetrics;
    private volatile int requestsInFlightForMetrics;

    public OpenSearchSinkWriter(WriterSettings settings, WriterInitContext context)
            throws Exception {
        this.settings = settings;
        this.mailbox = context.getMailboxExecutor();
        this.time = context.getProcessingTimeService();
        this.backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        this.connection = OpenSearchConnection.open(settings.connection());
        try {
            if (settings.preflight() != null) {
                IndexManager indexes = new IndexManager(connection);
                indexes.ensureIndex(settings.preflight());
                indexes.ensureAlias(settings.preflight());
            }
            this.deadLetters = settings.deadLetters().open();
        } catch (Exception e) {
            connection.close();
            throw e;
        }
        // One thread per request that may be in flight: a request blocks its thread until
        // OpenSearch answers, so fewer threads would queue the bulks the limit lets go.
        java.util.concurrent.atomic.AtomicInteger threads =
                new java.util.concurrent.atomic.AtomicInteger();
        this.io =
                Executors.newFixedThreadPool(
                        Math.max(1, settings.maxInFlightRequests()),
                        r -> {
                            Thread t =
                                    new Thread(
                                            r,
                                            "opensearch-sink-io-"
                                                    + context.getTaskInfo().getIndexOfThisSubtask()
                                                    + "-"
                                                    + threads.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });

        SinkWriterMetricGroup metrics = context.metricGroup();
        this.actionsSent = metrics.getNumRecordsSendCounter();
        this.bytesSent = metrics.getNumBytesSendCounter();
        this.retries = metrics.counter("opensearchRetries");
        this.deadLettered = metrics.counter("opensearchDeadLettered");
        this.superseded = metrics.counter("opensearchSuperseded");
        this.bulkLatency =
                metrics.histogram(
                        "opensearchBulkLatencyMs", new DescriptiveStatisticsHistogram(1_000));
        this.freshness =
                metrics.histogram("freshnessMs", new DescriptiveStatisticsHistogram(1_000));
        metrics.gauge("opensearchPendingActions", () -> (long) pendingForMetrics);
        metrics.gauge("opensearchPendingBytes", () -> pendingBytesForMetrics);
        metrics.gauge("opensearchRequestsInFlight", () -> requestsInFlightForMetrics);
        metrics.setCurrentSendTimeGauge(() -> lastLatencyMillis);
        scheduleInterval();
    }

    @Override
    public void write(IndexAction action, Context context) throws InterruptedException {
        while (pending() >= settings.maxBufferedActions()
                || pendingBytes() >= settings.maxBufferedBytes()) {
            trySend(true);
            mailbox.yield();
        }
        Pending pending = new Pending(action, render(action));
        queue.addLast(pending);
        queuedBytes += pending.size();
        updateGauges();
        trySend(false);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        while (pending() > 0) {
            trySend(true);
            mailbox.yield();
        }
        try {
            deadLetters.flush();
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("flushing the dead-letter output failed", e);
        }
    }

    /** Actions buffered, in flight or waiting for a retry. */
    private int pending() {
        return queue.size() + inFlightActions;
    }

    /** Bytes of the rendered actions buffered, in flight or waiting for a retry. */
    private long pendingBytes() {
        return queuedBytes + inFlightBytes;
    }

    private void updateGauges() {
        pendingForMetrics = pending();
        pendingBytesForMetrics = pendingBytes();
        requestsInFlightForMetrics = requestsInFlight;
    }

    private byte[] render(IndexAction action) {
        if (action instanceof IndexAction.DeleteEntity) {
            return new byte[0];
        }
        return BulkDocuments.bulkLines(target(), action, Instant.now());
    }

    private String target() {
        return settings.index();
    }

    // ---- sending (task thread)

    private void trySend(boolean force) {
        while (!closed && !barrierInFlight && !queue.isEmpty()) {
            if (time.getCurrentProcessingTime() < retryNotBefore) {
                scheduleRetry();
                return;
            }
            boolean full =
                    queue.size() >= settings.maxActions() || queuedBytes >= settings.maxBytes();
            if (!force && !full && queue.peekFirst().attempts == 0) {
                return;
            }
            if (queue.peekFirst().action instanceof IndexAction.DeleteEntity) {
                if (requestsInFlight > 0) {
                    return; // a barrier: everything before it must be stored first
                }
                List<Pending> deletes = new ArrayList<>();
                while (!queue.isEmpty()
                        && queue.peekFirst().action instanceof IndexAction.DeleteEntity
                        && deletes.size() < MAX_ENTITY_DELETES) {
                    deletes.add(take());
                }
                sendDeleteEntities(deletes);
                return;
            }
            // The next bulk: up to the size limits, no id twice, no entity delete.
            int count = 0;
            long bytes = 0;
            boolean versioned = true;
            Set<String> ids = new HashSet<>();
            for (Pending next : queue) {
                if (count >= settings.maxActions()
                        || next.action instanceof IndexAction.DeleteEntity
                        || !ids.add(id(next.action))
                        || (count > 0 && bytes + next.size() > settings.maxBytes())) {
                    break;
                }
                count++;
                bytes += next.size();
                versioned &= next.action.version() > 0;
            }
            boolean mayGo =
                    versioned
                            ? requestsInFlight < settings.maxInFlightRequests()
                            : requestsInFlight == 0;
            if (!mayGo) {
                return;
            }
            List<Pending> batch = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                batch.add(take());
            }
            sendBulk(batch, bytes, !versioned);
        }
    }

    private Pending take() {
        Pending p = queue.pollFirst();
        queuedBytes -= p.size();
        return p;
    }

    private void sendBulk(List<Pending> batch, long bytes, boolean barrier) {
        ByteArrayOutputStream body = new ByteArrayOutputStream((int) Math.min(bytes, 64 << 20));
        for (Pending p : batch) {
            body.writeBytes(p.lines);
        }
        byte[] ndjson = body.toByteArray();
        InFlight request = begin(batch, barrier);
        long start = System.nanoTime();
        perform(
                () -> connection.send("POST", "/_bulk", ndjson),
                response -> onBulkResponse(request, response, start, ndjson.length),
                failure -> onRequestFailure(request, failure));
    }

    /**
     * Deletes the documents of the entities of {@code deletes}: one refresh (so that every earlier
     * upsert is searchable), then search their ids and bulk-delete them until none is left.
     * Versioned deletes spare a document the index holds in a newer version (written after the
     * delete). Search + bulk instead of {@code _delete_by_query}: works on clusters without the
     * reindex module and on OpenSearch Serverless.
     */
    private void sendDeleteEntities(List<Pending> deletes) {
        Map<String, Long> versions = new LinkedHashMap<>();
        for (Pending delete : deletes) {
            IndexAction.DeleteEntity action = (IndexAction.DeleteEntity) delete.action;
            versions.merge(action.entity(), action.version(), Math::max);
        }
        InFlight request = begin(deletes, true);
        long start = System.nanoTime();
        perform(
                () -> deleteEntities(versions),
                response -> onDeleteEntityResponse(request, response, start),
                failure -> onRequestFailure(request, failure));
    }

    /** On the I/O thread: the deletes; the last response, or the first that failed. */
    private JsonResponse deleteEntities(Map<String, Long> versions) throws IOException {
        JsonResponse refreshed = connection.send("POST", "/" + target() + "/_refresh", null);
        if (!refreshed.ok()) {
            return refreshed;
        }
        Set<String> kept = new HashSet<>();
        while (true) {
            ObjectNode search = JSON.createObjectNode();
            search.put("size", 1_000);
            search.putArray("_source").add(IndexFields.ENTITY);
            ObjectNode bool = search.putObject("query").putObject("bool");
            ArrayNode entities =
                    bool.putArray("filter")
                            .addObject()
                            .putObject("terms")
                            .putArray(IndexFields.ENTITY);
            versions.keySet().forEach(entities::add);
            if (!kept.isEmpty()) {
                ArrayNode ids =
                        bool.putArray("must_not").addObject().putObject("ids").putArray("values");
                kept.forEach(ids::add);
            }
            JsonResponse found = connection.send("POST", "/" + target() + "/_search", search);
            JsonNode hits = found.body().path("hits").path("hits");
            if (!found.ok() || hits.isEmpty()) {
                return found;
            }
            ByteArrayOutputStream lines = new ByteArrayOutputStream();
            for (JsonNode hit : hits) {
                ObjectNode meta = JSON.createObjectNode();
                Long version = versions.get(hit.path("_source").path(IndexFields.ENTITY).asText());
                BulkDocuments.versioned(
                        meta.putObject("delete")
                                .put("_index", hit.path("_index").asText())
                                .put("_id", hit.path("_id").asText()),
                        version == null ? 0 : version);
                lines.writeBytes(JSON.writeValueAsBytes(meta));
                lines.write('\n');
            }
            JsonResponse deleted =
                    connection.send(
                            "POST", "/_bulk", Map.of("refresh", "true"), lines.toByteArray());
            if (!deleted.ok()) {
                return deleted;
            }
            for (JsonNode item : deleted.body().path("items")) {
                JsonNode result = item.path("delete");
                Outcome outcome =
                        Outcome.ofItem(
                                "delete",
                                result.path("status").asInt(),
                                result.path("error").path("type").asText(""));
                if (outcome == Outcome.SUPERSEDED) {
                    kept.add(result.path("_id").asText());
                } else if (outcome != Outcome.SUCCESS) {
                    return deleted;
                }
            }
        }
    }

    /** One request on its way: its actions, their size, and whether nothing may run beside it. */
    private record InFlight(List<Pending> actions, long bytes, boolean barrier) {}

    private InFlight begin(List<Pending> batch, boolean barrier) {
        long bytes = 0;
        for (Pending p : batch) {
            bytes += p.size();
        }
        requestsInFlight++;
        inFlightActions += batch.size();
        inFlightBytes += bytes;
        barrierInFlight |= barrier;
        updateGauges();
        return new InFlight(batch, bytes, barrier);
    }

    private void end(InFlight request) {
        requestsInFlight--;
        inFlightActions -= request.actions().size();
        inFlightBytes -= request.bytes();
        if (request.barrier()) {
            barrierInFlight = false;
        }
        updateGauges();
    }

    /** Runs {@code request} on the I/O thread and hands its result to the mailbox. */
    private void perform(
            java.util.concurrent.Callable<JsonResponse> request,
            ResponseHandler onResponse,
            FailureHandler onFailure) {
        io.execute(
                () -> {
                    JsonResponse response;
                    try {
                        response = request.call();
                    } catch (Exception e) {
                        toMailbox(() -> onFailure.handle(e), "opensearch-request-failed");
                        return;
                    }
                    toMailbox(() -> onResponse.handle(response), "opensearch-response");
                });
    }

    private void toMailbox(
            org.apache.flink.util.function.ThrowingRunnable<Exception> action, String name) {
        try {
            mailbox.execute(action, name);
        } catch (RejectedExecutionException e) {
            // the task is shutting down: the actions are pending and will be replayed from the
            // last checkpoint.
            LOG.debug("Mailbox closed; dropping the {} callback", name);
        }
    }

    // ---- responses (task thread, as mails)

    private void onBulkResponse(InFlight request, JsonResponse response, long start, int size)
            throws Exception {
        end(request);
        List<Pending> batch = request.actions();
        recordLatency(start);
        Outcome whole = Outcome.ofRequest(response.status());
        if (whole == Outcome.RETRY) {
            onFailedRequest(
                    batch,
                    new OpenSearchConnectionException(
                            "bulk request answered HTTP "
                                    + response.status()
                                    + ": "
                                    + response.errorReason(),
                            response.status(),
                            null));
            return;
        }
        if (whole == Outcome.FATAL) {
            throw new FlinkRuntimeException(
                    "OpenSearch refused a bulk request of "
                            + batch.size()
                            + " actions ("
                            + size
                            + " bytes) with HTTP "
                            + response.status()
                            + " "
                            + response.errorType()
                            + ": "
                            + response.errorReason()
                            + (response.status() == 413
                                    ? ". Lower opensearch.sink.bulk.max-size."
                                    : ""));
        }
        failedRequestsInARow = 0;
        bytesSent.inc(size);
        long acknowledged = System.currentTimeMillis();
        JsonNode items = response.body().path("items");
        if (items.size() != batch.size()) {
            throw new FlinkRuntimeException(
                    "OpenSearch answered a bulk of "
                            + batch.size()
                            + " actions with "
                            + items.size()
                            + " items");
        }
        List<Pending> again = new ArrayList<>();
        int maxAttempts = 0;
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            Iterator<Map.Entry<String, JsonNode>> only = items.get(i).fields();
            Map.Entry<String, JsonNode> entry = only.next();
            JsonNode item = entry.getValue();
            JsonNode error = item.path("error");
            String errorType = error.path("type").asText("");
            Outcome outcome =
                    Outcome.ofItem(entry.getKey(), item.path("status").asInt(), errorType);
            switch (outcome) {
                case SUCCESS -> {
                    actionsSent.inc();
                    if (p.action instanceof IndexAction.Upsert upsert
                            && upsert.newestEventTime() > 0) {
                        // From the newest event the document reflects to OpenSearch's answer.
                        freshness.update(acknowledged - upsert.newestEventTime());
                    }
                }
                case SUPERSEDED -> superseded.inc();
                case RETRY -> {
                    if (p.attempts >= settings.maxItemRetries()) {
                        deadLetter(
                                p,
                                "OpenSearch kept rejecting the action after "
                                        + p.attempts
                                        + " retries: "
                                        + describe(error, item));
                    } else {
                        p.attempts++;
                        maxAttempts = Math.max(maxAttempts, p.attempts);
                        again.add(p);
                    }
                }
                case DEAD_LETTER, FATAL -> deadLetter(p, describe(error, item));
            }
        }
        if (!again.isEmpty()) {
            retries.inc(again.size());
            requeue(again);
            backOff(maxAttempts);
            LOG.info(
                    "OpenSearch rejected {} of {} actions as overloaded; retrying",
                    again.size(),
                    batch.size());
        } else {
            trySend(false);
        }
    }

    private void onDeleteEntityResponse(InFlight request, JsonResponse response, long start)
            throws Exception {
        end(request);
        List<Pending> deletes = request.actions();
        recordLatency(start);
        Outcome outcome = Outcome.ofRequest(response.status());
        String reason = response.errorReason();
        if (outcome == Outcome.SUCCESS && response.body().path("errors").asBoolean()) {
            for (JsonNode item : response.body().path("items")) {
                JsonNode result = item.path("delete");
                Outcome itemOutcome =
                        Outcome.ofItem(
                                "delete",
                                result.path("status").asInt(),
                                result.path("error").path("type").asText(""));
                if (itemOutcome != Outcome.SUCCESS && itemOutcome != Outcome.SUPERSEDED) {
                    outcome = itemOutcome;
                    reason = describe(result.path("error"), result);
                    break;
                }
            }
        }
        switch (outcome) {
            case SUCCESS, SUPERSEDED -> {
                failedRequestsInARow = 0;
                actionsSent.inc(deletes.size());
                trySend(false);
            }
            case RETRY ->
                    onFailedRequest(
                            deletes,
                            new OpenSearchConnectionException(
                                    "deleting entities answered HTTP "
                                            + response.status()
                                            + ": "
                                            + reason,
                                    response.status(),
                                    null));
            case DEAD_LETTER, FATAL -> {
                failedRequestsInARow = 0;
                for (Pending delete : deletes) {
                    deadLetter(delete, "deleting the entity's documents failed: " + reason);
                }
                trySend(false);
            }
        }
    }

    private void onRequestFailure(InFlight request, Exception failure) {
        end(request);
        onFailedRequest(request.actions(), failure);
    }

    private void onFailedRequest(List<Pending> batch, Exception failure) {
        if (failure instanceof OpenSearchConnectionException e
                && (e.status() == 401 || e.status() == 403)) {
            throw new FlinkRuntimeException(e.getMessage(), e);
        }
        failedRequestsInARow++;
        retries.inc(batch.size());
        requeue(batch);
        long delay = backOff(failedRequestsInARow);
        if (failedRequestsInARow == 1 || failedRequestsInARow % 10 == 0) {
            LOG.warn(
                    "OpenSearch request failed ({} in a row), {} actions pending; retrying in {} ms:"
                            + " {}",
                    failedRequestsInARow,
                    pending(),
                    delay,
                    failure.getMessage());
        }
    }

    private void requeue(List<Pending> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            Pending p = batch.get(i);
            queue.addFirst(p);
            queuedBytes += p.size();
        }
        updateGauges();
    }

    private long backOff(int attempt) {
        long delay = backoff.delayMillis(attempt);
        retryNotBefore = time.getCurrentProcessingTime() + delay;
        scheduleRetry();
        return delay;
    }

    private void scheduleRetry() {
        if (!retryTimerSet && !closed) {
            retryTimerSet = true;
            time.registerTimer(
                    retryNotBefore,
                    t -> {
                        retryTimerSet = false;
                        trySend(true);
                    });
        }
    }

    private void scheduleInterval() {
        time.registerTimer(
                time.getCurrentProcessingTime() + settings.interval().toMillis(),
                t -> {
                    if (!closed) {
                        trySend(true);
                        scheduleInterval();
                    }
                });
    }

    private void deadLetter(Pending p, String reason) throws Exception {
        deadLettered.inc();
        String id = id(p.action);
        LOG.warn("Dead-lettering {}: {}", p.action, reason);
        deadLetters.write(
                DeadLetter.of(
                        Stage.SINK,
                        reason,
                        p.action.origins(),
                        id,
                        BulkDocuments.deadLetterPayload(p.action, Instant.now())));
    }

    private static String describe(JsonNode error, JsonNode item) {
        if (error.isMissingNode()) {
            return "HTTP " + item.path("status").asInt();
        }
        StringBuilder s =
                new StringBuilder(error.path("type").asText())
                        .append(": ")
                        .append(error.path("reason").asText());
        JsonNode cause = error.path("caused_by");
        if (!cause.isMissingNode()) {
            s.append(" (caused by ")
                    .append(cause.path("type").asText())
                    .append(": ")
                    .append(cause.path("reason").asText())
                    .append(')');
        }
        return s.toString();
    }

    private void recordLatency(long startNanos) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        lastLatencyMillis = millis;
        bulkLatency.update(millis);
    }

    private static String id(IndexAction action) {
        if (action instanceof IndexAction.Upsert u) {
            return u.id();
        }
        if (action instanceof IndexAction.Delete d) {
            return d.id();
        }
        return null;
    }

    @Override
    public void close() throws Exception {
        closed = true;
        if (pending() > 0) {
            LOG.info(
                    "Closing with {} actions pending (replayed from the last checkpoint)",
                    pending());
        }
        io.shutdownNow();
        try {
            deadLetters.close();
        } finally {
            connection.close();
        }
    }

    /** An action with its rendered bulk lines and its retry count. */
    private static final class Pending {
        final IndexAction action;
        final byte[] lines;
        int attempts;

        Pending(IndexAction action, byte[] lines) {
            this.action = action;
            this.lines = lines;
        }

        int size() {
            return lines.length;
        }
    }

    @FunctionalInterface
    private interface ResponseHandler {
        void handle(JsonResponse response) throws Exception;
    }

    @FunctionalInterface
    private interface FailureHandler {
        void handle(Exception failure) throws Exception;
    }
}
