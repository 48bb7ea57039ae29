package dev.embedflow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.opensearch.OpenSearchOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class IndexSpecTest {

    @Test
    void theIndexIsNamedAfterBaseModelAndVersionBehindTheBaseNameAlias() {
        IndexSpec spec =
                IndexSpec.builder()
                        .model("sentence-transformers/all-MiniLM-L6-v2")
                        .dimension(384)
                        .build();

        assertThat(spec.indexName())
                .isEqualTo("embedflow-sentence-transformers-all-minilm-l6-v2-v1");
        assertThat(spec.alias()).isEqualTo("embedflow");
        assertThat(spec.withVersion(2).indexName()).endsWith("-v2");
    }

    @Test
    void fromConfigurationNamesTheBadKey() {
        Configuration conf = new Configuration();
        conf.set(OpenSearchOptions.KNN_ENGINE, "nmslib2");
        assertThatThrownBy(() -> IndexSpec.fromConfiguration(conf, "m", 4))
                .hasMessageContaining("opensearch.index.knn.engine")
                .hasMessageContaining("lucene or faiss");

        Configuration space = new Configuration();
        space.set(OpenSearchOptions.KNN_SPACE_TYPE, "hamming");
        assertThatThrownBy(() -> IndexSpec.fromConfiguration(space, "m", 4))
                .hasMessageContaining("opensearch.index.knn.space-type");
    }

    @Test
    void theMappingCarriesTheShapeTheModelAndTheTypedMetadata() {
        IndexSpec spec =
                IndexSpec.builder()
                        .model("m")
                        .dimension(768)
                        .engine(KnnEngine.FAISS)
                        .spaceType(SpaceType.INNERPRODUCT)
                        .hnsw(32, 256)
                        .build();

        JsonNode mappings = IndexManager.template(spec).at("/template/mappings");

        JsonNode vector = mappings.at("/properties/embedding");
        assertThat(vector.get("dimension").asInt()).isEqualTo(768);
        assertThat(vector.at("/method/engine").asText()).isEqualTo("faiss");
        assertThat(vector.at("/method/space_type").asText()).isEqualTo("innerproduct");
        assertThat(vector.at("/method/parameters/m").asInt()).isEqualTo(32);
        assertThat(vector.at("/method/parameters/ef_construction").asInt()).isEqualTo(256);
        assertThat(mappings.at("/_meta/embedflow/model").asText()).isEqualTo("m");
        assertThat(mappings.at("/_meta/embedflow/dimension").asInt()).isEqualTo(768);
        assertThat(mappings.at("/properties/metadata/properties/event_count/type").asText())
                .isEqualTo("integer");
        assertThat(mappings.at("/properties/window_start/type").asText()).isEqualTo("date");
        assertThat(mappings.at("/properties/content_hash/type").asText()).isEqualTo("keyword");
    }

    @Test
    void anAliasEqualToTheIndexNameIsRefused() {
        assertThatThrownBy(
                        () ->
                                IndexSpec.builder()
                                        .model("m")
                                        .dimension(4)
                                        .alias("embedflow-m-v1")
                                        .build())
                .hasMessageContaining("alias must differ");
    }
}
