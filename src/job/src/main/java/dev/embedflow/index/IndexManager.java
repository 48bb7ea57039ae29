package dev.embedflow.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.opensearch.JsonResponse;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.opensearch.OpenSearchConnectionException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, checks and switches EmbedFlow indexes: the index template and index for an {@link
 * IndexSpec}, the pre-flight check that an existing index fits the model, the alias readers use,
 * and the atomic alias move to a rebuilt index ({@link #promote}).
 */
@PublicEvolving
public final class IndexManager {

    private static final Logger LOG = LoggerFactory.getLogger(IndexManager.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The key of EmbedFlow's entry in the mapping's {@code _meta}. */
    public static final String META_KEY = "embedflow";

    private final OpenSearchConnection connection;

    public IndexManager(OpenSearchConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /**
     * The job's pre-flight, for {@code main()} before {@code execute()}: connects, creates or
     * checks the index of {@code spec} and its alias, and fails (before any record is read) if the
     * index does not fit.
     *
     * @throws IndexMismatchException if the index exists with another shape or model
     * @throws OpenSearchConnectionException if OpenSearch cannot be reached or refuses
     */
    public static Outcome preflight(OpenSearchConnectionConfig config, IndexSpec spec) {
        try (OpenSearchConnection connection = OpenSearchConnection.open(config)) {
            IndexManager manager = new IndexManager(connection);
            Outcome outcome = manager.ensureIndex(spec);
            manager.ensureAlias(spec);
            return outcome;
        }
    }

    /** What {@link #ensureIndex} did. */
    public enum Outcome {
        CREATED,
        EXISTS
    }

    /**
     * Puts the index template and creates the index if it does not exist; if it does, checks that
     * it fits {@code spec}. Safe to call from many subtasks at once.
     *
     * @throws IndexMismatchException if the index exists with another model, dimension, engine or
     *     space type
     */
    public Outcome ensureIndex(IndexSpec spec) {
        String index = spec.indexName();
        if (describe(index).isPresent()) {
            verify(spec);
            return Outcome.EXISTS;
        }
        connection.sendOk("PUT", "/_index_template/" + spec.templateName(), template(spec));
        JsonResponse created = connection.send("PUT", "/" + index, null);
        if (created.ok()) {
            LOG.info("Created index {}", spec);
            return Outcome.CREATED;
        }
        if ("resource_already_exists_exception".equals(created.errorType())) {
            verify(spec);
            return Outcome.EXISTS;
        }
        throw new OpenSearchConnectionException(
                "creating index " + index + " failed: " + created.errorReason(),
                created.status(),
                null);
    }

    /**
     * Checks that the existing index of {@code spec} has its model, dimension, engine and space
     * type.
     *
     * @throws IndexMismatchException listing every difference and how to proceed
     * @throws IllegalStateException if the index does not exist
     */
    public void verify(IndexSpec spec) {
        IndexInfo info =
                describe(spec.indexName())
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "index " + spec.indexName() + " does not exist"));
        List<String> differences = new ArrayList<>();
        if (info.dimension() != spec.dimension()) {
            differences.add(
                    "dimension: the index has "
                            + info.dimension()
                            + ", the model "
                            + spec.model()
                            + " produces "
                            + spec.dimension());
        }
        if (!info.engine().equals(spec.engine().value())) {
            differences.add(
                    "engine: the index uses "
                            + info.engine()
                            + ", the configuration asks for "
                            + spec.engine().value());
        }
        if (!info.spaceType().equals(spec.spaceType().value())) {
            differences.add(
                    "space type: the index uses "
                            + info.spaceType()
                            + ", the configuration asks for "
                            + spec.spaceType().value());
        }
        if (info.model().isPresent() && !info.model().get().equals(spec.model())) {
            differences.add(
                    "model: the index was built with "
                            + info.model().get()
                            + ", the job embeds with "
                            + spec.model());
        }
        if (!differences.isEmpty()) {
            throw new IndexMismatchException(
                    "Index "
                            + spec.indexName()
                            + " exists but does not fit this job: "
                            + String.join("; ", differences)
                            + ". Vectors of another shape cannot be mixed into it. Either raise"
                            + " opensearch.index.version (or change opensearch.index.base-name) to"
                            + " build a new index, then move readers to it with `embedflow index"
                            + " promote --alias "
                            + spec.alias()
                            + " --index <new index>`; or delete "
                            + spec.indexName()
                            + " if it is disposable.");
        }
    }

    /** Points the alias of {@code spec} at its index if the alias does not exist yet. */
    public void ensureAlias(IndexSpec spec) {
        if (aliasTargets(spec.alias()).isEmpty()) {
            ObjectNode body = JSON.createObjectNode();
            body.putArray("actions")
                    .addObject()
                    .putObject("add")
                    .put("index", spec.indexName())
                    .put("alias", spec.alias());
            connection.sendOk("POST", "/_aliases", body);
            LOG.info("Alias {} now points at {}", spec.alias(), spec.indexName());
        }
    }

    /** The indexes {@code alias} points at; empty if there is no such alias. */
    public List<String> aliasTargets(String alias) {
        JsonResponse response = connection.send("GET", "/_alias/" + alias, null);
        if (response.status() == 404) {
            return List.of();
        }
        if (!response.ok()) {
            throw new OpenSearchConnectionException(
                    "reading alias " + alias + " failed: " + response.errorReason(),
                    response.status(),
                    null);
        }
        List<String> targets = new ArrayList<>();
        response.body().fieldNames().forEachRemaining(targets::add);
        return targets;
    }

    /**
     * Reads the mapping of an index, or of the single index behind an alias; empty if neither
     * exists.
     */
    public Optional<IndexInfo> describe(String indexOrAlias) {
        JsonResponse response = connection.send("GET", "/" + indexOrAlias + "/_mapping", null);
        if (response.status() == 404) {
            return Optional.empty();
        }
        if (!response.ok()) {
            throw new OpenSearchConnectionException(
                    "reading the mapping of " + indexOrAlias + " failed: " + response.errorReason(),
                    response.status(),
                    null);
        }
        Iterator<Map.Entry<String, JsonNode>> indices = response.body().fields();
        if (!indices.hasNext()) {
            return Optional.empty();
        }
        Map.Entry<String, JsonNode> first = indices.next();
        if (indices.hasNext()) {
            throw new IllegalStateException(
                    indexOrAlias
                            + " points at several indexes; name one of them instead of the"
                            + " alias");
        }
        String name = first.getKey();
        JsonNode mappings = first.getValue().path("mappings");
        JsonNode vector = mappings.path("properties").path(IndexFields.EMBEDDING);
        JsonNode method = vector.path("method");
        String space = method.path("space_type").asText(vector.path("space_type").asText("l2"));
        String model = mappings.path("_meta").path(META_KEY).path("model").asText(null);
        List<String> aliases = new ArrayList<>();
        JsonResponse aliasResponse = connection.send("GET", "/" + name + "/_alias", null);
        aliasResponse.body().path(name).path("aliases").fieldNames().forEachRemaining(aliases::add);
        long count = connection.sendOk("GET", "/" + name + "/_count", null).path("count").asLong();
        return Optional.of(
                new IndexInfo(
                        name,
                        Optional.ofNullable(model),
                        vector.path("dimension").asInt(0),
                        method.path("engine").asText("faiss"),
                        space,
                        aliases,
                        count));
    }

    /** The result of {@link #promote}. */
    public record Promotion(String alias, List<String> previous, String index, long documents) {}

    /**
     * Moves {@code alias} atomically to {@code newIndex} (from whatever it pointed at), after
     * checking that the new index is complete enough: built by EmbedFlow, and holding at least
     * {@code minDocumentRatio} times the documents of the index the alias points at now.
     *
     * @param force skip the completeness check (not the EmbedFlow-index check)
     * @throws IllegalStateException saying why the index is not ready
     */
    public Promotion promote(
            String alias, String newIndex, double minDocumentRatio, boolean force) {
        connection.sendOk("POST", "/" + newIndex + "/_refresh", null);
        IndexInfo target =
                describe(newIndex)
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "index " + newIndex + " does not exist"));
        if (!target.name().equals(newIndex)) {
            throw new IllegalStateException(newIndex + " is an alias; name the concrete index");
        }
        if (target.model().isEmpty()) {
            throw new IllegalStateException(
                    newIndex
                            + " was not created by EmbedFlow (no _meta."
                            + META_KEY
                            + " in its mapping)");
        }
        List<String> previous = aliasTargets(alias);
        if (previous.equals(List.of(newIndex))) {
            return new Promotion(alias, previous, newIndex, target.documents());
        }
        long oldCount = 0;
        for (String old : previous) {
            connection.sendOk("POST", "/" + old + "/_refresh", null);
            oldCount +=
                    connection.sendOk("GET", "/" + old + "/_count", null).path("count").asLong();
        }
        long needed = (long) Math.ceil(oldCount * minDocumentRatio);
        if (!force && target.documents() < needed) {
            throw new IllegalStateException(
                    "index "
                            + newIndex
                            + " holds "
                            + target.documents()
                            + " documents, "
                            + previous
                            + " behind alias "
                            + alias
                            + " holds "
                            + oldCount
                            + "; at least "
                            + needed
                            + " are needed (ratio "
                            + minDocumentRatio
                            + "). Let the re-embedding job finish, lower --min-ratio, or use"
                            + " --force.");
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode actions = body.putArray("actions");
        for (String old : previous) {
            actions.addObject().putObject("remove").put("index", old).put("alias", alias);
        }
        actions.addObject().putObject("add").put("index", newIndex).put("alias", alias);
        connection.sendOk("POST", "/_aliases", body);
        LOG.info("Alias {} moved from {} to {}", alias, previous, newIndex);
        return new Promotion(alias, previous, newIndex, target.documents());
    }

    /** The index template body: settings and mappings of an index for {@code spec}. */
    public static ObjectNode template(IndexSpec spec) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("index_patterns").add(spec.indexName());
        body.put("priority", 200);
        ObjectNode template = body.putObject("template");
        template.set("settings", settings(spec));
        template.set("mappings", mappings(spec));
        body.putObject("_meta").put("description", "EmbedFlow index " + spec);
        return body;
    }

    static ObjectNode settings(IndexSpec spec) {
        ObjectNode index = JSON.createObjectNode();
        index.put("knn", true);
        index.put("number_of_shards", spec.shards());
        index.put("number_of_replicas", spec.replicas());
        ObjectNode settings = JSON.createObjectNode();
        settings.set("index", index);
        return settings;
    }

    /**
     * The mapping: strict at the top level (a misspelt field fails loudly), free keyword metadata
     * below {@code metadata} with a few typed fields, and the model and dimension in {@code
     * _meta.embedflow}.
     */
    static ObjectNode mappings(IndexSpec spec) {
        ObjectNode mappings = JSON.createObjectNode();
        mappings.putObject("_meta")
                .putObject(META_KEY)
                .put("model", spec.model())
                .put("dimension", spec.dimension())
                .put("engine", spec.engine().value())
                .put("space_type", spec.spaceType().value())
                .put("version", spec.version());
        mappings.put("dynamic", "strict");
        mappings.put("date_detection", false);
        mappings.putArray("dynamic_templates")
                .addObject()
                .putObject("metadata_strings_as_keywords")
                .put("path_match", IndexFields.METADATA + ".*")
                .put("match_mapping_type", "string")
                .putObject("mapping")
                .put("type", "keyword")
                .put("ignore_above", 1024);
        ObjectNode properties = mappings.putObject("properties");
        properties.putObject(IndexFields.TEXT).put("type", "text");
        ObjectNode vector = properties.putObject(IndexFields.EMBEDDING);
        vector.put("type", "knn_vector").put("dimension", spec.dimension());
        vector.putObject("method")
                .put("name", "hnsw")
                .put("engine", spec.engine().value())
                .put("space_type", spec.spaceType().value())
                .putObject("parameters")
                .put("m", spec.m())
                .put("ef_construction", spec.efConstruction());
        properties.putObject(IndexFields.ENTITY).put("type", "keyword");
        properties.putObject(IndexFields.WINDOW_START).put("type", "date");
        properties.putObject(IndexFields.WINDOW_END).put("type", "date");
        properties.putObject(IndexFields.INDEXED_AT).put("type", "date");
        properties.putObject(IndexFields.MODEL).put("type", "keyword");
        properties.putObject(IndexFields.CONTENT_HASH).put("type", "keyword");
        ObjectNode metadata = properties.putObject(IndexFields.METADATA);
        metadata.put("type", "object").put("dynamic", true);
        ObjectNode typed = metadata.putObject("properties");
        IndexFields.TYPED_METADATA.forEach(
                (field, type) -> typed.putObject(field).put("type", type));
        return mappings;
    }
}
