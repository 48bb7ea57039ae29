package dev.embedflow.testing;

import java.nio.file.Path;

/**
 * Where integration tests keep their servers' files: {@code embedflow.work.dir}, set by the build.
 */
public final class TestDirs {

    private TestDirs() {}

    public static Path workDir() {
        String dir = System.getProperty("embedflow.work.dir");
        return Path.of(dir != null ? dir : "target/it-work").toAbsolutePath();
    }
}
