package dev.embedflow.qa;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * The Q&A service's settings, as typed Flink options: the same {@code -Dkey=value} flags and
 * configuration files as the job. The index and OpenSearch connection come from {@code
 * opensearch.*}, the query embedding model from {@code embedding.*} (the local model when none is
 * set) and the search depth from {@code search.*}.
 */
public final class QaOptions {

    public static final ConfigOption<String> HOST =
            key("qa.host")
                    .stringType()
                    .defaultValue("0.0.0.0")
                    .withDescription("Address the service listens on.");

    public static final ConfigOption<Integer> PORT =
            key("qa.port")
                    .intType()
                    .defaultValue(8080)
                    .withDescription("Port of the API, the page, /health and /metrics.");

    public static final ConfigOption<String> INDEX =
            key("qa.index")
                    .stringType()
                    .defaultValue("embedflow")
                    .withDescription("Index or alias the service searches.");

    public static final ConfigOption<String> API_KEYS_FILE =
            key("qa.api-keys.file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JSON file of API keys and their tenants: {\"tenants\": [{\"name\":"
                                    + " \"acme\", \"keys\": [\"...\"], \"filter\": {\"tenant\":"
                                    + " [\"acme\"]}}]}. A tenant's filter applies to every"
                                    + " retrieval and session of its keys. Without this file and"
                                    + " without the variable EMBEDFLOW_QA_API_KEYS (the same JSON),"
                                    + " the API is open to anyone who reaches it and the service"
                                    + " says so when it starts.");

    public static final ConfigOption<String> REDIS_URL =
            key("qa.redis.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Redis for sessions, e.g. redis://redis:6379 (rediss:// for TLS); or the"
                                    + " variable EMBEDFLOW_QA_REDIS_URL. The password, if any, comes"
                                    + " from the variable EMBEDFLOW_QA_REDIS_PASSWORD or"
                                    + " qa.redis.password-file, never from the URL. Without Redis,"
                                    + " sessions live in this process's memory (lost on restart, not"
                                    + " shared between replicas) and the service says so when it"
                                    + " starts.");

    public static final ConfigOption<String> REDIS_PASSWORD_FILE =
            key("qa.redis.password-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("File holding the Redis password (e.g. a mounted Secret).");

    public static final ConfigOption<Duration> REDIS_TIMEOUT =
            key("qa.redis.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription(
                            "Connect and read timeout of Redis calls: past it a question is"
                                    + " answered without its session.");

    public static final ConfigOption<Duration> SESSION_TTL =
            key("qa.session.ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A session is forgotten this long after its last use (sliding).");

    public static final ConfigOption<Integer> SESSION_MAX_TURNS =
            key("qa.session.max-turns")
                    .intType()
                    .defaultValue(20)
                    .withDescription("Turns a session keeps; older ones are dropped.");

    public static final ConfigOption<Integer> RETRIEVAL_K =
            key("qa.retrieval.k")
                    .intType()
                    .defaultValue(6)
                    .withDescription("Passages retrieved per question (hybrid k-NN + BM25).");

    public static final ConfigOption<Double> RETRIEVAL_MIN_SCORE =
            key("qa.retrieval.min-score")
                    .doubleType()
                    .defaultValue(0.62)
                    .withDescription(
                            "The guardrail: when no retrieved passage has a k-NN score of at least"
                                    + " this ((1 + cosine) / 2 on a cosinesimil index, so 0.62 is a"
                                    + " cosine of 0.24), the service says it found nothing relevant,"
                                    + " cites nothing and does not call the LLM.");

    public static final ConfigOption<String> LLM_BASE_URL =
            key("qa.llm.base-url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Base URL of an OpenAI-compatible Chat Completions API (OpenAI"
                                    + " https://api.openai.com/v1, vLLM, Ollama's /v1, llama.cpp"
                                    + " server, TGI). Without it the service answers extractively"
                                    + " with the local model (model embedflow-extractive).");

    public static final ConfigOption<String> LLM_MODEL =
            key("qa.llm.model")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The LLM's model name, as its API knows it; clients ask for it by this"
                                    + " name. Required with qa.llm.base-url.");

