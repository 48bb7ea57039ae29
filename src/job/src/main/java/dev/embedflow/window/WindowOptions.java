package dev.embedflow.window;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/** Settings of the windows and the documents they render, as typed Flink options. */
@PublicEvolving
public final class WindowOptions {

    public static final ConfigOption<WindowSpec.Mode> MODE =
            key("window.mode")
                    .enumType(WindowSpec.Mode.class)
                    .defaultValue(WindowSpec.Mode.TUMBLING)
                    .withDescription(
                            "NONE (one document per event), TUMBLING, SLIDING or SESSION windows per"
                                    + " entity, in event time.");

    public static final ConfigOption<Duration> SIZE =
            key("window.size")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription("Length of TUMBLING and SLIDING windows.");

    public static final ConfigOption<Duration> SLIDE =
            key("window.slide")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "How often a SLIDING window starts; window.size must be a multiple of"
                                    + " it. Required for SLIDING.");

    public static final ConfigOption<Duration> SESSION_GAP =
            key("window.session-gap")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(30))
                    .withDescription("A SESSION window closes after this long without events.");

    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            key("window.allowed-lateness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Events this late (behind the watermark) still update their window's"
                                    + " document; later ones go to the dead-letter topic.");

    public static final ConfigOption<WindowSpec.IdMode> ID_MODE =
            key("window.id-mode")
                    .enumType(WindowSpec.IdMode.class)
                    .defaultValue(WindowSpec.IdMode.HISTORY)
                    .withDescription(
                            "HISTORY: one document per entity and window (id entity@windowStart)."
                                    + " LATEST: one document per entity (id entity), overwritten"
                                    + " by each window.");

    public static final ConfigOption<String> TEMPLATE =
            key("window.template")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A Mustache template for the document text (see the README); by"
                                    + " default a heading and one line per event with its type and"
                                    + " fields.");

    public static final ConfigOption<String> TEMPLATE_FILE =
            key("window.template-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A file holding the Mustache template (instead of window.template).");

    public static final ConfigOption<Integer> MAX_EVENTS_PER_DOCUMENT =
            key("window.max-events-per-document")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "The latest this many events of a window are listed (and kept in state);"
                                    + " the text says how many earlier ones were left out.");

    public static final ConfigOption<Duration> UNCHANGED_FILTER_TTL =
            key("window.unchanged-filter-ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "How long the job remembers the content hash and chunk count of a"
                                    + " document it emitted: a changed document within this time"
                                    + " goes straight to embedding; any other is first compared"
                                    + " with the index, which has the last word on what is"
                                    + " unchanged.");

    public static final ConfigOption<Duration> UPDATE_INTERVAL =
            key("window.update-interval")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "While a window is open, publish its document (same id) at most this"
                                    + " often when new events arrived, so that a long window says"
                                    + " something about now; it is published once more when the"
                                    + " window closes if it changed since. Unset: only when the"
                                    + " window closes. Not for window.mode NONE.");

    private WindowOptions() {}

    /** Every option of this class, for the configuration reference. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                MODE,
                SIZE,
                SLIDE,
                SESSION_GAP,
                ALLOWED_LATENESS,
                ID_MODE,
                TEMPLATE,
                TEMPLATE_FILE,
                MAX_EVENTS_PER_DOCUMENT,
                UPDATE_INTERVAL,
                UNCHANGED_FILTER_TTL);
    }

    /**
     * The window specification from the configuration.
     *
     * @throws IllegalArgumentException naming the key of a bad setting
     */
    public static WindowSpec windowSpec(ReadableConfig config) {
        WindowSpec.IdMode idMode = config.get(ID_MODE);
        Duration lateness = config.get(ALLOWED_LATENESS);
        try {
            return windows(config, idMode, lateness)
                    .withUpdateInterval(config.getOptional(UPDATE_INTERVAL).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad window.* setting: " + e.getMessage(), e);
        }
    }

    private static WindowSpec windows(
            ReadableConfig config, WindowSpec.IdMode idMode, Duration lateness) {
        return switch (config.get(MODE)) {
            case NONE -> WindowSpec.none(idMode);
            case TUMBLING -> WindowSpec.tumbling(config.get(SIZE), lateness, idMode);
            case SLIDING ->
                    WindowSpec.sliding(
                            config.get(SIZE),
                            config.getOptional(SLIDE)
                                    .orElseThrow(
                                            () ->
                                                    new IllegalArgumentException(
                                                            SLIDE.key()
                                                                    + " is required for SLIDING windows")),
                            lateness,
                            idMode);
            case SESSION -> WindowSpec.session(config.get(SESSION_GAP), lateness, idMode);
        };
    }

    /**
     * The document renderer from the configuration: the template from {@link #TEMPLATE} or {@link
     * #TEMPLATE_FILE}, checked now.
     */
    public static DocumentRenderer renderer(ReadableConfig config) {
        Optional<String> inline = config.getOptional(TEMPLATE);
        Optional<String> file = config.getOptional(TEMPLATE_FILE);
        if (inline.isPresent() && file.isPresent()) {
            throw new IllegalArgumentException(
                    "Set at most one of " + TEMPLATE.key() + " and " + TEMPLATE_FILE.key());
        }
        String template = inline.orElse(DocumentRenderer.DEFAULT_TEMPLATE);
        if (file.isPresent()) {
            try {
                template = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        TEMPLATE_FILE.key() + ": cannot read " + file.get() + ": " + e.getMessage(),
                        e);
            }
        }
        int maxEvents = config.get(MAX_EVENTS_PER_DOCUMENT);
        if (maxEvents < 1) {
            throw new IllegalArgumentException(
                    MAX_EVENTS_PER_DOCUMENT.key() + " must be at least 1, was " + maxEvents);
        }
        try {
            return new DocumentRenderer(template, maxEvents);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    (file.isPresent() ? TEMPLATE_FILE.key() : TEMPLATE.key())
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
