package dev.embedflow.http;

import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Removes secrets from text that may end up in logs, exceptions or dead letters: the embedding
 * providers' and the Q&A service's LLM client's error messages.
 */
@PublicEvolving
public final class Secrets {

    /** OpenAI-style keys, also when a service echoes them half-masked ({@code sk-abc***xyz}). */
    private static final Pattern KEY_LIKE = Pattern.compile("sk-[A-Za-z0-9_\\-*]{4,}");

    private Secrets() {}

    /** {@code text} with every occurrence of {@code secret} and every key-like token masked. */
    public static String scrub(String text, String secret) {
        if (text == null) {
            return "";
        }
        String out = text;
        if (secret != null && !secret.isEmpty()) {
            out = out.replace(secret, "***");
        }
        return KEY_LIKE.matcher(out).replaceAll("sk-***");
    }
}
