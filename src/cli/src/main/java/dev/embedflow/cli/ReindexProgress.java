package dev.embedflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.index.IndexInfo;
import dev.embedflow.index.IndexManager;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a new index (a model change's, filled by a second job) is from the index an alias points
 * at: documents, entities (distinct {@code entity} values), and the lag of the consumer group of
 * the job filling it. Complete when the new index has at least the current one's documents and
 * entities and the group has no lag.
 */
final class ReindexProgress {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ReindexProgress() {}

    /** A consumer group to measure the lag of. */
    record Group(String id, String bootstrapServers) {}

    /**
     * What was measured.
     *
     * @param alias the alias
     * @param current the index it points at
     * @param candidate the new index
     * @param currentEntities distinct entities in the current index
     * @param candidateEntities distinct entities in the new index
     * @param group the consumer group, or null
     * @param lag records the group has not read yet on its topics, or -1 without a group
     * @param topics the topics the group reads
     */
    record Report(
            String alias,
            IndexInfo current,
            IndexInfo candidate,
            long currentEntities,
            long candidateEntities,
            String group,
            long lag,
            Set<String> topics) {

        boolean complete() {
            return candidate.documents() >= current.documents()
                    && candidateEntities >= currentEntities
                    && (group == null || lag == 0);
        }

        String describe() {
            StringBuilder b = new StringBuilder();
            b.append(
                    String.format(
                            "alias %s -> %s: model %s, %,d documents, %,d entities%n",
                            alias,
                            current.name(),
                            current.model().orElse("?"),
                            current.documents(),
                            currentEntities));
            b.append(
                    String.format(
                            "new     %s: model %s, %,d documents (%s), %,d entities (%s)%n",
                            candidate.name(),
                            candidate.model().orElse("?"),
                            candidate.documents(),
                            percent(candidate.documents(), current.documents()),
                            candidateEntities,
                            percent(candidateEntities, currentEntities)));
            if (group != null) {
                b.append(
                        String.format(
                                "consumer group %s: %,d records behind on %s%n",
                                group, lag, topics));
            }
            b.append(
                    complete()
                            ? String.format(
                                    "Complete: ./embedflow index promote --alias %s --index %s%n",
                                    alias, candidate.name())
                            : String.format(
                                    "Not complete yet%s.%n",
                                    group == null
                                            ? " (--group-id also waits for the job's lag)"
                                            : ""));
            return b.toString();
        }

        String toJson() {
            ObjectNode root = JSON.createObjectNode();
            root.put("alias", alias);
            root.putObject("current")
                    .put("index", current.name())
                    .put("model", current.model().orElse(null))
                    .put("documents", current.documents())
                    .put("entities", currentEntities);
            root.putObject("new")
                    .put("index", candidate.name())
                    .put("model", candidate.model().orElse(null))
                    .put("documents", candidate.documents())
                    .put("entities", candidateEntities);
            if (group != null) {
                ObjectNode g = root.putObject("consumer_group").put("id", group).put("lag", lag);
                topics.forEach(g.putArray("topics")::add);
            }
            root.put("complete", complete());
            return root.toString();
        }

        private static String percent(long part, long whole) {
            return whole == 0 ? "n/a" : String.format("%.1f%%", 100.0 * part / whole);
        }
    }

    static Report measure(OpenSearchConnection os, String alias, String candidate, Group group) {
        IndexManager manager = new IndexManager(os);
        List<String> targets = manager.aliasTargets(alias);
        if (targets.size() != 1) {
            throw new IllegalArgumentException(
                    "alias "
                            + alias
                            + (targets.isEmpty()
                                    ? " does not exist"
                                    : " points at " + targets.size() + " indexes: " + targets));
        }
        IndexInfo current =
                manager.describe(targets.get(0))
                        .orElseThrow(() -> new IllegalStateException("no index " + targets));
        IndexInfo next =
                manager.describe(candidate)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "no index named "
                                                        + candidate
                                                        + " (start the job with the new model"
                                                        + " first: it creates it)"));
        long lag = -1;
        Set<String> topics = new TreeSet<>();
        if (group != null) {
            lag = lag(group, topics);
        }
        return new Report(
                alias,
                current,
                next,
                entities(os, current.name()),
                entities(os, next.name()),
                group == null ? null : group.id(),
                lag,
                topics);
    }

    /** Distinct entities (exact up to 40,000, OpenSearch's cardinality precision limit). */
    private static long entities(OpenSearchConnection os, String index) {
        os.sendOk("POST", "/" + index + "/_refresh", null);
        ObjectNode body = JSON.createObjectNode().put("size", 0).put("track_total_hits", false);
        body.putObject("aggs")
                .putObject("entities")
                .putObject("cardinality")
                .put("field", IndexFields.ENTITY)
                .put("precision_threshold", 40_000);
        return os.sendOk("POST", "/" + index + "/_search", body)
                .path("aggregations")
                .path("entities")
                .path("value")
                .asLong();
    }

    /** Records the group has not read: end offsets minus its committed offsets, summed. */
    private static long lag(Group group, Set<String> topics) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, group.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedflow-index-progress");
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group.id())
                            .partitionsToOffsetAndMetadata()
                            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (committed.isEmpty()) {
                throw new IllegalStateException(
                        "consumer group "
                                + group.id()
                                + " has committed no offsets yet (is the job running, and has it"
                                + " completed a checkpoint?)");
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long lag = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                topics.add(e.getKey().topic());
                long end = ends.get(e.getKey()).offset();
                lag += Math.max(0, end - (e.getValue() == null ? 0 : e.getValue().offset()));
            }
            return lag;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading consumer group " + group.id(), e);
        } catch (java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException(
                    "cannot read consumer group "
                            + group.id()
                            + " at "
                            + group.bootstrapServers()
                            + ": "
                            + cause.getMessage(),
                    cause);
        }
    }
}
