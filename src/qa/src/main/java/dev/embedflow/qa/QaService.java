package dev.embedflow.qa;

import dev.embedflow.qa.QaMetrics.Stage;
import dev.embedflow.qa.api.ApiException;
import dev.embedflow.qa.api.ChatRequest;
import dev.embedflow.qa.api.Tenant;
import dev.embedflow.qa.llm.ChatMessage;
import dev.embedflow.qa.llm.ChatModel;
import dev.embedflow.qa.llm.Generation;
import dev.embedflow.qa.llm.LlmException;
import dev.embedflow.qa.llm.Passage;
import dev.embedflow.qa.llm.Prompt;
import dev.embedflow.qa.llm.Tokens;
import dev.embedflow.qa.retrieval.ContextBudget;
import dev.embedflow.qa.retrieval.IndexUnavailableException;
import dev.embedflow.qa.retrieval.QueryRewriter;
import dev.embedflow.qa.retrieval.Retrieval;
import dev.embedflow.qa.retrieval.Retriever;
import dev.embedflow.qa.session.Session;
import dev.embedflow.qa.session.SessionStore;
import dev.embedflow.qa.session.SessionStoreException;
import dev.embedflow.qa.session.Turn;
import dev.embedflow.search.SearchHit;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a question over the index, stage by stage: load the session, rewrite a follow-up into a
 * standalone query, retrieve (hybrid, with the tenant's filter), refuse without calling the model
 * when nothing relevant was found, fit the passages into the token budget, generate (streaming),
 * and store the turn with the ids it cited. The HTTP layer ({@link QaServer}) only parses, checks
 * keys and writes.
 *
 * <p>When the session store fails, the question is answered without the session ({@link
 * SessionUse#UNAVAILABLE}); the service logs the change once each way.
 */
public final class QaService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QaService.class);

    /** What a refused question is answered with. */
    public static final String NOTHING_FOUND =
            "I could not find anything relevant to that in the indexed documents, so I cannot"
                    + " answer it from them.";

    private static final Pattern CITATION = Pattern.compile("\\[(\\d{1,3})]");

    /** How a request used its session. */
    public enum SessionUse {
        /** The request named no session: stateless. */
        NONE,
        /** The session was read and the turn stored. */
        STORED,
        /** The store could not be reached: answered without the session. */
        UNAVAILABLE
    }

    /** The settings a question runs with. */
    public record Settings(
            int retrievalK,
            double minScore,
            int answerTokens,
            int maxQuestionTokens,
            boolean logQuestions) {}

    /** Told about an answer as it forms, on the request thread. */
    public interface Listener {
        /** Retrieval is done: the passages the answer may cite (numbered as cited). */
        void started(SessionUse session, List<Passage> citations);

        /** A piece of the answer. */
        void delta(String text);
    }

    /** A finished answer. */
    public record Answer(
            String text,
            String finishReason,
            int promptTokens,
            int completionTokens,
            List<Passage> citations,
            List<Integer> cited,
            String query,
            SessionUse session) {}

    private final Retriever retriever;
    private final ChatModel model;
    private final QueryRewriter rewriter;
    private final SessionStore sessions;
    private final ContextBudget budget;
    private final QaMetrics metrics;
    private final Settings settings;
    private final Clock clock;
    private final AtomicBoolean storeUp = new AtomicBoolean(true);

    public QaService(
            Retriever retriever,
            ChatModel model,
            QueryRewriter rewriter,
            SessionStore sessions,
            ContextBudget budget,
            QaMetrics metrics,
            Settings settings,
            Clock clock) {
        this.retriever = Objects.requireNonNull(retriever, "retriever");
        this.model = Objects.requireNonNull(model, "model");
        this.rewriter = Objects.requireNonNull(rewriter, "rewriter");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ChatModel model() {
        return model;
    }

    public Retriever retriever() {
        return retriever;
    }

    public SessionStore sessions() {
        return sessions;
    }

    public QaMetrics metrics() {
        return metrics;
    }

    /**
     * Answers {@code request} for {@code tenant}, within session {@code sessionId} (null for none).
     *
     * @throws ApiException for a request the service refuses (400, 404, 503) or an LLM that failed
     *     before the answer started (502)
     */
    public Answer answer(Tenant tenant, ChatRequest request, String sessionId, Listener listener) {
        if (!model.name().equals(request.model())) {
            throw ApiException.notFound(
                    "model_not_found",
                    "The model `"
                            + request.model()
                            + "` does not exist; this service serves `"
                            + model.name()
                            + "` (GET /v1/models).");
        }
        String question = request.question();
        int questionTokens = Tokens.estimate(question);
        if (questionTokens > settings.maxQuestionTokens()) {
            throw new ApiException(
                    400,
                    "invalid_request_error",
                    "context_length_exceeded",
                    "messages",
                    "The question has about "
                            + questionTokens
                            + " tokens; at most "
                            + settings.maxQuestionTokens()
                            + " are accepted.");
        }
        int answerTokens =
                request.maxTokens() == null ? settings.answerTokens() : request.maxTokens();

        long t0 = System.nanoTime();
        SessionUse use = sessionId == null ? SessionUse.NONE : SessionUse.STORED;
        List<Turn> turns = List.of();
        if (sessionId != null) {
            Optional<Session> session = loadSession(tenant, sessionId);
            if (session == null) {
                use = SessionUse.UNAVAILABLE;
            } else {
                turns = session.map(Session::turns).orElse(List.of());
            }
        }
        List<ChatMessage> history;
        if (!request.history().isEmpty()) {
            // The client keeps the conversation itself: its messages are the history.
            history = request.history();
            turns = turnsOf(history);
        } else {
            history = messagesOf(turns);
        }
        long t1 = System.nanoTime();
        metrics.stage(Stage.SESSION, t1 - t0);

        String query = rewriter.standalone(turns, question);
        long t2 = System.nanoTime();
        metrics.stage(Stage.REWRITE, t2 - t1);
        if (settings.logQuestions()) {
            LOG.debug("Question '{}' retrieves with '{}'", question, query);
        }

        Retrieval retrieval;
        try {
            retrieval = retriever.passages(query, settings.retrievalK(), tenant.filter());
        } catch (IndexUnavailableException e) {
            throw ApiException.unavailable(e.getMessage());
        }
        long t3 = System.nanoTime();
        metrics.stage(Stage.RETRIEVE, t3 - t2);
        metrics.passages(retrieval.passages().size());

        boolean relevant =
                retrieval.bestVectorScore().orElse(Double.NEGATIVE_INFINITY) >= settings.minScore();
        Answer answer;
        if (!relevant) {
            metrics.refusal();
            listener.started(use, List.of());
            listener.delta(NOTHING_FOUND);
            answer =
                    new Answer(
                            NOTHING_FOUND,
                            "stop",
                            Tokens.estimate(question),
                            Tokens.estimate(NOTHING_FOUND),
                            List.of(),
                            List.of(),
                            query,
                            use);
        } else {
            Prompt prompt;
            try {
                prompt =
                        budget.fit(
                                request.instructions(),
                                history,
                                question,
                                query,
                                retrieval.passages(),
                                answerTokens,
                                request.temperature());
            } catch (IllegalArgumentException e) {
                throw new ApiException(
                        400,
                        "invalid_request_error",
                        "context_length_exceeded",
                        "max_tokens",
                        e.getMessage());
            }
            listener.started(use, prompt.passages());
            Generation generation;
            try {
                generation = model.generate(prompt, listener::delta);
            } catch (LlmException e) {
                metrics.llmError(e.reason().name().toLowerCase(java.util.Locale.ROOT));
                LOG.warn("The LLM failed to answer: {}", e.getMessage());
                throw new ApiException(
                        502,
                        "server_error",
                        "llm_unavailable",
                        null,
                        "The LLM failed: " + e.getMessage());
            }
            List<Integer> cited = cited(generation.text(), prompt.passages().size());
            answer =
                    new Answer(
                            generation.text(),
                            generation.finishReason(),
                            generation.promptTokens(),
                            generation.completionTokens(),
                            prompt.passages(),
                            cited,
                            query,
                            use);
        }
        long t4 = System.nanoTime();
        metrics.stage(Stage.GENERATE, t4 - t3);
        metrics.tokens(answer.promptTokens(), answer.completionTokens());

        if (sessionId != null && use == SessionUse.STORED) {
            List<Passage> citedPassages =
                    answer.cited().stream().map(n -> answer.citations().get(n - 1)).toList();
            Turn turn =
                    new Turn(
                            question,
                            query,
                            answer.text(),
                            citedPassages.stream().map(Passage::id).toList(),
                            citedPassages.stream()
                                    .map(Passage::entity)
                                    .filter(Objects::nonNull)
                                    .distinct()
                                    .toList(),
                            clock.instant());
            try {
                sessions.append(tenant.name(), sessionId, turn);
                storeAnswered();
            } catch (SessionStoreException e) {
                storeFailed(e);
            }
        }
        metrics.stage(Stage.STORE, System.nanoTime() - t4);
        return answer;
    }

    /** The hits of a {@code /v1/search} request for {@code tenant}. */
    public List<SearchHit> search(Tenant tenant, Retriever.Request request) {
        try {
            return retriever.search(request, tenant.filter());
        } catch (IndexUnavailableException e) {
            throw ApiException.unavailable(e.getMessage());
        }
    }

    /** The session, if it exists (404 otherwise; 503 when the store is unreachable). */
    public Session session(Tenant tenant, String id) {
        try {
            Optional<Session> session = sessions.load(tenant.name(), id);
            storeAnswered();
            return session.orElseThrow(
                    () -> ApiException.notFound("session_not_found", "No session " + id + "."));
        } catch (SessionStoreException e) {
            storeFailed(e);
            throw ApiException.unavailable("The session store is unavailable; try again later.");
        }
    }

    /** Deletes the session (404 if there is none; 503 when the store is unreachable). */
    public void deleteSession(Tenant tenant, String id) {
        try {
            boolean deleted = sessions.delete(tenant.name(), id);
            storeAnswered();
            if (!deleted) {
                throw ApiException.notFound("session_not_found", "No session " + id + ".");
            }
        } catch (SessionStoreException e) {
            storeFailed(e);
            throw ApiException.unavailable("The session store is unavailable; try again later.");
        }
    }

    /** Whether the session store answered its last call. */
    public boolean sessionStoreUp() {
        return storeUp.get();
    }

    /** The session, empty when new, null when the store failed. */
    private Optional<Session> loadSession(Tenant tenant, String id) {
        try {
            Optional<Session> session = sessions.load(tenant.name(), id);
            storeAnswered();
            return session;
        } catch (SessionStoreException e) {
            storeFailed(e);
            return null;
        }
    }

    private void storeAnswered() {
        metrics.sessionStore(true);
        if (storeUp.compareAndSet(false, true)) {
            LOG.info("The session store ({}) answers again: sessions are kept", sessions.kind());
        }
    }

    private void storeFailed(SessionStoreException e) {
        metrics.sessionStore(false);
        if (storeUp.compareAndSet(true, false)) {
            LOG.warn(
                    "{}; answering without sessions until it is back (responses say"
                            + " X-Session-Store: unavailable)",
                    e.getMessage());
        }
    }

    /** The distinct passage numbers {@code text} cites ({@code [n]}, 1..passages), in order. */
    static List<Integer> cited(String text, int passages) {
        Set<Integer> out = new LinkedHashSet<>();
        Matcher m = CITATION.matcher(text);
        while (m.find()) {
            int n = Integer.parseInt(m.group(1));
            if (n >= 1 && n <= passages) {
                out.add(n);
            }
        }
        return new ArrayList<>(out);
    }

    private static List<ChatMessage> messagesOf(List<Turn> turns) {
        List<ChatMessage> out = new ArrayList<>();
        for (Turn t : turns) {
            out.add(ChatMessage.user(t.question()));
            out.add(ChatMessage.assistant(t.answer()));
        }
        return out;
    }

    /** A client's own history as turns (user message, then the assistant's answer if any). */
    private List<Turn> turnsOf(List<ChatMessage> history) {
        List<Turn> out = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            ChatMessage m = history.get(i);
            if (!ChatMessage.USER.equals(m.role())) {
                continue;
            }
            String answer =
                    i + 1 < history.size()
                                    && ChatMessage.ASSISTANT.equals(history.get(i + 1).role())
                            ? history.get(i + 1).content()
                            : "";
            out.add(
                    new Turn(
                            m.content(),
                            m.content(),
                            answer,
                            List.of(),
                            List.of(),
                            clock.instant()));
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
        sessions.close();
    }
}
