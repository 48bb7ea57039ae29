package dev.embedflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.testing.TestDirs;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** flink-conf/config.yaml is what the image and the chart ship: every key must mean something. */
class FlinkConfTest {

    private static final List<Class<?>> OPTION_CLASSES =
            List.of(
                    CheckpointingOptions.class,
                    StateBackendOptions.class,
                    RestartStrategyOptions.class,
                    JobManagerOptions.class,
                    RocksDBOptions.class);

    /** metrics.reporter.<name>.<a reporter option of MetricOptions, or the Prometheus port>. */
    private static final Pattern REPORTER_KEY =
            Pattern.compile(
                    "metrics\\.reporter\\.[a-z0-9_-]+\\.("
                            + Pattern.quote(MetricOptions.REPORTER_FACTORY_CLASS.key())
                            + "|"
                            + Pattern.quote(MetricOptions.REPORTER_INTERVAL.key())
                            + "|"
                            + Pattern.quote(MetricOptions.REPORTER_EXCLUDED_VARIABLES.key())
                            + "|port)");

    private static Configuration config;

    @BeforeAll
    static void load() {
        config = GlobalConfiguration.loadConfiguration(TestDirs.project("flink-conf").toString());
    }

    @Test
    void everyKeyIsACurrentFlinkOptionNotADeprecatedOrMistypedOne() {
        Map<String, ConfigOption<?>> current = new HashMap<>();
        for (Class<?> type : OPTION_CLASSES) {
            for (Field field : type.getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && field.getType() == ConfigOption.class
                        && !field.isAnnotationPresent(Deprecated.class)) {
                    try {
                        ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                        current.put(option.key(), option);
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        }

        // Reporter options are templates (metrics.reporter.<name>.<option>), not constants.
        assertThat(config.keySet())
                .isNotEmpty()
                .filteredOn(key -> !REPORTER_KEY.matcher(key).matches())
                .allSatisfy(key -> assertThat(current).containsKey(key));
        assertThat(config.keySet())
                .filteredOn(key -> key.startsWith("metrics.reporter."))
                .allSatisfy(key -> assertThat(key).matches(REPORTER_KEY));
    }

    @Test
    void stateIsInRocksDbWithIncrementalExactlyOnceCheckpoints() {
        assertThat(config.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(config.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isBetween(Duration.ofSeconds(1), Duration.ofMinutes(1));
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
                .isGreaterThan(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL));
        assertThat(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isNotBlank();
        assertThat(config.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).isNotBlank();
    }

    @Test
    void failuresRestartWithExponentialBackoff() {
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
        assertThat(
                        config.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isGreaterThan(
                        config.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF));
    }

    @Test
    void prometheusReporterServesMetricsOnPort9249() {
        assertThat(config.toMap().get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(config.toMap().get("metrics.reporter.prom.port")).isEqualTo("9249");
    }
}
