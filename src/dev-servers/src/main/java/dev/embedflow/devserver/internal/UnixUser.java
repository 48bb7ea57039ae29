package dev.embedflow.devserver.internal;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An unprivileged Unix account that a root JVM runs servers as (OpenSearch refuses to run as root).
 * Commands are wrapped in {@code setpriv}, which changes the ids and then execs the command, so the
 * started {@link Process} is the command itself.
 */
public record UnixUser(String name, int uid, int gid) {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    /** Whether this JVM runs with effective user id 0. */
    public static boolean currentIsRoot() {
        return new UnixSystem().getUid() == 0;
    }

    /**
     * Looks up an account's user id and primary group id with {@code id}.
     *
     * @throws IllegalStateException if the account does not exist
     */
    public static UnixUser lookup(String name) {
        Processes.Result uid = Processes.run(List.of("id", "-u", name), PROBE_TIMEOUT);
        Processes.Result gid = Processes.run(List.of("id", "-g", name), PROBE_TIMEOUT);
        if (!uid.succeeded() || !gid.succeeded()) {
            throw new IllegalStateException(
                    "Unknown user '" + name + "': " + (uid.succeeded() ? gid : uid).output());
        }
        return new UnixUser(name, Integer.parseInt(uid.output()), Integer.parseInt(gid.output()));
    }

    /**
     * Prefixes a command so that it runs as this user, with this user's primary group and no
     * supplementary groups.
     */
    public List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>();
        wrapped.add("setpriv");
        wrapped.add("--reuid=" + uid);
        wrapped.add("--regid=" + gid);
        wrapped.add("--clear-groups");
        wrapped.add("--");
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Runs a short command as this user.
     *
     * @throws IllegalStateException if {@code setpriv} cannot be run at all
     */
    public Processes.Result run(List<String> command) {
        try {
            return Processes.run(wrap(command), PROBE_TIMEOUT);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(
                    "Could not run setpriv (util-linux), which starts servers as user '"
                            + name
                            + "' when the JVM runs as root",
                    e);
        }
    }

    /** Whether this user can create files in {@code dir} (and so reach it through its parents). */
    public boolean canWrite(Path dir) {
        return run(List.of("test", "-w", dir.toString(), "-a", "-x", dir.toString())).succeeded();
    }

    /** Whether this user can execute {@code file}. */
    public boolean canExecute(Path file) {
        return run(List.of("test", "-x", file.toString())).succeeded();
    }

    /**
     * Whether this user can read every file and enter every directory under {@code dir}. Uses GNU
     * find's {@code -readable}/{@code -executable}: any path it prints is one the user cannot use,
     * and a failing find means the user cannot reach {@code dir} at all.
     */
    public boolean canReadTree(Path dir) {
        Processes.Result result =
                run(
                        List.of(
                                "find",
                                dir.toString(),
                                "(",
                                "!",
                                "-readable",
                                "-o",
                                "-type",
                                "d",
                                "!",
                                "-executable",
                                ")",
                                "-print",
                                "-quit"));
        return result.succeeded() && result.output().isEmpty();
    }

    /** Makes this user and its primary group the owner of {@code root} and everything under it. */
    public void chownTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not give " + root + " to user " + name, e);
        }
    }

    @Override
    public String toString() {
        return name + " (uid " + uid + ", gid " + gid + ")";
    }
}
