package dev.embedflow.window;

import dev.embedflow.source.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * The state of one open window of one entity: its bounds, the latest events (at most a bounded
 * number), how many there were in all, their types and topics, and whether the window has fired. A
 * Flink POJO kept in keyed state.
 */
@Internal
public class WindowBuffer {

    private long start;
    private long end;
    private List<Event> events = new ArrayList<>();
    private int totalEvents;
    private List<String> eventTypes = new ArrayList<>();
    private List<String> sourceTopics = new ArrayList<>();
    private boolean fired;

    /** For Flink's POJO serializer. */
    public WindowBuffer() {}

    public WindowBuffer(long start, long end) {
        this.start = start;
        this.end = end;
    }

    /** Adds an event, keeping at most {@code maxEvents} of the latest (in event order). */
    public void add(Event event, int maxEvents) {
        // The list is kept in event order: insert in place instead of sorting on every event.
        int at = Collections.binarySearch(events, event, DocumentRenderer.EVENT_ORDER);
        events.add(at < 0 ? -at - 1 : at, event);
        while (events.size() > maxEvents) {
            events.remove(0);
        }
        totalEvents++;
        if (event.getType() != null) {
            eventTypes = addSorted(eventTypes, event.getType());
        }
        if (event.getTopic() != null) {
            sourceTopics = addSorted(sourceTopics, event.getTopic());
        }
    }

    /** Merges another window's content into this one and widens the bounds (sessions). */
    public void absorb(WindowBuffer other, int maxEvents) {
        start = Math.min(start, other.start);
        end = Math.max(end, other.end);
        events.addAll(other.events);
        events.sort(DocumentRenderer.EVENT_ORDER);
        if (events.size() > maxEvents) {
            events = new ArrayList<>(events.subList(events.size() - maxEvents, events.size()));
        }
        totalEvents += other.totalEvents;
        for (String type : other.eventTypes) {
            eventTypes = addSorted(eventTypes, type);
        }
        for (String topic : other.sourceTopics) {
            sourceTopics = addSorted(sourceTopics, topic);
        }
        fired |= other.fired;
    }

    /**
     * {@code list} (sorted, distinct) with {@code value} in its place; the same list if present.
     */
    private static List<String> addSorted(List<String> list, String value) {
        int at = Collections.binarySearch(list, value);
        if (at < 0) {
            list.add(-at - 1, value);
        }
        return list;
    }

    public long getStart() {
        return start;
    }

    public void setStart(long start) {
        this.start = start;
    }

    public long getEnd() {
        return end;
    }

    public void setEnd(long end) {
        this.end = end;
    }

    public List<Event> getEvents() {
        return events;
    }

    public void setEvents(List<Event> events) {
        this.events = events;
    }

    public int getTotalEvents() {
        return totalEvents;
    }

    public void setTotalEvents(int totalEvents) {
        this.totalEvents = totalEvents;
    }

    public List<String> getEventTypes() {
        return eventTypes;
    }

    public void setEventTypes(List<String> eventTypes) {
        this.eventTypes = eventTypes;
    }

    public List<String> getSourceTopics() {
        return sourceTopics;
    }

    public void setSourceTopics(List<String> sourceTopics) {
        this.sourceTopics = sourceTopics;
    }

    public boolean isFired() {
        return fired;
    }

    public void setFired(boolean fired) {
        this.fired = fired;
    }
}
