package dev.embedflow.opensearch;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Where a secret (a password) is read from when a client is built: an environment variable or a
 * file (e.g. a mounted Kubernetes secret). Only the reference is kept, serialized into job graphs
 * and printed; the value is read at the last moment and never stored in configuration, logs or
 * exception messages.
 */
@PublicEvolving
public final class SecretSource implements Serializable {
    private static final long serialVersionUID = 1L;

    private enum Kind {
        ENV,
        FILE
    }

    private final Kind kind;
    private final String name;

    private SecretSource(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    /** The value of environment variable {@code variable}. */
    public static SecretSource env(String variable) {
        if (Objects.requireNonNull(variable, "variable").isBlank()) {
            throw new IllegalArgumentException("the environment variable name is empty");
        }
        return new SecretSource(Kind.ENV, variable);
    }

    /** The content of {@code file}, without a trailing line break. */
    public static SecretSource file(Path file) {
        return new SecretSource(Kind.FILE, Objects.requireNonNull(file, "file").toString());
    }

    /**
     * Reads the secret.
     *
     * @throws IllegalStateException naming the variable or file (never the value) if it is unset,
     *     empty or unreadable
     */
    public char[] read() {
        String value;
        if (kind == Kind.ENV) {
            value = System.getenv(name);
            if (value == null || value.isEmpty()) {
                throw new IllegalStateException(
                        "environment variable " + name + " (a secret) is not set or empty");
            }
        } else {
            try {
                value = Files.readString(Path.of(name), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot read the secret file "
                                + name
                                + ": "
                                + e.getClass().getSimpleName());
            }
            value = value.strip();
            if (value.isEmpty()) {
                throw new IllegalStateException("the secret file " + name + " is empty");
            }
        }
        return value.toCharArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretSource other && kind == other.kind && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, name);
    }

    /** {@code env:NAME} or {@code file:/path}: where the secret is, never what it is. */
    @Override
    public String toString() {
        return (kind == Kind.ENV ? "env:" : "file:") + name;
    }
}
