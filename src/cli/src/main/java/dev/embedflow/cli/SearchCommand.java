package dev.embedflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.embedflow.index.IndexInfo;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.JobModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.qa.retrieval.QueryEmbedder;
import dev.embedflow.search.SearchHit;
import dev.embedflow.search.SearchQuery;
import dev.embedflow.search.SemanticSearch;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code embedflow search "query"}: semantic (optionally hybrid, filtered) search. */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        description = {
            "Embeds the query with the index's model and prints the nearest documents.",
            "The query is embedded by the local model the index records (all-MiniLM-L6-v2 or"
                    + " all-MiniLM-L6-v2-int8) unless embedding.*"
                    + " settings name a provider (as for the job: -Dembedding.provider=openai ...);"
                    + " an index built with another model is refused."
        })
final class SearchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin OpenSearchConnectionMixin connection;

    @Mixin SettingsMixin settings;

    @Parameters(index = "0", paramLabel = "QUERY", description = "What to look for.")
    String query;

    @Option(names = "--k", description = "Number of hits (default: ${DEFAULT-VALUE}).")
    int k = 10;

    @Option(
            names = "--filter",
            paramLabel = "FIELD=VALUE",
            description =
                    "Keep documents whose keyword field has this value; repeat for more"
                            + " (entity, model, or a metadata field such as event_types).")
    List<String> filters = List.of();

    @Option(names = "--hybrid", description = "Fuse k-NN with BM25 keyword search.")
    boolean hybrid;

    @Option(
            names = "--by-entity",
            description = "The best document of each entity (at most one hit per entity).")
    boolean byEntity;

    @Option(
            names = "--since",
            paramLabel = "TIME",
            description =
                    "Only documents whose window (or event time) ends at or after TIME (ISO-8601,"
                            + " e.g. 2026-03-01T00:00:00Z, or a date 2026-03-01).")
    String since;

    @Option(
            names = "--until",
            paramLabel = "TIME",
            description =
                    "Only documents whose window (or event time) starts at or before TIME (a date"
                            + " means its end).")
    String until;

    @Option(
            names = "--index",
            description = "Index or alias to search (default: ${DEFAULT-VALUE}).")
    String index = "embedflow";

    @Option(names = "--json", description = "Print the hits as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (OpenSearchConnection os = OpenSearchConnection.open(connection.config())) {
            IndexInfo info = new IndexManager(os).describe(index).orElse(null);
            if (info == null) {
                err.printf("No index or alias named %s at %s.%n", index, os.config().hosts());
                return 2;
            }
            String model = info.model().orElse(null);
            if (model == null) {
                err.printf(
                        "%s was not created by EmbedFlow: its mapping has no _meta.%s.model, so"
                                + " the model to embed the query with is unknown.%n",
                        info.name(), IndexManager.META_KEY);
                return 2;
            }
            Configuration conf = settings.load(Map.of());
            SearchQuery.Builder q =
                    SearchQuery.builder()
                            .text(query)
                            .k(k)
                            .hybrid(hybrid)
                            .byEntity(byEntity)
                            .options(conf);
            filters.forEach(q::filter);
            if (since != null) {
                q.since(instant("--since", since, false));
            }
            if (until != null) {
                q.until(instant("--until", until, true));
            }
            try (QueryEmbedder embedder = QueryEmbedder.fromConfiguration(conf, model)) {
                float[] vector = embedder.embed(query);
                if (!JobModel.sameModel(model, embedder.model())) {
                    err.printf(
                            "%s was built with the model %s; the query was embedded with %s, whose"
                                    + " vectors are not comparable. Set embedding.* to the index's"
                                    + " provider and model, or search an index built with %s.%n",
                            info.name(), model, embedder.model(), embedder.model());
                    return 2;
                }
                q.vector(vector);
            }
            List<SearchHit> hits = new SemanticSearch(os).search(index, q.build());
            if (json) {
                out.println(JSON.writeValueAsString(SearchHit.toJson(hits)));
            } else {
                printTable(out, hits);
            }
            out.flush();
            return 0;
        }
    }

    /**
     * An ISO-8601 instant, or a date: its start ({@code endOfDay} false) or the last moment of it.
     */
    private Instant instant(String option, String value, boolean endOfDay) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notAnInstant) {
            try {
                LocalDate date = LocalDate.parse(value);
                return endOfDay
                        ? date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1)
                        : date.atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        option
                                + " takes an ISO-8601 time such as 2026-03-01T10:00:00Z or a date"
                                + " such as 2026-03-01, not '"
                                + value
                                + "'");
            }
        }
    }

    static void printTable(PrintWriter out, List<SearchHit> hits) {
        if (hits.isEmpty()) {
            out.println("No hits.");
            return;
        }
        String format = "%-4s  %-7s  %-24s  %-41s  %s%n";
        out.printf(format, "RANK", "SCORE", "ENTITY", "WINDOW", "TEXT");
        for (SearchHit hit : hits) {
            out.printf(
                    format,
                    hit.rank(),
                    String.format(java.util.Locale.ROOT, "%.4f", hit.score()),
                    cut(hit.entity() == null ? hit.id() : hit.entity(), 24),
                    hit.window().orElse("-"),
                    cut(hit.firstLine(), 80));
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
