package dev.embedflow.testing;

import java.nio.file.Path;

/**
 * Where integration tests keep their servers' files: {@code embedflow.work.dir}, set by the build.
 */
public final class TestDirs {

    /** System property naming the directory the test servers keep their files in. */
    public static final String WORK_DIR_PROPERTY = "embedflow.work.dir";

    private TestDirs() {}

    public static Path workDir() {
        String dir = System.getProperty(WORK_DIR_PROPERTY);
        return Path.of(dir != null ? dir : "target/it-work").toAbsolutePath();
    }
}
