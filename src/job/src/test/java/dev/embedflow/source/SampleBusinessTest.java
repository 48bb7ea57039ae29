package dev.embedflow.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.devserver.SampleBusiness;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class SampleBusinessTest {

    private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");

    @Test
    void sameSeedGivesTheSameEvents() {
        assertThat(new SampleBusiness(7, START).events(50, 10))
                .isEqualTo(new SampleBusiness(7, START).events(50, 10))
                .isNotEqualTo(new SampleBusiness(8, START).events(50, 10));
    }

    @Test
    void everyEventIsAValidCloudEventAboutACustomerInTimeOrder() {
        List<String> lines = new SampleBusiness(1, START).events(300, 20);
        EventParser parser = new EventParser(EventFormat.cloudEvents());

        List<Event> events = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            SourceRecord parsed =
                    parser.parse(
                            new ConsumerRecord<>(
                                    "events",
                                    0,
                                    i,
                                    null,
                                    lines.get(i).getBytes(StandardCharsets.UTF_8)));
            assertThat(parsed.isEvent()).as(lines.get(i)).isTrue();
            events.add(parsed.getEvent());
        }

        assertThat(events).hasSize(300);
        assertThat(events)
                .allSatisfy(e -> assertThat(e.getEntity()).matches("customer-([1-9]|1\\d|20)"));
        assertThat(events).extracting(Event::getEventTime).isSorted();
        assertThat(events)
                .extracting(Event::getType)
                .contains(
                        "order.placed",
                        "shipment.dispatched",
                        "shipment.delivered",
                        "ticket.opened");
    }
}
