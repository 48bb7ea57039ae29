package dev.embedflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The job jar's entry points read their arguments without the CLI. */
class JobArgumentsTest {

    private static final Map<String, String> FLAGS =
            Map.of("--input", "batch.input", "--table", "batch.jdbc.table");

    @Test
    void readsConfigFileAndDynamicSettingsInBothSpellings() {
        JobArguments arguments =
                JobArguments.parse(
                        new String[] {
                            "--config", "job.yaml", "-Dwindow.mode=NONE", "-D", "source.topics=a;b"
                        });

        assertThat(arguments.configFile()).isEqualTo(Path.of("job.yaml"));
        assertThat(arguments.settings())
                .containsExactly(
                        Map.entry("window.mode", "NONE"), Map.entry("source.topics", "a;b"));
    }

    @Test
    void flagsSetTheirKeysRepeatedOnesJoinedAndDynamicSettingsWin() {
        JobArguments arguments =
                JobArguments.parse(
                        new String[] {
                            "--input",
                            "docs/",
                            "--input=notes/*.md",
                            "--strict",
                            "-Dbatch.jdbc.table=orders",
                            "--table",
                            "products"
                        },
                        FLAGS,
                        Set.of("--strict"));

        assertThat(arguments.settings())
                .containsEntry("batch.input", "docs/;notes/*.md")
                .containsEntry("batch.jdbc.table", "orders");
        assertThat(arguments.has("--strict")).isTrue();
        assertThat(arguments.configFile()).isNull();
    }

    @Test
    void anUnknownArgumentIsRefusedNamingWhatIsAccepted() {
        assertThatThrownBy(
                        () ->
                                JobArguments.parse(
                                        new String[] {"--inptu", "x"}, FLAGS, Set.of("--strict")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown argument '--inptu'")
                .hasMessageContaining("--input VALUE")
                .hasMessageContaining("--strict");
    }

    @Test
    void aFlagWithoutItsValueOrADynamicSettingWithoutEqualsIsRefused() {
        assertThatThrownBy(() -> JobArguments.parse(new String[] {"--config"}))
                .hasMessage("--config needs a value");
        assertThatThrownBy(
                        () ->
                                JobArguments.parse(
                                        new String[] {"--input", "--strict"},
                                        FLAGS,
                                        Set.of("--strict")))
                .hasMessage("--input needs a value");
        assertThatThrownBy(() -> JobArguments.parse(new String[] {"-Dwindow.mode"}))
                .hasMessageContaining("-D takes key=value");
    }
}
