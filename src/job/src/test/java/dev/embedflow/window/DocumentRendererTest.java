package dev.embedflow.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.source.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentRendererTest {

    private static final long T0 = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
    private static final long HOUR = 3_600_000L;

    private static Event event(long time, String type, String payload, long offset) {
        return new Event(
                "customer-42", time, type, "e" + offset, payload, false, "events", 0, offset, time);
    }

    private final List<Event> events =
            List.of(
                    event(
                            T0 + 120_000,
                            "order.shipped",
                            "{\"orderId\":\"1042\",\"carrier\":\"DHL\"}",
                            2),
                    event(
                            T0 + 60_000,
                            "order.placed",
                            "{\"orderId\":\"1042\",\"total\":79.9,\"items\":[\"shoes\",\"jacket\"],\"address\":{\"city\":\"Lyon\"}}",
                            1));

    @Test
    void defaultTemplateListsEventsInTimeOrderWithTheirSalientFields() {
        String text = DocumentRenderer.withDefaults().render("customer-42", T0, T0 + HOUR, events);

        assertThat(text)
                .isEqualTo(
                        "customer-42: 2 events from 2026-03-01T10:00:00Z to 2026-03-01T11:00:00Z"
                                + " (order.placed, order.shipped)\n"
                                + "- 2026-03-01T10:01:00Z order.placed: orderId: 1042, total: 79.9,"
                                + " items: shoes, jacket, address.city: Lyon\n"
                                + "- 2026-03-01T10:02:00Z order.shipped: orderId: 1042, carrier: DHL\n");
    }

    @Test
    void renderingDoesNotDependOnTheOrderEventsArrivedIn() {
        List<Event> shuffled = new ArrayList<>(events);
        Collections.reverse(shuffled);
        DocumentRenderer renderer = DocumentRenderer.withDefaults();

        assertThat(renderer.render("customer-42", T0, T0 + HOUR, shuffled))
                .isEqualTo(renderer.render("customer-42", T0, T0 + HOUR, events));
    }

    @Test
    void userTemplateSeesEventFields() {
        DocumentRenderer renderer =
                new DocumentRenderer(
                        "Customer {{entity}}{{#events}} | {{type}}{{#fields}} {{name}}={{value}}{{/fields}}{{/events}}",
                        10);

        assertThat(renderer.render("customer-42", T0, T0 + HOUR, events.subList(0, 1)))
                .isEqualTo("Customer customer-42 | order.shipped orderId=1042 carrier=DHL");
    }

    @Test
    void documentOverTheEventLimitKeepsTheLatestAndSaysHowManyWereLeftOut() {
        List<Event> many = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.add(event(T0 + i * 1000L, "page.viewed", "{\"page\":" + i + "}", i));
        }

        String text =
                new DocumentRenderer(DocumentRenderer.DEFAULT_TEMPLATE, 2)
                        .render("c", T0, T0 + HOUR, many);

        assertThat(text)
                .contains("5 events")
                .contains("page: 3")
                .contains("page: 4")
                .doesNotContain("page: 2");
        assertThat(text).endsWith("(and 3 earlier events not shown)\n");
    }

    @Test
    void longFieldValuesAreShortenedVisibly() {
        String longNote = "x".repeat(500);
        String text =
                DocumentRenderer.withDefaults()
                        .render(
                                "c",
                                T0,
                                T0 + HOUR,
                                List.of(event(T0, "note", "{\"note\":\"" + longNote + "\"}", 0)));

        assertThat(text).contains("… (500 chars)").doesNotContain(longNote);
    }

    @Test
    void templateNamingAnUnknownVariableIsRejectedAtConstruction() {
        assertThatThrownBy(() -> new DocumentRenderer("{{entitty}}", 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entitty");
    }
}
