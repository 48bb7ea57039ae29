package dev.embedflow.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Makes DJL (which loads the tokenizer's native library) work without network and with a writable
 * cache, also where nobody set its properties (the launcher, a Flink TaskManager).
 */
final class DjlSettings {

    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    static final String CACHE_DIR_PROPERTY = "DJL_CACHE_DIR";
    static final String ENGINE_CACHE_DIR_PROPERTY = "ENGINE_CACHE_DIR";

    /**
     * A lock shared by every class loader of the JVM: a string constant is interned JVM-wide, so
     * the copies of this class that each Flink job's class loader holds see the same object.
     */
    private static final Object JVM_WIDE_LOCK = "dev.embedflow.djl.native-library";

    /** Something that creates the first tokenizer (and so loads DJL's native library). */
    @FunctionalInterface
    interface NativeLoad<T> {
        T run() throws IOException;
    }

    private DjlSettings() {}

    /** Sets {@code ai.djl.offline=true} and a cache dir under java.io.tmpdir unless already set. */
    static synchronized void applyDefaults() {
        if (System.getProperty(OFFLINE_PROPERTY) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
        if (System.getProperty(CACHE_DIR_PROPERTY) == null
                && System.getenv(CACHE_DIR_PROPERTY) == null) {
            String user =
                    System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "embedflow-djl-cache-" + user);
            System.setProperty(CACHE_DIR_PROPERTY, dir.toString());
        }
    }

    /**
     * Runs {@code load} so that DJL loads its native tokenizer library from a copy of this class
     * loader's own. The JVM lets one file be loaded by one class loader only, and on a Flink
     * TaskManager every job (and a job restarted from a savepoint) gets a new class loader: with a
     * shared copy, the second job on the TaskManager would fail with "already loaded in another
     * classloader". Outside such a child class loader (the launcher, tests) nothing changes.
     */
    static <T> T withOwnNativeLibrary(NativeLoad<T> load) throws IOException {
        ClassLoader own = DjlSettings.class.getClassLoader();
        if (own == ClassLoader.getSystemClassLoader()) {
            return load.run();
        }
        synchronized (JVM_WIDE_LOCK) {
            String previous = System.getProperty(ENGINE_CACHE_DIR_PROPERTY);
            String base =
                    System.getProperty(CACHE_DIR_PROPERTY, System.getProperty("java.io.tmpdir"));
            Path dir =
                    Path.of(
                            base,
                            "engines-"
                                    + ProcessHandle.current().pid()
                                    + "-"
                                    + Integer.toHexString(System.identityHashCode(own)));
            System.setProperty(ENGINE_CACHE_DIR_PROPERTY, dir.toString());
            try {
                return load.run();
            } finally {
                if (previous == null) {
                    System.clearProperty(ENGINE_CACHE_DIR_PROPERTY);
                } else {
                    System.setProperty(ENGINE_CACHE_DIR_PROPERTY, previous);
                }
            }
        }
    }
}
