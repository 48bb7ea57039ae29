package dev.embedflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The boundaries the build keeps (as apache/flink-connector-kafka's {@code
 * ProductionCodeArchitectureTest} does): no package cycles, product code never uses tooling, {@code
 * internal} packages stay inside their parent, and every public class of the job says whether it is
 * API.
 */
public final class ArchitectureRules {

    /** The packages of tooling: the CLI, the local system, benchmarks, dev servers. */
    static final String[] TOOLING = {
        "dev.embedflow.cli..",
        "dev.embedflow.local..",
        "dev.embedflow.bench..",
        "dev.embedflow.devserver..",
        "picocli..",
        "org.knowm.xchart..",
        "org.junit..",
    };

    /** The in-process model's packages and libraries. */
    static final String[] MODEL = {"dev.embedflow.model..", "ai.onnxruntime..", "ai.djl.."};

    private ArchitectureRules() {}

    /** The production classes of the modules under {@code src/}, e.g. {@code job}. */
    public static JavaClasses productionClasses(Path root, String... modules) {
        Path[] dirs =
                Arrays.stream(modules)
                        .map(m -> root.resolve("src").resolve(m).resolve("target/classes"))
                        .peek(
                                d -> {
                                    if (!Files.isDirectory(d)) {
                                        throw new AssertionError("not compiled yet: " + d);
                                    }
                                })
                        .toArray(Path[]::new);
        return new ClassFileImporter().importPaths(dirs);
    }

    /** Top-level packages ({@code dev.embedflow.X} with its sub-packages) form no cycle. */
    public static ArchRule noPackageCycles() {
        return noCyclesBetween("dev.embedflow.(*)..");
    }

    /** The slices {@code pattern} names (ArchUnit's {@code (*)} syntax) form no cycle. */
    static ArchRule noCyclesBetween(String pattern) {
        return slices().matching(pattern).should().beFreeOfCycles();
    }

    /** The job uses neither tooling nor the model (it finds the model through ServiceLoader). */
    public static ArchRule jobUsesNoToolingAndNoModel() {
        return noClasses()
                .that()
                .resideInAnyPackage(JobPackages.ALL)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(concat(TOOLING, MODEL))
                .because(
                        "the lean job jar holds neither; the model plugs in through ServiceLoader");
    }

    /** The model uses the job's interfaces, never tooling. */
    public static ArchRule modelUsesNoTooling() {
        return noClasses()
                .that()
                .resideInAPackage("dev.embedflow.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(TOOLING);
    }

    /**
     * The Q&A service uses the job's search library and the model, never tooling: it ships as its
     * own jar and image.
     */
    public static ArchRule qaUsesNoTooling() {
        return noClasses()
                .that()
                .resideInAPackage("dev.embedflow.qa..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(TOOLING);
    }

    /** The job and the model know nothing of the Q&A service built on them. */
    public static ArchRule nothingBelowTheQaServiceUsesIt() {
        return noClasses()
                .that()
                .resideInAnyPackage(concat(JobPackages.ALL, MODEL))
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.embedflow.qa..");
    }

    /** The dev servers hold no EmbedFlow code, so that the job's own tests can use them. */
    public static ArchRule devServersUseNoOtherEmbedFlowCode() {
        return noClasses()
                .that()
                .resideInAPackage("dev.embedflow.devserver..")
                .should()
                .dependOnClassesThat(
                        com.tngtech.archunit.base.DescribedPredicate.describe(
                                "are EmbedFlow classes outside dev.embedflow.devserver",
                                (JavaClass c) ->
                                        c.getPackageName().startsWith("dev.embedflow.")
                                                && !c.getPackageName()
                                                        .startsWith("dev.embedflow.devserver")));
    }

    /** A class of an {@code internal} package is used only inside that package's parent. */
    public static ArchRule internalStaysInsideItsParent() {
        return classes()
                .that()
                .resideInAPackage("dev.embedflow..internal..")
                .should(onlyBeUsedFromTheirParentPackage())
                .allowEmptyShould(true);
    }

    /**
     * Every public top-level class of the job is marked {@code @PublicEvolving} or
     * {@code @Internal}.
     */
    public static ArchRule jobApiIsMarked() {
        return publicClassesAreMarked(JobPackages.ALL);
    }

    /** Every public top-level class of {@code packages} is marked API or internal. */
    static ArchRule publicClassesAreMarked(String... packages) {
        return classes()
                .that()
                .resideInAnyPackage(packages)
                .and()
                .arePublic()
                .and()
                .areTopLevelClasses()
                .should()
                .beAnnotatedWith(PublicEvolving.class)
                .orShould()
                .beAnnotatedWith(Internal.class);
    }

    /** Nothing in an {@code internal} package claims to be API. */
    public static ArchRule internalIsNotApi() {
        return noClasses()
                .that()
                .resideInAPackage("dev.embedflow..internal..")
                .should()
                .beAnnotatedWith(PublicEvolving.class)
                .allowEmptyShould(true);
    }

    private static ArchCondition<JavaClass> onlyBeUsedFromTheirParentPackage() {
        return new ArchCondition<>("only be used from inside their internal package's parent") {
            @Override
            public void check(JavaClass target, ConditionEvents events) {
                String pkg = target.getPackageName();
                String parent = pkg.substring(0, pkg.indexOf(".internal"));
                for (Dependency dependency : target.getDirectDependenciesToSelf()) {
                    String from = dependency.getOriginClass().getPackageName();
                    if (!from.equals(parent) && !from.startsWith(parent + ".")) {
                        events.add(
                                SimpleConditionEvent.violated(
                                        dependency, dependency.getDescription()));
                    }
                }
            }
        };
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The job's top-level packages. */
    static final class JobPackages {
        static final String[] ALL = {
            "dev.embedflow.batch..",
            "dev.embedflow.chunk..",
            "dev.embedflow.config..",
            "dev.embedflow.deadletter..",
            "dev.embedflow.embedding..",
            "dev.embedflow.http..",
            "dev.embedflow.index..",
            "dev.embedflow.opensearch..",
            "dev.embedflow.search..",
            "dev.embedflow.sink..",
            "dev.embedflow.source..",
            "dev.embedflow.stream..",
            "dev.embedflow.window..",
        };

        private JobPackages() {}
    }
}
