package dev.embedflow.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * The source's watermarks per partition, driven as Flink's source operator drives them (one
 * generator per partition, periodic emits), with a manual clock for idleness.
 */
class WatermarksTest {

    private static final long T0 = 1_772_359_200_000L; // 2026-03-01T10:00:00Z

    private final ManualClock clock = new ManualClock();
    private final Output output = new Output();
    private WatermarkGenerator<SourceRecord> generator;
    private TimestampAssigner<SourceRecord> timestamps;

    /** What the generator told the operator: watermarks, and whether it last said idle. */
    private static final class Output implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    private void start() {
        Configuration config = new Configuration();
        config.setString("source.max-out-of-orderness", "5 s");
        config.setString("source.idleness", "1 min");
        WatermarkStrategy<SourceRecord> strategy = KafkaEventSource.watermarks(config);
        generator =
                strategy.createWatermarkGenerator(
                        new WatermarkGeneratorSupplier.Context() {
                            @Override
                            public MetricGroup getMetricGroup() {
                                return new UnregisteredMetricsGroup();
                            }

                            @Override
                            public RelativeClock getInputActivityClock() {
                                return clock;
                            }
                        });
        timestamps = strategy.createTimestampAssigner(() -> new UnregisteredMetricsGroup());
    }

    private void receive(SourceRecord record) {
        generator.onEvent(record, timestamps.extractTimestamp(record, T0), output);
    }

    private static SourceRecord event(long time) {
        return SourceRecord.of(new Event("c-1", time, "t", "e", "{}", false, "events", 0, 0, time));
    }

    private static SourceRecord malformed(long offset) {
        return SourceRecord.of(
                DeadLetter.of(
                        Stage.SOURCE,
                        "not JSON",
                        List.of(Origin.kafka("events", 1, offset, T0)),
                        null,
                        new byte[] {'x'}));
    }

    @Test
    void aPartitionCarryingOnlyMalformedRecordsGoesIdle() {
        start();
        for (int minute = 0; minute < 3; minute++) {
            receive(malformed(minute));
            clock.advanceTime(Duration.ofSeconds(59));
            receive(malformed(minute + 100));
            clock.advanceTime(Duration.ofSeconds(2));
            generator.onPeriodicEmit(output);
        }

        assertThat(output.idle)
                .as("a steady trickle of dead letters is no activity: windows must not wait")
                .isTrue();
    }

    @Test
    void eventsKeepAPartitionActiveAndMoveItsWatermark() {
        start();
        receive(event(T0));
        receive(malformed(1));
        clock.advanceTime(Duration.ofSeconds(30));
        receive(event(T0 + 30_000));
        generator.onPeriodicEmit(output);

        assertThat(output.idle).isFalse();
        assertThat(output.watermarks).last().isEqualTo(T0 + 30_000 - 5_000 - 1);
    }

    @Test
    void aDeadLetterDoesNotMoveTheWatermark() {
        start();
        receive(event(T0));
        generator.onPeriodicEmit(output);
        long before = output.watermarks.get(output.watermarks.size() - 1);
        receive(malformed(2));
        generator.onPeriodicEmit(output);

        assertThat(output.watermarks).last().isEqualTo(before);
    }
}
