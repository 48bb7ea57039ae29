package dev.embedflow.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * Where a job's settings come from, later sources overriding earlier ones:
 *
 * <ol>
 *   <li>the Flink configuration of the cluster ({@code config.yaml} in {@code FLINK_CONF_DIR}), so
 *       that a FlinkDeployment's {@code flinkConfiguration} can carry EmbedFlow's keys;
 *   <li>a {@code --config} file in the same YAML format;
 *   <li>{@code -Dkey=value} arguments.
 * </ol>
 */
@PublicEvolving
public final class JobConfiguration {

    private JobConfiguration() {}

    /**
     * Loads the configuration.
     *
     * @param flinkConfDir the cluster's configuration directory, or null
     * @param configFile a YAML file of settings, or null
     * @param dynamic {@code -D} settings
     * @throws IllegalArgumentException when the config file is missing or not valid YAML
     */
    public static Configuration load(
            Path flinkConfDir, Path configFile, Map<String, String> dynamic) {
        Configuration config = new Configuration();
        if (flinkConfDir != null
                && Files.isRegularFile(
                        flinkConfDir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME))) {
            config.addAll(GlobalConfiguration.loadConfiguration(flinkConfDir.toString()));
        }
        if (configFile != null) {
            config.addAll(loadFile(configFile));
        }
        dynamic.forEach(config::setString);
        return config;
    }

    /** {@code FLINK_CONF_DIR} from the environment, or null. */
    public static Path flinkConfDirFromEnvironment() {
        String dir = System.getenv(ConfigConstants.ENV_FLINK_CONF_DIR);
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    /** A YAML file in Flink's config.yaml format (nested or dotted keys). */
    public static Configuration loadFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--config: no such file: " + file);
        }
        // Flink parses config.yaml from a directory: give it one holding just this file.
        Path dir = null;
        try {
            dir = Files.createTempDirectory("embedflow-config");
            Files.copy(
                    file,
                    dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
                    StandardCopyOption.REPLACE_EXISTING);
            return GlobalConfiguration.loadConfiguration(dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "--config: cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "--config: "
                            + file
                            + " is not a valid Flink YAML configuration: "
                            + e.getMessage(),
                    e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
