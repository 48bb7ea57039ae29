package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CpuMeterTest {

    @Test
    void describesEachProcessesShareOfTheCoresOverThePhase() {
        Map<String, Double> before = new LinkedHashMap<>();
        before.put("this JVM", 10.0);
        before.put("OpenSearch", 5.0);
        Map<String, Double> after = new LinkedHashMap<>();
        after.put("this JVM", 25.0);
        after.put("OpenSearch", 8.0);
        after.put("Kafka", 1.0); // not in the first snapshot: left out

        assertThat(CpuMeter.describe(before, after, 10.0, 2))
                .isEqualTo(
                        "this JVM 15.0 s (75%), OpenSearch 3.0 s (15%); 2 cores x 10.0 s = 20.0"
                                + " core-seconds");
    }

    @Test
    void measuresThisJvm() {
        CpuMeter meter = new CpuMeter().addSelf("this JVM").add("gone", OptionalLong.empty());
        assertThat(meter.snapshot()).containsOnlyKeys("this JVM");
    }
}
