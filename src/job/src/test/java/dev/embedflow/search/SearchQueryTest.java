package dev.embedflow.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class SearchQueryTest {

    @Test
    void filtersGoInsideTheKnnClauseOnMetadataOrTopLevelFields() {
        SearchQuery query =
                SearchQuery.builder()
                        .vector(new float[] {0.1f, 0.2f})
                        .k(5)
                        .filter("entity=customer-1")
                        .filter("event_types=order_placed")
                        .filter("event_types", "order_paid")
                        .build();

        JsonNode knn = SemanticSearch.knnBody(query, 5).at("/query/knn/embedding");

        // The graph explores the default candidates, not just the five hits asked for.
        assertThat(knn.get("k").asInt()).isEqualTo(SearchOptions.KNN_CANDIDATES.defaultValue());
        assertThat(knn.at("/method_parameters/ef_search").asInt())
                .isEqualTo(SearchOptions.KNN_CANDIDATES.defaultValue());
        assertThat(knn.get("vector")).hasSize(2);
        JsonNode clauses = knn.at("/filter/bool/filter");
        assertThat(clauses.get(0).at("/terms/entity").get(0).asText()).isEqualTo("customer-1");
        assertThat(clauses.get(1).at("/terms/metadata.event_types")).hasSize(2);
    }

    @Test
    void theFirstNonBlankLineIsShown() {
        assertThat(SemanticSearch.firstLine("\n  \n  Order 1: shoes  \nsecond"))
                .isEqualTo("Order 1: shoes");
    }

    @Test
    void aQueryNeedsSomethingToSearchWith() {
        assertThatThrownBy(() -> SearchQuery.builder().build())
                .hasMessageContaining("vector or a text");
        assertThatThrownBy(() -> SearchQuery.builder().text("x").hybrid(true).build())
                .hasMessageContaining("hybrid");
        assertThatThrownBy(() -> SearchQuery.builder().filter("no-equals-sign"))
                .hasMessageContaining("field=value");
    }

    @Test
    void candidatesComeFromTheOptionsAndNeverFallBelowThePage() {
        Configuration config = new Configuration();
        config.set(SearchOptions.KNN_CANDIDATES, 40);
        SearchQuery query =
                SearchQuery.builder().vector(new float[] {1f}).k(50).options(config).build();

        assertThat(query.candidates()).isEqualTo(40);
        assertThat(SemanticSearch.knnBody(query, 50).at("/query/knn/embedding/k").asInt())
                .isEqualTo(50);
        assertThat(SemanticSearch.knnBody(query, 10).at("/query/knn/embedding/k").asInt())
                .isEqualTo(40);
    }

    @Test
    void byEntityCollapsesOnTheEntityAndATimeRangeFiltersWindows() {
        SearchQuery query =
                SearchQuery.builder()
                        .vector(new float[] {1f})
                        .text("late parcel")
                        .byEntity(true)
                        .since(Instant.parse("2026-03-01T00:00:00Z"))
                        .until(Instant.parse("2026-03-02T00:00:00Z"))
                        .build();

        for (JsonNode body :
                List.of(
                        SemanticSearch.knnBody(query, 10),
                        SemanticSearch.matchBody(query, 10),
                        SemanticSearch.exactBody(query, 10, "cosinesimil"))) {
            assertThat(body.at("/collapse/field").asText()).isEqualTo("entity");
            assertThat(body.toString())
                    .contains("{\"range\":{\"window_end\":{\"gte\":\"2026-03-01T00:00:00Z\"}}}")
                    .contains("{\"range\":{\"window_start\":{\"lte\":\"2026-03-02T00:00:00Z\"}}}");
        }
    }

    @Test
    void exactScoringScoresEveryMatchingDocumentWithTheKnnScript() {
        SearchQuery query =
                SearchQuery.builder().vector(new float[] {0.5f, 0.5f}).filter("entity=e1").build();

        JsonNode scriptScore = SemanticSearch.exactBody(query, 10, "l2").at("/query/script_score");

        assertThat(scriptScore.at("/query/bool/filter/0/terms/entity/0").asText()).isEqualTo("e1");
        assertThat(scriptScore.at("/script/source").asText()).isEqualTo("knn_score");
        assertThat(scriptScore.at("/script/lang").asText()).isEqualTo("knn");
        assertThat(scriptScore.at("/script/params/space_type").asText()).isEqualTo("l2");
        assertThat(scriptScore.at("/script/params/query_value")).hasSize(2);
    }

    @Test
    void optionsOutOfRangeAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> SearchQuery.builder().text("x").candidates(0).build())
                .hasMessageContaining("search.knn.candidates");
        assertThatThrownBy(() -> SearchQuery.builder().text("x").exactMaxDocuments(-1).build())
                .hasMessageContaining("search.exact.max-documents");
        assertThatThrownBy(
                        () ->
                                SearchQuery.builder()
                                        .text("x")
                                        .since(Instant.parse("2026-03-02T00:00:00Z"))
                                        .until(Instant.parse("2026-03-01T00:00:00Z"))
                                        .build())
                .hasMessageContaining("after until");
    }
}
