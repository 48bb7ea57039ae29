package dev.embedflow.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model's WordPiece tokenizer, loaded from the bundled tokenizer.json with its truncation and
 * padding removed: the file truncates at 128 and pads to 128, which would cut texts silently and
 * waste compute. Thread-safe (the native tokenizer is immutable once configured).
 */
final class MiniLmTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;

    private MiniLmTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    static MiniLmTokenizer load(String resource) throws IOException {
        DjlSettings.applyDefaults();
        byte[] json;
        try (InputStream in =
                LocalEmbeddingModel.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("tokenizer resource not found on the classpath: " + resource);
            }
            json = in.readAllBytes();
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(json);
        root.putNull("truncation");
        root.putNull("padding");
        byte[] patched = mapper.writeValueAsBytes(root);
        HuggingFaceTokenizer tokenizer =
                DjlSettings.withOwnNativeLibrary(
                        () ->
                                HuggingFaceTokenizer.newInstance(
                                        new ByteArrayInputStream(patched),
                                        Map.of(
                                                "addSpecialTokens", "true",
                                                "truncation", "false",
                                                "padding", "false")));
        return new MiniLmTokenizer(tokenizer);
    }

    /** Token ids with [CLS] and [SEP], never truncated. */
    long[] ids(String text) {
        return tokenizer.encode(text).getIds();
    }

    /**
     * Spans of the word pieces (special tokens left out) as UTF-16 indices. The native tokenizer
     * reports offsets in Unicode code points, which differ from String indices after any character
     * outside the Basic Multilingual Plane (e.g. emoji), so they are converted here.
     */
    List<TokenSpan> spans(String text) {
        Encoding encoding = tokenizer.encode(text);
        CharSpan[] spans = encoding.getCharTokenSpans();
        long[] special = encoding.getSpecialTokenMask();
        int[] utf16Index = utf16IndexByCodePoint(text);
        List<TokenSpan> result = new ArrayList<>(spans.length);
        for (int i = 0; i < spans.length; i++) {
            if (spans[i] == null || special[i] != 0) {
                continue;
            }
            int start = spans[i].getStart();
            int end = spans[i].getEnd();
            if (utf16Index != null) {
                start = utf16Index[start];
                end = utf16Index[end];
            }
            result.add(new TokenSpan(start, end));
        }
        return result;
    }

    /** UTF-16 index of each code point (plus the end), or null when they coincide. */
    private static int[] utf16IndexByCodePoint(String text) {
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints == text.length()) {
            return null;
        }
        int[] index = new int[codePoints + 1];
        int utf16 = 0;
        for (int cp = 0; cp < codePoints; cp++) {
            index[cp] = utf16;
            utf16 += Character.charCount(text.codePointAt(utf16));
        }
        index[codePoints] = utf16;
        return index;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
