package dev.embedflow.devserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerITCase {

    @TempDir Path workDir;

    @Test
    void aServerInATemporaryDirectoryDeletesItOnClose() throws IOException {
        Path dir;
        try (RedisServer redis = RedisServer.start()) {
            dir = redis.dir();
            assertThat(dir).isDirectory();
            assertThat(answersPing(redis.port())).isTrue();
        }

        assertThat(dir).doesNotExist();
    }

    @Test
    void aServerInAGivenDirectoryKeepsIt() throws IOException {
        Path dir = workDir.resolve("redis");
        try (RedisServer redis = RedisServer.start(FreePorts.pickOne(), dir)) {
            assertThat(answersPing(redis.port())).isTrue();
        }

        // its snapshot, written as it stopped, for the next server in that directory
        assertThat(dir.resolve("dump.rdb")).isRegularFile();
    }

    /** A PING in Redis's inline protocol. */
    private static boolean answersPing(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = socket.getInputStream().readNBytes(7);
            return new String(answer, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        }
    }
}
