package dev.embedflow.window;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.embedflow.source.Event;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Renders an entity's events in a window as readable text with a Mustache template: by default a
 * heading line and one line per event in time order with its type and salient fields.
 *
 * <p>The template sees {@code entity}, {@code windowStart}, {@code windowEnd} (ISO-8601), {@code
 * eventCount}, {@code eventTypes} (comma-separated), {@code sourceTopics}, {@code omittedEvents}
 * (events left out beyond the per-document limit, 0 if none) and {@code events}, each with {@code
 * time}, {@code type}, {@code id}, {@code summary} ({@code name: value} pairs), {@code fields}
 * (list of {@code name}, {@code value}) and {@code payload} (the JSON text). Output is not
 * HTML-escaped. Rendering is deterministic: the same events give the same text.
 */
@PublicEvolving
public final class DocumentRenderer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One line per event, for one document per event ({@code window.mode=NONE}). */
    public static final String ONE_EVENT_TEMPLATE =
            "{{#events}}{{entity}} {{type}} at {{time}}: {{summary}}\n{{/events}}";

    /** The default template. */
    public static final String DEFAULT_TEMPLATE =
            "{{entity}}: {{eventCount}} events from {{windowStart}} to {{windowEnd}}"
                    + " ({{eventTypes}})\n"
                    + "{{#events}}- {{time}} {{type}}: {{summary}}\n{{/events}}"
                    + "{{#omittedEvents}}(and {{omittedEvents}} earlier events not shown)\n{{/omittedEvents}}";

    /** Ordering of events within a document: time, then Kafka coordinates, for determinism. */
    public static final Comparator<Event> EVENT_ORDER =
            Comparator.comparingLong(Event::getEventTime)
                    .thenComparing(e -> e.getTopic() == null ? "" : e.getTopic())
                    .thenComparingInt(Event::getPartition)
                    .thenComparingLong(Event::getOffset);

    private static final Event SAMPLE =
            new Event(
                    "sample-entity",
                    0,
                    "sample.type",
                    "sample-id",
                    "{\"field\":\"value\"}",
                    false,
                    "sample-topic",
                    0,
                    0,
                    0);

    private static final int MAX_FIELDS = 12;
    private static final int MAX_VALUE_CHARS = 200;

    private final String templateText;
    private final int maxEventsShown;
    private transient Template template;
    private transient ObjectMapper mapper;

    /**
     * @param templateText a Mustache template, checked here
     * @param maxEventsShown the most events listed in one document (the latest are kept and the
     *     text says how many were left out)
     * @throws IllegalArgumentException when the template does not compile
     */
    public DocumentRenderer(String templateText, int maxEventsShown) {
        if (maxEventsShown < 1) {
            throw new IllegalArgumentException("maxEventsShown must be at least 1");
        }
        this.templateText = templateText;
        this.maxEventsShown = maxEventsShown;
        // Fails now, at start-up, on a template that does not compile or names unknown variables.
        render("sample-entity", 0, 1, List.of(SAMPLE));
    }

    public static DocumentRenderer withDefaults() {
        return new DocumentRenderer(DEFAULT_TEMPLATE, 100);
    }

    /** Renders events (any order) of one entity in the window [start, end). */
    public String render(String entity, long windowStart, long windowEnd, List<Event> events) {
        return render(
                entity,
                windowStart,
                windowEnd,
                events,
                events.size(),
                eventTypes(events),
                sourceTopics(events));
    }

    /**
     * Renders a window of which only some events are kept (the latest, as a bounded buffer keeps
     * them): {@code totalEvents}, the types and the topics describe all of them.
     */
    public String render(
            String entity,
            long windowStart,
            long windowEnd,
            List<Event> keptEvents,
            int totalEvents,
            List<String> eventTypes,
            List<String> sourceTopics) {
        List<DocumentEvent> prepared = new ArrayList<>(keptEvents.size());
        for (Event event : keptEvents) {
            prepared.add(prepare(event));
        }
        return renderPrepared(
                entity, windowStart, windowEnd, prepared, totalEvents, eventTypes, sourceTopics);
    }

    /**
     * An event as documents show it: its payload parsed into salient fields once, so that a window
     * rendered again (an update, a late event) parses nothing.
     */
    public DocumentEvent prepare(Event event) {
        DocumentEvent prepared = new DocumentEvent();
        prepared.setEventTime(event.getEventTime());
        prepared.setType(event.getType());
        prepared.setId(event.getId());
        prepared.setPayload(event.getPayload());
        prepared.setTopic(event.getTopic());
        prepared.setPartition(event.getPartition());
        prepared.setOffset(event.getOffset());
        prepared.setKafkaTimestamp(event.getKafkaTimestamp());
        List<String> fields = new ArrayList<>();
        for (Map<String, String> field : salientFields(event.getPayload())) {
            fields.add(field.get("name"));
            fields.add(field.get("value"));
        }
        prepared.setFields(fields);
        return prepared;
    }

    /** As {@link #render(String, long, long, List, int, List, List)}, for prepared events. */
    public String renderPrepared(
            String entity,
            long windowStart,
            long windowEnd,
            List<DocumentEvent> keptEvents,
            int totalEvents,
            List<String> eventTypes,
            List<String> sourceTopics) {
        return renderShown(
                entity,
                windowStart,
                windowEnd,
                shown(keptEvents),
                totalEvents,
                eventTypes,
                sourceTopics);
    }

    /**
     * The events a document shows of {@code keptEvents}: the latest {@link #maxEventsShown()}, in
     * event order.
     */
    public List<DocumentEvent> shown(List<DocumentEvent> keptEvents) {
        List<DocumentEvent> sorted = new ArrayList<>(keptEvents);
        sorted.sort(DocumentEvent.ORDER);
        return sorted.subList(Math.max(0, sorted.size() - maxEventsShown), sorted.size());
    }

    /**
     * As {@link #renderPrepared}, for the events {@link #shown} chose (whose origins the caller
     * also needs).
     */
    public String renderShown(
            String entity,
            long windowStart,
            long windowEnd,
            List<DocumentEvent> shown,
            int totalEvents,
            List<String> eventTypes,
            List<String> sourceTopics) {
        int omitted = Math.max(0, totalEvents - shown.size());

        Map<String, Object> context = new LinkedHashMap<>();
        context.put("entity", entity);
        context.put("windowStart", Instant.ofEpochMilli(windowStart).toString());
        context.put("windowEnd", Instant.ofEpochMilli(windowEnd).toString());
        context.put("eventCount", totalEvents);
        context.put("eventTypes", String.join(", ", eventTypes));
        context.put("sourceTopics", String.join(", ", sourceTopics));
        context.put("omittedEvents", omitted);
        List<Map<String, Object>> eventContexts = new ArrayList<>(shown.size());
        for (DocumentEvent event : shown) {
            eventContexts.add(eventContext(event));
        }
        context.put("events", eventContexts);
        try {
            return compiled().execute(context);
        } catch (MustacheException e) {
            throw new IllegalArgumentException(
                    "The document template failed for entity " + entity + ": " + e.getMessage(), e);
        }
    }

    /** The most events one document lists. */
    public int maxEventsShown() {
        return maxEventsShown;
    }

    /** Distinct event types of the events, sorted. */
    public static List<String> eventTypes(List<Event> events) {
        TreeSet<String> types = new TreeSet<>();
        for (Event event : events) {
            if (event.getType() != null) {
                types.add(event.getType());
            }
        }
        return List.copyOf(types);
    }

    /** Distinct topics of the events, sorted. */
    public static List<String> sourceTopics(List<Event> events) {
        TreeSet<String> topics = new TreeSet<>();
        for (Event event : events) {
            if (event.getTopic() != null) {
                topics.add(event.getTopic());
            }
        }
        return List.copyOf(topics);
    }

    private static Map<String, Object> eventContext(DocumentEvent event) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("time", Instant.ofEpochMilli(event.getEventTime()).toString());
        context.put("type", event.getType() == null ? "event" : event.getType());
        context.put("id", event.getId() == null ? "" : event.getId());
        context.put("payload", event.getPayload() == null ? "" : event.getPayload());
        List<Map<String, String>> fields = new ArrayList<>(event.getFields().size() / 2);
        for (int i = 0; i + 1 < event.getFields().size(); i += 2) {
            fields.add(field(event.getFields().get(i), event.getFields().get(i + 1)));
        }
        context.put("fields", fields);
        List<String> pairs = new ArrayList<>(fields.size());
        for (Map<String, String> field : fields) {
            pairs.add(field.get("name") + ": " + field.get("value"));
        }
        context.put("summary", String.join(", ", pairs));
        return context;
    }

    /** Scalar fields of the payload, nested objects flattened one level as {@code a.b}. */
    private List<Map<String, String>> salientFields(String payload) {
        List<Map<String, String>> fields = new ArrayList<>();
        if (payload == null || payload.isEmpty()) {
            return fields;
        }
        JsonNode root;
        try {
            root = mapper().readTree(payload);
        } catch (JsonProcessingException e) {
            fields.add(field("value", payload));
            return fields;
        }
        if (!root.isObject()) {
            fields.add(field("value", describe(root)));
            return fields;
        }
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext() && fields.size() < MAX_FIELDS) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            if (value.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> nested = value.fields();
                while (nested.hasNext() && fields.size() < MAX_FIELDS) {
                    Map.Entry<String, JsonNode> inner = nested.next();
                    if (!inner.getValue().isNull()) {
                        fields.add(
                                field(
                                        entry.getKey() + "." + inner.getKey(),
                                        describe(inner.getValue())));
                    }
                }
            } else if (!value.isNull()) {
                fields.add(field(entry.getKey(), describe(value)));
            }
        }
        return fields;
    }

    private static String describe(JsonNode value) {
        String text;
        if (value.isValueNode()) {
            text = value.asText();
        } else if (value.isArray()) {
            List<String> items = new ArrayList<>();
            boolean scalars = true;
            for (JsonNode item : value) {
                scalars &= item.isValueNode();
                items.add(item.isValueNode() ? item.asText() : "");
            }
            text = scalars ? String.join(", ", items) : value.size() + " items";
        } else {
            text = value.toString();
        }
        return text.length() <= MAX_VALUE_CHARS
                ? text
                : text.substring(0, MAX_VALUE_CHARS) + "… (" + text.length() + " chars)";
    }

    private static Map<String, String> field(String name, String value) {
        Map<String, String> field = new LinkedHashMap<>();
        field.put("name", name);
        field.put("value", value);
        return field;
    }

    private Template compiled() {
        if (template == null) {
            try {
                template =
                        Mustache.compiler()
                                .escapeHTML(false)
                                .zeroIsFalse(true)
                                .nullValue("")
                                .compile(templateText);
            } catch (MustacheException e) {
                throw new IllegalArgumentException(
                        "The document template does not compile: " + e.getMessage(), e);
            }
        }
        return template;
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            mapper = new ObjectMapper();
        }
        return mapper;
    }
}
