package dev.embedflow.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.embedflow.architecture.fixture.Insider;
import dev.embedflow.architecture.fixture.cycle.a.A;
import dev.embedflow.architecture.fixture.cycle.b.B;
import dev.embedflow.architecture.fixture.internal.Hidden;
import org.junit.jupiter.api.Test;

/** The rules catch what they are for: shown on small fixtures that break them. */
class ArchitectureRulesTest {

    @Test
    void internalRuleAllowsTheParentAndFlagsAnOutsider() {
        JavaClasses allowed = new ClassFileImporter().importClasses(Hidden.class, Insider.class);
        JavaClasses broken =
                new ClassFileImporter().importClasses(Hidden.class, Insider.class, Outsider.class);

        assertThat(
                        ArchitectureRules.internalStaysInsideItsParent()
                                .evaluate(allowed)
                                .hasViolation())
                .isFalse();
        EvaluationResult result = ArchitectureRules.internalStaysInsideItsParent().evaluate(broken);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("Outsider");
    }

    @Test
    void cycleRuleFlagsTwoPackagesThatUseEachOther() {
        JavaClasses cycle = new ClassFileImporter().importClasses(A.class, B.class);

        EvaluationResult result =
                ArchitectureRules.noCyclesBetween("dev.embedflow.architecture.fixture.cycle.(*)..")
                        .evaluate(cycle);

        assertThat(result.hasViolation()).isTrue();
    }

    @Test
    void apiRuleFlagsAnUnmarkedPublicClass() {
        JavaClasses unmarked = new ClassFileImporter().importClasses(Hidden.class);

        EvaluationResult result =
                ArchitectureRules.publicClassesAreMarked("dev.embedflow.architecture.fixture..")
                        .evaluate(unmarked);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("Hidden");
    }
}
