package dev.embedflow.qa.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.qa.retrieval.Filters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys and their tenants, from JSON:
 *
 * <pre>{@code
 * {"tenants": [
 *   {"name": "acme", "keys": ["key-1", "key-2"], "filter": {"tenant": ["acme"]}},
 *   {"name": "ops",  "keys": ["key-3"]}
 * ]}
 * }</pre>
 *
 * Only SHA-256 digests of the keys are kept; a key is never logged nor echoed. No keys at all means
 * an open service ({@link #open()}): every request is the tenant {@link Tenant#OPEN}.
 */
public final class ApiKeys {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Tenant> byDigest;

    private ApiKeys(Map<String, Tenant> byDigest) {
        this.byDigest = Map.copyOf(byDigest);
    }

    /** No keys: the API is open. */
    public static ApiKeys open() {
        return new ApiKeys(Map.of());
    }

    /** Keys from a file; the message of a failure names the file and what is wrong, never a key. */
    public static ApiKeys fromFile(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read the API keys file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    /** Keys from JSON text; {@code where} names its origin in error messages. */
    public static ApiKeys parse(String json, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the API keys in " + where + " are not valid JSON");
        }
        JsonNode tenants = root == null ? null : root.get("tenants");
        if (tenants == null || !tenants.isArray() || tenants.isEmpty()) {
            throw new IllegalArgumentException(
                    "the API keys in " + where + " need a non-empty \"tenants\" array");
        }
        Map<String, Tenant> byDigest = new HashMap<>();
        for (JsonNode t : tenants) {
            String name = t.path("name").asText("");
            Tenant tenant;
            try {
                tenant = new Tenant(name, filter(t.path("filter"), where, name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            JsonNode keys = t.path("keys");
            if (!keys.isArray() || keys.isEmpty()) {
                throw new IllegalArgumentException(
                        where + ": tenant " + name + " needs a non-empty \"keys\" array");
            }
            for (JsonNode k : keys) {
                String key = k.asText("");
                if (key.length() < 16) {
                    throw new IllegalArgumentException(
                            where + ": a key of tenant " + name + " is shorter than 16 characters");
                }
                if (byDigest.put(digest(key), tenant) != null) {
                    throw new IllegalArgumentException(
                            where + ": a key of tenant " + name + " is listed twice");
                }
            }
        }
        return new ApiKeys(byDigest);
    }

    private static Map<String, List<String>> filter(JsonNode node, String where, String tenant) {
        try {
            return Filters.fromJson(node);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ": tenant " + tenant + ": " + e.getMessage());
        }
    }

    /** Whether no keys are configured (anyone may call the API). */
    public boolean isOpen() {
        return byDigest.isEmpty();
    }

    /** How many keys are configured. */
    public int size() {
        return byDigest.size();
    }

    /** The tenant of an {@code Authorization: Bearer <key>} header; empty for none or a bad key. */
    public Optional<Tenant> authenticate(String authorization) {
        if (isOpen()) {
            return Optional.of(Tenant.OPEN);
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String key = authorization.substring(7).strip();
        return Optional.ofNullable(byDigest.get(digest(key)));
    }

    private static String digest(String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    @Override
    public String toString() {
        return isOpen() ? "ApiKeys{open}" : "ApiKeys{" + byDigest.size() + " keys}";
    }
}
