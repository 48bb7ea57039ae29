package dev.embedflow.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.embedflow.testing.OpenSearchExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node of its own, started and closed, for what {@link OpenSearchNode#close()} leaves. */
class OpenSearchNodeITCase {

    @TempDir Path workDir;

    @Test
    void aThrowawayNodeLeavesNoServerDirectoryOutsideItsWorkDirAndAKeptOneFindsItsDataAgain() {
        Path home = Path.of(System.getProperty(OpenSearchExtension.HOME_PROPERTY));
        Path serverDir;
        try (OpenSearchNode node = OpenSearchNode.builder().home(home).workDir(workDir).build()) {
            node.start();
            serverDir = node.serverDir();
        }
        // Only a server run as root by an unprivileged user that cannot reach the work dir (a
        // @TempDir is private to its owner) has its directory under java.io.tmpdir.
        assumeFalse(serverDir.startsWith(workDir), "the server directory is the work dir");
        assertThat(serverDir.resolve("data")).as("kept for the next node").isDirectory();

        try (OpenSearchNode node =
                OpenSearchNode.builder().home(home).workDir(workDir).throwaway(true).build()) {
            node.start();
            assertThat(node.serverDir()).isEqualTo(serverDir);
        }

        assertThat(serverDir).doesNotExist();
    }
}
