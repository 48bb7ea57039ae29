package dev.embedflow.window;

import dev.embedflow.source.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Deterministic document ids, so that a replay after a failure overwrites the same documents:
 * {@code entity} (latest-state mode), {@code entity@windowStart} (history mode, windowStart in
 * ISO-8601) or {@code entity@eventTime#eventId} (one document per event), chunks {@code <id>#<n>}.
 * Ids longer than OpenSearch's limit keep a readable prefix and end with {@code ~} and a hash of
 * the whole.
 *
 * <p>Ids are injective: the entity and the event id are escaped ({@code %}, {@code @}, {@code #}
 * and {@code ~} as {@code %25}, {@code %40}, {@code %23}, {@code %7E}), so entity {@code a#0} is
 * not chunk 0 of entity {@code a}, nor {@code a@2024-01-01T00:00:00Z} a window of {@code a}.
 */
@PublicEvolving
public final class DocumentIds {

    /** OpenSearch rejects ids over 512 bytes; this leaves room for a chunk suffix. */
    static final int MAX_ID_BYTES = 400;

    private DocumentIds() {}

    public static String entity(String entity) {
        return bounded(escape(entity));
    }

    public static String window(String entity, long windowStart) {
        return bounded(escape(entity) + "@" + Instant.ofEpochMilli(windowStart));
    }

    public static String event(String entity, Event event) {
        String eventId =
                event.getId() != null
                        ? event.getId()
                        : event.getTopic() + "-" + event.getPartition() + "-" + event.getOffset();
        return bounded(
                escape(entity)
                        + "@"
                        + Instant.ofEpochMilli(event.getEventTime())
                        + "#"
                        + escape(eventId));
    }

    /** {@code part} with the characters that separate id parts percent-encoded. */
    static String escape(String part) {
        StringBuilder escaped = null;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            String code =
                    switch (c) {
                        case '%' -> "%25";
                        case '@' -> "%40";
                        case '#' -> "%23";
                        case '~' -> "%7E";
                        default -> null;
                    };
            if (code != null && escaped == null) {
                escaped = new StringBuilder(part.length() + 8).append(part, 0, i);
            }
            if (escaped != null) {
                if (code != null) {
                    escaped.append(code);
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? part : escaped.toString();
    }

    /** Chunk {@code index} (from 0) of a document split to fit the model. */
    public static String chunk(String documentId, int index) {
        return documentId + "#" + index;
    }

    private static String bounded(String id) {
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_ID_BYTES) {
            return id;
        }
        String hash = sha256(bytes);
        int keep = 0;
        int keptBytes = 0;
        while (keep < id.length()) {
            int cp = id.codePointAt(keep);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (keptBytes + len > MAX_ID_BYTES - hash.length() - 1) {
                break;
            }
            keptBytes += len;
            keep += Character.charCount(cp);
        }
        return id.substring(0, keep) + "~" + hash;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
