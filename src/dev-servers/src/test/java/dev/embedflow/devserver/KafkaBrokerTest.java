package dev.embedflow.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

    @TempDir Path workDir;

    @Test
    void startOnATakenPortSaysWhichPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            KafkaBroker broker =
                    KafkaBroker.builder().workDir(workDir).port(taken.getLocalPort()).build();

            assertThatThrownBy(broker::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void relativeClasspathEntriesAreResolvedBeforeTheChildRunsInItsWorkDir() {
        KafkaBroker broker =
                KafkaBroker.builder()
                        .workDir(workDir)
                        .classpath("target/lib/*" + java.io.File.pathSeparator + "/opt/x.jar")
                        .build();

        assertThat(broker.classpath())
                .isEqualTo(
                        Path.of("target/lib/*").toAbsolutePath()
                                + java.io.File.pathSeparator
                                + "/opt/x.jar");
    }

    @Test
    void builderRejectsAHeapThatIsNotJvmNotation() {
        assertThatThrownBy(() -> KafkaBroker.builder().workDir(workDir).heap("lots").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heap");
    }

    @Test
    void builderRejectsTheSamePortForClientsAndController() {
        assertThatThrownBy(
                        () ->
                                KafkaBroker.builder()
                                        .workDir(workDir)
                                        .port(19092)
                                        .controllerPort(19092)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must differ");
    }
}
