package io.skiff.coordinator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of {@code coordinator}: the coordinators persist through the narrow
 * {@code CoordinatorLog} interface, which the broker implements over storage, so their main
 * classes never depend on storage or on the broker.
 */
@AnalyzeClasses(packages = "io.skiff.coordinator", importOptions = ImportOption.DoNotIncludeTests.class)
class CoordinatorLayeringTest {

    @ArchTest
    static final ArchRule coordinatorNeverDependsOnStorageOrBroker = noClasses()
            .that()
            .resideInAPackage("io.skiff.coordinator..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.skiff.storage..", "io.skiff.broker..");
}
