package dev.embedflow.qa.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiltersTest {

    private static final Map<String, List<String>> ACME = Map.of("tenant", List.of("acme"));

    @Test
    void aRequestNarrowsItsTenantsViewButNeverWidensIt() {
        assertThat(Filters.combine(ACME, Map.of("entity", List.of("a"))))
                .hasValue(Map.of("tenant", List.of("acme"), "entity", List.of("a")));
        assertThat(Filters.combine(ACME, Map.of("tenant", List.of("acme", "globex"))))
                .hasValue(Map.of("tenant", List.of("acme")));
        assertThat(Filters.combine(ACME, Map.of("tenant", List.of("globex")))).isEmpty();
        assertThat(Filters.combine(Map.of(), Map.of("tenant", List.of("globex"))))
                .hasValue(Map.of("tenant", List.of("globex")));
    }
}
