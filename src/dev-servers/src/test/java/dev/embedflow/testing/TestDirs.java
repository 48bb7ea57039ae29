package dev.embedflow.testing;

import java.nio.file.Path;

/**
 * Where tests find things: the servers' working directory ({@code embedflow.work.dir}) and the
 * checkout's top level ({@code embedflow.project.dir}: README, docs, docker, helm, flink-conf),
 * both set by the build.
 */
public final class TestDirs {

    /** System property naming the directory the test servers keep their files in. */
    public static final String WORK_DIR_PROPERTY = "embedflow.work.dir";

    /** System property naming the checkout's top level. */
    public static final String PROJECT_DIR_PROPERTY = "embedflow.project.dir";

    private TestDirs() {}

    public static Path workDir() {
        String dir = System.getProperty(WORK_DIR_PROPERTY);
        return Path.of(dir != null ? dir : "target/it-work").toAbsolutePath();
    }

    /** The checkout's top level (a module's tests run in the module's own directory). */
    public static Path project() {
        String dir = System.getProperty(PROJECT_DIR_PROPERTY);
        return Path.of(dir != null ? dir : "../..").toAbsolutePath().normalize();
    }

    /** {@code path} relative to the checkout's top level. */
    public static Path project(String path) {
        return project().resolve(path);
    }
}
