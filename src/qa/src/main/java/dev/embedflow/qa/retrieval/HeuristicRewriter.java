package dev.embedflow.qa.retrieval;

import dev.embedflow.qa.session.Turn;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rewrite without an LLM: a follow-up keeps its words and gains what the previous turn was
 * about: the entities its answer cited (at most 3) and the content words of its question that the
 * follow-up does not repeat (at most 8, stop words dropped). "what happened next?" after "which
 * account had declined payments?" that cited acct-17 becomes "what happened next? acct-17 account
 * declined payments".
 */
public final class HeuristicRewriter implements QueryRewriter {

    static final int MAX_ENTITIES = 3;
    static final int MAX_TERMS = 8;

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}_'-]*");

    private static final Set<String> STOP_WORDS =
            Set.of(
                    "a",
                    "about",
                    "after",
                    "again",
                    "all",
                    "also",
                    "am",
                    "an",
                    "and",
                    "any",
                    "are",
                    "as",
                    "at",
                    "be",
                    "been",
                    "before",
                    "being",
                    "but",
                    "by",
                    "can",
                    "could",
                    "did",
                    "do",
                    "does",
                    "doing",
                    "for",
                    "from",
                    "had",
                    "has",
                    "have",
                    "having",
                    "he",
                    "her",
                    "here",
                    "him",
                    "his",
                    "how",
                    "i",
                    "if",
                    "in",
                    "into",
                    "is",
                    "it",
                    "its",
                    "just",
                    "me",
                    "more",
                    "most",
                    "my",
                    "no",
                    "not",
                    "now",
                    "of",
                    "on",
                    "one",
                    "only",
                    "or",
                    "other",
                    "our",
                    "out",
                    "over",
                    "same",
                    "she",
                    "should",
                    "so",
                    "some",
                    "such",
                    "tell",
                    "than",
                    "that",
                    "the",
                    "their",
                    "them",
                    "then",
                    "there",
                    "these",
                    "they",
                    "this",
                    "those",
                    "to",
                    "too",
                    "under",
                    "up",
                    "us",
                    "very",
                    "was",
                    "we",
                    "were",
                    "what",
                    "when",
                    "where",
                    "which",
                    "while",
                    "who",
                    "whom",
                    "why",
                    "will",
                    "with",
                    "would",
                    "you",
                    "your",
                    "show",
                    "give",
                    "list",
                    "find",
                    "please",
                    "happened",
                    "next");

    @Override
    public String standalone(List<Turn> history, String question) {
        if (history.isEmpty()) {
            return question;
        }
        Turn previous = history.get(history.size() - 1);
        Set<String> asked = words(question);
        StringBuilder query = new StringBuilder(question.strip());
        int entities = 0;
        for (String entity : new LinkedHashSet<>(previous.citedEntities())) {
            if (entities == MAX_ENTITIES) {
                break;
            }
            if (!asked.contains(entity.toLowerCase(Locale.ROOT))) {
                query.append(' ').append(entity);
                entities++;
            }
        }
        int terms = 0;
        for (String word : words(previous.question())) {
            if (terms == MAX_TERMS) {
                break;
            }
            if (!STOP_WORDS.contains(word) && !asked.contains(word)) {
                query.append(' ').append(word);
                terms++;
            }
        }
        return query.toString();
    }

    private static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
