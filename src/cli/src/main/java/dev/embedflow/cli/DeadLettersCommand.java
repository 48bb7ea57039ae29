package dev.embedflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.deadletter.DeadLetterOptions;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import dev.embedflow.deadletters.DeadLetterTopic;
import dev.embedflow.deadletters.Selection;
import dev.embedflow.deadletters.StoredDeadLetter;
import dev.embedflow.source.SourceOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code embedflow dead-letters list | show | redrive}: what the job could not handle, grouped,
 * shown with where it came from, and sent back to its source topic once the cause is fixed.
 */
@Command(
        name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = "Lists, shows and redrives the records the job dead-lettered.",
        subcommands = {
            DeadLettersCommand.ListCommand.class,
            DeadLettersCommand.Show.class,
            DeadLettersCommand.Redrive.class
        },
        footer = {
            "",
            "Reads the streaming job's dead-letter topic (dead-letter.topic, default"
                    + " embedflow-dead-letters) on its Kafka cluster (dead-letter.bootstrap-servers"
                    + " or source.bootstrap-servers; localhost:9092, as embedflow local runs, when"
                    + " neither is set), or with --files DIR the batch job's dead-letter files.",
            "Examples:",
            "  ./embedflow dead-letters list",
            "  ./embedflow dead-letters show --stage SOURCE --reason 'not JSON'",
            "  ./embedflow dead-letters redrive --reason 'over the limit' --dry-run"
        })
