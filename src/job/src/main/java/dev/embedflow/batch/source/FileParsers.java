package dev.embedflow.batch.source;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.embedflow.batch.SourceDocument;
import dev.embedflow.batch.SourceDocument.Part;
import dev.embedflow.chunk.MarkdownSections;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.flink.annotation.Internal;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeVisitor;

/**
 * Reads one file in a {@link DocumentFormat} into {@link SourceItem}s: documents, and dead letters
 * for what cannot be read, with the file's path and the line (the page for PDF) where that applies.
 * Record formats (JSON lines, CSV) are read lazily, record by record; a bad record is reported and
 * the next one read.
 */
@Internal
public final class FileParsers implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Most bytes of a bad record kept in its dead letter. */
    private static final int MAX_PAYLOAD = 64 * 1024;

    private final DocumentFormat format;
    private final RecordFields jsonFields;
    private final RecordFields csvFields;
    private final char csvSeparator;

    public FileParsers(
            DocumentFormat format,
            RecordFields jsonFields,
            RecordFields csvFields,
            char csvSeparator) {
        this.format = format;
        this.jsonFields = jsonFields;
        this.csvFields = csvFields;
        this.csvSeparator = csvSeparator;
    }

    /** The format {@code path} is read in, or null when AUTO finds none for its extension. */
    public DocumentFormat formatOf(String path) {
        return format == DocumentFormat.AUTO ? DocumentFormat.byExtension(path) : format;
    }

    /**
     * The items of the file at {@code path}, read from {@code in} (which the caller closes). Never
     * throws for bad content: that becomes a dead letter.
     */
    public Iterator<SourceItem> parse(String path, InputStream in) {
        DocumentFormat fileFormat = formatOf(path);
        if (fileFormat == null) {
            return single(
                    deadLetter(
                            path,
                            null,
                            "unsupported file type (no reader for its extension; choose one with"
                                    + " --format)",
                            null));
        }
        try {
            return switch (fileFormat) {
                case JSONL -> jsonLines(path, in);
                case JSON -> json(path, in);
                case CSV -> csv(path, in);
                case TEXT -> single(text(path, in, false));
                case MARKDOWN -> single(text(path, in, true));
                case HTML -> single(html(path, in));
                case PDF -> single(pdf(path, in));
                case AUTO -> throw new IllegalStateException("AUTO is resolved above");
            };
        } catch (IOException | RuntimeException e) {
            return single(deadLetter(path, null, "could not read: " + message(e), null));
        }
    }

    // ---------------------------------------------------------------- JSON

    private Iterator<SourceItem> jsonLines(String path, InputStream in) {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        return new Iterator<>() {
            private long line;
            private SourceItem next;

            @Override
            public boolean hasNext() {
                try {
                    while (next == null) {
                        String text = reader.readLine();
                        if (text == null) {
                            return false;
                        }
                        line++;
                        if (text.isBlank()) {
                            continue;
                        }
                        next = jsonLine(path, line, text);
                    }
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException("reading " + path, e);
                }
            }

            @Override
            public SourceItem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                SourceItem item = next;
                next = null;
                return item;
            }
        };
    }

    private SourceItem jsonLine(String path, long line, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return deadLetter(path, line, "invalid JSON: " + e.getOriginalMessage(), text);
        }
        return jsonRecord(path, line, String.valueOf(line), node, DocumentFormat.JSONL, text);
    }

    private Iterator<SourceItem> json(String path, InputStream in) throws IOException {
        JsonParser parser = JSON.getFactory().createParser(in);
        JsonToken first = parser.nextToken();
        if (first == null) {
            return single(deadLetter(path, null, "empty JSON file", null));
        }
        boolean array = first == JsonToken.START_ARRAY;
        if (array) {
            parser.nextToken();
        }
        return new Iterator<>() {
            private long index;
            private boolean failed;

            @Override
            public boolean hasNext() {
                JsonToken token = parser.currentToken();
                return !failed && token != null && !(array && token == JsonToken.END_ARRAY);
            }

            @Override
            public SourceItem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                JsonLocation location = parser.currentTokenLocation();
                long line = location.getLineNr();
                try {
                    JsonNode node = JSON.readTree(parser);
                    parser.nextToken();
                    String key = array ? String.valueOf(index) : String.valueOf(line);
                    index++;
                    return jsonRecord(path, line, key, node, DocumentFormat.JSON, null);
                } catch (IOException e) {
                    // A syntax error: the rest of the file cannot be read reliably.
                    failed = true;
                    long at =
                            e instanceof JsonProcessingException p && p.getLocation() != null
                                    ? p.getLocation().getLineNr()
                                    : line;
                    return deadLetter(
                            path,
                            at,
                            "invalid JSON (the rest of the file is skipped): " + message(e),
                            null);
                }
            }
        };
    }

    private SourceItem jsonRecord(
            String path, long line, String position, JsonNode node, DocumentFormat as, String raw) {
        if (!node.isObject()) {
            return deadLetter(path, line, "not a JSON object: " + node.getNodeType(), raw);
        }
        RecordFields configured = jsonFields;
        String idPointer =
                configured.id() != null
                        ? configured.id()
                        : (hasText(node.get("id")) || node.path("id").isNumber() ? "/id" : null);
        String key = position;
        if (idPointer != null) {
            JsonNode id = node.at(idPointer);
            if (!id.isValueNode() || id.asText().isBlank()) {
                return deadLetter(path, line, "no id at " + idPointer, raw);
            }
            key = id.asText();
        }
        String titlePointer =
                configured.title() != null
                        ? configured.title()
                        : hasText(node.get("title"))
                                ? "/title"
                                : hasText(node.get("name")) ? "/name" : null;
        List<String> textPointers =
                configured.findsText() ? jsonTextFields(node, idPointer) : configured.text();
        RecordFields fields = configured.resolved(idPointer, textPointers, titlePointer);
        List<String> texts = new ArrayList<>();
        for (String pointer : fields.text()) {
            JsonNode value = node.at(pointer);
            if (value.isValueNode() && !value.asText().isBlank()) {
                texts.add(value.asText());
            } else if (value.isArray()) {
                value.forEach(v -> texts.add(v.isValueNode() ? v.asText() : v.toString()));
            }
        }
        if (texts.isEmpty()) {
            return deadLetter(
                    path,
                    line,
                    fields.text().isEmpty()
                            ? "no field holds text (set batch.json.text-pointers)"
                            : "no text at " + String.join(", ", fields.text()),
                    raw);
        }
        String title = fields.title() == null ? null : node.at(fields.title()).asText(null);
        Map<String, String> metadata = new LinkedHashMap<>();
        if (fields.metadata().isEmpty()) {
            node.properties()
                    .forEach(
                            e -> {
                                if (e.getValue().isValueNode()
                                        && !e.getValue().isNull()
                                        && !fields.isDocumentField(pointer(e.getKey()))) {
                                    metadata.put(e.getKey(), e.getValue().asText());
                                }
                            });
        } else {
            for (String pointer : fields.metadata()) {
                JsonNode value = node.at(pointer);
                if (value.isValueNode() && !value.isNull()) {
                    metadata.put(pointer.substring(pointer.lastIndexOf('/') + 1), value.asText());
                }
            }
        }
        return SourceItem.document(
                new SourceDocument(
                        path + ":" + key,
                        "file",
                        path,
                        as.label(),
                        title,
                        metadata,
                        List.of(Part.of(String.join("\n\n", texts))),
                        Origin.file(path, line),
                        fields.text()));
    }

    // ---------------------------------------------------------------- CSV

    private Iterator<SourceItem> csv(String path, InputStream in) throws IOException {
        CsvMapper mapper = new CsvMapper();
        MappingIterator<List<String>> rows =
                mapper.readerForListOf(String.class)
                        .with(CsvParser.Feature.WRAP_AS_ARRAY)
                        .with(CsvSchema.emptySchema().withColumnSeparator(csvSeparator))
                        .readValues(new InputStreamReader(in, StandardCharsets.UTF_8));
        if (!rows.hasNextValue()) {
            return single(deadLetter(path, null, "empty CSV file (no header)", null));
        }
        List<String> header = rows.nextValue();
        for (String column : csvFields.text()) {
            if (!header.contains(column)) {
                return single(
                        deadLetter(
                                path,
                                1L,
                                "the header has no text column '"
                                        + column
                                        + "' (columns: "
                                        + String.join(", ", header)
                                        + ")",
                                null));
            }
        }
        return new Iterator<>() {
            private long line = 1;
            private boolean failed;

            @Override
            public boolean hasNext() {
                try {
                    return !failed && rows.hasNextValue();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public SourceItem next() {
                long at = rows.getCurrentLocation().getLineNr();
                line = Math.max(line + 1, at);
                List<String> row;
                try {
                    row = rows.nextValue();
                } catch (IOException | RuntimeException e) {
                    failed = true;
                    return deadLetter(
                            path,
                            line,
                            "invalid CSV (the rest of the file is skipped): " + message(e),
                            null);
                }
                if (row.size() != header.size()) {
                    return deadLetter(
                            path,
                            line,
                            "ragged row: "
                                    + row.size()
                                    + " fields where the header has "
                                    + header.size(),
                            String.join(String.valueOf(csvSeparator), row));
                }
                Map<String, String> values = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    values.put(header.get(i), row.get(i));
                }
                return csvRecord(path, line, values);
            }
        };
    }

    /**
     * A record's text fields when none are configured: {@code /text} if it holds text, else every
     * top-level field holding text but the id.
     */
    static List<String> jsonTextFields(JsonNode node, String idPointer) {
        if (hasText(node.get("text"))) {
            return List.of("/text");
        }
        List<String> pointers = new ArrayList<>();
        node.properties()
                .forEach(
                        e -> {
                            String pointer = pointer(e.getKey());
                            if (hasText(e.getValue()) && !pointer.equals(idPointer)) {
                                pointers.add(pointer);
                            }
                        });
        return pointers;
    }

    /** A top-level field's JSON pointer ({@code ~} and {@code /} escaped). */
    static String pointer(String field) {
        return "/" + field.replace("~", "~0").replace("/", "~1");
    }

    private static boolean hasText(JsonNode value) {
        return value != null && value.isTextual() && !value.asText().isBlank();
    }

    /** Whether a CSV or table value is text: not blank, not a number, not a boolean. */
    static boolean isText(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        String v = value.strip();
        return !NUMBER.matcher(v).matches()
                && !v.equalsIgnoreCase("true")
                && !v.equalsIgnoreCase("false");
    }

    private static final java.util.regex.Pattern NUMBER =
            java.util.regex.Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    private SourceItem csvRecord(String path, long line, Map<String, String> values) {
        RecordFields configured = csvFields;
        String raw = String.join(String.valueOf(csvSeparator), values.values());
        String key = String.valueOf(line);
        String idColumn =
                configured.id() != null
                        ? configured.id()
                        : values.get("id") != null && !values.get("id").isBlank() ? "id" : null;
        RecordFields fields = configured.resolved(idColumn, configured.text(), configured.title());
        if (fields.id() != null) {
            String id = values.get(fields.id());
            if (id == null || id.isBlank()) {
                return deadLetter(path, line, "no id in column '" + fields.id() + "'", raw);
            }
            key = id;
        }
        SourceItem document =
                rowDocument(
                        path + ":" + key,
                        "file",
                        path,
                        DocumentFormat.CSV.label(),
                        values,
                        fields,
                        Origin.file(path, line));
        return document != null
                ? document
                : deadLetter(
                        path,
                        line,
                        fields.findsText()
                                ? "no column holds text (set batch.csv.text-columns)"
                                : "no text in " + String.join(", ", fields.text()),
                        raw);
    }

    /**
     * A document from a row's named values (a CSV row, a table row), or null when its text columns
     * are all empty.
     */
    public static SourceItem rowDocument(
            String id,
            String source,
            String path,
            String format,
            Map<String, String> values,
            RecordFields given,
            Origin origin) {
        List<String> columns = given.text();
        if (given.findsText()) {
            columns =
                    isText(values.get("text"))
                            ? List.of("text")
                            : values.entrySet().stream()
                                    .filter(e -> isText(e.getValue()))
                                    .map(Map.Entry::getKey)
                                    .filter(c -> !c.equals(given.id()))
                                    .toList();
        }
        String titleColumn =
                given.title() != null
                        ? given.title()
                        : isText(values.get("title"))
                                ? "title"
                                : isText(values.get("name")) ? "name" : null;
        RecordFields fields = given.resolved(given.id(), columns, titleColumn);
        List<String> texts = new ArrayList<>();
        for (String column : fields.text()) {
            String value = values.get(column);
            if (value != null && !value.isBlank()) {
                texts.add(value);
            }
        }
        if (texts.isEmpty()) {
            return null;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        values.forEach(
                (column, value) -> {
                    boolean wanted =
                            fields.metadata().isEmpty()
                                    ? !fields.isDocumentField(column)
                                    : fields.metadata().contains(column);
                    if (wanted && value != null && !value.isEmpty()) {
                        metadata.put(column, value);
                    }
                });
        String title = fields.title() == null ? null : values.get(fields.title());
        return SourceItem.document(
                new SourceDocument(
                        id,
                        source,
                        path,
                        format,
                        title,
                        metadata,
                        List.of(Part.of(String.join("\n\n", texts))),
                        origin,
                        fields.text()));
    }

    // ---------------------------------------------------------------- text, Markdown

    private SourceItem text(String path, InputStream in, boolean markdown) throws IOException {
        byte[] bytes = in.readAllBytes();
        String text;
        try {
            text = decodeText(bytes);
        } catch (CharacterCodingException | IllegalArgumentException e) {
            return deadLetter(path, null, "not a text file: " + e.getMessage(), null);
        }
        if (text.isBlank()) {
            return deadLetter(path, null, "no text (the file is empty)", null);
        }
        String fileName = fileName(path);
        if (!markdown) {
            return SourceItem.document(
                    new SourceDocument(
                            path,
                            "file",
                            path,
                            DocumentFormat.TEXT.label(),
                            fileName,
                            Map.of(),
                            List.of(Part.of(text)),
                            Origin.file(path, null)));
        }
        List<Part> parts = new ArrayList<>();
        String title = null;
        for (MarkdownSections.Section section : MarkdownSections.split(text)) {
            parts.add(new Part(section.text(), section.path(), null));
            if (title == null && section.path() != null) {
                title = section.path().split(" > ", 2)[0];
            }
        }
        return SourceItem.document(
                new SourceDocument(
                        path,
                        "file",
                        path,
                        DocumentFormat.MARKDOWN.label(),
                        title == null ? fileName : title,
                        Map.of(),
                        parts,
                        Origin.file(path, null)));
    }

    /**
     * UTF-8 text (a BOM dropped).
     *
     * @throws CharacterCodingException for bytes that are not UTF-8
     * @throws IllegalArgumentException for NUL bytes (binary content)
     */
    static String decodeText(byte[] bytes) throws CharacterCodingException {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new IllegalArgumentException(
                        "binary content (a NUL byte at offset " + i + ")");
            }
        }
        String text =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    // ---------------------------------------------------------------- HTML

    private SourceItem html(String path, InputStream in) throws IOException {
        Document html = Jsoup.parse(in, null, "");
        html.select("script, style, noscript, template, nav, header, footer, aside, form").remove();
        Element main = html.selectFirst("main");
        if (main == null) {
            main = html.selectFirst("article");
        }
        if (main == null) {
            main = html.body();
        }
        String text = blockText(main);
        if (text.isBlank()) {
            return deadLetter(path, null, "no text in the HTML body", null);
        }
        String title = html.title().isBlank() ? fileName(path) : html.title().strip();
        return SourceItem.document(
                new SourceDocument(
                        path,
                        "file",
                        path,
                        DocumentFormat.HTML.label(),
                        title,
                        Map.of(),
                        List.of(Part.of(text)),
                        Origin.file(path, null)));
    }

    /** The text of an element with a blank line after every block (paragraph, heading, item). */
    private static String blockText(Element root) {
        StringBuilder out = new StringBuilder();
        root.traverse(
                new NodeVisitor() {
                    @Override
                    public void head(Node node, int depth) {
                        if (node instanceof TextNode text) {
                            String words = text.text().replaceAll("\\s+", " ");
                            if (!words.isBlank()) {
                                if (out.length() > 0
                                        && !Character.isWhitespace(out.charAt(out.length() - 1))
                                        && Character.isWhitespace(words.charAt(0))) {
                                    out.append(' ');
                                }
                                out.append(words.strip());
                                if (Character.isWhitespace(words.charAt(words.length() - 1))) {
                                    out.append(' ');
                                }
                            }
                        } else if (node instanceof Element e && e.nameIs("br")) {
                            out.append('\n');
                        }
                    }

                    @Override
                    public void tail(Node node, int depth) {
                        if (node instanceof Element e && e.isBlock()) {
                            out.append("\n\n");
                        }
                    }
                });
        return out.toString().replaceAll("[ \\t]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").strip();
    }

    // ---------------------------------------------------------------- PDF

    private SourceItem pdf(String path, InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        try (PDDocument pdf = Loader.loadPDF(bytes)) {
            int pages = pdf.getNumberOfPages();
            if (pages == 0) {
                return deadLetter(path, null, "a PDF without pages (damaged?)", null);
            }
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setParagraphStart("\n");
            List<Part> parts = new ArrayList<>();
            for (int page = 1; page <= pages; page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                String text = stripper.getText(pdf).strip();
                if (!text.isEmpty()) {
                    parts.add(new Part(text, null, page));
                }
            }
            if (parts.isEmpty()) {
                return deadLetter(
                        path, null, "no text in the PDF (scanned images or damaged)", null);
            }
            String title = pdf.getDocumentInformation().getTitle();
            return SourceItem.document(
                    new SourceDocument(
                            path,
                            "file",
                            path,
                            DocumentFormat.PDF.label(),
                            title == null || title.isBlank() ? fileName(path) : title.strip(),
                            Map.of("pages", String.valueOf(pages)),
                            parts,
                            Origin.file(path, null)));
        } catch (IOException e) {
            return deadLetter(path, null, "unreadable PDF: " + message(e), null);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static SourceItem deadLetter(String path, Long line, String reason, String payload) {
        byte[] bytes = null;
        if (payload != null) {
            bytes = payload.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_PAYLOAD) {
                bytes = java.util.Arrays.copyOf(bytes, MAX_PAYLOAD);
            }
        }
        return SourceItem.deadLetter(
                DeadLetter.of(Stage.SOURCE, reason, List.of(Origin.file(path, line)), null, bytes));
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String message(Throwable e) {
        String message =
                e instanceof JsonProcessingException json
                        ? json.getOriginalMessage()
                        : e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static Iterator<SourceItem> single(SourceItem item) {
        return Collections.singletonList(item).iterator();
    }
}
