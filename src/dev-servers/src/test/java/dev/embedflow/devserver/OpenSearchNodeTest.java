package dev.embedflow.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's checks and the start-up failures, with a fake {@code bin/opensearch}. */
class OpenSearchNodeTest {

    @TempDir Path tempDir;

    private Path home;
    private Path workDir;

    @BeforeEach
    void fakeDistribution() throws IOException {
        // Readable by everyone: under root, the fake server runs as nobody.
        Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = tempDir.resolve("opensearch");
        workDir = tempDir.resolve("work");
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/jvm.options"), "-Xms1g\n-Xmx1g\n");
        fakeServer("exit 0");
    }

    @Test
    void buildRejectsADirectoryWithoutBinOpensearch() throws IOException {
        Files.delete(home.resolve("bin/opensearch"));

        assertThatThrownBy(() -> OpenSearchNode.builder().home(home).workDir(workDir).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bin/opensearch is missing");
    }

    @Test
    void buildRejectsAHeapWithoutUnit() {
        assertThatThrownBy(() -> builder().heap("512").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heap");
    }

    @Test
    void buildRejectsTheSamePortForHttpAndTransport() {
        assertThatThrownBy(() -> builder().httpPort(9200).transportPort(9200).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must differ");
    }

    @Test
    void buildPicksDistinctFreePortsForPortsLeftAtZeroAndKeepsGivenOnes() {
        OpenSearchNode picked = builder().build();
        OpenSearchNode halfGiven = builder().httpPort(19200).build();

        assertThat(picked.httpPort()).isPositive().isNotEqualTo(picked.transportPort());
        assertThat(picked.transportPort()).isPositive();
        assertThat(picked.httpUri()).hasToString("http://127.0.0.1:" + picked.httpPort());
        assertThat(halfGiven.httpPort()).isEqualTo(19200);
        assertThat(halfGiven.transportPort()).isPositive().isNotEqualTo(19200);
    }

    @Test
    void startReportsTheExitCodeAndTheConsoleOutputOfAServerThatDies() throws IOException {
        fakeServer("echo 'fake server: cannot bind'\nexit 3");

        try (OpenSearchNode node = builder().build()) {
            assertThatThrownBy(node::start)
                    .isInstanceOf(OpenSearchNodeException.class)
                    .hasMessageContaining("exited with code 3")
                    .hasMessageContaining("fake server: cannot bind");
            assertThat(node.isRunning()).isFalse();
        }
    }

    @Test
    void startRefusesAPortSomethingElseListensOn() throws IOException {
        try (java.net.ServerSocket taken =
                        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                OpenSearchNode node = builder().httpPort(taken.getLocalPort()).build()) {
            assertThatThrownBy(node::start)
                    .isInstanceOf(OpenSearchNodeException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("already in use");
            assertThat(node.isRunning()).isFalse();
        }
    }

    @Test
    void startStopsAServerThatDoesNotBecomeHealthyInTime() throws IOException {
        fakeServer("echo 'fake server: hanging'\nexec sleep 60");

        try (OpenSearchNode node = builder().startupTimeout(Duration.ofSeconds(2)).build()) {
            long begin = System.nanoTime();

            assertThatThrownBy(node::start)
                    .isInstanceOf(OpenSearchNodeException.class)
                    .hasMessageContaining("not yellow or green within 2 s")
                    .hasMessageContaining("fake server: hanging");
            assertThat(node.isRunning()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - begin))
                    .isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    void serverRunsAsNobodyWhenTheJvmIsRootAndAsTheCurrentUserOtherwise() throws IOException {
        fakeServer("echo \"fake server runs as [$(id -un)]\"\nexit 1");
        String expected =
                new UnixSystem().getUid() == 0 ? "nobody" : System.getProperty("user.name");

        try (OpenSearchNode node = builder().build()) {
            assertThatThrownBy(node::start)
                    .hasMessageContaining("fake server runs as [" + expected + "]");
        }
    }

    @Test
    void firstStartWritesTheNodeSettingsIntoTheConfigCopy() throws IOException {
        try (OpenSearchNode node = builder().heap("256m").clusterName("unit").build()) {
            assertThatThrownBy(node::start).isInstanceOf(OpenSearchNodeException.class);

            Path config = node.serverDir().resolve("config");
            assertThat(Files.readString(config.resolve("opensearch.yml")))
                    .contains("cluster.name: \"unit\"")
                    .contains("discovery.type: \"single-node\"")
                    .contains("http.port: \"" + node.httpPort() + "\"")
                    .contains("transport.port: \"" + node.transportPort() + "\"")
                    .contains("cluster.routing.allocation.disk.threshold_enabled: \"false\"");
            assertThat(Files.readString(config.resolve("jvm.options"))).doesNotContain("-Xmx1g");
            assertThat(Files.readString(home.resolve("config/jvm.options"))).contains("-Xmx1g");
        }
    }

    @Test
    void serverDirIsUnknownBeforeTheFirstStart() {
        OpenSearchNode node = builder().build();

        assertThatThrownBy(node::serverDir).isInstanceOf(IllegalStateException.class);
    }

    private OpenSearchNode.Builder builder() {
        return OpenSearchNode.builder().home(home).workDir(workDir);
    }

    private void fakeServer(String body) throws IOException {
        Path script = home.resolve("bin/opensearch");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
