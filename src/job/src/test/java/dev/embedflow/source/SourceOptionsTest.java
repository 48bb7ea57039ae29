package dev.embedflow.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class SourceOptionsTest {

    @Test
    void defaultsReadCloudEvents() {
        EventFormat format = SourceOptions.eventFormat(new Configuration());

        assertThat(format.keyPointer()).isEqualTo("/subject");
        assertThat(format.timePointer()).isEqualTo("/time");
        assertThat(format.payloadPointer()).isEqualTo("/data");
        assertThat(format.cloudEventsBinaryMode()).isTrue();
    }

    @Test
    void missingBootstrapServersIsNamed() {
        Configuration config = Configuration.fromMap(Map.of("source.topics", "events"));

        assertThatThrownBy(() -> SourceOptions.validateConnection(config))
                .hasMessageContaining("source.bootstrap-servers is required");
    }

    @Test
    void topicsAndPatternTogetherAreRejected() {
        Configuration config =
                Configuration.fromMap(
                        Map.of(
                                "source.bootstrap-servers", "localhost:9092",
                                "source.topics", "events",
                                "source.topic-pattern", "events-.*"));

        assertThatThrownBy(() -> SourceOptions.validateConnection(config))
                .hasMessageContaining("exactly one of source.topics and source.topic-pattern");
    }

    @Test
    void timestampStartNeedsAReadableTimestamp() {
        Configuration config =
                Configuration.fromMap(
                        Map.of(
                                "source.bootstrap-servers", "localhost:9092",
                                "source.topics", "events",
                                "source.starting-offsets", "TIMESTAMP",
                                "source.starting-timestamp", "last tuesday"));

        assertThatThrownBy(() -> SourceOptions.validateConnection(config))
                .hasMessageContaining("source.starting-timestamp 'last tuesday'");
        config.setString("source.starting-timestamp", "2026-03-01T00:00:00Z");
        assertThat(SourceOptions.startingTimestamp(config)).isEqualTo(1772323200000L);
    }

    @Test
    void badPointerNamesTheSourceSetting() {
        Configuration config = Configuration.fromMap(Map.of("source.key-pointer", "subject"));

        assertThatThrownBy(() -> SourceOptions.eventFormat(config))
                .hasMessageContaining("source.*")
                .hasMessageContaining("'subject' is not a JSON pointer");
    }

    @Test
    void kafkaPropertiesArePassedThroughWithoutThePrefix() {
        Configuration config =
                Configuration.fromMap(
                        Map.of(
                                "source.kafka.security.protocol", "SASL_SSL",
                                "source.kafka.sasl.mechanism", "SCRAM-SHA-512",
                                "source.topics", "events"));

        assertThat(SourceOptions.kafkaProperties(config))
                .containsOnlyKeys("security.protocol", "sasl.mechanism")
                .containsEntry("security.protocol", "SASL_SSL");
    }
}
