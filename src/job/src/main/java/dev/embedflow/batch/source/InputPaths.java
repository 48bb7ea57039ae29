package dev.embedflow.batch.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;

/**
 * The batch job's inputs resolved where the job is started: local paths made absolute, globs
 * expanded, and the files and bytes counted (for progress and ETA). Remote file system URIs (s3://,
 * hdfs://...) are passed on as they are, uncounted.
 *
 * @param paths what the file source reads: files, directories and URIs
 * @param files local files found (directories walked, hidden files skipped as the source does)
 * @param bytes their total size
 */
@Internal
public record InputPaths(List<String> paths, long files, long bytes) {

    /**
     * Resolves {@code inputs}.
     *
     * @throws IllegalArgumentException for a local path that does not exist or a glob that matches
     *     nothing
     */
    public static InputPaths resolve(List<String> inputs) {
        List<String> paths = new ArrayList<>();
        long files = 0;
        long bytes = 0;
        for (String input : inputs) {
            if (isRemote(input)) {
                paths.add(input);
                continue;
            }
            String local = input.startsWith("file:") ? URI.create(input).getPath() : input;
            List<Path> matches = isGlob(local) ? expand(local) : List.of(Path.of(local));
            for (Path match : matches) {
                Path absolute = match.toAbsolutePath().normalize();
                if (!Files.exists(absolute)) {
                    throw new IllegalArgumentException("No such file or directory: " + input);
                }
                paths.add(absolute.toString());
                for (Path file : files(absolute)) {
                    files++;
                    bytes += size(file);
                }
            }
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("No input: give files, directories or globs");
        }
        return new InputPaths(List.copyOf(paths), files, bytes);
    }

    private static boolean isRemote(String input) {
        int colon = input.indexOf("://");
        return colon > 1 && !input.startsWith("file:");
    }

    private static boolean isGlob(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /**
     * The files a glob matches: walks from its longest directory prefix without glob characters.
     */
    private static List<Path> expand(String glob) {
        String absolute =
                Path.of(glob).isAbsolute() ? glob : Path.of("").toAbsolutePath() + "/" + glob;
        int firstGlob = 0;
        while (!isGlob(absolute.substring(0, firstGlob + 1))) {
            firstGlob++;
        }
        Path base = Path.of(absolute.substring(0, absolute.lastIndexOf('/', firstGlob) + 1));
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + absolute);
        List<Path> matches = new ArrayList<>();
        if (Files.isDirectory(base)) {
            try (Stream<Path> walk = Files.walk(base)) {
                walk.filter(Files::isRegularFile)
                        .filter(matcher::matches)
                        .sorted()
                        .forEach(matches::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not list " + base, e);
            }
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("No file matches " + glob);
        }
        return matches;
    }

    private static List<Path> files(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of(root);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(p -> !hidden(root, p)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + root, e);
        }
    }

    /** Flink's default file filter skips names starting with '.' or '_' (below the root). */
    private static boolean hidden(Path root, Path file) {
        for (Path part : root.relativize(file)) {
            String name = part.toString();
            if (name.startsWith(".") || name.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
