package dev.embedflow.devserver;

import dev.embedflow.devserver.internal.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3 API server for tests and the local system: S3Proxy ({@code org.gaul:s3proxy}, its
 * jar-with-dependencies named by the system property {@value #JAR_PROPERTY}) in a child JVM on a
 * free port of 127.0.0.1, storing buckets as directories under {@link #dataDir()} (jclouds'
 * filesystem provider): a top-level directory is a bucket, the files below it its objects. Clients
 * sign with AWS Signature V4 ({@link #accessKey()}, {@link #secretKey()}) and use path-style
 * addressing.
 */
public final class S3Server implements AutoCloseable {

    /** System property naming S3Proxy's jar-with-dependencies; Failsafe sets it. */
    public static final String JAR_PROPERTY = "embedflow.s3proxy.jar";

    private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String ACCESS_KEY = "embedflow-test-access";
    private static final String SECRET_KEY = "embedflow-test-secret-0123456789";

    private final Path work;
    private final int port;
    private final ChildProcess process;

    private S3Server(Path work, int port, ChildProcess process) {
        this.work = work;
        this.port = port;
        this.process = process;
    }

    /** Starts a server with an empty data directory. */
    public static S3Server start() throws IOException {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(
                    "No S3Proxy jar at "
                            + jar
                            + " (system property "
                            + JAR_PROPERTY
                            + "; run the tests with ./mvnw verify)");
        }
        Path work = Files.createTempDirectory("embedflow-s3");
        Path data = Files.createDirectories(work.resolve("data"));
        int port = FreePorts.pickOne();
        Path properties = work.resolve("s3proxy.conf");
        Files.writeString(
                properties,
                String.join(
                        "\n",
                        "s3proxy.endpoint=http://127.0.0.1:" + port,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + ACCESS_KEY,
                        "s3proxy.credential=" + SECRET_KEY,
                        "jclouds.provider=filesystem",
                        "jclouds.identity=" + ACCESS_KEY,
                        "jclouds.credential=" + SECRET_KEY,
                        "jclouds.filesystem.basedir=" + data,
                        ""),
                StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ChildProcess process =
                ChildProcess.start(
                        "s3proxy",
                        List.of(
                                java,
                                "-Xmx256m",
                                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                                "-jar",
                                Path.of(jar).toAbsolutePath().toString(),
                                "--properties",
                                properties.toString()),
                        Map.of("LOG_LEVEL", "info"),
                        work,
                        work.resolve("s3proxy.log"));
        S3Server server = new S3Server(work, port, process);
        try {
            server.awaitReady();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("S3 API server (S3Proxy) ready at {} over {}", server.endpoint(), data);
        return server;
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "S3Proxy exited with " + process.exitValue() + ":\n" + process.tail(40));
            }
            try {
                HttpURLConnection c =
                        (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                int status = c.getResponseCode(); // 403 without a signature: it answers
                c.disconnect();
                if (status > 0) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            LocalFiles.sleep(200, "S3Proxy to start");
        }
        throw new IOException(
                "S3Proxy did not answer within " + TIMEOUT + ":\n" + process.tail(40));
    }

    /** The last {@code lines} lines of S3Proxy's log. */
    public String logTail(int lines) {
        return process.tail(lines);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** Where the buckets are: a directory per bucket. */
    public Path dataDir() {
        return work.resolve("data");
    }

    /**
     * Creates a bucket (a directory of the filesystem provider). Objects are uploaded through the
     * S3 API (with Flink's S3 file system, say), which records their ETag.
     */
    public Path createBucket(String name) {
        try {
            return Files.createDirectories(dataDir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The Flink settings of an S3 file system plugin for this server (endpoint, path-style access,
     * credentials). Directory markers are kept: after a write S3A deletes the parent "directory"
     * markers, which the filesystem backend takes for real, non-empty directories and retries for
     * 10 s per write.
     */
    public Map<String, String> flinkSettings() {
        return Map.of(
                "s3.endpoint",
                endpoint(),
                "s3.path.style.access",
                "true",
                "s3.access-key",
                ACCESS_KEY,
                "s3.secret-key",
                SECRET_KEY,
                "fs.s3a.directory.marker.retention",
                "keep");
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
        try {
            LocalFiles.deleteRecursively(work);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", work, e.toString());
        }
    }
}
