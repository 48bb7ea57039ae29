package dev.embedflow.qa.llm;

import java.util.function.Consumer;

/**
 * Something that answers a {@link Prompt}: a hosted LLM behind an OpenAI-compatible API ({@link
 * OpenAiChatModel}) or the local extractive answerer ({@link ExtractiveModel}). Implementations are
 * thread-safe; {@link #generate} blocks the calling (request) thread.
 */
public interface ChatModel extends AutoCloseable {

    /** The model's name, as clients ask for it ({@code model}) and as responses report it. */
    String name();

    /** Whether this model writes its own text (an LLM) rather than quoting the passages. */
    boolean generative();

    /**
     * Answers {@code prompt}, handing each piece of the answer to {@code onDelta} as it comes (on
     * the calling thread), and returns the whole.
     *
     * @throws LlmException when the model cannot answer (after its retries)
     */
    Generation generate(Prompt prompt, Consumer<String> onDelta);

    @Override
    default void close() {}
}
