package dev.embedflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On a Flink TaskManager every job, and a job restarted from a savepoint, gets its own class
 * loader; the JVM lets a native library file be loaded by one class loader only. Two class loaders
 * (like two jobs on one TaskManager) must each be able to load the tokenizer.
 */
class NativeLibraryPerClassLoaderTest {

    @Test
    void twoJobClassLoadersEachLoadTheTokenizer() throws Exception {
        List<URLClassLoader> loaders = new ArrayList<>();
        try {
            for (int job = 0; job < 2; job++) {
                URLClassLoader loader =
                        new URLClassLoader(classpath(), ClassLoader.getPlatformClassLoader());
                loaders.add(loader); // kept open and reachable, as a running job's would be
                Class<?> type = Class.forName(MiniLmTokenizer.class.getName(), true, loader);
                assertThat(type.getClassLoader()).isSameAs(loader);
                Method load = type.getDeclaredMethod("load", String.class);
                load.setAccessible(true);
                Object tokenizer = load.invoke(null, LocalModel.TOKENIZER_RESOURCE);
                Method ids = type.getDeclaredMethod("ids", String.class);
                ids.setAccessible(true);
                assertThat((long[]) ids.invoke(tokenizer, "the parcel has not arrived"))
                        .as("token ids in class loader %d", job)
                        .hasSizeGreaterThan(2);
            }
        } finally {
            for (URLClassLoader loader : loaders) {
                loader.close();
            }
        }
    }

    private static URL[] classpath() throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return urls.toArray(URL[]::new);
    }
}
