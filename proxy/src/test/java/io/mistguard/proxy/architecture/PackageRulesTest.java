package io.mistguard.proxy.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of design.md, checked on the compiled classes (ArchUnit): the front door
 * ({@code server}) is imported by nobody but the composition root, the policy engine knows nothing
 * of the cache or the invalidation queue that sit around it (the route dispatcher composes them), and
 * no two packages depend on each other in a cycle, so each layer can be read, tested and changed
 * from the bottom up.
 */
class PackageRulesTest {

    private static JavaClasses proxy;

    @BeforeAll
    static void importClasses() {
        proxy = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.mistguard.proxy");
    }

    @Test
    void nothingImportsTheFrontDoorButTheCompositionRoot() {
        noClasses().that().resideOutsideOfPackages("io.mistguard.proxy.server..", "io.mistguard.proxy")
                .should().dependOnClassesThat().resideInAPackage("io.mistguard.proxy.server..")
                .because("server/ is the front door: the vocabulary it shares lives in exchange/")
                .check(proxy);
    }

    @Test
    void thePolicyEngineImportsNeitherTheCacheNorTheQueueNorTheRouteTable() {
        noClasses().that().resideInAPackage("io.mistguard.proxy.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.mistguard.proxy.cache..",
                        "io.mistguard.proxy.invalidation..", "io.mistguard.proxy.route..")
                .because("route/ dispatches on the route kind and wraps a policed call in the cache; the "
                         + "policy engine only polices calls")
                .check(proxy);
    }

    /** The trigger listener ({@code trigger/}) is the edge of the second listener, Mist's trigger port. */
    @Test
    void onlyTheServerEdgeWritesTheAnswerHeaders() {
        noClasses().that().resideOutsideOfPackages("io.mistguard.proxy.server..", "io.mistguard.proxy.exchange..",
                                                   "io.mistguard.proxy.trigger..")
                .should().callMethod(io.mistguard.proxy.exchange.AnswerHeaders.class, "write",
                                     io.mistguard.proxy.exchange.Answer.class)
                .because("the Mistguard-* fields are written once, at the edge, from the typed Answer")
                .check(proxy);
    }

    /**
     * No two top-level packages depend on each other, directly or around a loop. The one exception
     * is inside {@code config}: its {@code ConfigLoader} facade calls {@code config.yaml}, which
     * binds {@code config}'s records; both are one slice here.
     */
    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.mistguard.proxy.(*)..").should().beFreeOfCycles().check(proxy);
    }
}
