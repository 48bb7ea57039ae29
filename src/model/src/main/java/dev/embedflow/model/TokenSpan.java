package dev.embedflow.model;

/**
 * Where one word piece comes from in the text: {@code text.substring(start, end)} (UTF-16 indices,
 * as in {@link String}). Pieces of one word ({@code "##"} continuations) have adjacent spans.
 */
public record TokenSpan(int start, int end) {
    public TokenSpan {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("invalid span [" + start + ", " + end + ")");
        }
    }
}
