package dev.embedflow.devserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.devserver.internal.ChildProcess;
import dev.embedflow.devserver.internal.Processes;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink standalone session cluster on 127.0.0.1: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each in its
 * own JVM started from Flink's jars, with RocksDB state and file checkpoints. Jobs are submitted
 * through Flink's REST API as a user would ({@code /jars/upload}, {@code /jars/:id/run}), and
 * TaskManagers can be killed ({@code SIGKILL}) and started again, which is what the fault tests do.
 *
 * <p>The JVMs' classpath is every jar of a directory holding Flink's own jars and a logging backend
 * (the build's {@code target/lib}; the Kafka broker's jars there are left out). The configuration
 * is written to {@code <workDir>/conf/config.yaml}; logs go to {@code <workDir>/log}.
 */
public final class FlinkCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB_MANAGER_CLASS =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_CLASS =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /**
     * The module options of Flink's distribution ({@code env.java.opts.all} in its {@code
     * config.yaml}): Flink reflects into JDK classes that Java 17 closes by default.
     */
    static final List<String> JAVA_17_OPTIONS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path workDir;
    private final String classpath;
    private final int restPort;
    private final int rpcPort;
    private final Map<String, String> settings;
    private final Duration startupTimeout;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ChildProcess jobManager;
    private final List<ChildProcess> taskManagers = new ArrayList<>();
    private int taskManagersStarted;

    private FlinkCluster(Builder builder) {
        this.workDir = builder.workDir.toAbsolutePath();
        List<Integer> ports = FreePorts.pick(2);
        this.restPort = ports.get(0);
        this.rpcPort = ports.get(1);
        this.classpath = classpath(builder.libDir.toAbsolutePath());
        this.startupTimeout = builder.startupTimeout;
        Map<String, String> s = new LinkedHashMap<>();
        s.put("jobmanager.rpc.address", "localhost");
        s.put("jobmanager.rpc.port", String.valueOf(rpcPort));
        s.put("jobmanager.bind-host", "localhost");
        s.put("jobmanager.memory.process.size", "1024m");
        s.put("taskmanager.bind-host", "localhost");
        s.put("taskmanager.host", "localhost");
        s.put("taskmanager.numberOfTaskSlots", String.valueOf(builder.slots));
        s.put("taskmanager.memory.process.size", builder.taskManagerMemory);
        s.put("taskmanager.memory.jvm-metaspace.size", "384m");
        s.put("env.java.opts.all", String.join(" ", JAVA_17_OPTIONS));
        s.put("rest.address", "localhost");
        s.put("rest.bind-address", "localhost");
        s.put("rest.port", String.valueOf(restPort));
        s.put("web.upload.dir", workDir.resolve("uploads").toString());
        s.put("io.tmp.dirs", workDir.resolve("tmp").toString());
        s.put("state.backend.type", "rocksdb");
        s.put("execution.checkpointing.incremental", "true");
        s.put("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        s.put(
                "execution.checkpointing.savepoint-dir",
                workDir.resolve("savepoints").toUri().toString());
        s.put("execution.checkpointing.interval", builder.checkpointInterval.toMillis() + " ms");
        s.put("restart-strategy.type", "exponential-delay");
        s.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        s.put("restart-strategy.exponential-delay.max-backoff", "10 s");
        s.put("restart-strategy.exponential-delay.attempts-before-reset-backoff", "1000");
        // A killed TaskManager is noticed in seconds, not after the default 50 s.
        s.put("heartbeat.interval", "2000");
        s.put("heartbeat.timeout", "15000");
        s.putAll(builder.settings);
        this.settings = Map.copyOf(s);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes the configuration, starts the JobManager and {@code taskManagers} TaskManagers, and
     * waits until the REST API answers and every TaskManager has registered.
     */
    public synchronized FlinkCluster start(int taskManagerCount) {
        try {
            LocalFiles.deleteRecursively(workDir.resolve("conf"));
            Files.createDirectories(workDir.resolve("conf"));
            Files.createDirectories(workDir.resolve("log"));
            writeConfig();
            Runtime.getRuntime().addShutdownHook(new Thread(this::close, "flink-cluster-shutdown"));
            jobManager = launch("jobmanager", JOB_MANAGER_CLASS, "GET_JM_RESOURCE_PARAMS");
            awaitRest();
            for (int i = 0; i < taskManagerCount; i++) {
                startTaskManager();
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Could not start the Flink cluster in " + workDir, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Flink cluster ready at {} (logs in {})", restUri(), workDir.resolve("log"));
        return this;
    }

    /** Flink's REST API and web UI, e.g. {@code http://127.0.0.1:8081}. */
    public URI restUri() {
        return URI.create("http://127.0.0.1:" + restPort);
    }

    public Path workDir() {
        return workDir;
    }

    /** The cluster's configuration, as written to {@code conf/config.yaml}. */
    public Map<String, String> settings() {
        return settings;
    }

    /** Starts one more TaskManager and waits until the JobManager knows it. */
    public synchronized void startTaskManager() {
        String id = "taskmanager-" + ++taskManagersStarted;
        ChildProcess started;
        try {
            started = launch(id, TASK_MANAGER_CLASS, "GET_TM_RESOURCE_PARAMS");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start a TaskManager", e);
        }
        taskManagers.add(started);
        await(
                id + " to register",
                () -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException(
                                id
                                        + " exited with code "
                                        + started.exitValue()
                                        + "; see "
                                        + workDir.resolve("log"));
                    }
                    return taskManagerIds().contains(id);
                },
                startupTimeout);
    }

    /**
     * Kills the most recently started TaskManager at once ({@code SIGKILL}, as a crash or an
     * out-of-memory killer would) and returns its process id.
     */
    public synchronized long killTaskManager() {
        if (taskManagers.isEmpty()) {
            throw new IllegalStateException("No TaskManager is running");
        }
        ChildProcess victim = taskManagers.remove(taskManagers.size() - 1);
        long pid = victim.pid();
        victim.kill();
        LOG.info("Killed TaskManager pid {}", pid);
        return pid;
    }

    /**
     * The ids ({@code taskmanager-<n>}) of the TaskManagers the JobManager lists; a killed one
     * stays until its heartbeats are missed.
     */
    public List<String> taskManagerIds() {
        List<String> ids = new ArrayList<>();
        get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    /** Uploads a job jar ({@code POST /jars/upload}) and returns its id on the cluster. */
    public String uploadJar(Path jar) {
        String boundary = "----embedflow" + UUID.randomUUID();
        String head =
                "--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName()
                        + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        try {
            HttpRequest request =
                    HttpRequest.newBuilder(restUri().resolve("/jars/upload"))
                            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                            .timeout(Duration.ofMinutes(5))
                            .POST(
                                    HttpRequest.BodyPublishers.concat(
                                            HttpRequest.BodyPublishers.ofString(head),
                                            HttpRequest.BodyPublishers.ofFile(jar),
                                            HttpRequest.BodyPublishers.ofString(tail)))
                            .build();
            JsonNode answer = send(request);
            String file = answer.path("filename").asText();
            return file.substring(file.lastIndexOf('/') + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + jar, e);
        }
    }

    /**
     * Runs an uploaded jar ({@code POST /jars/:id/run}) and returns the job id.
     *
     * @param savepoint a savepoint or retained checkpoint to restore from, or null
     */
    public String runJar(
            String jarId, String entryClass, List<String> args, int parallelism, String savepoint) {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", entryClass);
        args.forEach(body.putArray("programArgsList")::add);
        body.put("parallelism", parallelism);
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
        }
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(restUri().resolve("/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofMinutes(3))
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build());
        return answer.path("jobid").asText();
    }

    /** The job's state: CREATED, RUNNING, RESTARTING, FAILED, FINISHED, CANCELED, .... */
    public String jobState(String jobId) {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /**
     * Whether the job and every one of its tasks are running: after a restart the job is RUNNING
     * before its tasks are deployed.
     */
    public boolean isFullyRunning(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (!"RUNNING".equals(vertex.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** Completed checkpoints of the job so far. */
    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** How many times the job has been restored from a checkpoint after a failure. */
    public long restoredCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("restored").asLong();
    }

    /**
     * Stops the job with a savepoint ({@code POST /jobs/:id/stop}), waits for it and returns the
     * savepoint's path.
     */
    public String stopWithSavepoint(String jobId, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.put("drain", false);
        JsonNode trigger =
                send(
                        HttpRequest.newBuilder(restUri().resolve("/jobs/" + jobId + "/stop"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build());
        String path = "/jobs/" + jobId + "/savepoints/" + trigger.path("request-id").asText();
        JsonNode[] last = new JsonNode[1];
        await(
                "the savepoint of job " + jobId,
                () -> {
                    last[0] = get(path);
                    return "COMPLETED".equals(last[0].path("status").path("id").asText());
                },
                timeout);
        JsonNode operation = last[0].path("operation");
        if (operation.has("failure-cause")) {
            throw new IllegalStateException(
                    "Stop with savepoint of job "
                            + jobId
                            + " failed: "
                            + operation.path("failure-cause").path("stack-trace").asText());
        }
        return operation.path("location").asText();
    }

    /** Cancels the job ({@code PATCH /jobs/:id?mode=cancel}) and waits until it is canceled. */
    public void cancel(String jobId) {
        send(
                HttpRequest.newBuilder(restUri().resolve("/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build());
        await(
                "job " + jobId + " to be canceled",
                () -> isTerminal(jobState(jobId)),
                Duration.ofMinutes(1));
    }

    /**
     * The process ids of the running JVMs by name ({@code jobmanager}, {@code taskmanager pid N}),
     * for whoever measures their CPU.
     */
    public synchronized Map<String, Long> processIds() {
        Map<String, Long> pids = new LinkedHashMap<>();
        if (jobManager != null && jobManager.isAlive()) {
            pids.put("jobmanager", jobManager.pid());
        }
        for (ChildProcess taskManager : taskManagers) {
            if (taskManager.isAlive()) {
                pids.put("taskmanager pid " + taskManager.pid(), taskManager.pid());
            }
        }
        return pids;
    }

    /** Stops every TaskManager and the JobManager (SIGTERM, then a kill after 15 s). */
    @Override
    public synchronized void close() {
        for (ChildProcess taskManager : taskManagers) {
            taskManager.stop(Duration.ofSeconds(15));
        }
        taskManagers.clear();
        if (jobManager != null) {
            jobManager.stop(Duration.ofSeconds(15));
            jobManager = null;
        }
    }

    @Override
    public String toString() {
        return "FlinkCluster[" + restUri() + ", workDir=" + workDir + "]";
    }

    private static boolean isTerminal(String state) {
        return List.of("FAILED", "CANCELED", "FINISHED").contains(state);
    }

    /** GET {@code path} of the REST API as JSON. */
    private JsonNode get(String path) {
        return send(
                HttpRequest.newBuilder(restUri().resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build());
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        "Flink REST "
                                + request.method()
                                + " "
                                + request.uri().getPath()
                                + " answered "
                                + response.statusCode()
                                + ": "
                                + response.body());
            }
            return response.body().isEmpty()
                    ? JSON.createObjectNode()
                    : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Flink REST " + request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted calling Flink's REST API", e);
        }
    }

    private void awaitRest() {
        await(
                "the JobManager's REST API at " + restUri(),
                () -> {
                    if (!jobManager.isAlive()) {
                        throw new IllegalStateException(
                                "The JobManager exited with code "
                                        + jobManager.exitValue()
                                        + "; the end of its log:\n"
                                        + jobManager.tail(40));
                    }
                    try {
                        return get("/overview").has("flink-version");
                    } catch (RuntimeException e) {
                        return false;
                    }
                },
                startupTimeout);
    }

    private void await(String what, java.util.function.BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Timed out after "
                                + timeout
                                + " waiting for "
                                + what
                                + (jobManager == null
                                        ? ""
                                        : "; the end of the JobManager's log:\n"
                                                + jobManager.tail(30)));
            }
            LocalFiles.sleep(250, "waiting for " + what);
        }
    }

    /**
     * Starts a JobManager or TaskManager JVM the way Flink's scripts do: {@code BashJavaUtils}
     * derives the JVM's memory options and the matching dynamic settings from the configuration.
     */
    private ChildProcess launch(String name, String mainClass, String resourceCommand)
            throws IOException {
        Path conf = workDir.resolve("conf");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> resources = resourceParams(java, conf, resourceCommand);
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(List.of(resources.get(0).trim().split("\\s+")));
        command.add("-XX:+UseG1GC");
        command.addAll(List.of(settings.get("env.java.opts.all").split("\\s+")));
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        command.add("-Dlog.file=" + workDir.resolve("log").resolve(name + ".log"));
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(conf.toString());
        if (resources.size() > 1 && !resources.get(1).isBlank()) {
            command.addAll(List.of(resources.get(1).trim().split("\\s+")));
        }
        if (mainClass.equals(TASK_MANAGER_CLASS)) {
            command.add("-D");
            command.add("taskmanager.resource-id=" + name);
        }
        return ChildProcess.start(
                "flink-" + name,
                command,
                Map.of("FLINK_CONF_DIR", conf.toString()),
                workDir,
                workDir.resolve("log").resolve(name + ".out"));
    }

    /** The JVM options and dynamic settings {@code BashJavaUtils} computes (Flink's scripts). */
    private List<String> resourceParams(String java, Path conf, String resourceCommand) {
        Processes.Result result =
                Processes.run(
                        List.of(
                                java,
                                "-Dlog4j.configurationFile="
                                        + conf.resolve("log4j.properties").toUri(),
                                "-Dlog.file="
                                        + workDir.resolve("log").resolve("bash-java-utils.log"),
                                "-cp",
                                classpath,
                                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                resourceCommand,
                                "--configDir",
                                conf.toString()),
                        Duration.ofMinutes(1));
        String prefix = "BASH_JAVA_UTILS_EXEC_RESULT:";
        List<String> values =
                result.output()
                        .lines()
                        .filter(line -> line.startsWith(prefix))
                        .map(line -> line.substring(prefix.length()))
                        .toList();
        if (!result.succeeded() || values.isEmpty()) {
            throw new IllegalStateException(
                    "Flink could not derive the memory settings of the cluster ("
                            + resourceCommand
                            + "): "
                            + result.output());
        }
        return values;
    }

    private void writeConfig() throws IOException {
        Path conf = workDir.resolve("conf");
        String yaml =
                settings.entrySet().stream()
                        .map(e -> e.getKey() + ": '" + e.getValue().replace("'", "''") + "'")
                        .sorted()
                        .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(conf.resolve("config.yaml"), yaml);
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "monitorInterval = 0",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = file",
                        "appender.file.name = file",
                        "appender.file.type = File",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.append = false",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1.} - %m%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        ""));
    }

    /** Every jar of {@code libDir} but the Kafka broker's own (a cluster has none of them). */
    private static String classpath(Path libDir) {
        Predicate<String> brokerJar = name -> name.startsWith("kafka") || name.startsWith("scala-");
        try (Stream<Path> jars = Files.list(libDir)) {
            String cp =
                    jars.filter(p -> p.getFileName().toString().endsWith(".jar"))
                            .filter(p -> !brokerJar.test(p.getFileName().toString()))
                            .sorted()
                            .map(Path::toString)
                            .collect(Collectors.joining(File.pathSeparator));
            if (!cp.contains("flink-runtime-")) {
                throw new IllegalArgumentException(
                        libDir + " holds no flink-runtime jar; `./mvnw package` fills target/lib");
            }
            return cp;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + libDir, e);
        }
    }

    /** Settings of a {@link FlinkCluster}. */
    public static final class Builder {
        private Path workDir;
        private Path libDir = Path.of("target", "lib");
        private int slots = 2;
        private String taskManagerMemory = "1600m";
        private Duration checkpointInterval = Duration.ofSeconds(2);
        private Duration startupTimeout = Duration.ofMinutes(2);
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {}

        /** Where configuration, logs, checkpoints and savepoints go (required). */
        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** The directory of Flink's jars; {@code target/lib} by default. */
        public Builder libDir(Path libDir) {
            this.libDir = libDir;
            return this;
        }

        /** Task slots per TaskManager (2 by default). */
        public Builder slots(int slots) {
            this.slots = slots;
            return this;
        }

        /** Each TaskManager's total process memory, e.g. {@code 1600m} (the default). */
        public Builder taskManagerMemory(String memory) {
            this.taskManagerMemory = memory;
            return this;
        }

        /** How often checkpoints are taken (2 s by default). */
        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = interval;
            return this;
        }

        /** How long start-ups may take (2 minutes by default). */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** Any other Flink setting, written to {@code config.yaml} (overrides the defaults). */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        public FlinkCluster build() {
            if (workDir == null) {
                throw new IllegalStateException("workDir is required");
            }
            return new FlinkCluster(this);
        }
    }
}
