package dev.embedflow.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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

        assertThat(knn.get("k").asInt()).isEqualTo(5);
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
}
