package dev.embedflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The batch benchmark's corpus, the same bytes for the same size and seed: nine in ten documents
 * are product records in one JSON-lines file ({@code catalog.jsonl}: id, title, text, category,
 * price), one in ten a Markdown care guide of its own ({@code guides/guide-NNNNN.md}: a title, an
 * introduction and a {@code ## Care} section, so two chunks). Texts are a few short sentences, as
 * in a shop's catalogue.
 */
final class BatchCorpus {

    /** What was written: {@code records} JSON lines and {@code guides} Markdown files. */
    record Written(Path dir, int records, int guides) {
        int documents() {
            return records + guides;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] ADJECTIVES = {
        "light",
        "compact",
        "waterproof",
        "insulated",
        "sturdy",
        "foldable",
        "breathable",
        "durable",
        "quiet",
        "rechargeable",
        "padded",
        "adjustable"
    };
    private static final String[] PRODUCTS = {
        "tent",
        "stove",
        "backpack",
        "sleeping bag",
        "headlamp",
        "water filter",
        "rain jacket",
        "trekking pole",
        "camp chair",
        "cooler",
        "hammock",
        "lantern"
    };
    private static final String[] MATERIALS = {
        "ripstop nylon",
        "aluminium",
        "stainless steel",
        "recycled polyester",
        "merino wool",
        "carbon fibre",
        "silicone",
        "canvas"
    };
    private static final String[] USES = {
        "weekend trips",
        "long-distance hikes",
        "family camping",
        "alpine tours",
        "bike touring",
        "festivals",
        "winter camps",
        "canoe trips"
    };
    private static final String[] CATEGORIES = {"camping", "hiking", "cooking", "clothing"};
    private static final String[] CARE = {
        "Rinse it with fresh water after use and let it dry in the shade.",
        "Store it loosely packed in a dry place, away from direct sunlight.",
        "Clean the zips with a soft brush and a drop of mild soap.",
        "Check the seams before every trip and reseal them once a season.",
        "Never put it in a tumble dryer; hang it up instead.",
        "Charge the battery fully before storing it for the winter."
    };

    private BatchCorpus() {}

    /** Writes {@code documents} documents (at least 10) into {@code dir}, from {@code seed}. */
    static Written write(Path dir, int documents, long seed) throws IOException {
        if (documents < 10) {
            throw new IllegalArgumentException("A corpus has at least 10 documents: " + documents);
        }
        int guides = documents / 10;
        int records = documents - guides;
        Random random = new Random(seed);
        Files.createDirectories(dir.resolve("guides"));
        try (BufferedWriter out =
                Files.newBufferedWriter(dir.resolve("catalog.jsonl"), StandardCharsets.UTF_8)) {
            for (int i = 0; i < records; i++) {
                String adjective = pick(random, ADJECTIVES);
                String product = pick(random, PRODUCTS);
                ObjectNode record = MAPPER.createObjectNode();
                record.put("id", String.format(Locale.ROOT, "p-%05d", i));
                record.put("title", capitalize(adjective) + " " + product + " " + (i % 97));
                record.put("text", description(random, adjective, product));
                record.put("category", pick(random, CATEGORIES));
                record.put("price", 10 + random.nextInt(490));
                out.write(MAPPER.writeValueAsString(record));
                out.write('\n');
            }
        }
        for (int i = 0; i < guides; i++) {
            String adjective = pick(random, ADJECTIVES);
            String product = pick(random, PRODUCTS);
            String guide =
                    "# Caring for your "
                            + adjective
                            + " "
                            + product
                            + "\n\n"
                            + description(random, adjective, product)
                            + "\n\n## Care\n\n"
                            + pick(random, CARE)
                            + " "
                            + pick(random, CARE)
                            + "\n";
            Files.writeString(
                    dir.resolve(String.format(Locale.ROOT, "guides/guide-%05d.md", i)),
                    guide,
                    StandardCharsets.UTF_8);
        }
        return new Written(dir, records, guides);
    }

    /** Two to four sentences about one product. */
    private static String description(Random random, String adjective, String product) {
        StringBuilder text = new StringBuilder();
        text.append("A ")
                .append(adjective)
                .append(' ')
                .append(product)
                .append(" made of ")
                .append(pick(random, MATERIALS))
                .append(", built for ")
                .append(pick(random, USES))
                .append('.');
        text.append(" It weighs ")
                .append(200 + random.nextInt(2800))
                .append(" grams and packs down small.");
        if (random.nextBoolean()) {
            text.append(" Customers like it for ").append(pick(random, USES)).append(" too.");
        }
        if (random.nextInt(3) == 0) {
            text.append(" The ").append(pick(random, MATERIALS)).append(" parts are replaceable.");
        }
        return text.toString();
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String capitalize(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
