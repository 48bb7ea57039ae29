package dev.embedflow.qa.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keyword filters (field to accepted values; values OR-ed, fields AND-ed) and how a tenant's
 * mandatory filter combines with a request's own: a field both name keeps only the values both
 * accept, so a request can narrow its tenant's view but never widen it.
 */
public final class Filters {

    private Filters() {}

    /**
     * Filters as JSON: an object of field to a value or an array of values ({@code {"tenant":
     * "acme", "region": ["eu", "us"]}}); a missing node or null is no filter.
     *
     * @throws IllegalArgumentException when it is not such an object, or a field has no value
     */
    public static Map<String, List<String>> fromJson(JsonNode node) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (node == null || node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(
                    "filters must be an object of field: value or [values]");
        }
        for (var fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> e = fields.next();
            List<String> values = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(v -> values.add(v.asText()));
            } else {
                values.add(e.getValue().asText());
            }
            if (values.isEmpty()) {
                throw new IllegalArgumentException(
                        "the filter field " + e.getKey() + " has no values");
            }
            out.put(e.getKey(), values);
        }
        return out;
    }

    /**
     * The filters a request runs with; empty when they exclude everything (the request asked only
     * for values its tenant may not see).
     */
    public static Optional<Map<String, List<String>>> combine(
            Map<String, List<String>> mandatory, Map<String, List<String>> requested) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        mandatory.forEach((field, values) -> out.put(field, List.copyOf(values)));
        for (Map.Entry<String, List<String>> e : requested.entrySet()) {
            List<String> allowed = out.get(e.getKey());
            if (allowed == null) {
                out.put(e.getKey(), List.copyOf(e.getValue()));
                continue;
            }
            List<String> both = new ArrayList<>(allowed);
            both.retainAll(e.getValue());
            if (both.isEmpty()) {
                return Optional.empty();
            }
            out.put(e.getKey(), List.copyOf(both));
        }
        return Optional.of(out);
    }
}
