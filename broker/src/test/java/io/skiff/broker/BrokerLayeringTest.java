package io.skiff.broker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering inside {@code broker}: the network layer (listeners, framing, sessions, dispatch)
 * knows handlers only through {@code ApiHandler}; it never depends on the handler package, which
 * is registered with it from outside.
 */
@AnalyzeClasses(packages = "io.skiff.broker", importOptions = ImportOption.DoNotIncludeTests.class)
class BrokerLayeringTest {

    @ArchTest
    static final ArchRule networkNeverDependsOnHandlers = noClasses()
            .that()
            .resideInAPackage("io.skiff.broker.network..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.skiff.broker.handler..");
}
