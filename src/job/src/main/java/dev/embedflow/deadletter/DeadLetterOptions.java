package dev.embedflow.deadletter;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Where dead letters go, as typed Flink options. */
@PublicEvolving
public final class DeadLetterOptions {

    /** Prefix of Kafka producer properties for the dead-letter topic. */
    public static final String KAFKA_PROPERTIES_PREFIX = "dead-letter.kafka.";

    public static final ConfigOption<String> TOPIC =
            key("dead-letter.topic")
                    .stringType()
                    .defaultValue("embedflow-dead-letters")
                    .withDescription(
                            "Kafka topic for records the job cannot handle: the original bytes with"
                                    + " embedflow.* headers (stage, reason, document id, failure"
                                    + " time, origins with topic, partition, offset, timestamp).");

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("dead-letter.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka cluster of the dead-letter topic; by default"
                                    + " source.bootstrap-servers. Producer properties go in"
                                    + " dead-letter.kafka.*; without any, the source.kafka.*"
                                    + " properties (security settings) are used.");

    private DeadLetterOptions() {}

    /** Every option of this class, for the configuration reference. */
    public static List<ConfigOption<?>> all() {
        return List.of(TOPIC, BOOTSTRAP_SERVERS);
    }

    /**
     * Producer properties for the dead-letter topic, including {@code bootstrap.servers}: the
     * {@code dead-letter.kafka.*} properties, or without any those under {@code fallbackPrefix};
     * {@link #BOOTSTRAP_SERVERS}, or else {@code fallbackServers}.
     */
    public static Map<String, String> producerProperties(
            Configuration config, String fallbackPrefix, ConfigOption<String> fallbackServers) {
        Map<String, String> properties = new TreeMap<>();
        Map<String, String> all = config.toMap();
        boolean own = all.keySet().stream().anyMatch(k -> k.startsWith(KAFKA_PROPERTIES_PREFIX));
        String prefix = own ? KAFKA_PROPERTIES_PREFIX : fallbackPrefix;
        all.forEach(
                (k, v) -> {
                    if (k.startsWith(prefix)) {
                        properties.put(k.substring(prefix.length()), v);
                    }
                });
        String servers =
                config.getOptional(BOOTSTRAP_SERVERS)
                        .or(() -> config.getOptional(fallbackServers))
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                BOOTSTRAP_SERVERS.key()
                                                        + " or "
                                                        + fallbackServers.key()
                                                        + " is required for the dead-letter topic"));
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        return properties;
    }
}
