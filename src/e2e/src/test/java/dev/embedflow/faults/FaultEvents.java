package dev.embedflow.faults;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The events of a fault scenario, generated deterministically, with the index they must leave
 * behind. Entities {@code item-<k>} get their events round-robin, one second apart, keyed by entity
 * (so an entity's events stay in order on one partition). Every 50th entity is deleted by its last
 * event; another one in 50 is deleted early on and written again afterwards (a stale document would
 * show). The job runs with {@code window.mode=NONE} and {@code window.id-mode=LATEST}: one document
 * per entity, rendered from its latest event by {@link #TEMPLATE}.
 *
 * <p>Malformed records, when asked for, are mixed in evenly: bad JSON, missing fields, wrong types,
 * a value that is JSON but not an object, invalid UTF-8 and (one in 50) payloads over the job's
 * record size limit; each carries the reason the job must give.
 */
final class FaultEvents {

    /** The document template the scenarios configure: entity, event id, type and fields. */
    static final String TEMPLATE =
            "{{entity}} {{#events}}{{id}} {{type}}{{#fields}} {{name}}={{value}}{{/fields}}{{/events}}";

    static final String UPDATED = "item.updated";
    static final String DELETED = "item.deleted";

    /** The job's {@code source.max-record-size} in the scenarios; huge payloads exceed it. */
    static final String MAX_RECORD_SIZE = "64 kb";

    static final int HUGE_BYTES = 100 * 1024;

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String[] COLOURS = {"red", "green", "blue", "black", "white", "amber"};
    private static final String[] THINGS = {"tent", "stove", "lantern", "backpack", "kayak"};

    /**
     * A record to send: key (null for none) and value bytes, and for a malformed one its reason.
     */
    record Input(byte[] key, byte[] value, String expectedReason) {
        boolean malformed() {
            return expectedReason != null;
        }
    }

    private final List<Input> inputs;
    private final Map<String, String> expected;
    private final int events;
    private final int malformed;

    private FaultEvents(
            List<Input> inputs, Map<String, String> expected, int events, int malformed) {
        this.inputs = inputs;
        this.expected = expected;
        this.events = events;
        this.malformed = malformed;
    }

    /** {@code events} valid events with {@code malformed} bad records mixed in evenly. */
    static FaultEvents generate(int events, int malformed, long seed) {
        int entities = Math.max(1, events / 4);
        List<Input> valid = new ArrayList<>(events);
        Map<String, String> expected = new TreeMap<>();
        Map<Integer, Integer> seen = new HashMap<>();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < events; i++) {
            int k = i % entities;
            int round = seen.merge(k, 1, Integer::sum) - 1;
            boolean lastRound = i + entities >= events;
            String entity = "item-" + k;
            String id = "e-" + i;
            String type =
                    (k % 50 == 3 && lastRound) || (k % 50 == 5 && round == 1 && !lastRound)
                            ? DELETED
                            : UPDATED;
            String colour = COLOURS[random.nextInt(COLOURS.length)];
            String thing = THINGS[random.nextInt(THINGS.length)];
            int stock = random.nextInt(1000);
            String json =
                    "{\"specversion\":\"1.0\",\"id\":\""
                            + id
                            + "\",\"source\":\"/faults\",\"type\":\""
                            + type
                            + "\",\"subject\":\""
                            + entity
                            + "\",\"time\":\""
                            + START.plusSeconds(i)
                            + "\",\"data\":{\"name\":\""
                            + colour
                            + " "
                            + thing
                            + "\",\"revision\":"
                            + round
                            + ",\"stock\":"
                            + stock
                            + "}}";
            valid.add(new Input(bytes(entity), bytes(json), null));
            if (type.equals(DELETED)) {
                expected.remove(entity);
            } else {
                expected.put(
                        entity,
                        entity
                                + " "
                                + id
                                + " "
                                + type
                                + " name="
                                + colour
                                + " "
                                + thing
                                + " revision="
                                + round
                                + " stock="
                                + stock);
            }
        }
        List<Input> all = new ArrayList<>(events + malformed);
        int every = malformed == 0 ? Integer.MAX_VALUE : Math.max(1, events / malformed);
        int bad = 0;
        for (int i = 0; i < valid.size(); i++) {
            all.add(valid.get(i));
            if (bad < malformed && (i + 1) % every == 0) {
                all.add(malformedRecord(bad++));
            }
        }
        while (bad < malformed) {
            all.add(malformedRecord(bad++));
        }
        return new FaultEvents(
                Collections.unmodifiableList(all),
                Collections.unmodifiableMap(expected),
                events,
                malformed);
    }

    /** Bad record {@code j}: its kind cycles, one in 50 is a huge payload. */
    static Input malformedRecord(int j) {
        byte[] key = bytes("bad-" + j);
        if (j % 50 == 49) {
            String pad = "x".repeat(HUGE_BYTES);
            return new Input(
                    key,
                    bytes(
                            "{\"specversion\":\"1.0\",\"id\":\"bad-"
                                    + j
                                    + "\",\"type\":\"item.updated\",\"subject\":\"item-0\","
                                    + "\"time\":\"2026-01-01T00:00:00Z\",\"data\":{\"blob\":\""
                                    + pad
                                    + "\"}}"),
                    "over the limit");
        }
        String head = "{\"specversion\":\"1.0\",\"id\":\"bad-" + j + "\",\"type\":\"item.updated\"";
        return switch (j % 7) {
            case 0 -> new Input(key, bytes(head + ",\"subject\":\"item-1\",\"ti"), "not JSON");
            case 1 ->
                    new Input(
                            key,
                            bytes(head + ",\"time\":\"2026-01-01T00:00:00Z\",\"data\":{}}"),
                            "no entity key");
            case 2 ->
                    new Input(
                            key,
                            bytes(head + ",\"subject\":\"item-1\",\"data\":{}}"),
                            "no event time");
            case 3 ->
                    new Input(
                            key,
                            bytes(head + ",\"subject\":\"item-1\",\"time\":true,\"data\":{}}"),
                            "neither an RFC 3339 time nor epoch milliseconds");
            case 4 ->
                    new Input(
                            key,
                            bytes(
                                    head
                                            + ",\"subject\":{\"id\":1},\"time\":\"2026-01-01T00:00:00Z\","
                                            + "\"data\":{}}"),
                            "no entity key");
            case 5 -> new Input(key, bytes("[\"bad-" + j + "\", 42]"), "not an object");
            default -> {
                byte[] prefix = bytes(head + ",\"subject\":\"item-1\",\"data\":{\"name\":\"");
                byte[] value = new byte[prefix.length + 4];
                System.arraycopy(prefix, 0, value, 0, prefix.length);
                value[prefix.length] = (byte) 0xC3; // a lead byte without its continuation
                value[prefix.length + 1] = (byte) 0x28;
                value[prefix.length + 2] = '"';
                value[prefix.length + 3] = '}';
                yield new Input(key, value, "not valid UTF-8");
            }
        };
    }

    /** Every record, in the order to send. */
    List<Input> inputs() {
        return inputs;
    }

    /** Expected document id (the entity) to its text. */
    Map<String, String> expected() {
        return expected;
    }

    int events() {
        return events;
    }

    int malformed() {
        return malformed;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
