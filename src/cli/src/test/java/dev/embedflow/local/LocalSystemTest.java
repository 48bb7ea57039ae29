package dev.embedflow.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSystemTest {

    @TempDir Path dir;

    @Test
    void aTakenPortStopsTheStartBeforeAnythingRunsAndNamesThePortAndItsOption() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            LocalSystem system =
                    LocalSystem.builder()
                            .dataDir(dir.resolve("data"))
                            .openSearchHome(fakeOpenSearch())
                            .anyFreePorts()
                            .kafkaPort(taken.getLocalPort())
                            .build();

            assertThatThrownBy(system::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(
                            "port " + taken.getLocalPort() + " for Kafka (--kafka-port)");
            assertThat(dir.resolve("data")).doesNotExist();
        }
    }

    @Test
    void aMissingOpenSearchDistributionIsReportedWithHowToBuildIt() {
        assertThatThrownBy(
                        () ->
                                LocalSystem.builder()
                                        .dataDir(dir)
                                        .openSearchHome(dir.resolve("nowhere"))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("./mvnw package");
    }

    @Test
    void twoPartsCannotShareAPort() {
        assertThatThrownBy(
                        () ->
                                LocalSystem.builder()
                                        .dataDir(dir)
                                        .openSearchHome(fakeOpenSearch())
                                        .kafkaPort(9200)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("share a port");
    }

    private Path fakeOpenSearch() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("opensearch/bin"));
        Files.createFile(
                bin.resolve("opensearch"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        return dir.resolve("opensearch");
    }
}
