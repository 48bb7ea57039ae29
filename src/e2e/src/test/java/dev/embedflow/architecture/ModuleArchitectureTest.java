package dev.embedflow.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.embedflow.testing.TestDirs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The parts of the build together: dependencies point one way (cli and bench use dev servers, the
 * Q&A service, the model and the job; the Q&A service uses the model and the job; the model uses
 * the job; the job and the dev servers use neither), with no package cycle across modules.
 */
class ModuleArchitectureTest {

    private static JavaClasses all;

    @BeforeAll
    static void importClasses() {
        all =
                ArchitectureRules.productionClasses(
                        TestDirs.project(), "job", "model", "qa", "dev-servers", "bench", "cli");
    }

    @Test
    void packagesFormNoCycleAcrossModules() {
        ArchitectureRules.noPackageCycles().check(all);
    }

    @Test
    void theJobUsesNoToolingAndNoModel() {
        ArchitectureRules.jobUsesNoToolingAndNoModel().check(all);
    }

    @Test
    void theModelUsesNoTooling() {
        ArchitectureRules.modelUsesNoTooling().check(all);
    }

    @Test
    void theQaServiceUsesNoToolingAndNothingBelowItUsesTheQaService() {
        ArchitectureRules.qaUsesNoTooling().check(all);
        ArchitectureRules.nothingBelowTheQaServiceUsesIt().check(all);
    }

    @Test
    void theDevServersUseNoOtherEmbedFlowCode() {
        ArchitectureRules.devServersUseNoOtherEmbedFlowCode().check(all);
    }

    @Test
    void internalPackagesStayInsideTheirParent() {
        ArchitectureRules.internalStaysInsideItsParent().check(all);
    }
}
