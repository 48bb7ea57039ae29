package dev.embedflow.qa.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who is asking: a tenant's name scopes its sessions, and its filter (field to accepted values)
 * applies to every retrieval it makes.
 *
 * @param name the tenant's name (letters, digits, '.', '_', '-')
 * @param filter the mandatory filter, empty for a tenant that sees the whole index
 */
public record Tenant(String name, Map<String, List<String>> filter) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** The tenant of an open service (no API keys configured): the whole index. */
    public static final Tenant OPEN = new Tenant("default", Map.of());

    public Tenant {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "tenant name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        filter.forEach((f, v) -> copy.put(f, List.copyOf(v)));
        filter = Map.copyOf(copy);
    }
}
