package dev.embedflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.window.WindowOptions;
import dev.embedflow.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigurationTest {

    @TempDir Path dir;

    @Test
    void laterSourcesOverrideEarlierOnes() throws IOException {
        Path clusterDir = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(
                clusterDir.resolve("config.yaml"),
                "window:\n  mode: SESSION\n  session-gap: 5 min\nsource.group-id: from-cluster\n");
        Path file = dir.resolve("embedflow.yaml");
        Files.writeString(file, "window.session-gap: 20 min\nwindow.allowed-lateness: 1 min\n");

        Configuration config =
                JobConfiguration.load(clusterDir, file, Map.of("window.allowed-lateness", "2 min"));

        assertThat(config.get(WindowOptions.MODE)).isEqualTo(WindowSpec.Mode.SESSION);
        assertThat(config.get(WindowOptions.SESSION_GAP)).isEqualTo(Duration.ofMinutes(20));
        assertThat(config.get(WindowOptions.ALLOWED_LATENESS)).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.getString("source.group-id", null)).isEqualTo("from-cluster");
    }

    @Test
    void missingConfigFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> JobConfiguration.load(null, missing, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no such file")
                .hasMessageContaining("nope.yaml");
    }
}
