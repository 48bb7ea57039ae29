package dev.embedflow.deadletters;

import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Which dead letters a command acts on; every part that is set must match.
 *
 * @param stages the stages (empty: any)
 * @param reason text the reason contains, case-insensitive, or null
 * @param since failed at or after, or null
 * @param until failed before, or null
 * @param ids document ids, dead-letter locations ({@code topic-partition@offset}, {@code
 *     file:line}) or origins ({@code topic-partition@offset}, {@code path:line}); empty: any
 */
public record Selection(
        Set<Stage> stages, String reason, Instant since, Instant until, Set<String> ids) {

    public Selection {
        stages = Set.copyOf(stages);
        ids = Set.copyOf(ids);
    }

    /** Everything. */
    public static Selection all() {
        return new Selection(Set.of(), null, null, null, Set.of());
    }

    public boolean matches(StoredDeadLetter letter) {
        return (stages.isEmpty() || stages.contains(letter.stage()))
                && (reason == null || letter.reasonContains(reason))
                && (since == null || !letter.failedAt().isBefore(since))
                && (until == null || letter.failedAt().isBefore(until))
                && (ids.isEmpty() || idMatches(letter));
    }

    private boolean idMatches(StoredDeadLetter letter) {
        if (ids.contains(letter.location())
                || (letter.documentId() != null && ids.contains(letter.documentId()))) {
            return true;
        }
        List<Origin> origins = letter.origins();
        return origins.stream().map(Origin::toString).anyMatch(ids::contains);
    }
}
