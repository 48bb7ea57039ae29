package dev.embedflow.window;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * How events of an entity are grouped into documents, and how documents are identified.
 *
 * <ul>
 *   <li>{@code NONE}: one document per event;
 *   <li>{@code TUMBLING}: fixed, non-overlapping windows of {@code size} (aligned to the epoch);
 *   <li>{@code SLIDING}: windows of {@code size} starting every {@code slide};
 *   <li>{@code SESSION}: a window per burst of activity, closed after {@code gap} without events.
 * </ul>
 *
 * In {@link IdMode#HISTORY} every window is its own document ({@code entity@windowStart}); in
 * {@link IdMode#LATEST} each window overwrites the entity's one document ({@code entity}). Events
 * up to {@code allowedLateness} behind the watermark still update their window's document. With an
 * {@code updateInterval}, an open window's document is also published while the window is open, at
 * most that often (processing time) and only when new events arrived, under the same id.
 */
@PublicEvolving
public final class WindowSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The window kinds. */
    public enum Mode {
        NONE,
        TUMBLING,
        SLIDING,
        SESSION
    }

    /** How document ids are formed. */
    public enum IdMode {
        HISTORY,
        LATEST
    }

    private final Mode mode;
    private final Duration size;
    private final Duration slide;
    private final Duration gap;
    private final Duration allowedLateness;
    private final IdMode idMode;
    private final Duration updateInterval;

    private WindowSpec(
            Mode mode,
            Duration size,
            Duration slide,
            Duration gap,
            Duration allowedLateness,
            IdMode idMode) {
        this(mode, size, slide, gap, allowedLateness, idMode, null);
    }

    private WindowSpec(
            Mode mode,
            Duration size,
            Duration slide,
            Duration gap,
            Duration allowedLateness,
            IdMode idMode,
            Duration updateInterval) {
        this.mode = mode;
        this.size = size;
        this.slide = slide;
        this.gap = gap;
        this.allowedLateness = allowedLateness;
        this.idMode = idMode;
        this.updateInterval = updateInterval;
    }

    /**
     * This spec, publishing an open window's document at most every {@code interval} (processing
     * time) while new events arrive; {@code null} or zero: only when the window closes. Not for
     * {@link Mode#NONE}, whose documents are published at once.
     */
    public WindowSpec withUpdateInterval(Duration interval) {
        if (interval != null && interval.isNegative()) {
            throw new IllegalArgumentException(
                    "The update interval must not be negative, was " + interval);
        }
        Duration effective = interval == null || interval.isZero() ? null : interval;
        if (effective != null && mode == Mode.NONE) {
            throw new IllegalArgumentException(
                    "An update interval needs windows: with window.mode NONE every event is"
                            + " published at once");
        }
        return new WindowSpec(mode, size, slide, gap, allowedLateness, idMode, effective);
    }

    /** Milliseconds between updates of an open window's document; 0: none. */
    public long updateIntervalMillis() {
        return updateInterval == null ? 0 : Math.max(1, updateInterval.toMillis());
    }

    public static WindowSpec none(IdMode idMode) {
        return new WindowSpec(Mode.NONE, null, null, null, Duration.ZERO, idMode);
    }

    public static WindowSpec tumbling(Duration size, Duration allowedLateness, IdMode idMode) {
        positive("window size", size);
        return new WindowSpec(Mode.TUMBLING, size, size, null, lateness(allowedLateness), idMode);
    }

    public static WindowSpec sliding(
            Duration size, Duration slide, Duration allowedLateness, IdMode idMode) {
        positive("window size", size);
        positive("window slide", slide);
        if (slide.compareTo(size) > 0) {
            throw new IllegalArgumentException(
                    "The window slide ("
                            + slide
                            + ") must not exceed the window size ("
                            + size
                            + ")");
        }
        if (size.toMillis() % slide.toMillis() != 0) {
            throw new IllegalArgumentException(
                    "The window size ("
                            + size
                            + ") must be a multiple of the slide ("
                            + slide
                            + ")");
        }
        return new WindowSpec(Mode.SLIDING, size, slide, null, lateness(allowedLateness), idMode);
    }

    public static WindowSpec session(Duration gap, Duration allowedLateness, IdMode idMode) {
        positive("session gap", gap);
        return new WindowSpec(Mode.SESSION, null, null, gap, lateness(allowedLateness), idMode);
    }

    public Mode mode() {
        return mode;
    }

    public long sizeMillis() {
        return size.toMillis();
    }

    public long slideMillis() {
        return slide.toMillis();
    }

    public long gapMillis() {
        return gap.toMillis();
    }

    public long allowedLatenessMillis() {
        return allowedLateness.toMillis();
    }

    public IdMode idMode() {
        return idMode;
    }

    private static void positive(String what, Duration value) {
        if (value == null || value.isZero() || value.isNegative() || value.toMillis() == 0) {
            throw new IllegalArgumentException(
                    "The " + what + " must be at least 1 ms, was " + value);
        }
    }

    private static Duration lateness(Duration value) {
        Objects.requireNonNull(value, "allowedLateness");
        if (value.isNegative()) {
            throw new IllegalArgumentException(
                    "The allowed lateness must not be negative, was " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return describe() + (updateInterval == null ? "" : ", updates every " + updateInterval);
    }

    private String describe() {
        return switch (mode) {
            case NONE -> "none (" + idMode + ")";
            case TUMBLING ->
                    "tumbling " + size + ", lateness " + allowedLateness + " (" + idMode + ")";
            case SLIDING ->
                    "sliding "
                            + size
                            + " every "
                            + slide
                            + ", lateness "
                            + allowedLateness
                            + " ("
                            + idMode
                            + ")";
            case SESSION ->
                    "session gap " + gap + ", lateness " + allowedLateness + " (" + idMode + ")";
        };
    }
}
