package dev.embedflow.qa;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.qa.QaService.Answer;
import dev.embedflow.qa.QaService.SessionUse;
import dev.embedflow.qa.api.ApiException;
import dev.embedflow.qa.api.ApiKeys;
import dev.embedflow.qa.api.ChatRequest;
import dev.embedflow.qa.api.Tenant;
import dev.embedflow.qa.llm.Passage;
import dev.embedflow.qa.retrieval.Filters;
import dev.embedflow.qa.retrieval.Retriever;
import dev.embedflow.qa.session.Session;
import dev.embedflow.qa.session.SessionStore;
import dev.embedflow.qa.session.TurnCodec;
import dev.embedflow.search.SearchHit;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Q&A service's HTTP face (Javalin on Jetty): the OpenAI-compatible API, the search API,
 * sessions, health, metrics and the chat page. Every error is answered in OpenAI's error shape with
 * its status, and the server keeps serving.
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: an answer with {@code citations}; SSE with {@code
 *       stream: true} (the citations in the first chunk, then the answer, then {@code [DONE]});
 *   <li>{@code POST /v1/search}, {@code GET /v1/models}, {@code GET|DELETE /v1/sessions/{id}};
 *   <li>{@code GET /health}, {@code GET /metrics} (Prometheus), {@code GET /} (the page).
 * </ul>
 *
 * <p>{@code /v1/*} needs {@code Authorization: Bearer <key>} when keys are configured. Request
 * bodies, questions and keys are not logged.
 */
public final class QaServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QaServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "embedflow.tenant";
    private static final String ROUTE = "embedflow.route";

    /** Header naming the session a request belongs to. */
    public static final String SESSION_HEADER = "X-Session-Id";

    /** Header saying how the session was kept: redis, memory, or unavailable. */
    public static final String SESSION_STORE_HEADER = "X-Session-Store";

    private final QaService service;
    private final ApiKeys keys;
    private final int maxMessages;
    private final long created = Instant.now().getEpochSecond();
    private final Javalin app;

    /**
     * Where the server listens and what it accepts.
     *
     * @param host the address to listen on
     * @param port the port (0 for a free one)
     * @param maxRequestBytes the largest body (larger: 413)
     * @param maxMessages the most messages a chat request may carry
     * @param corsOrigins origins whose pages may call the API ({@code *} for any; empty: none)
     */
    public record Settings(
            String host,
            int port,
            long maxRequestBytes,
            int maxMessages,
            List<String> corsOrigins) {

        public Settings {
            corsOrigins = List.copyOf(corsOrigins);
        }
    }

    private QaServer(QaService service, ApiKeys keys, Settings settings) {
        this.service = service;
        this.keys = keys;
        this.maxMessages = settings.maxMessages();
        String host = settings.host();
        int port = settings.port();
        long maxRequestBytes = settings.maxRequestBytes();
        List<String> corsOrigins = settings.corsOrigins();
        this.app =
                Javalin.create(
                        config -> {
                            config.jetty.host = host;
                            config.jetty.port = port;
                            config.http.maxRequestSize = maxRequestBytes;
                            config.http.compressionStrategy = CompressionStrategy.NONE;
                            config.http.prefer405over404 = true;
                            config.startup.showJavalinBanner = false;
                            config.staticFiles.add(
                                    files -> {
                                        files.hostedPath = "/";
                                        files.directory = "/dev/embedflow/qa/page";
                                        files.location = Location.CLASSPATH;
                                    });
                            if (!corsOrigins.isEmpty()) {
                                config.bundledPlugins.enableCors(
                                        cors ->
                                                cors.addRule(
                                                        rule -> {
                                                            if (corsOrigins.contains("*")) {
                                                                rule.anyHost();
                                                            } else {
                                                                corsOrigins.forEach(
                                                                        o -> rule.allowHost(o));
                                                            }
                                                            rule.exposeHeader(SESSION_STORE_HEADER);
                                                            rule.exposeHeader(SESSION_HEADER);
                                                        }));
                            }
                            config.requestLogger.http(this::logRequest);
                            config.routes.before("/v1/*", this::authenticate);
                            config.routes.get("/health", route("health", this::health));
                            config.routes.get("/metrics", route("metrics", this::metrics));
                            config.routes.get("/v1/models", route("models", this::models));
                            config.routes.post("/v1/chat/completions", route("chat", this::chat));
                            config.routes.post("/v1/search", route("search", this::search));
                            config.routes.get(
                                    "/v1/sessions/{id}", route("session", this::getSession));
                            config.routes.delete(
                                    "/v1/sessions/{id}", route("session", this::deleteSession));
                            config.routes.exception(ApiException.class, this::apiError);
                            config.routes.exception(HttpResponseException.class, this::httpError);
                            config.routes.exception(Exception.class, this::unexpected);
                            config.routes.error(404, this::notFound);
                            config.routes.error(405, this::methodNotAllowed);
                        });
    }

    /** Starts the service as {@code settings} say. */
    public static QaServer start(QaService service, ApiKeys keys, Settings settings) {
        QaServer server = new QaServer(service, keys, settings);
        server.app.start();
        return server;
    }

    public int port() {
        return app.port();
    }

    /** {@code http://localhost:port}. */
    public URI baseUri() {
        return URI.create("http://localhost:" + port());
    }

    public QaService service() {
        return service;
    }

    @Override
    public void close() {
        app.stop();
    }

    private interface Route {
        void handle(Context ctx) throws Exception;
    }

    private static io.javalin.http.Handler route(String name, Route route) {
        return ctx -> {
            ctx.attribute(ROUTE, name);
            route.handle(ctx);
        };
    }

    private void authenticate(Context ctx) {
        if ("OPTIONS".equals(ctx.method().name())) {
            return; // CORS preflight
        }
        Tenant tenant =
                keys.authenticate(ctx.header("Authorization"))
                        .orElseThrow(
                                () ->
                                        ApiException.unauthorized(
                                                ctx.header("Authorization") == null
                                                        ? "You didn't provide an API key. Send"
                                                                + " it as 'Authorization: Bearer"
                                                                + " <key>'."
                                                        : "Incorrect API key provided."));
        ctx.attribute(TENANT, tenant);
    }

    private static Tenant tenant(Context ctx) {
        return Objects.requireNonNull(ctx.attribute(TENANT), "tenant");
    }

    // --- chat -------------------------------------------------------------------------------

    private void chat(Context ctx) throws IOException {
        ChatRequest request = ChatRequest.parse(body(ctx), maxMessages);
        String sessionId = sessionId(ctx);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long createdAt = Instant.now().getEpochSecond();
        if (request.stream()) {
            stream(ctx, request, sessionId, id, createdAt);
            return;
        }
        Answer answer =
                service.answer(
                        tenant(ctx),
                        request,
                        sessionId,
                        new QaService.Listener() {
                            @Override
                            public void started(SessionUse use, List<Passage> citations) {}

                            @Override
                            public void delta(String text) {}
                        });
        sessionHeaders(ctx, sessionId, answer.session());
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("object", "chat.completion");
        body.put("created", createdAt);
        body.put("model", service.model().name());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer.text());
        choice.putNull("logprobs");
        choice.put("finish_reason", answer.finishReason());
        body.set("usage", usage(answer));
        body.set("citations", citations(answer.citations()));
        json(ctx, 200, body);
    }

    /** Server-sent events: citations first, then the answer as it forms, then [DONE]. */
    private void stream(
            Context ctx, ChatRequest request, String sessionId, String id, long createdAt)
            throws IOException {
        HttpServletResponse res = ctx.res();
        String model = service.model().name();
        boolean[] started = {false};
        QaService.Listener listener =
                new QaService.Listener() {
                    @Override
                    public void started(SessionUse use, List<Passage> citations) {
                        sessionHeaders(ctx, sessionId, use);
                        res.setStatus(200);
                        res.setContentType("text/event-stream");
                        res.setCharacterEncoding("UTF-8");
                        res.setHeader("Cache-Control", "no-cache");
                        res.setHeader("X-Accel-Buffering", "no");
                        ObjectNode first = chunk(id, createdAt, model);
                        first.withArray("choices")
                                .addObject()
                                .put("index", 0)
                                .putNull("finish_reason")
                                .putObject("delta")
                                .put("role", "assistant")
                                .put("content", "");
                        first.set("citations", citations(citations));
                        started[0] = true;
                        send(res, first);
                    }

                    @Override
                    public void delta(String text) {
                        ObjectNode chunk = chunk(id, createdAt, model);
                        chunk.withArray("choices")
                                .addObject()
                                .put("index", 0)
                                .putNull("finish_reason")
                                .putObject("delta")
                                .put("content", text);
                        send(res, chunk);
                    }
                };
        Answer answer;
        try {
            answer = service.answer(tenant(ctx), request, sessionId, listener);
        } catch (ApiException e) {
            if (!started[0]) {
                throw e; // nothing sent yet: an ordinary error response
            }
            ObjectNode error = JSON.createObjectNode();
            error.set("error", errorBody(e));
            send(res, error);
            sendRaw(res, "data: [DONE]\n\n");
            return;
        }
        ObjectNode last = chunk(id, createdAt, model);
        last.withArray("choices")
                .addObject()
                .put("index", 0)
                .put("finish_reason", answer.finishReason())
                .putObject("delta");
        last.set("usage", usage(answer));
        send(res, last);
        sendRaw(res, "data: [DONE]\n\n");
    }

    /** OpenAI's {@code usage}: prompt, completion and total tokens. */
    private static ObjectNode usage(Answer answer) {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", answer.promptTokens());
        usage.put("completion_tokens", answer.completionTokens());
        usage.put("total_tokens", answer.promptTokens() + answer.completionTokens());
        return usage;
    }

    private static ObjectNode chunk(String id, long createdAt, String model) {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", createdAt);
        chunk.put("model", model);
        chunk.putArray("choices");
        return chunk;
    }

    private static void send(HttpServletResponse res, ObjectNode event) {
        try {
            sendRaw(res, "data: " + JSON.writeValueAsString(event) + "\n\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an event", e);
        }
    }

    private static void sendRaw(HttpServletResponse res, String text) {
        try {
            ServletOutputStream out = res.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the client went away", e);
        }
    }

    private static ArrayNode citations(List<Passage> passages) {
        ArrayNode array = JSON.createArrayNode();
        for (Passage p : passages) {
            ObjectNode c = array.addObject();
            c.put("index", p.number());
            c.put("id", p.id());
            c.put("entity", p.entity());
            c.put("score", p.score());
            c.put("vector_score", p.vectorScore());
            c.put("window_start", p.windowStart() == null ? null : p.windowStart().toString());
            c.put("window_end", p.windowEnd() == null ? null : p.windowEnd().toString());
            c.put("text", p.text());
            c.set("metadata", JSON.valueToTree(p.metadata()));
        }
        return array;
    }

    private void sessionHeaders(Context ctx, String sessionId, SessionUse use) {
        if (sessionId == null) {
            return;
        }
        ctx.header(SESSION_HEADER, sessionId);
        ctx.header(
                SESSION_STORE_HEADER,
                use == SessionUse.UNAVAILABLE ? "unavailable" : service.sessions().kind());
    }

    private static String sessionId(Context ctx) {
        String id = ctx.header(SESSION_HEADER);
        if (id == null || id.isEmpty()) {
            return null;
        }
        if (!SessionStore.VALID_ID.matcher(id).matches()) {
            throw ApiException.invalid(
                    SESSION_HEADER,
                    SESSION_HEADER + " must be 1-128 letters, digits, '.', '_' or '-'.");
        }
        return id;
    }

    // --- search, models, sessions -------------------------------------------------------------

    private void search(Context ctx) {
        JsonNode body = body(ctx);
        JsonNode query = body.get("query");
        if (query == null || !query.isTextual() || query.asText().isBlank()) {
            throw ApiException.invalid("query", "'query' must be a non-empty string.");
        }
        int k = body.path("k").asInt(10);
        if (!body.path("k").isMissingNode()
                && (!body.get("k").isIntegralNumber() || k < 1 || k > 100)) {
            throw ApiException.invalid("k", "'k' must be an integer from 1 to 100.");
        }
        Map<String, List<String>> filters;
        try {
            filters = Filters.fromJson(body.get("filters"));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("filters", "'" + e.getMessage() + "'.");
        }
        Retriever.Request request =
                new Retriever.Request(
                        query.asText(),
                        k,
                        filters,
                        body.path("hybrid").asBoolean(true),
                        body.path("by_entity").asBoolean(false),
                        instant(body, "since"),
                        instant(body, "until"));
        if (request.since() != null
                && request.until() != null
                && request.since().isAfter(request.until())) {
            throw ApiException.invalid("since", "'since' is after 'until'.");
        }
        List<SearchHit> hits = service.search(tenant(ctx), request);
        ObjectNode out = JSON.createObjectNode();
        out.put("object", "list");
        out.put("index", service.retriever().index());
        out.set("data", SearchHit.toJson(hits));
        json(ctx, 200, out);
    }

    private static Instant instant(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(
                    field,
                    "'" + field + "' must be an ISO-8601 instant such as 2026-03-01T00:00:00Z.");
        }
    }

    private void models(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        out.put("object", "list");
        ObjectNode model = out.putArray("data").addObject();
        model.put("id", service.model().name());
        model.put("object", "model");
        model.put("created", created);
        model.put("owned_by", "embedflow");
        json(ctx, 200, out);
    }

    private void getSession(Context ctx) {
        String id = pathSessionId(ctx);
        Session session = service.session(tenant(ctx), id);
        ObjectNode out = JSON.createObjectNode();
        out.put("id", id);
        out.put("object", "session");
        ArrayNode turns = out.putArray("turns");
        session.turns().forEach(t -> turns.add(TurnCodec.toJson(t)));
        json(ctx, 200, out);
    }

    private void deleteSession(Context ctx) {
        String id = pathSessionId(ctx);
        service.deleteSession(tenant(ctx), id);
        ObjectNode out = JSON.createObjectNode();
        out.put("id", id);
        out.put("object", "session.deleted");
        out.put("deleted", true);
        json(ctx, 200, out);
    }

    private static String pathSessionId(Context ctx) {
        String id = ctx.pathParam("id");
        if (!SessionStore.VALID_ID.matcher(id).matches()) {
            throw ApiException.invalid(
                    "id", "A session id is 1-128 letters, digits, '.', '_' or '-'.");
        }
        return id;
    }

    // --- health and metrics -------------------------------------------------------------------

    private void health(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        boolean indexExists;
        boolean openSearchUp;
        try {
            indexExists = service.retriever().indexExists();
            openSearchUp = true;
        } catch (RuntimeException e) {
            indexExists = false;
            openSearchUp = false;
        }
        boolean storeUp = service.sessions().ping();
        out.put("status", !openSearchUp ? "down" : storeUp && indexExists ? "ok" : "degraded");
        out.put("opensearch", openSearchUp ? "up" : "down");
        out.put("index", service.retriever().index());
        out.put("index_exists", indexExists);
        out.put("session_store", service.sessions().kind());
        out.put("session_store_up", storeUp);
        out.put("model", service.model().name());
        out.put("embedding_model", service.retriever().model());
        json(ctx, openSearchUp ? 200 : 503, out);
    }

    private void metrics(Context ctx) {
        ctx.contentType(QaMetrics.contentType()).result(service.metrics().scrape());
    }

    // --- errors and plumbing ------------------------------------------------------------------

    private static JsonNode body(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            throw ApiException.invalid(null, "The request has no body; send a JSON object.");
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw ApiException.invalid(
                    null,
                    "We could not parse the JSON body of your request. (HINT: This likely means"
                            + " you aren't using your HTTP library correctly.)");
        }
    }

    private static void json(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status)
                    .contentType("application/json")
                    .result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static ObjectNode errorBody(ApiException e) {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return error;
    }

    private void apiError(ApiException e, Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        out.set("error", errorBody(e));
        json(ctx, e.status(), out);
    }

    private void httpError(HttpResponseException e, Context ctx) {
        int status = e.getStatus();
        ApiException api =
                status == 413
                        ? ApiException.tooLarge(
                                "The request body is larger than the service accepts"
                                        + " (qa.limits.max-request-size).")
                        : new ApiException(
                                status,
                                status >= 500 ? "server_error" : "invalid_request_error",
                                null,
                                null,
                                e.getMessage());
        apiError(api, ctx);
    }

    private void unexpected(Exception e, Context ctx) {
        if (e instanceof UncheckedIOException && ctx.res().isCommitted()) {
            LOG.debug("The client of {} went away", ctx.path());
            return;
        }
        LOG.error("Request {} {} failed", ctx.method(), ctx.path(), e);
        if (ctx.res().isCommitted()) {
            return;
        }
        apiError(
                new ApiException(
                        500,
                        "server_error",
                        null,
                        null,
                        "The server had an error while processing your request ("
                                + e.getClass().getSimpleName()
                                + ")."),
                ctx);
    }

    private void notFound(Context ctx) {
        if (ctx.attribute(ROUTE) != null) {
            return; // a route's own 404 (model or session not found) already has its body
        }
        apiError(
                ApiException.notFound(
                        "unknown_url",
                        "Unknown request URL: " + ctx.method() + " " + ctx.path() + "."),
                ctx);
    }

    private void methodNotAllowed(Context ctx) {
        apiError(
                new ApiException(
                        405,
                        "invalid_request_error",
                        "method_not_allowed",
                        null,
                        "Method " + ctx.method() + " is not allowed on " + ctx.path() + "."),
                ctx);
    }

    private void logRequest(Context ctx, Float ms) {
        String route = Objects.requireNonNullElse(ctx.attribute(ROUTE), "other");
        service.metrics().request(route, ctx.statusCode());
        if (LOG.isInfoEnabled() && !"health".equals(route) && !"metrics".equals(route)) {
            LOG.info(
                    "{} {} {} {} ms",
                    ctx.method(),
                    ctx.path(),
                    ctx.statusCode(),
                    String.format(Locale.ROOT, "%.0f", ms));
        }
    }
}
