package dev.mailsync.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rule of the house style: {@code sync} is pure Java; {@code mail} and {@code store}
 * translate to and from it; {@code service} and {@code jobs} orchestrate; nothing depends on {@code api},
 * which maps the services' views to the contract and never sees {@code store};
 * {@code demo} (dev mode's demo mail server) uses the services like the API does.
 */
@AnalyzeClasses(packages = "dev.mailsync", importOptions = ImportOption.DoNotIncludeTests.class)
class DependencyRuleTest {

    @ArchTest
    static final ArchRule layers = layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage("dev.mailsync..")
            .withOptionalLayers(true)
            .layer("api")
            .definedBy("dev.mailsync.api..")
            .layer("service")
            .definedBy("dev.mailsync.service..")
            .layer("jobs")
            .definedBy("dev.mailsync.jobs..")
            .layer("mail")
            .definedBy("dev.mailsync.mail..")
            .layer("store")
            .definedBy("dev.mailsync.store..")
            .layer("sync")
            .definedBy("dev.mailsync.sync..")
            .layer("config")
            .definedBy("dev.mailsync.config..")
            .layer("demo")
            .definedBy("dev.mailsync.demo..")
            .whereLayer("api")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("demo")
            .mayOnlyBeAccessedByLayers("api")
            .whereLayer("service")
            .mayOnlyBeAccessedByLayers("api", "demo")
            .whereLayer("jobs")
            .mayOnlyBeAccessedByLayers("api", "service")
            .whereLayer("mail")
            .mayOnlyBeAccessedByLayers("api", "service", "jobs")
            .whereLayer("store")
            .mayOnlyBeAccessedByLayers("service", "jobs", "demo")
            .whereLayer("sync")
            .mayOnlyBeAccessedByLayers("api", "service", "jobs", "mail", "store", "demo")
            .whereLayer("config")
            .mayOnlyBeAccessedByLayers("api", "service", "jobs", "mail", "store", "demo");

    @ArchTest
    static final ArchRule sync_is_pure_java = noClasses()
            .that()
            .resideInAPackage("dev.mailsync.sync..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "jakarta..",
                    "javax..",
                    "io.quarkus..",
                    "io.smallrye..",
                    "org.hibernate..",
                    "java.net..",
                    "java.sql..",
                    "java.io..",
                    "java.nio.file..",
                    "java.nio.channels..",
                    "org.eclipse.angus..",
                    "com.fasterxml..")
            .because("the sync rules are plain Java with no I/O, no framework and no clock");

    @ArchTest
    static final ArchRule rules_live_in_sync = classes()
            .that()
            .haveSimpleNameEndingWith("Planner")
            .or()
            .haveSimpleNameEndingWith("Rules")
            .should()
            .resideInAPackage("dev.mailsync.sync..")
            .because("every rule of the product is a pure, unit-tested planner in sync; jobs, service, store,"
                    + " mail and api call them and decide nothing of their own (docs/architecture.md)");

    @ArchTest
    static final ArchRule sync_reads_no_clock_and_no_randomness = noClasses()
            .that()
            .resideInAPackage("dev.mailsync.sync..")
            .should()
            .callMethod(java.time.Instant.class, "now")
            .orShould()
            .callMethod(System.class, "currentTimeMillis")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.util.Random")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.time.Clock")
            .because("planners take 'now' as an argument so their tests control time");

    @ArchTest
    static final ArchRule entities_stay_in_store = noClasses()
            .that()
            .resideOutsideOfPackage("dev.mailsync.store..")
            .should()
            .dependOnClassesThat()
            .haveSimpleNameEndingWith("Entity")
            .because("entities never leave store; the rest of the service sees records");

    @ArchTest
    static final ArchRule only_mail_uses_jakarta_mail = noClasses()
            .that()
            .resideOutsideOfPackages("dev.mailsync.mail..", "dev.mailsync.demo..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("jakarta.mail..", "org.eclipse.angus..")
            .because("the mail package is the one adapter to the mail servers (demo only writes the dev"
                    + " mode's demo messages)");

    @ArchTest
    static final ArchRule only_demo_uses_the_demo_mail_server = noClasses()
            .that()
            .resideOutsideOfPackage("dev.mailsync.demo..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.icegreen..")
            .because("GreenMail is an optional dependency the packaged service does not contain");

    @ArchTest
    static final ArchRule constructor_injection_only = noFields()
            .should()
            .beAnnotatedWith(jakarta.inject.Inject.class)
            .orShould()
            .beAnnotatedWith(org.eclipse.microprofile.config.inject.ConfigProperty.class)
            .because("a bean's dependencies are its constructor's parameters: final, visible, and what a test passes");

    @ArchTest
    static final ArchRule one_transaction_idiom = noClasses()
            .that()
            .doNotHaveFullyQualifiedName("dev.mailsync.store.Tx")
            .should()
            .dependOnClassesThat()
            .haveFullyQualifiedName("io.quarkus.narayana.jta.QuarkusTransaction")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("jakarta.transaction.Transactional")
            .because("every transaction is a short Tx.call or Tx.run: one idiom, visible at the call site, so"
                    + " that no mail I/O or DNS lookup ends up inside one");
}
