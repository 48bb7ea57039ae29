package dev.embedflow.source;

import dev.embedflow.deadletter.DeadLetter;
import org.apache.flink.annotation.PublicEvolving;

/**
 * What the source emits for one Kafka record: a parsed {@link Event}, or the {@link DeadLetter}
 * that says why the record could not be parsed. Exactly one of the two is set.
 */
@PublicEvolving
public class SourceRecord {

    private Event event;
    private DeadLetter deadLetter;

    /** For Flink's POJO serializer. */
    public SourceRecord() {}

    public static SourceRecord of(Event event) {
        SourceRecord record = new SourceRecord();
        record.event = event;
        return record;
    }

    public static SourceRecord of(DeadLetter deadLetter) {
        SourceRecord record = new SourceRecord();
        record.deadLetter = deadLetter;
        return record;
    }

    public Event getEvent() {
        return event;
    }

    public void setEvent(Event event) {
        this.event = event;
    }

    public DeadLetter getDeadLetter() {
        return deadLetter;
    }

    public void setDeadLetter(DeadLetter deadLetter) {
        this.deadLetter = deadLetter;
    }

    public boolean isEvent() {
        return event != null;
    }

    @Override
    public String toString() {
        return event != null ? event.toString() : String.valueOf(deadLetter);
    }
}
