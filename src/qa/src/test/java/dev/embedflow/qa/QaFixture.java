package dev.embedflow.qa;

import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.search.TestSearchIndex;
import dev.embedflow.sink.IndexAction;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * A small business in a real index: entity documents of two tenants (metadata {@code tenant}),
 * embedded by the real all-MiniLM-L6-v2, and the service's configuration for it.
 */
final class QaFixture {

    static final String ACME_KEY = "acme-key-0123456789";
    static final String ALL_KEY = "all-key-0123456789ab";
    static final String GLOBEX_KEY = "globex-key-0123456789";

    /** The API keys: acme and globex see their own documents, "all" sees everything. */
    static final String KEYS =
            "{\"tenants\": ["
                    + "{\"name\": \"acme\", \"keys\": [\""
                    + ACME_KEY
                    + "\"], \"filter\": {\"tenant\": \"acme\"}},"
                    + "{\"name\": \"globex\", \"keys\": [\""
                    + GLOBEX_KEY
                    + "\"], \"filter\": {\"tenant\": [\"globex\"]}},"
                    + "{\"name\": \"all\", \"keys\": [\""
                    + ALL_KEY
                    + "\"]}]}";

    record Doc(String id, String entity, String tenant, Instant start, String text) {}

    static final Instant DAY = Instant.parse("2026-03-02T00:00:00Z");

    static final List<Doc> DOCS =
            List.of(
                    new Doc(
                            "acct-17@2026-03-02",
                            "acct-17",
                            "acme",
                            DAY,
                            "Account acct-17: the card payment was declined three times on"
                                    + " 2 March (insufficient funds). The customer then cancelled"
                                    + " the subscription."),
                    new Doc(
                            "acct-17@2026-03-10",
                            "acct-17",
                            "acme",
                            DAY.plusSeconds(8 * 86_400),
                            "Account acct-17 reopened the subscription on 10 March after a"
                                    + " support call, and the new card payment went through."),
                    new Doc(
                            "acct-21@2026-03-02",
                            "acct-21",
                            "acme",
                            DAY,
                            "Account acct-21 upgraded to the premium plan and paid the first"
                                    + " invoice of 49.00 EUR."),
                    new Doc(
                            "order-88@2026-03-04",
                            "order-88",
                            "acme",
                            DAY.plusSeconds(2 * 86_400),
                            "Order order-88: the parcel was delivered to the wrong address. The"
                                    + " customer asked for a redelivery to the office."),
                    new Doc(
                            "ship-5@2026-03-03",
                            "ship-5",
                            "globex",
                            DAY.plusSeconds(86_400),
                            "Shipment ship-5 of frozen fish arrived at the Rotterdam warehouse two"
                                    + " days late; the cold chain held."),
                    new Doc(
                            "ship-6@2026-03-03",
                            "ship-6",
                            "globex",
                            DAY.plusSeconds(86_400),
                            "Shipment ship-6 was held at customs because its paperwork was"
                                    + " missing."),
                    new Doc(
                            "acct-g3@2026-03-05",
                            "acct-g3",
                            "globex",
                            DAY.plusSeconds(3 * 86_400),
                            "Account acct-g3 declined the quote for a refrigerated truck and chose"
                                    + " rail transport."));

    private QaFixture() {}

    /** Creates the index and writes {@link #DOCS}, embedded by {@code model}. */
    static TestSearchIndex index(OpenSearchTestIndex index, LocalEmbeddingModel model) {
        TestSearchIndex test =
                TestSearchIndex.create(
                        index, LocalEmbeddingModel.MODEL_ID, LocalEmbeddingModel.DIMENSIONS);
        List<IndexAction.Upsert> upserts = new ArrayList<>();
        for (Doc doc : DOCS) {
            upserts.add(
                    IndexAction.upsert(doc.id())
                            .entity(doc.entity())
                            .window(doc.start(), doc.start().plusSeconds(86_400))
                            .text(doc.text())
                            .vector(model.embed(doc.text()).vector())
                            .model(LocalEmbeddingModel.MODEL_ID)
                            .metadata(Map.of("tenant", doc.tenant()))
                            .build());
        }
        test.write(upserts);
        return test;
    }

    /** The service's settings for {@code index} on a free port. */
    static Configuration config(OpenSearchTestIndex index, TestSearchIndex test) {
        Configuration conf = new Configuration();
        conf.setString("opensearch.hosts", index.node().httpUri().toString());
        conf.set(QaOptions.INDEX, test.spec.alias());
        conf.set(QaOptions.PORT, 0);
        conf.set(QaOptions.HOST, "127.0.0.1");
        return conf;
    }
}
