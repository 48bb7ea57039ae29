package dev.embedflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * A job jar for a Flink cluster as the build left it, and what every such jar must be: the checks
 * that the lean jar and the flavour with the model share.
 */
public final class ShadedJobJar implements AutoCloseable {

    /** System property the build sets to the jar's path. */
    public static final String JAR_PROPERTY = "embedflow.job.jar";

    /** System property the build sets to the standalone cluster's lib/ (Flink's own jars). */
    public static final String FLINK_LIB_PROPERTY = "embedflow.lib.dir";

    private final Path path;
    private final JarFile jar;
    private final List<String> entries;

    private ShadedJobJar(Path path) throws IOException {
        this.path = path;
        this.jar = new JarFile(path.toFile());
        this.entries = jar.stream().map(JarEntry::getName).toList();
    }

    /** The jar the build names in {@link #JAR_PROPERTY}. */
    public static ShadedJobJar fromBuild() throws IOException {
        String jar = System.getProperty(JAR_PROPERTY);
        assertThat(jar).as(JAR_PROPERTY + " (set by the build)").isNotNull();
        Path path = Path.of(jar);
        assertThat(path).as("the job jar `./mvnw package` leaves").isRegularFile();
        return new ShadedJobJar(path);
    }

    /** The directory of Flink's own jars the build assembles for the standalone cluster. */
    public static Path flinkLib() {
        return Path.of(System.getProperty(FLINK_LIB_PROPERTY, "../dev-servers/target/flink-lib"));
    }

    public Path path() {
        return path;
    }

    public long size() throws IOException {
        return Files.size(path);
    }

    public List<String> entries() {
        return entries;
    }

    /** The text of one entry. */
    public String read(String entry) throws IOException {
        JarEntry found = jar.getJarEntry(entry);
        assertThat(found).as(entry).isNotNull();
        try (InputStream in = jar.getInputStream(found)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * jdeps' class-level dependencies that resolve neither in the jar nor in Flink's own jars, as
     * lines {@code origin -> target}.
     */
    public List<String> missingDependencies() throws IOException {
        ToolProvider jdeps =
                ToolProvider.findFirst("jdeps")
                        .orElseThrow(() -> new AssertionError("jdeps: run the tests on a JDK"));
        String classpath;
        try (Stream<Path> jars = Files.list(flinkLib())) {
            classpath =
                    jars.map(Path::toString)
                            .filter(p -> p.endsWith(".jar"))
                            .reduce((a, b) -> a + java.io.File.pathSeparator + b)
                            .orElseThrow(() -> new AssertionError("no jar in " + flinkLib()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                jdeps.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        "-verbose:class",
                        "--multi-release",
                        "17",
                        "-cp",
                        classpath,
                        path.toString());
        assertThat(exit).as("jdeps: %s", err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.endsWith("not found"))
                .map(l -> l.replaceAll("\\s+not found$", "").replaceAll("\\s+", " ").strip())
                .toList();
    }

    @Override
    public void close() throws IOException {
        jar.close();
    }
}
