package dev.embedflow.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.embedflow.testing.TestDirs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The job module's own production classes keep the boundaries of {@link ArchitectureRules}. */
class JobArchitectureTest {

    private static JavaClasses job;

    @BeforeAll
    static void importClasses() {
        job = ArchitectureRules.productionClasses(TestDirs.project(), "job");
    }

    @Test
    void packagesFormNoCycle() {
        ArchitectureRules.noPackageCycles().check(job);
    }

    @Test
    void usesNoToolingAndNoModel() {
        ArchitectureRules.jobUsesNoToolingAndNoModel().check(job);
    }

    @Test
    void internalPackagesStayInsideTheirParent() {
        ArchitectureRules.internalStaysInsideItsParent().check(job);
        ArchitectureRules.internalIsNotApi().check(job);
    }

    @Test
    void everyPublicClassSaysWhetherItIsApi() {
        ArchitectureRules.jobApiIsMarked().check(job);
    }
}
