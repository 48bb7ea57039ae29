package dev.embedflow.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;

/**
 * Splits Markdown at its ATX headings ({@code #} to {@code ######}, not inside fenced code blocks)
 * into sections, so that no chunk spans two sections. Each section keeps its heading line and is
 * named by its heading path, e.g. {@code Install > Linux}.
 */
@Internal
public final class MarkdownSections {

    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})[ \\t]+(.*?)[ \\t#]*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");

    /**
     * A section: its heading path ({@code null} for text before the first heading) and its text,
     * heading line included.
     */
    public record Section(String path, String text) {}

    private MarkdownSections() {}

    /** The sections of {@code markdown} in order; blank sections are left out. */
    public static List<Section> split(String markdown) {
        List<Section> sections = new ArrayList<>();
        String[] titles = new String[7];
        String path = null;
        StringBuilder current = new StringBuilder();
        boolean inFence = false;
        for (String line : markdown.split("\n", -1)) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
            }
            Matcher heading = inFence ? null : HEADING.matcher(line);
            if (heading != null && heading.matches()) {
                add(sections, path, current);
                current.setLength(0);
                int level = heading.group(1).length();
                titles[level] = heading.group(2).strip();
                for (int deeper = level + 1; deeper < titles.length; deeper++) {
                    titles[deeper] = null;
                }
                List<String> parts = new ArrayList<>();
                for (int l = 1; l <= level; l++) {
                    if (titles[l] != null) {
                        parts.add(titles[l]);
                    }
                }
                path = String.join(" > ", parts);
            }
            current.append(line).append('\n');
        }
        add(sections, path, current);
        return sections;
    }

    private static void add(List<Section> sections, String path, StringBuilder text) {
        String body = text.toString().strip();
        if (!body.isEmpty()) {
            sections.add(new Section(path, body));
        }
    }
}
