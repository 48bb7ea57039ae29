package dev.embedflow.qa;

import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.opensearch.SecretSource;
import dev.embedflow.qa.api.ApiKeys;
import dev.embedflow.qa.llm.ChatModel;
import dev.embedflow.qa.llm.ExtractiveModel;
import dev.embedflow.qa.llm.OpenAiChatModel;
import dev.embedflow.qa.retrieval.ContextBudget;
import dev.embedflow.qa.retrieval.HeuristicRewriter;
import dev.embedflow.qa.retrieval.LlmRewriter;
import dev.embedflow.qa.retrieval.QueryEmbedder;
import dev.embedflow.qa.retrieval.QueryRewriter;
import dev.embedflow.qa.retrieval.Retriever;
import dev.embedflow.qa.session.InMemorySessionStore;
import dev.embedflow.qa.session.RedisSessionStore;
import dev.embedflow.qa.session.SessionStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Q&A service wired from its configuration ({@link QaOptions}, {@code opensearch.*}, {@code
 * embedding.*}, {@code search.*}) and started. Used by {@code embedflow qa}, {@code embedflow
 * local} and the service's own image ({@link QaMain}).
 */
public final class QaApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QaApplication.class);

    /**
     * Environment variable that may hold the API keys JSON (see {@link QaOptions#API_KEYS_FILE}).
     */
    public static final String API_KEYS_ENV = "EMBEDFLOW_QA_API_KEYS";

    /** Environment variable that may hold the Redis password. */
    public static final String REDIS_PASSWORD_ENV = "EMBEDFLOW_QA_REDIS_PASSWORD";

    /** Environment variable that may hold the Redis URL (when {@code qa.redis.url} is not set). */
    public static final String REDIS_URL_ENV = "EMBEDFLOW_QA_REDIS_URL";

    /** How many sessions an in-memory store keeps at most. */
    static final int MEMORY_SESSIONS = 10_000;

    private final List<AutoCloseable> resources;
    private final QaServer server;

    private QaApplication(List<AutoCloseable> resources, QaServer server) {
        this.resources = resources;
        this.server = server;
    }

    /**
     * Builds and starts the service.
     *
     * @param conf the settings
     * @param env the environment (API keys, Redis password); {@code System.getenv()} in production
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public static QaApplication start(Configuration conf, Map<String, String> env) {
        return start(conf, OpenSearchConnectionConfig.fromConfiguration(conf), env);
    }

    /** Builds and starts the service with an OpenSearch connection configured elsewhere. */
    public static QaApplication start(
            Configuration conf, OpenSearchConnectionConfig openSearch, Map<String, String> env) {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            ApiKeys keys = apiKeys(conf, env);
            OpenSearchConnection connection = OpenSearchConnection.open(openSearch);
            resources.add(connection);
            QueryEmbedder embedder = QueryEmbedder.fromConfiguration(conf);
            resources.add(embedder);
            Retriever retriever =
                    new Retriever(connection, embedder, conf.get(QaOptions.INDEX), conf);
            ChatModel model = chatModel(conf);
            QueryRewriter heuristic = new HeuristicRewriter();
            QueryRewriter rewriter =
                    model.generative() && conf.get(QaOptions.LLM_REWRITE)
                            ? new LlmRewriter(model, heuristic)
                            : heuristic;
            SessionStore sessions = sessions(conf, env);
            QaService service =
                    new QaService(
                            retriever,
                            model,
                            rewriter,
                            sessions,
                            new ContextBudget(
                                    conf.get(QaOptions.CONTEXT_TOKENS),
                                    conf.get(QaOptions.HISTORY_TOKENS)),
                            new QaMetrics(),
                            new QaService.Settings(
                                    conf.get(QaOptions.RETRIEVAL_K),
                                    conf.get(QaOptions.RETRIEVAL_MIN_SCORE),
                                    conf.get(QaOptions.ANSWER_TOKENS),
                                    conf.get(QaOptions.MAX_QUESTION_TOKENS),
                                    conf.get(QaOptions.LOG_QUESTIONS)),
                            Clock.systemUTC());
            resources.add(service);
            QaServer server =
                    QaServer.start(
                            service,
                            keys,
                            new QaServer.Settings(
                                    conf.get(QaOptions.HOST),
                                    conf.get(QaOptions.PORT),
                                    conf.get(QaOptions.MAX_REQUEST_SIZE).getBytes(),
                                    conf.get(QaOptions.MAX_MESSAGES),
                                    conf.get(QaOptions.CORS_ORIGINS)));
            resources.add(server);
            LOG.info(
                    "Q&A service on port {}: index {}, model {}, query embeddings by {}, sessions in"
                            + " {}",
                    server.port(),
                    retriever.index(),
                    model.name(),
                    embedder.model(),
                    sessions.kind());
            if (keys.isOpen()) {
                LOG.warn(
                        "No API keys configured ({} or {}): the API is open to anyone who can"
                                + " reach port {}",
                        QaOptions.API_KEYS_FILE.key(),
                        API_KEYS_ENV,
                        server.port());
            }
            if (!model.generative()) {
                LOG.info(
                        "No LLM configured ({}): answers quote the passages' best sentences"
                                + " verbatim (model {})",
                        QaOptions.LLM_BASE_URL.key(),
                        ExtractiveModel.NAME);
            }
            return new QaApplication(resources, server);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static ApiKeys apiKeys(Configuration conf, Map<String, String> env) {
        if (conf.getOptional(QaOptions.API_KEYS_FILE).isPresent()) {
            return ApiKeys.fromFile(Path.of(conf.get(QaOptions.API_KEYS_FILE)));
        }
        String json = env.get(API_KEYS_ENV);
        if (json != null && !json.isBlank()) {
            return ApiKeys.parse(json, "the variable " + API_KEYS_ENV);
        }
        return ApiKeys.open();
    }

    private static ChatModel chatModel(Configuration conf) {
        if (conf.getOptional(QaOptions.LLM_BASE_URL).isEmpty()) {
            return new ExtractiveModel(
                    LocalEmbeddingModel.acquireShared(), conf.get(QaOptions.EXTRACTIVE_SENTENCES));
        }
        SecretSource key = null;
        if (conf.getOptional(QaOptions.LLM_API_KEY_FILE).isPresent()) {
            key = SecretSource.file(Path.of(conf.get(QaOptions.LLM_API_KEY_FILE)));
        } else if (System.getenv(conf.get(QaOptions.LLM_API_KEY_ENV)) != null) {
            key = SecretSource.env(conf.get(QaOptions.LLM_API_KEY_ENV));
        }
        return OpenAiChatModel.builder()
                .baseUrl(URI.create(conf.get(QaOptions.LLM_BASE_URL)))
                .model(conf.getOptional(QaOptions.LLM_MODEL).orElse(null))
                .apiKey(key)
                .connectTimeout(conf.get(QaOptions.LLM_CONNECT_TIMEOUT))
                .idleTimeout(conf.get(QaOptions.LLM_IDLE_TIMEOUT))
                .requestTimeout(conf.get(QaOptions.LLM_REQUEST_TIMEOUT))
                .maxRetries(conf.get(QaOptions.LLM_MAX_RETRIES))
                .backoff(
                        conf.get(QaOptions.LLM_BACKOFF_INITIAL),
                        conf.get(QaOptions.LLM_BACKOFF_MAX))
                .build();
    }

    private static SessionStore sessions(Configuration conf, Map<String, String> env) {
        String url =
                conf.getOptional(QaOptions.REDIS_URL)
                        .orElse(env.getOrDefault(REDIS_URL_ENV, "").strip());
        if (url.isEmpty()) {
            LOG.warn(
                    "No Redis configured ({}): sessions live in this process's memory, are lost"
                            + " on restart and are not shared between replicas",
                    QaOptions.REDIS_URL.key());
            return new InMemorySessionStore(
                    Clock.systemUTC(),
                    conf.get(QaOptions.SESSION_TTL),
                    conf.get(QaOptions.SESSION_MAX_TURNS),
                    MEMORY_SESSIONS);
        }
        char[] password = null;
        if (conf.getOptional(QaOptions.REDIS_PASSWORD_FILE).isPresent()) {
            password = SecretSource.file(Path.of(conf.get(QaOptions.REDIS_PASSWORD_FILE))).read();
        } else if (env.get(REDIS_PASSWORD_ENV) != null && !env.get(REDIS_PASSWORD_ENV).isEmpty()) {
            password = env.get(REDIS_PASSWORD_ENV).toCharArray();
        }
        RedisSessionStore redis =
                new RedisSessionStore(
                        URI.create(url),
                        password,
                        conf.get(QaOptions.REDIS_TIMEOUT),
                        conf.get(QaOptions.SESSION_TTL),
                        conf.get(QaOptions.SESSION_MAX_TURNS));
        if (!redis.ping()) {
            LOG.warn(
                    "Redis ({}) does not answer yet: questions are answered without sessions"
                            + " until it does",
                    redis);
        }
        return redis;
    }

    public QaServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", r.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