    public static final ConfigOption<String> LLM_API_KEY_ENV =
            key("qa.llm.api-key-env")
                    .stringType()
                    .defaultValue("EMBEDFLOW_QA_LLM_API_KEY")
                    .withDescription("Environment variable holding the LLM's API key.");

    public static final ConfigOption<String> LLM_API_KEY_FILE =
            key("qa.llm.api-key-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "File holding the LLM's API key (instead of the environment variable).");

    public static final ConfigOption<Duration> LLM_CONNECT_TIMEOUT =
            key("qa.llm.connect-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Connect timeout of LLM requests.");

    public static final ConfigOption<Duration> LLM_IDLE_TIMEOUT =
            key("qa.llm.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "The longest silence of the LLM: before its first token, or between"
                                    + " two chunks of a streamed answer.");

    public static final ConfigOption<Duration> LLM_REQUEST_TIMEOUT =
            key("qa.llm.request-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription("The longest one LLM request (a whole answer) may take.");

    public static final ConfigOption<Integer> LLM_MAX_RETRIES =
            key("qa.llm.max-retries")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Retries of an LLM request that failed before its first token (429,"
                                    + " 5xx, timeouts, refused connections), with exponential"
                                    + " backoff that honours Retry-After and retry-after-ms.");

    public static final ConfigOption<Duration> LLM_BACKOFF_INITIAL =
            key("qa.llm.backoff.initial")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription("First backoff of a retried LLM request (doubling after).");

    public static final ConfigOption<Duration> LLM_BACKOFF_MAX =
            key("qa.llm.backoff.max")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(20))
                    .withDescription("Longest backoff of a retried LLM request.");

    public static final ConfigOption<Boolean> LLM_REWRITE =
            key("qa.llm.rewrite-follow-ups")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Whether the LLM rewrites a follow-up question into a standalone query"
                                    + " (one short extra call); otherwise, and without an LLM, a"
                                    + " heuristic carries the previous turn's entities and terms.");

    public static final ConfigOption<Integer> CONTEXT_TOKENS =
            key("qa.llm.context-tokens")
                    .intType()
                    .defaultValue(8_192)
                    .withDescription(
                            "The LLM's context window: system prompt, history, passages and the"
                                    + " answer must fit (tokens estimated at 4 bytes each).");

    public static final ConfigOption<Integer> ANSWER_TOKENS =
            key("qa.answer.max-tokens")
                    .intType()
                    .defaultValue(512)
                    .withDescription(
                            "Tokens reserved for the answer when a request sets no max_tokens, and"
                                    + " the most a request may ask for is the context window's"
                                    + " remainder.");

    public static final ConfigOption<Integer> HISTORY_TOKENS =
            key("qa.history.max-tokens")
                    .intType()
                    .defaultValue(1_024)
                    .withDescription(
                            "Tokens of conversation history sent with a question (oldest turns"
                                    + " dropped first).");

    public static final ConfigOption<Integer> EXTRACTIVE_SENTENCES =
            key("qa.extractive.sentences")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Sentences the extractive answerer quotes (the passages' sentences"
                                    + " most similar to the question, verbatim).");

    public static final ConfigOption<MemorySize> MAX_REQUEST_SIZE =
            key("qa.limits.max-request-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("256kb"))
                    .withDescription("Largest request body; larger ones get 413.");

    public static final ConfigOption<Integer> MAX_MESSAGES =
            key("qa.limits.max-messages")
                    .intType()
                    .defaultValue(64)
                    .withDescription("Most messages one chat request may carry.");

    public static final ConfigOption<Integer> MAX_QUESTION_TOKENS =
            key("qa.limits.max-question-tokens")
                    .intType()
                    .defaultValue(1_000)
                    .withDescription("Longest question (the last user message), in tokens.");

    public static final ConfigOption<List<String>> CORS_ORIGINS =
            key("qa.cors.allowed-origins")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Origins whose web pages may call the API from a browser (e.g."
                                    + " https://chat.example.com; * for any). None by default: the"
                                    + " service's own page needs none.");

    public static final ConfigOption<Boolean> LOG_QUESTIONS =
            key("qa.log.questions")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Whether questions and their standalone rewrites are logged (at"
                                    + " DEBUG). Off by default: questions can carry personal data.");

    private QaOptions() {}
}
