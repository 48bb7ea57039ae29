package dev.embedflow.source;

import java.io.Serializable;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.MemorySize;

/**
 * How to read an event out of a Kafka record: where the entity key, time, type, id and payload are
 * (JSON pointers into the value), which event types delete an entity, and how large a record may
 * be. The defaults read CloudEvents in structured mode; records with {@code ce_specversion} header
 * are read in CloudEvents binary mode (attributes in {@code ce_} headers, the value is the data).
 */
@PublicEvolving
public final class EventFormat implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String keyPointer;
    private final String timePointer;
    private final String typePointer;
    private final String idPointer;
    private final String payloadPointer;
    private final Set<String> deleteTypes;
    private final MemorySize maxRecordSize;
    private final boolean cloudEventsBinaryMode;

    private EventFormat(Builder b) {
        this.keyPointer = b.keyPointer;
        this.timePointer = b.timePointer;
        this.typePointer = b.typePointer;
        this.idPointer = b.idPointer;
        this.payloadPointer = b.payloadPointer;
        this.deleteTypes = Set.copyOf(b.deleteTypes);
        this.maxRecordSize = b.maxRecordSize;
        this.cloudEventsBinaryMode = b.cloudEventsBinaryMode;
    }

    /** CloudEvents: key = subject, time = time, type = type, id = id, payload = data. */
    public static EventFormat cloudEvents() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** JSON pointer to the entity key; empty means the Kafka record key. */
    public String keyPointer() {
        return keyPointer;
    }

    public String timePointer() {
        return timePointer;
    }

    public String typePointer() {
        return typePointer;
    }

    public String idPointer() {
        return idPointer;
    }

    /** JSON pointer to the payload; empty means the whole value. */
    public String payloadPointer() {
        return payloadPointer;
    }

    public Set<String> deleteTypes() {
        return deleteTypes;
    }

    public MemorySize maxRecordSize() {
        return maxRecordSize;
    }

    /** Whether records with a {@code ce_specversion} header are read in CloudEvents binary mode. */
    public boolean cloudEventsBinaryMode() {
        return cloudEventsBinaryMode;
    }

    @Override
    public String toString() {
        return "EventFormat[key="
                + keyPointer
                + ", time="
                + timePointer
                + ", type="
                + typePointer
                + ", id="
                + idPointer
                + ", payload="
                + payloadPointer
                + ", deleteTypes="
                + deleteTypes
                + ", maxRecordSize="
                + maxRecordSize.toHumanReadableString()
                + ", binaryMode="
                + cloudEventsBinaryMode
                + "]";
    }

    /** Settings of an {@link EventFormat}; {@link #build()} checks them once. */
    public static final class Builder {
        private String keyPointer = "/subject";
        private String timePointer = "/time";
        private String typePointer = "/type";
        private String idPointer = "/id";
        private String payloadPointer = "/data";
        private Set<String> deleteTypes = Set.of();
        private MemorySize maxRecordSize = MemorySize.parse("1mb");
        private boolean cloudEventsBinaryMode = true;

        private Builder() {}

        /** Read records with a {@code ce_specversion} header in binary mode (default true). */
        public Builder cloudEventsBinaryMode(boolean cloudEventsBinaryMode) {
            this.cloudEventsBinaryMode = cloudEventsBinaryMode;
            return this;
        }

        public Builder keyPointer(String keyPointer) {
            this.keyPointer = keyPointer;
            return this;
        }

        public Builder timePointer(String timePointer) {
            this.timePointer = timePointer;
            return this;
        }

        public Builder typePointer(String typePointer) {
            this.typePointer = typePointer;
            return this;
        }

        public Builder idPointer(String idPointer) {
            this.idPointer = idPointer;
            return this;
        }

        public Builder payloadPointer(String payloadPointer) {
            this.payloadPointer = payloadPointer;
            return this;
        }

        public Builder deleteTypes(Set<String> deleteTypes) {
            this.deleteTypes = deleteTypes;
            return this;
        }

        public Builder maxRecordSize(MemorySize maxRecordSize) {
            this.maxRecordSize = maxRecordSize;
            return this;
        }

        public EventFormat build() {
            checkPointer("key pointer", keyPointer, true);
            checkPointer("time pointer", timePointer, false);
            checkPointer("type pointer", typePointer, true);
            checkPointer("id pointer", idPointer, true);
            checkPointer("payload pointer", payloadPointer, true);
            Objects.requireNonNull(deleteTypes, "deleteTypes");
            if (maxRecordSize == null || maxRecordSize.getBytes() == 0) {
                throw new IllegalArgumentException("maxRecordSize must be positive");
            }
            return new EventFormat(this);
        }

        private static void checkPointer(String what, String pointer, boolean mayBeEmpty) {
            if (pointer == null || (!mayBeEmpty && pointer.isEmpty())) {
                throw new IllegalArgumentException("The " + what + " must be set");
            }
            if (!pointer.isEmpty() && !pointer.startsWith("/")) {
                throw new IllegalArgumentException(
                        "The "
                                + what
                                + " '"
                                + pointer
                                + "' is not a JSON pointer: it must start with '/', as in /subject or /data/customerId");
            }
        }
    }
}
