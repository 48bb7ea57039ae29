package dev.embedflow.source;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class BoundedRunTest {

    @Test
    void aBadIsolationLevelIsNamedBeforeKafkaIsAsked() {
        Configuration config = new Configuration();
        config.setString("source.bootstrap-servers", "127.0.0.1:1");
        config.setString("source.topics", "events");
        config.setString("source.kafka.isolation.level", "read_some");

        assertThatThrownBy(() -> BoundedRun.resolve(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "source.kafka.isolation.level is 'read_some': read_committed or"
                                + " read_uncommitted");
    }
}
