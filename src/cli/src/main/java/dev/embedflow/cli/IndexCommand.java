package dev.embedflow.cli;

import dev.embedflow.index.IndexInfo;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.index.KnnEngine;
import dev.embedflow.index.SpaceType;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code embedflow index create | status | progress | promote}: the index lifecycle. A model change
 * re-embeds into a new index (a second job with the new model from the earliest offsets, or the
 * batch job again); {@code progress} compares it with the index the alias points at and shows the
 * new job's consumer lag; once it is complete, {@code promote} moves the alias readers use,
 * atomically.
 */
@Command(
        name = "index",
        mixinStandardHelpOptions = true,
        description = "Creates, inspects and promotes EmbedFlow indexes.",
        subcommands = {
            IndexCommand.Create.class,
            IndexCommand.Status.class,
            IndexCommand.Progress.class,
            IndexCommand.Promote.class
        })
final class IndexCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Creates (or checks) the index and template for a model.")
    static final class Create implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Mixin OpenSearchConnectionMixin connection;

        @Option(names = "--model", required = true, description = "Embedding model name.")
        String model;

        @Option(names = "--dimension", required = true, description = "Vector dimension.")
        int dimension;

        @Option(names = "--base-name", description = "Index base name (default: ${DEFAULT-VALUE}).")
        String baseName = "embedflow";

        @Option(names = "--alias", description = "Alias readers use (default: the base name).")
        String alias;

        @Option(
                names = "--index-version",
                description = "Index version (default: ${DEFAULT-VALUE}).")
        int version = 1;

        @Option(names = "--engine", description = "lucene or faiss (default: ${DEFAULT-VALUE}).")
        String engine = "lucene";

        @Option(
                names = "--space-type",
                description = "cosinesimil, l2 or innerproduct (default: ${DEFAULT-VALUE}).")
        String spaceType = "cosinesimil";

        @Option(names = "--m", description = "HNSW m (default: ${DEFAULT-VALUE}).")
        int m = 16;

        @Option(
                names = "--ef-construction",
                description = "HNSW ef_construction (default: ${DEFAULT-VALUE}).")
        int efConstruction = 128;

        @Option(names = "--shards", description = "Primary shards (default: ${DEFAULT-VALUE}).")
        int shards = 1;

        @Option(names = "--replicas", description = "Replicas (default: ${DEFAULT-VALUE}).")
        int replicas = 1;

        @Override
        public Integer call() {
            IndexSpec index =
                    IndexSpec.builder()
                            .baseName(baseName)
                            .alias(alias)
                            .version(version)
                            .model(model)
                            .dimension(dimension)
                            .engine(KnnEngine.of(engine))
                            .spaceType(SpaceType.of(spaceType))
                            .hnsw(m, efConstruction)
                            .shards(shards)
                            .replicas(replicas)
                            .build();
            try (OpenSearchConnection os = OpenSearchConnection.open(connection.config())) {
                IndexManager manager = new IndexManager(os);
                IndexManager.Outcome outcome = manager.ensureIndex(index);
                manager.ensureAlias(index);
                PrintWriter out = spec.commandLine().getOut();
                out.printf(
                        "%s %s; alias %s -> %s%n",
                        outcome == IndexManager.Outcome.CREATED ? "Created" : "Checked",
                        index,
                        index.alias(),
                        manager.aliasTargets(index.alias()));
                out.flush();
                return 0;
            }
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Shows the index an alias points at, or one index: model, shape, count.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Mixin OpenSearchConnectionMixin connection;

        @Option(
                names = {"--index", "--alias"},
                description = "Index or alias (default: ${DEFAULT-VALUE}).")
        String name = "embedflow";

        @Override
        public Integer call() {
            try (OpenSearchConnection os = OpenSearchConnection.open(connection.config())) {
                PrintWriter out = spec.commandLine().getOut();
                IndexManager manager = new IndexManager(os);
                List<String> targets = manager.aliasTargets(name);
                List<String> indexes = targets.isEmpty() ? List.of(name) : targets;
                if (!targets.isEmpty()) {
                    out.printf("alias %s -> %s%n", name, targets);
                }
                for (String index : indexes) {
                    IndexInfo info = manager.describe(index).orElse(null);
                    if (info == null) {
                        spec.commandLine().getErr().printf("No index or alias named %s.%n", index);
                        return 2;
                    }
                    out.printf(
                            "%s: model %s, %d dims, %s/%s, %d documents, aliases %s%n",
                            info.name(),
                            info.model().orElse("(not an EmbedFlow index)"),
                            info.dimension(),
                            info.engine(),
                            info.spaceType(),
                            info.documents(),
                            info.aliases());
                }
                out.flush();
                return 0;
            }
        }
    }

    @Command(
            name = "progress",
            mixinStandardHelpOptions = true,
            description = {
                "How far a new index is from the one an alias points at: documents, entities,",
                "and the lag of the consumer group of the job filling it. Exit code 0 once it is",
                "complete (as many documents and entities, no lag), 3 before."
            })
    static final class Progress implements Callable<Integer> {
        /** The exit code while the new index is not complete yet. */
        static final int NOT_YET = 3;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Mixin OpenSearchConnectionMixin connection;

        @Option(names = "--alias", description = "The alias (default: ${DEFAULT-VALUE}).")
        String alias = "embedflow";

        @Option(names = "--index", required = true, description = "The new index.")
        String index;

        @Option(
                names = "--group-id",
                description =
                        "Consumer group of the job filling the new index (its source.group-id).")
        String groupId;

        @Option(
                names = "--bootstrap-servers",
                paramLabel = "HOST:PORT",
                description = "Kafka, for --group-id (default: ${DEFAULT-VALUE}).")
        String bootstrapServers = "localhost:9092";

        @Option(names = "--json", description = "JSON on standard output, nothing else.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ReindexProgress.Report report;
            try (OpenSearchConnection os = OpenSearchConnection.open(connection.config())) {
                report =
                        ReindexProgress.measure(
                                os,
                                alias,
                                index,
                                groupId == null
                                        ? null
                                        : new ReindexProgress.Group(groupId, bootstrapServers));
            }
            if (json) {
                out.println(report.toJson());
            } else {
                out.print(report.describe());
            }
            out.flush();
            return report.complete() ? 0 : NOT_YET;
        }
    }

    @Command(
            name = "promote",
            mixinStandardHelpOptions = true,
            description = {
                "Moves an alias to a new index, atomically, once the new index is complete:",
                "it must hold at least --min-ratio times the documents of the current one."
            })
    static final class Promote implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Mixin OpenSearchConnectionMixin connection;

        @Option(names = "--alias", description = "The alias (default: ${DEFAULT-VALUE}).")
        String alias = "embedflow";

        @Option(names = "--index", required = true, description = "The new index.")
        String index;

        @Option(
                names = "--min-ratio",
                description =
                        "New documents / current documents needed (default: ${DEFAULT-VALUE}).")
        double minRatio = 1.0;

        @Option(names = "--force", description = "Skip the completeness check.")
        boolean force;

        @Override
        public Integer call() {
            try (OpenSearchConnection os = OpenSearchConnection.open(connection.config())) {
                IndexManager.Promotion promotion;
                try {
                    promotion = new IndexManager(os).promote(alias, index, minRatio, force);
                } catch (IllegalStateException e) {
                    spec.commandLine().getErr().println("Not promoted: " + e.getMessage());
                    return 1;
                }
                spec.commandLine()
                        .getOut()
                        .printf(
                                "Alias %s: %s -> %s (%d documents)%n",
                                alias,
                                promotion.previous(),
                                promotion.index(),
                                promotion.documents());
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }
}
