package dev.embedflow.embedding.local;

import java.nio.file.Path;

/**
 * Makes DJL (which loads the tokenizer's native library) work without network and with a writable
 * cache, also where nobody set its properties (the launcher, a Flink TaskManager).
 */
final class DjlSettings {

    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    static final String CACHE_DIR_PROPERTY = "DJL_CACHE_DIR";

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
}
