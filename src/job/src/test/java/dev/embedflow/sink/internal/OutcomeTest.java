package dev.embedflow.sink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void overloadAndServerErrorsAreRetried() {
        assertThat(Outcome.ofItem("index", 429, "es_rejected_execution_exception"))
                .isEqualTo(Outcome.RETRY);
        assertThat(Outcome.ofItem("index", 429, "")).isEqualTo(Outcome.RETRY);
        assertThat(Outcome.ofItem("index", 503, "unavailable_shards_exception"))
                .isEqualTo(Outcome.RETRY);
        assertThat(Outcome.ofRequest(503)).isEqualTo(Outcome.RETRY);
        assertThat(Outcome.ofRequest(429)).isEqualTo(Outcome.RETRY);
    }

    @Test
    void aDocumentTheMappingRejectsIsDeadLettered() {
        assertThat(Outcome.ofItem("index", 400, "mapper_parsing_exception"))
                .isEqualTo(Outcome.DEAD_LETTER);
        assertThat(Outcome.ofItem("index", 400, "document_parsing_exception"))
                .isEqualTo(Outcome.DEAD_LETTER);
        assertThat(Outcome.ofItem("index", 400, "illegal_argument_exception"))
                .isEqualTo(Outcome.DEAD_LETTER);
        assertThat(Outcome.ofItem("index", 400, "strict_dynamic_mapping_exception"))
                .isEqualTo(Outcome.DEAD_LETTER);
    }

    @Test
    void deletingAMissingDocumentSucceeds() {
        assertThat(Outcome.ofItem("delete", 404, "")).isEqualTo(Outcome.SUCCESS);
        assertThat(Outcome.ofItem("index", 404, "index_not_found_exception"))
                .isEqualTo(Outcome.DEAD_LETTER);
    }

    @Test
    void aWrongRequestAsAWholeIsFatal() {
        assertThat(Outcome.ofRequest(401)).isEqualTo(Outcome.FATAL);
        assertThat(Outcome.ofRequest(413)).isEqualTo(Outcome.FATAL);
        assertThat(Outcome.ofRequest(400)).isEqualTo(Outcome.FATAL);
        assertThat(Outcome.ofRequest(200)).isEqualTo(Outcome.SUCCESS);
    }
}
