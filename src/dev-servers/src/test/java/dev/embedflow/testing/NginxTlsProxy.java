package dev.embedflow.testing;

import dev.embedflow.devserver.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real TLS endpoint with basic auth in front of an HTTP server: nginx (from the OS packages) run
 * as a child process with its own configuration, pid, logs and temp paths in a work directory, on a
 * free port; a CA and a server certificate for 127.0.0.1 made with the {@code openssl} CLI; and an
 * htpasswd file with an apr1 hash.
 */
public final class NginxTlsProxy implements AutoCloseable {

    /** Where nginx usually is; the PATH is searched first. */
    private static final List<String> NGINX_LOCATIONS =
            List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx");

    private final Path dir;
    private final int port;
    private final Process process;

    private NginxTlsProxy(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** The nginx executable, if installed. */
    public static Optional<Path> findNginx() {
        Stream<Path> onPath =
                Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                        .filter(p -> !p.isEmpty())
                        .map(p -> Path.of(p, "nginx"));
        return Stream.concat(onPath, NGINX_LOCATIONS.stream().map(Path::of))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts nginx on a free port, proxying to {@code upstream} for {@code user} with {@code
     * password}; certificates and logs go to {@code dir}.
     */
    public static NginxTlsProxy start(
            Path nginx, Path dir, URI upstream, String user, String password)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        makeCa(dir, "ca");
        makeCa(dir, "other-ca");
        openssl(
                dir,
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(
                dir,
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-sha256",
                "-extfile",
                "san.ext",
                "-out",
                "server.crt");
        String hash = openssl(dir, "passwd", "-apr1", password).strip();
        Files.writeString(dir.resolve("htpasswd"), user + ":" + hash + "\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve("temp").resolve(temp));
        }
        int port = FreePorts.pickOne();
        String d = dir.toAbsolutePath().toString();
        boolean root = "root".equals(System.getProperty("user.name"));
        String conf =
                (root ? "user root;\n" : "")
                        + "worker_processes 1;\n"
                        + "daemon off;\n"
                        + "pid "
                        + d
                        + "/nginx.pid;\n"
                        + "error_log "
                        + d
                        + "/error.log warn;\n"
                        + "events { worker_connections 64; }\n"
                        + "http {\n"
                        + "  access_log off;\n"
                        + "  client_body_temp_path "
                        + d
                        + "/temp/client_body;\n"
                        + "  proxy_temp_path "
                        + d
                        + "/temp/proxy;\n"
                        + "  fastcgi_temp_path "
                        + d
                        + "/temp/fastcgi;\n"
                        + "  uwsgi_temp_path "
                        + d
                        + "/temp/uwsgi;\n"
                        + "  scgi_temp_path "
                        + d
                        + "/temp/scgi;\n"
                        + "  client_max_body_size 50m;\n"
                        + "  server {\n"
                        + "    listen 127.0.0.1:"
                        + port
                        + " ssl;\n"
                        + "    ssl_certificate "
                        + d
                        + "/server.crt;\n"
                        + "    ssl_certificate_key "
                        + d
                        + "/server.key;\n"
                        + "    auth_basic \"EmbedFlow test\";\n"
                        + "    auth_basic_user_file "
                        + d
                        + "/htpasswd;\n"
                        + "    location / {\n"
                        + "      proxy_pass http://"
                        + upstream.getHost()
                        + ":"
                        + upstream.getPort()
                        + ";\n"
                        + "      proxy_set_header Authorization \"\";\n"
                        + "    }\n"
                        + "  }\n"
                        + "}\n";
        Path confFile = dir.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        Process process =
                new ProcessBuilder(
                                nginx.toString(),
                                "-p",
                                d,
                                "-e",
                                d + "/error.log",
                                "-c",
                                confFile.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("console.log").toFile())
                        .start();
        NginxTlsProxy proxy = new NginxTlsProxy(dir, port, process);
        try {
            proxy.awaitListening(Duration.ofSeconds(20));
        } catch (IOException | RuntimeException e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    private static void makeCa(Path dir, String name) throws IOException, InterruptedException {
        openssl(
                dir,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".crt",
                "-days",
                "2",
                "-sha256",
                "-subj",
                "/CN=EmbedFlow test " + name,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
    }

    private static String openssl(Path dir, String... args)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + args[0] + " failed: " + err);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "nginx exited with "
                                + process.exitValue()
                                + ": "
                                + Files.readString(dir.resolve("console.log"))
                                + readIfExists(dir.resolve("error.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("nginx did not listen on " + port + " within " + timeout);
    }

    private static String readIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** {@code https://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("https://127.0.0.1:" + port);
    }

    /** The CA that signed the server certificate (PEM). */
    public Path caFile() {
        return dir.resolve("ca.crt");
    }

    /** A CA that did not sign it. */
    public Path otherCaFile() {
        return dir.resolve("other-ca.crt");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