final class DeadLettersCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the dead letters are: the topic (from the settings) or a batch run's files. */
    static final class Where {
        @Mixin SettingsMixin settings;

        @Option(
                names = "--topic",
                description = "The dead-letter topic (default: dead-letter.topic).")
        String topic;

        @Option(
                names = "--bootstrap-servers",
                paramLabel = "HOST:PORT",
                description =
                        "Kafka (default: dead-letter.bootstrap-servers, source.bootstrap-servers"
                                + " or localhost:9092).")
        String bootstrapServers;

        @Option(
                names = "--files",
                paramLabel = "DIR",
                description =
                        "Read the batch job's dead-letter files in DIR (batch.dead-letter-dir)"
                                + " instead of the topic.")
        Path files;

        String topicName(Configuration config) {
            return topic != null ? topic : config.get(DeadLetterOptions.TOPIC);
        }

        /** Kafka client properties: the job's (dead-letter.kafka.* or source.kafka.*). */
        Map<String, String> clientProperties(Configuration config, PrintWriter err) {
            if (bootstrapServers != null) {
                config.set(DeadLetterOptions.BOOTSTRAP_SERVERS, bootstrapServers);
            } else if (config.getOptional(DeadLetterOptions.BOOTSTRAP_SERVERS).isEmpty()
                    && config.getOptional(SourceOptions.BOOTSTRAP_SERVERS).isEmpty()) {
                config.set(DeadLetterOptions.BOOTSTRAP_SERVERS, "localhost:9092");
                err.println(
                        "Kafka: localhost:9092, where embedflow local runs (set"
                                + " source.bootstrap-servers or --bootstrap-servers for another).");
            }
            return DeadLetterOptions.producerProperties(
                    config, SourceOptions.KAFKA_PROPERTIES_PREFIX, SourceOptions.BOOTSTRAP_SERVERS);
        }

        /** The batch files' dead letters, oldest file first. */
        List<StoredDeadLetter> readFiles() throws IOException {
            if (!Files.isDirectory(files)) {
                throw new IllegalArgumentException(
                        "--files " + files + " is not a directory of dead-letter files");
            }
            List<StoredDeadLetter> letters = new ArrayList<>();
            List<Path> paths;
            try (Stream<Path> s = Files.list(files)) {
                paths =
                        s.filter(p -> p.getFileName().toString().startsWith("dead-letters-"))
                                .filter(p -> p.getFileName().toString().endsWith(".jsonl"))
                                .sorted(Comparator.comparing(Where::modified).thenComparing(p -> p))
                                .toList();
            }
            for (Path path : paths) {
                List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (!lines.get(i).isBlank()) {
                        letters.add(
                                StoredDeadLetter.fromJsonLine(path + ":" + (i + 1), lines.get(i)));
                    }
                }
            }
            return letters;
        }

        private static long modified(Path p) {
            try {
                return Files.getLastModifiedTime(p).toMillis();
            } catch (IOException e) {
                return 0;
            }
        }
    }

    /** Which dead letters: stage, reason, time range, ids. */
    static final class Select {
        @Option(
                names = "--stage",
                split = ",",
                description = "SOURCE, WINDOW, EMBEDDING or SINK (repeatable).")
        List<Stage> stages = List.of();

        @Option(names = "--reason", description = "Text the reason contains (any case).")
        String reason;

        @Option(
                names = "--since",
                description = "Failed at or after this time (ISO-8601, e.g. 2026-12-07T06:00:00Z).")
        Instant since;

        @Option(names = "--until", description = "Failed before this time (ISO-8601).")
        Instant until;

        @Option(
                names = "--id",
                split = ",",
                description =
                        "A document id, a dead letter's place (topic-partition@offset, file:line) or"
                                + " its origin's (topic-partition@offset). Repeatable.")
        List<String> ids = List.of();

        Selection selection() {
            return new Selection(Set.copyOf(stages), reason, since, until, Set.copyOf(ids));
        }
    }

    /** The dead letters read and the redrive markers (empty for files). */
    record Loaded(String source, List<StoredDeadLetter> letters, Map<String, Instant> redriven) {}

    static Loaded load(Where where, Selection selection, PrintWriter err) throws IOException {
        if (where.files != null) {
            List<StoredDeadLetter> all = where.readFiles();
            return new Loaded(
                    where.files.toString(),
                    all.stream().filter(selection::matches).toList(),
                    Map.of());
        }
        Configuration config = where.settings.load(Map.of());
        String topic = where.topicName(config);
        try (DeadLetterTopic dlq =
                new DeadLetterTopic(topic, where.clientProperties(config, err))) {
            List<StoredDeadLetter> all = dlq.readAll();
            return new Loaded(
                    topic,
                    all.stream().filter(selection::matches).toList(),
                    all.isEmpty() ? Map.of() : dlq.redriven());
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Counts dead letters by stage and reason.")
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Mixin Where where;
        @Mixin Select select;

        @Option(names = "--json", description = "JSON on standard output, nothing else.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Loaded loaded = load(where, select.selection(), spec.commandLine().getErr());
            Map<String, Group> groups = new LinkedHashMap<>();
            for (StoredDeadLetter letter : loaded.letters()) {
                groups.computeIfAbsent(
                                letter.stage() + "\u0000" + letter.reasonKind(),
                                k -> new Group(letter.stage(), letter.reasonKind()))
                        .add(letter, loaded.redriven().containsKey(letter.location()));
            }
            List<Group> sorted =
                    groups.values().stream()
                            .sorted(Comparator.comparingInt((Group g) -> -g.count))
                            .toList();
            long redriven =
                    loaded.letters().stream()
                            .filter(l -> loaded.redriven().containsKey(l.location()))
                            .count();
            if (json) {
                ObjectNode root = JSON.createObjectNode();
                root.put("source", loaded.source());
                root.put("total", loaded.letters().size());
                root.put("redriven", redriven);
                ArrayNode array = root.putArray("groups");
                for (Group g : sorted) {
                    array.addObject()
                            .put("stage", g.stage.name())
                            .put("reason", g.reason)
                            .put("count", g.count)
                            .put("redriven", g.redriven)
                            .put("first_failed_at", g.first.toString())
                            .put("last_failed_at", g.last.toString())
                            .put("example", g.example);
                }
                out.println(JSON.writeValueAsString(root));
            } else {
                out.printf(
                        "%d dead letters in %s (%d redriven)%n",
                        loaded.letters().size(), loaded.source(), redriven);
                if (!sorted.isEmpty()) {
                    out.printf(
                            "%-9s %6s %8s  %-20s  %-20s  %s%n",
                            "STAGE", "COUNT", "REDRIVEN", "FIRST", "LAST", "REASON");
                }
                for (Group g : sorted) {
                    out.printf(
                            "%-9s %6d %8d  %-20s  %-20s  %s%n",
                            g.stage,
                            g.count,
                            g.redriven,
                            g.first.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                            g.last.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                            g.reason);
                }
            }
            out.flush();
            return 0;
        }
    }

    private static final class Group {
        final Stage stage;
        final String reason;
        int count;
        int redriven;
        Instant first;
        Instant last;
        String example;

        Group(Stage stage, String reason) {
            this.stage = stage;
            this.reason = reason;
        }

        void add(StoredDeadLetter letter, boolean wasRedriven) {
            count++;
            redriven += wasRedriven ? 1 : 0;
            if (first == null || letter.failedAt().isBefore(first)) {
                first = letter.failedAt();
            }
            if (last == null || letter.failedAt().isAfter(last)) {
                last = letter.failedAt();
            }
            if (example == null) {
                example = letter.location();
            }
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Shows dead letters with their reason, origins and payload.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Mixin Where where;
        @Mixin Select select;

        @Option(names = "--limit", description = "Most shown (default: ${DEFAULT-VALUE}).")
        int limit = 20;

        @Option(names = "--json", description = "JSON lines on standard output, nothing else.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Loaded loaded = load(where, select.selection(), spec.commandLine().getErr());
            List<StoredDeadLetter> shown = loaded.letters().stream().limit(limit).toList();
            for (StoredDeadLetter letter : shown) {
                Instant redriven = loaded.redriven().get(letter.location());
                if (json) {
                    out.println(JSON.writeValueAsString(toJson(letter, redriven)));
                    continue;
                }
                out.printf(
                        "%s  %s  failed at %s%s%n",
                        letter.location(),
                        letter.stage(),
                        letter.failedAt(),
                        redriven == null ? "" : "  (redriven at " + redriven + ")");
                out.printf("  reason:   %s%n", letter.reason());
                if (letter.documentId() != null) {
                    out.printf("  document: %s%n", letter.documentId());
                }
                out.printf("  from:     %s%n", origins(letter.origins()));
                out.printf("  payload:  %s%n%n", preview(letter.payload()));
            }
            if (!json && loaded.letters().size() > shown.size()) {
                out.printf(
                        "(%d of %d shown; --limit shows more)%n",
                        shown.size(), loaded.letters().size());
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "redrive",
            mixinStandardHelpOptions = true,
            description = {
                "Sends the selected dead letters' original records back to their source topic.",
                "Each copy keeps the original key, value and headers (timestamped now) and carries"
                        + " embedflow.redrive-count (one more than the original's) and"
                        + " embedflow.redrive-of; a dead letter is redriven once (a marker in"
                        + " <topic>.redriven, written in the same transaction), and a record that"
                        + " was redriven --max-redrives times is not sent again."
            })
    static final class Redrive implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Mixin Where where;
        @Mixin Select select;

        @Option(
                names = "--to",
                paramLabel = "TOPIC",
                description = "Send the copies here instead of each record's source topic.")
        String to;

        @Option(
                names = "--max-redrives",
                description =
                        "A record is redriven at most this many times (default: ${DEFAULT-VALUE}).")
        int maxRedrives = 3;

        @Option(names = "--dry-run", description = "Print what would be sent; send nothing.")
        boolean dryRun;

        @Option(names = "--json", description = "JSON on standard output, nothing else.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (where.files != null) {
                throw new IllegalArgumentException(
                        "the batch job's dead letters are redriven by running embedflow batch again"
                                + " over the fixed input (unchanged files are skipped);"
                                + " dead-letters redrive reads the dead-letter topic");
            }
            if (maxRedrives < 1) {
                throw new IllegalArgumentException("--max-redrives must be at least 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Configuration config = where.settings.load(Map.of());
            String topic = where.topicName(config);
            List<DeadLetterTopic.Plan> plans;
            int sent;
            try (DeadLetterTopic dlq =
                    new DeadLetterTopic(topic, where.clientProperties(config, err))) {
                List<StoredDeadLetter> selected =
                        dlq.readAll().stream().filter(select.selection()::matches).toList();
                plans = dlq.plan(selected, to, maxRedrives);
                sent = dryRun ? 0 : dlq.redrive(plans);
            }
            long going = plans.stream().filter(DeadLetterTopic.Plan::goes).count();
            if (json) {
                ObjectNode root = JSON.createObjectNode();
                root.put("dead_letter_topic", topic);
                root.put("dry_run", dryRun);
                root.put("selected", plans.size());
                root.put(dryRun ? "would_redrive" : "redriven", dryRun ? going : sent);
                ArrayNode array = root.putArray("dead_letters");
                for (DeadLetterTopic.Plan plan : plans) {
                    ObjectNode node = array.addObject();
                    node.put("location", plan.letter().location());
                    node.put("stage", plan.letter().stage().name());
                    if (plan.goes()) {
                        node.put("redrive_count", plan.redriveCount());
                        ArrayNode copies = node.putArray("records");
                        plan.copies().forEach(c -> copies.add(c.topic()));
                    } else {
                        node.put("skipped", plan.skipped());
                    }
                }
                out.println(JSON.writeValueAsString(root));
                out.flush();
                return 0;
            }
            for (DeadLetterTopic.Plan plan : plans) {
                if (plan.goes()) {
                    Set<String> targets = new LinkedHashSet<>();
                    plan.copies().forEach(c -> targets.add(c.topic()));
                    out.printf(
                            "%s %s [%s] -> %s (%d record%s, redrive %d of at most %d)%n",
                            dryRun ? "would redrive" : "redriven",
                            plan.letter().location(),
                            plan.letter().stage(),
                            String.join(", ", targets),
                            plan.copies().size(),
                            plan.copies().size() == 1 ? "" : "s",
                            plan.redriveCount(),
                            maxRedrives);
                } else {
                    out.printf(
                            "skipped %s [%s]: %s%n",
                            plan.letter().location(), plan.letter().stage(), plan.skipped());
                }
            }
            out.printf(
                    "%s %d of %d selected dead letters from %s.%n",
                    dryRun ? "Would redrive" : "Redrove",
                    dryRun ? going : sent,
                    plans.size(),
                    topic);
            out.flush();
            return 0;
        }
    }

    static ObjectNode toJson(StoredDeadLetter letter, Instant redriven) {
        ObjectNode node = JSON.createObjectNode();
        node.put("location", letter.location());
        node.put("stage", letter.stage() == null ? null : letter.stage().name());
        node.put("reason", letter.reason());
        node.put("document_id", letter.documentId());
        node.put("failed_at", letter.failedAt().toString());
        node.put("redriven_at", redriven == null ? null : redriven.toString());
        ArrayNode origins = node.putArray("origins");
        for (Origin o : letter.origins()) {
            Map<String, Object> fields = new HashMap<>();
            if (o.topic() != null) {
                fields.put("topic", o.topic());
                fields.put("partition", o.partition());
                fields.put("offset", o.offset());
                fields.put("timestamp", o.timestamp());
            } else {
                fields.put("path", o.path());
                fields.put("line", o.line());
            }
            origins.add(JSON.valueToTree(fields));
        }
        byte[] payload = letter.payload();
        if (payload != null) {
            String text = utf8(payload);
            if (text != null) {
                node.put("payload", text);
            } else {
                node.put("payload_base64", Base64.getEncoder().encodeToString(payload));
            }
        }
        return node;
    }

    private static String origins(List<Origin> origins) {
        if (origins.isEmpty()) {
            return "(unknown)";
        }
        List<String> parts = new ArrayList<>();
        for (Origin o : origins.subList(0, Math.min(5, origins.size()))) {
            parts.add(
                    o.topic() != null && o.timestamp() != null
                            ? o + " (" + Instant.ofEpochMilli(o.timestamp()) + ")"
                            : o.toString());
        }
        if (origins.size() > 5) {
            parts.add("and " + (origins.size() - 5) + " more");
        }
        return String.join(", ", parts);
    }

    private static String preview(byte[] payload) {
        if (payload == null) {
            return "(none)";
        }
        String text = utf8(payload);
        if (text == null) {
            return payload.length + " bytes, not UTF-8 (--json gives them in base64)";
        }
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 200
                ? oneLine
                : oneLine.substring(0, 200) + "… (" + payload.length + " bytes)";
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
