package dev.embedflow.qa.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.http.Backoff;
import dev.embedflow.http.RetryAfter;
import dev.embedflow.http.Secrets;
import dev.embedflow.http.TransportFailure;
import dev.embedflow.opensearch.SecretSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Dsl;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.RequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hosted LLM behind the OpenAI Chat Completions API ({@code POST {base}/chat/completions}), as
 * OpenAI, vLLM, Ollama's {@code /v1}, llama.cpp's server and TGI serve it. Answers are streamed
 * (server-sent events) and handed on chunk by chunk.
 *
 * <p>With the embedding providers' discipline: a request that fails before its first token (429,
 * 408, 5xx, a refused connection, a timeout) is retried up to {@code maxRetries} times with
 * exponential backoff that waits at least what {@code Retry-After} or {@code retry-after-ms} asks;
 * one that fails after part of the answer was handed on is not (the client already has it); 4xx
 * other than 408/429 fail at once. The idle timeout bounds the wait for the first token and between
 * chunks, the request timeout the whole answer. The API key is read from its {@link SecretSource}
 * when the model is built and is never logged nor put in an exception or {@link #toString()}.
 */
public final class OpenAiChatModel implements ChatModel {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatModel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 4_096;
    private static final Object END = new Object();

    /** Waits between retries; tests record the waits instead of sleeping. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final URI baseUrl;
    private final String model;
    private final String apiKey;
    private final Duration idleTimeout;
    private final int maxRetries;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final AsyncHttpClient client;

    private OpenAiChatModel(Builder b) {
        this.baseUrl = b.baseUrl;
        this.model = b.model;
        this.apiKey = b.apiKey == null ? null : new String(b.apiKey.read());
        this.idleTimeout = b.idleTimeout;
        this.maxRetries = b.maxRetries;
        this.backoff =
                new Backoff(b.backoffInitial, b.backoffMax, 2.0, 0.2, new SplittableRandom());
        this.sleeper = b.sleeper;
        DefaultAsyncHttpClientConfig.Builder http =
                Dsl.config()
                        .setConnectTimeout(b.connectTimeout)
                        .setReadTimeout(b.idleTimeout)
                        .setRequestTimeout(b.requestTimeout)
                        .setMaxRequestRetry(0)
                        .setFollowRedirect(false)
                        .setThreadPoolName("embedflow-llm");
        this.client = Dsl.asyncHttpClient(http);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return model;
    }

    @Override
    public boolean generative() {
        return true;
    }

    @Override
    public Generation generate(Prompt prompt, Consumer<String> onDelta) {
        byte[] body = requestBody(prompt);
        for (int attempt = 0; ; attempt++) {
            Attempt result = new Attempt(onDelta);
            try {
                return result.run(body, prompt);
            } catch (AttemptFailed failed) {
                boolean last = attempt >= maxRetries;
                if (!failed.retryable || result.delivered || last) {
                    String message =
                            failed.getMessage()
                                    + (failed.retryable && !result.delivered
                                            ? " (after " + (attempt + 1) + " attempts)"
                                            : "");
                    throw new LlmException(failed.reason, message, result.delivered, null);
                }
                Duration wait = backoff.delay(attempt + 1, failed.retryAfter);
                LOG.warn(
                        "LLM request to {} failed ({}); retry {} of {} in {} ms",
                        baseUrl.getHost(),
                        failed.getMessage(),
                        attempt + 1,
                        maxRetries,
                        wait.toMillis());
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LlmException(
                            LlmException.Reason.TIMEOUT, "interrupted while backing off", false, e);
                }
            }
        }
    }

    private byte[] requestBody(Prompt prompt) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : prompt.messages()) {
            messages.addObject().put("role", m.role()).put("content", m.content());
        }
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        body.put("max_tokens", prompt.maxTokens());
        if (prompt.temperature() != null) {
            body.put("temperature", prompt.temperature());
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the request", e);
        }
    }

    /** One HTTP request: events from Netty's threads queued, consumed on the calling thread. */
    private final class Attempt implements AsyncHandler<Void> {
        private final Consumer<String> onDelta;
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
        private volatile int status;
        private volatile io.netty.handler.codec.http.HttpHeaders headers;
        private volatile boolean eventStream;
        private boolean delivered;

        private Attempt(Consumer<String> onDelta) {
            this.onDelta = onDelta;
        }

        Generation run(byte[] body, Prompt prompt) throws AttemptFailed {
            RequestBuilder request =
                    new RequestBuilder("POST")
                            .setUrl(baseUrl.toString().replaceAll("/+$", "") + "/chat/completions")
                            .setHeader("Content-Type", "application/json")
                            .setHeader("Accept", "text/event-stream")
                            .setBody(body);
            if (apiKey != null) {
                request.setHeader("Authorization", "Bearer " + apiKey);
            }
            ListenableFuture<Void> future = client.executeRequest(request.build(), this);
            StringBuilder text = new StringBuilder();
            String finish = null;
            int promptTokens = -1;
            int completionTokens = -1;
            StringBuilder whole = new StringBuilder();
            try {
                while (true) {
                    Object event =
                            events.poll(idleTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
                    if (event == null) {
                        future.cancel(true);
                        throw new AttemptFailed(
                                LlmException.Reason.TIMEOUT,
                                "the LLM sent nothing for " + idleTimeout.toSeconds() + " s",
                                true,
                                Optional.empty());
                    }
                    if (event == END) {
                        break;
                    }
                    if (event instanceof Throwable failure) {
                        throw transportFailure(failure);
                    }
                    String data = (String) event;
                    if (status / 100 != 2) {
                        continue;
                    }
                    if (!eventStream) {
                        whole.append(data).append('\n');
                        continue;
                    }
                    if (!data.startsWith("data:")) {
                        continue; // comments, event names, blank separators
                    }
                    String payload = data.substring(5).strip();
                    if (payload.equals("[DONE]")) {
                        continue;
                    }
                    JsonNode chunk = parse(payload);
                    failIfError(chunk);
                    JsonNode choice = chunk.path("choices").path(0);
                    String delta = choice.path("delta").path("content").asText("");
                    if (!delta.isEmpty()) {
                        text.append(delta);
                        delivered = true;
                        try {
                            onDelta.accept(delta);
                        } catch (RuntimeException clientGone) {
                            // The caller cannot take more (e.g. its client hung up): stop the LLM.
                            future.cancel(true);
                            throw clientGone;
                        }
                    }
                    if (choice.hasNonNull("finish_reason")) {
                        finish = choice.get("finish_reason").asText();
                    }
                    JsonNode usage = chunk.path("usage");
                    if (usage.isObject()) {
                        promptTokens = usage.path("prompt_tokens").asInt(-1);
                        completionTokens = usage.path("completion_tokens").asInt(-1);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.cancel(true);
                throw new AttemptFailed(
                        LlmException.Reason.TIMEOUT, "interrupted", false, Optional.empty());
            }
            if (status / 100 != 2) {
                throw statusFailure();
            }
            if (!eventStream) {
                // A server that ignored "stream": one JSON completion.
                JsonNode completion = parse(whole.toString());
                failIfError(completion);
                JsonNode choice = completion.path("choices").path(0);
                String content = choice.path("message").path("content").asText("");
                if (!content.isEmpty()) {
                    text.append(content);
                    delivered = true;
                    onDelta.accept(content);
                }
                finish = choice.path("finish_reason").asText(null);
                promptTokens = completion.path("usage").path("prompt_tokens").asInt(-1);
                completionTokens = completion.path("usage").path("completion_tokens").asInt(-1);
            }
            return new Generation(
                    text.toString(),
                    finish == null ? "stop" : finish,
                    promptTokens >= 0 ? promptTokens : Tokens.estimate(prompt.messages()),
                    completionTokens >= 0 ? completionTokens : Tokens.estimate(text.toString()));
        }

        private JsonNode parse(String payload) throws AttemptFailed {
            try {
                return JSON.readTree(payload);
            } catch (IOException e) {
                throw new AttemptFailed(
                        LlmException.Reason.BAD_RESPONSE,
                        "the LLM sent something that is not JSON",
                        false,
                        Optional.empty());
            }
        }

        private void failIfError(JsonNode node) throws AttemptFailed {
            JsonNode error = node.path("error");
            if (error.isObject() || error.isTextual()) {
                String message =
                        error.isTextual() ? error.asText() : error.path("message").asText("error");
                throw new AttemptFailed(
                        LlmException.Reason.SERVER_ERROR,
                        "the LLM reported an error: " + scrub(message),
                        true,
                        Optional.empty());
            }
        }

        private AttemptFailed statusFailure() {
            String message;
            try {
                JsonNode error = JSON.readTree(errorBody.toByteArray()).path("error");
                message = error.isObject() ? error.path("message").asText("") : error.asText("");
            } catch (IOException notJson) {
                message = "";
            }
            String what =
                    "the LLM answered HTTP "
                            + status
                            + (message.isBlank() ? "" : ": " + scrub(cut(message, 300)));
            io.netty.handler.codec.http.HttpHeaders received = headers;
            Optional<Duration> wait =
                    received == null
                            ? Optional.empty()
                            : RetryAfter.fromHeaders(received::get, Instant.now());
            if (status == 429) {
                return new AttemptFailed(LlmException.Reason.RATE_LIMITED, what, true, wait);
            }
            if (status == 408 || status >= 500) {
                return new AttemptFailed(LlmException.Reason.SERVER_ERROR, what, true, wait);
            }
            if (status == 401 || status == 403) {
                what += " (check the key in qa.llm.api-key-env / qa.llm.api-key-file)";
            } else if (status == 404) {
                what += " (check qa.llm.base-url and qa.llm.model)";
            }
            return new AttemptFailed(LlmException.Reason.REJECTED, what, false, Optional.empty());
        }

        private AttemptFailed transportFailure(Throwable failure) {
            return switch (TransportFailure.of(failure)) {
                case TIMEOUT ->
                        new AttemptFailed(
                                LlmException.Reason.TIMEOUT,
                                "the LLM did not answer in time",
                                true,
                                Optional.empty());
                case CONNECTION ->
                        new AttemptFailed(
                                LlmException.Reason.CONNECTION,
                                "cannot reach the LLM at "
                                        + baseUrl.getHost()
                                        + ": "
                                        + failure.getClass().getSimpleName(),
                                true,
                                Optional.empty());
                case OTHER ->
                        new AttemptFailed(
                                LlmException.Reason.BAD_RESPONSE,
                                "the LLM request failed: " + failure.getClass().getSimpleName(),
                                false,
                                Optional.empty());
            };
        }

        @Override
        public State onStatusReceived(HttpResponseStatus responseStatus) {
            status = responseStatus.getStatusCode();
            return State.CONTINUE;
        }

        @Override
        public State onHeadersReceived(io.netty.handler.codec.http.HttpHeaders headers) {
            this.headers = headers;
            String type = headers.get("Content-Type");
            eventStream = type != null && type.toLowerCase().contains("text/event-stream");
            return State.CONTINUE;
        }

        @Override
        public State onBodyPartReceived(HttpResponseBodyPart part) {
            byte[] bytes = part.getBodyPartBytes();
            if (status / 100 != 2) {
                int room = MAX_ERROR_BODY - errorBody.size();
                errorBody.write(bytes, 0, Math.max(0, Math.min(room, bytes.length)));
                return State.CONTINUE;
            }
            for (byte b : bytes) {
                if (b == '\n') {
                    flushLine();
                } else if (b != '\r') {
                    line.write(b);
                }
            }
            return State.CONTINUE;
        }

        private void flushLine() {
            events.add(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }

        @Override
        public void onThrowable(Throwable t) {
            events.add(t);
        }

        @Override
        public Void onCompleted() {
            if (line.size() > 0) {
                flushLine();
            }
            events.add(END);
            return null;
        }
    }

    private String scrub(String text) {
        return Secrets.scrub(text, apiKey);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    /** Why one attempt failed, and whether another may succeed. */
    private static final class AttemptFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient LlmException.Reason reason;
        private final boolean retryable;
        private final transient Optional<Duration> retryAfter;

        AttemptFailed(
                LlmException.Reason reason,
                String message,
                boolean retryable,
                Optional<Duration> retryAfter) {
            super(message, null, false, false);
            this.reason = reason;
            this.retryable = retryable;
            this.retryAfter = retryAfter;
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            LOG.debug("closing the LLM client failed", e);
        }
    }

    /** The endpoint and model, never the key. */
    @Override
    public String toString() {
        return "OpenAiChatModel{" + baseUrl + ", model=" + model + "}";
    }

    /** Collects the settings; {@link #build()} validates them and reads the key once. */
    public static final class Builder {
        private URI baseUrl;
        private String model;
        private SecretSource apiKey;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofMinutes(2);
        private int maxRetries = 3;
        private Duration backoffInitial = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(20);
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());

        private Builder() {}

        /**
         * The API's base, e.g. {@code https://api.openai.com/v1} or {@code http://vllm:8000/v1}.
         */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /** Where the API key is; none for servers without authentication. */
        public Builder apiKey(SecretSource apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        public OpenAiChatModel build() {
            Objects.requireNonNull(baseUrl, "baseUrl (qa.llm.base-url)");
            if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
                throw new IllegalArgumentException(
                        "qa.llm.base-url must be an http(s) URL, was " + baseUrl);
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("qa.llm.model is required with qa.llm.base-url");
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException("qa.llm.max-retries must be 0 or more");
            }
            for (Duration d : new Duration[] {connectTimeout, idleTimeout, requestTimeout}) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("LLM timeouts must be positive, was " + d);
                }
            }
            return new OpenAiChatModel(this);
        }
    }
}
