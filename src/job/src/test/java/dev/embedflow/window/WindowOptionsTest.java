package dev.embedflow.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class WindowOptionsTest {

    @Test
    void defaultsAreHourlyTumblingHistoryWindows() {
        WindowSpec spec = WindowOptions.windowSpec(new Configuration());

        assertThat(spec.mode()).isEqualTo(WindowSpec.Mode.TUMBLING);
        assertThat(spec.sizeMillis()).isEqualTo(Duration.ofHours(1).toMillis());
        assertThat(spec.idMode()).isEqualTo(WindowSpec.IdMode.HISTORY);
    }

    @Test
    void sessionWindowsTakeTheGap() {
        WindowSpec spec =
                WindowOptions.windowSpec(
                        Configuration.fromMap(
                                Map.of("window.mode", "session", "window.session-gap", "15 min")));

        assertThat(spec.mode()).isEqualTo(WindowSpec.Mode.SESSION);
        assertThat(spec.gapMillis()).isEqualTo(Duration.ofMinutes(15).toMillis());
    }

    @Test
    void unparseableValueNamesTheKey() {
        Configuration config = Configuration.fromMap(Map.of("window.size", "an hour"));

        assertThatThrownBy(() -> WindowOptions.windowSpec(config))
                .hasMessageContaining("window.size");
    }

    @Test
    void slidingWithoutASlideNamesTheMissingKey() {
        Configuration config = Configuration.fromMap(Map.of("window.mode", "SLIDING"));

        assertThatThrownBy(() -> WindowOptions.windowSpec(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window.slide is required");
    }

    @Test
    void slideThatDoesNotDivideTheSizeIsRejected() {
        Configuration config =
                Configuration.fromMap(
                        Map.of(
                                "window.mode",
                                "SLIDING",
                                "window.size",
                                "1 h",
                                "window.slide",
                                "25 min"));

        assertThatThrownBy(() -> WindowOptions.windowSpec(config))
                .hasMessageContaining("must be a multiple of the slide");
    }

    @Test
    void brokenTemplateNamesTheKey() {
        Configuration config = Configuration.fromMap(Map.of("window.template", "{{#events}}"));

        assertThatThrownBy(() -> WindowOptions.renderer(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("window.template:");
    }
}
