package dev.embedflow.batch.source;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;

/**
 * The batch job's input files, listed where the job is started through Flink's {@link FileSystem}:
 * local paths, {@code s3://bucket/prefix/} through Flink's S3 plugin, and any other scheme the
 * cluster has a file system for. Directories are walked (names starting with '.' or '_' below them
 * skipped, as Flink's file source does), globs ({@code *}, {@code **}, {@code ?}, {@code [..]},
 * {@code {a,b}}) expanded against the listing, and every file's size and modification time kept.
 *
 * @param files the files, each once, in the order found
 */
@Internal
public record InputPaths(List<InputFile> files) {

    /**
     * A file to read.
     *
     * @param path its path as the job names it: an absolute local path, or a URI ({@code
     *     s3://bucket/key})
     * @param size bytes
     * @param modified modification time, epoch milliseconds
     */
    public record InputFile(String path, long size, long modified) implements Serializable {

        /** The path as Flink's file source reads it. */
        public Path flinkPath() {
            return new Path(path);
        }
    }

    public InputPaths {
        files = List.copyOf(files);
    }

    /** How many files. */
    public long count() {
        return files.size();
    }

    /** Their total size. */
    public long bytes() {
        return files.stream().mapToLong(InputFile::size).sum();
    }

    /** These files but those in {@code paths}. */
    public InputPaths without(Set<String> paths) {
        return new InputPaths(files.stream().filter(f -> !paths.contains(f.path())).toList());
    }

    /**
     * Lists {@code inputs}.
     *
     * @throws IllegalArgumentException for a path that does not exist, a glob that matches nothing,
     *     or a scheme no file system serves (naming the plugin to add)
     */
    public static InputPaths resolve(List<String> inputs) {
        Map<String, InputFile> found = new LinkedHashMap<>();
        for (String input : inputs) {
            String trimmed = input.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            List<InputFile> matches = isGlob(trimmed) ? expand(trimmed) : walk(trimmed);
            if (matches.isEmpty()) {
                throw new IllegalArgumentException(
                        isGlob(trimmed) ? "No file matches " + input : "No files in " + input);
            }
            matches.forEach(f -> found.putIfAbsent(f.path(), f));
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("No input: give files, directories or globs");
        }
        return new InputPaths(new ArrayList<>(found.values()));
    }

    /**
     * How a file is named in document ids, origins and the summary: a local file by its absolute
     * path, anything else by its URI.
     */
    public static String name(Path path) {
        URI uri = path.toUri();
        return uri.getScheme() == null || "file".equals(uri.getScheme())
                ? uri.getPath()
                : path.toString();
    }

    private static boolean isRemote(String input) {
        int colon = input.indexOf("://");
        return colon > 1 && !input.startsWith("file:");
    }

    private static boolean isGlob(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** A local path made absolute; a URI as it is. */
    private static String absolute(String input) {
        if (isRemote(input)) {
            return input;
        }
        String local = input.startsWith("file:") ? URI.create(input).getPath() : input;
        return java.nio.file.Path.of(local).toAbsolutePath().normalize().toString();
    }

    private static List<InputFile> walk(String input) {
        Path root = new Path(absolute(input));
        FileSystem fs = fileSystem(root, input);
        FileStatus status;
        try {
            status = fs.getFileStatus(root);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("No such file or directory: " + input);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + input + ": " + e.getMessage(), e);
        }
        List<InputFile> files = new ArrayList<>();
        collect(fs, status, files, input);
        return files;
    }

    /**
     * The files a glob matches: lists from its longest directory prefix without glob characters and
     * matches each file's path with the glob ({@code **} crosses directories, {@code *} does not).
     */
    private static List<InputFile> expand(String input) {
        String glob = absolute(input);
        int firstGlob = 0;
        while (!isGlob(glob.substring(0, firstGlob + 1))) {
            firstGlob++;
        }
        String base = glob.substring(0, glob.lastIndexOf('/', firstGlob) + 1);
        Path root = new Path(base);
        String basePath = root.toUri().getPath();
        String pattern = basePath + glob.substring(base.length());
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        FileSystem fs = fileSystem(root, input);
        List<InputFile> all = new ArrayList<>();
        try {
            collect(fs, fs.getFileStatus(root), all, input);
        } catch (java.io.FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + base + ": " + e.getMessage(), e);
        }
        return all.stream()
                .filter(
                        f ->
                                matcher.matches(
                                        java.nio.file.Path.of(
                                                new Path(f.path()).toUri().getPath())))
                .toList();
    }

    private static void collect(
            FileSystem fs, FileStatus status, List<InputFile> files, String input) {
        if (!status.isDir()) {
            files.add(
                    new InputFile(
                            name(status.getPath()), status.getLen(), status.getModificationTime()));
            return;
        }
        FileStatus[] children;
        try {
            children = fs.listStatus(status.getPath());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not list " + status.getPath() + " (" + input + "): " + e.getMessage(),
                    e);
        }
        if (children == null) {
            return;
        }
        List<FileStatus> sorted = new ArrayList<>(List.of(children));
        sorted.sort(Comparator.comparing(c -> c.getPath().getName()));
        for (FileStatus child : sorted) {
            String name = child.getPath().getName();
            if (!name.startsWith(".") && !name.startsWith("_")) {
                collect(fs, child, files, input);
            }
        }
    }

    private static FileSystem fileSystem(Path path, String input) {
        try {
            return path.getFileSystem();
        } catch (UnsupportedFileSystemSchemeException e) {
            String scheme = path.toUri().getScheme();
            throw new IllegalArgumentException(
                    "No file system for "
                            + scheme
                            + ":// ("
                            + input
                            + ")"
                            + ("s3".equals(scheme) || "s3a".equals(scheme)
                                    ? ": add Flink's S3 plugin (flink-s3-fs-hadoop under"
                                            + " plugins/s3-fs-hadoop/ on a cluster; embedflow batch"
                                            + " carries it) and set s3.endpoint, s3.access-key,"
                                            + " s3.secret-key or the AWS_* environment"
                                    : ": add the Flink file system plugin for it"),
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open " + input + ": " + e.getMessage(), e);
        }
    }
}
