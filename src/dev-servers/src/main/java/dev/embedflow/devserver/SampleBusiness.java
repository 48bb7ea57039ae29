package dev.embedflow.devserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * CloudEvents of a small, made-up business (an outdoor-gear shop): customers sign up, place, ship,
 * deliver and return orders, and open and resolve support tickets. Every event is about a customer
 * ({@code subject} = {@code customer-N}), so that documents per customer read like a history an
 * analyst would search. The same seed gives the same events.
 */
public final class SampleBusiness {

    private static final String[] FIRST_NAMES = {
        "Ada", "Bruno", "Chloé", "Dmitri", "Elena", "Farah", "Goran", "Hana", "Ines", "Jonas",
        "Kemal", "Lucía", "Mateo", "Nora", "Oskar", "Priya"
    };
    private static final String[] CITIES = {
        "Lyon", "Porto", "Graz", "Utrecht", "Gdańsk", "Bergen", "Bologna", "Leipzig"
    };
    private static final String[] PRODUCTS = {
        "trail running shoes",
        "rain jacket",
        "two-person tent",
        "down sleeping bag",
        "trekking poles",
        "headlamp",
        "camping stove",
        "30 l daypack",
        "merino base layer",
        "water filter"
    };
    private static final String[] CARRIERS = {"DHL", "UPS", "PostNL", "GLS"};
    private static final String[] TICKET_TOPICS = {
        "the parcel has not arrived and tracking shows no update for five days",
        "the tent pole snapped on the first night",
        "I was charged twice for the same order",
        "I cannot log in after resetting my password",
        "the jacket is too small and I want to exchange it for a larger size",
        "the headlamp battery does not hold a charge"
    };
    private static final String[] RETURN_REASONS = {
        "wrong size", "arrived damaged", "not as described", "changed my mind"
    };

    private final ObjectMapper json = new ObjectMapper();
    private final Random random;
    private final String source;
    private Instant clock;
    private int nextEventId;
    private int nextOrderId = 1000;
    private int nextTicketId = 300;

    /**
     * @param seed the same seed gives the same events
     * @param start the time of the first event; later events follow minutes to hours apart
     */
    public SampleBusiness(long seed, Instant start) {
        this.random = new Random(seed);
        this.source = "/shop/sample";
        this.clock = start;
    }

    /** {@code count} events as CloudEvents JSON (structured mode), in time order. */
    public List<String> events(int count, int customers) {
        List<String> events = new ArrayList<>(count);
        while (events.size() < count) {
            int customer = 1 + random.nextInt(customers);
            for (String event : story("customer-" + customer, customer)) {
                if (events.size() < count) {
                    events.add(event);
                }
            }
        }
        return events;
    }

    /** A short episode of one customer: an order and what follows, maybe a ticket. */
    private List<String> story(String subject, int customer) {
        List<String> events = new ArrayList<>();
        if (random.nextInt(6) == 0) {
            ObjectNode data = json.createObjectNode();
            data.put("name", FIRST_NAMES[customer % FIRST_NAMES.length]);
            data.put("city", CITIES[customer % CITIES.length]);
            data.put("plan", random.nextBoolean() ? "basic" : "premium");
            events.add(event("customer.signed_up", subject, data));
        }
        int orderId = nextOrderId++;
        ObjectNode order = json.createObjectNode();
        order.put("orderId", String.valueOf(orderId));
        String product = PRODUCTS[random.nextInt(PRODUCTS.length)];
        order.put("items", product);
        order.put("total", Math.round((20 + random.nextDouble() * 380) * 100) / 100.0);
        order.put("currency", "EUR");
        events.add(event("order.placed", subject, order));

        ObjectNode shipped = json.createObjectNode();
        shipped.put("orderId", String.valueOf(orderId));
        shipped.put("carrier", CARRIERS[random.nextInt(CARRIERS.length)]);
        boolean late = random.nextInt(4) == 0;
        shipped.put("delayDays", late ? 2 + random.nextInt(5) : 0);
        events.add(event("shipment.dispatched", subject, shipped));

        if (!late || random.nextBoolean()) {
            ObjectNode delivered = json.createObjectNode();
            delivered.put("orderId", String.valueOf(orderId));
            delivered.put("signedBy", FIRST_NAMES[random.nextInt(FIRST_NAMES.length)]);
            events.add(event("shipment.delivered", subject, delivered));
            if (random.nextInt(5) == 0) {
                ObjectNode returned = json.createObjectNode();
                returned.put("orderId", String.valueOf(orderId));
                returned.put("product", product);
                returned.put("reason", RETURN_REASONS[random.nextInt(RETURN_REASONS.length)]);
                events.add(event("order.returned", subject, returned));
            }
        }
        if (late || random.nextInt(5) == 0) {
            int ticketId = nextTicketId++;
            ObjectNode opened = json.createObjectNode();
            opened.put("ticketId", String.valueOf(ticketId));
            opened.put("orderId", String.valueOf(orderId));
            opened.put(
                    "message",
                    late
                            ? TICKET_TOPICS[0]
                            : TICKET_TOPICS[1 + random.nextInt(TICKET_TOPICS.length - 1)]);
            events.add(event("ticket.opened", subject, opened));
            if (random.nextBoolean()) {
                ObjectNode resolved = json.createObjectNode();
                resolved.put("ticketId", String.valueOf(ticketId));
                resolved.put(
                        "resolution",
                        random.nextBoolean() ? "refund issued" : "replacement shipped");
                events.add(event("ticket.resolved", subject, resolved));
            }
        }
        return events;
    }

    private String event(String type, String subject, ObjectNode data) {
        clock = clock.plus(Duration.ofMinutes(1 + random.nextInt(90)));
        ObjectNode event = json.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", "sample-" + nextEventId++);
        event.put("source", source);
        event.put("type", type);
        event.put("subject", subject);
        event.put("time", clock.toString());
        event.put("datacontenttype", "application/json");
        event.set("data", data);
        return event.toString();
    }
}
