package dev.embedflow.cli;

import dev.embedflow.config.JobConfiguration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/**
 * The {@code --config FILE} and {@code -Dkey=value} options every job command takes, and how they
 * combine with the cluster's config.yaml (see {@link JobConfiguration}).
 */
final class SettingsMixin {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A YAML file of settings (Flink config.yaml format).")
    Path configFile;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description = "A setting; overrides the files. Repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** FLINK_CONF_DIR/config.yaml, then --config, then {@code extra}, then -D. */
    Configuration load(Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(extra);
        all.putAll(settings);
        return JobConfiguration.load(
                JobConfiguration.flinkConfDirFromEnvironment(), configFile, all);
    }
}
