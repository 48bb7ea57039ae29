package dev.embedflow.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.Configuration;

/**
 * The command-line arguments of a job jar's entry point on a Flink cluster: {@code [--config FILE]
 * [-Dkey=value | -D key=value ...]} plus, for a job that has them, flags that stand for a key
 * ({@code --input PATH} for {@code batch.input}) and switches ({@code --strict}). Settings combine
 * as {@link JobConfiguration#load} describes: the cluster's config.yaml, then the file, then the
 * flags, then {@code -D}.
 *
 * <p>The {@code embedflow} commands take the same arguments through picocli; this parser keeps the
 * job jar free of the CLI.
 */
@PublicEvolving
public final class JobArguments {

    private final Path configFile;
    private final Map<String, String> settings;
    private final Set<String> switches;

    private JobArguments(Path configFile, Map<String, String> settings, Set<String> switches) {
        this.configFile = configFile;
        this.settings = settings;
        this.switches = switches;
    }

    /** Parses {@code [--config FILE] [-Dkey=value ...]}. */
    public static JobArguments parse(String[] args) {
        return parse(args, Map.of(), Set.of());
    }

    /**
     * Parses {@code args}.
     *
     * @param flags flags that take a value and the configuration key each sets; a repeated flag
     *     joins its values with {@code ;}
     * @param switches flags without a value
     * @throws IllegalArgumentException naming the argument that is unknown or lacks its value
     */
    public static JobArguments parse(
            String[] args, Map<String, String> flags, Set<String> switches) {
        Path configFile = null;
        Map<String, List<String>> flagValues = new LinkedHashMap<>();
        Map<String, String> dynamic = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg.contains("=") && arg.startsWith("--") ? arg.split("=", 2)[0] : arg;
            String inline = name.equals(arg) ? null : arg.substring(name.length() + 1);
            if (arg.startsWith("-D") && arg.length() > 2) {
                put(dynamic, arg.substring(2));
            } else if (arg.equals("-D")) {
                put(dynamic, value(args, ++i, arg));
            } else if (name.equals("--config")) {
                configFile = Path.of(inline != null ? inline : value(args, ++i, name));
            } else if (flags.containsKey(name)) {
                flagValues
                        .computeIfAbsent(flags.get(name), k -> new ArrayList<>())
                        .add(inline != null ? inline : value(args, ++i, name));
            } else if (switches.contains(arg)) {
                seen.add(arg);
            } else {
                List<String> known = new ArrayList<>(List.of("--config FILE", "-Dkey=value"));
                flags.keySet().forEach(f -> known.add(f + " VALUE"));
                known.addAll(switches);
                throw new IllegalArgumentException(
                        "Unknown argument '" + arg + "'; expected " + String.join(", ", known));
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        flagValues.forEach((key, values) -> settings.put(key, String.join(";", values)));
        settings.putAll(dynamic);
        return new JobArguments(
                configFile,
                Collections.unmodifiableMap(settings),
                Collections.unmodifiableSet(seen));
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static void put(Map<String, String> dynamic, String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(
                    "-D takes key=value, was '" + keyValue + "' (for example -Dwindow.mode=NONE)");
        }
        dynamic.put(keyValue.substring(0, eq), keyValue.substring(eq + 1));
    }

    /** The {@code --config} file, or null. */
    public Path configFile() {
        return configFile;
    }

    /** The flags' and {@code -D} settings, in the order they apply. */
    public Map<String, String> settings() {
        return settings;
    }

    /**
     * Whether {@code name} (one of the switches given to {@link #parse}) was on the command line.
     */
    public boolean has(String name) {
        return switches.contains(name);
    }

    /** FLINK_CONF_DIR/config.yaml, then {@code --config}, then the flags and {@code -D}. */
    public Configuration load() {
        return JobConfiguration.load(
                JobConfiguration.flinkConfDirFromEnvironment(), configFile, settings);
    }
}
