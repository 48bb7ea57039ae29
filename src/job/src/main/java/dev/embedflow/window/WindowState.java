package dev.embedflow.window;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * What one open window of one entity keeps besides its events (which are separate state entries):
 * bounds, how many events there were in all and how many entries hold them, their types and topics,
 * whether it has fired or been published at all, whether events arrived since it was last
 * published, and when its next update is due. Small, so that an event rewrites little. A Flink POJO
 * kept in keyed state.
 */
@Internal
public class WindowState {

    private long start;
    private long end;
    private int totalEvents;
    private int storedEvents;
    private long nextEntry;
    private List<String> eventTypes = new ArrayList<>();
    private List<String> sourceTopics = new ArrayList<>();
    private boolean fired;
    private boolean published;
    private boolean changed;
    private long updateDueAt;
    private long newestEventTime = Long.MIN_VALUE;

    /** For Flink's POJO serializer. */
    public WindowState() {}

    public WindowState(long start, long end) {
        this.start = start;
        this.end = end;
    }

    /** Counts an event in; returns the number of its entry. */
    long add(String type, String topic, long eventTime) {
        newestEventTime = Math.max(newestEventTime, eventTime);
        totalEvents++;
        storedEvents++;
        changed = true;
        if (type != null) {
            addSorted(eventTypes, type);
        }
        if (topic != null) {
            addSorted(sourceTopics, topic);
        }
        return nextEntry++;
    }

    /**
     * Merges another window's counts in and widens the bounds (sessions). Its stored events are
     * not: the caller moves them into this window's entries ({@link #setStoredEvents}, {@link
     * #setNextEntry}).
     */
    void absorb(WindowState other) {
        start = Math.min(start, other.start);
        end = Math.max(end, other.end);
        totalEvents += other.totalEvents;
        newestEventTime = Math.max(newestEventTime, other.newestEventTime);
        other.eventTypes.forEach(t -> addSorted(eventTypes, t));
        other.sourceTopics.forEach(t -> addSorted(sourceTopics, t));
        fired |= other.fired;
        changed |= other.changed;
    }

    private static void addSorted(List<String> list, String value) {
        int at = Collections.binarySearch(list, value);
        if (at < 0) {
            list.add(-at - 1, value);
        }
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

    public int getTotalEvents() {
        return totalEvents;
    }

    public void setTotalEvents(int totalEvents) {
        this.totalEvents = totalEvents;
    }

    /** Entries holding this window's events (at most twice the events a document shows). */
    public int getStoredEvents() {
        return storedEvents;
    }

    public void setStoredEvents(int storedEvents) {
        this.storedEvents = storedEvents;
    }

    /** The number the next event's entry gets (unique within the window). */
    public long getNextEntry() {
        return nextEntry;
    }

    public void setNextEntry(long nextEntry) {
        this.nextEntry = nextEntry;
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

    /** Whether the watermark has passed the window's end. */
    public boolean isFired() {
        return fired;
    }

    public void setFired(boolean fired) {
        this.fired = fired;
    }

    /** Whether a document of this window was ever emitted (an update, or the final one). */
    public boolean isPublished() {
        return published;
    }

    public void setPublished(boolean published) {
        this.published = published;
    }

    /** Whether events arrived since the window's document was last emitted. */
    public boolean isChanged() {
        return changed;
    }

    public void setChanged(boolean changed) {
        this.changed = changed;
    }

    /** The newest event time in the window (epoch ms). */
    public long getNewestEventTime() {
        return newestEventTime;
    }

    public void setNewestEventTime(long newestEventTime) {
        this.newestEventTime = newestEventTime;
    }

    /** Processing time of the pending update's timer; 0 when none is pending. */
    public long getUpdateDueAt() {
        return updateDueAt;
    }

    public void setUpdateDueAt(long updateDueAt) {
        this.updateDueAt = updateDueAt;
    }
}
