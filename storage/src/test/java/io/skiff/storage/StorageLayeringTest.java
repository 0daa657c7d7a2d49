package io.skiff.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of {@code storage}: it speaks batches, offsets and file positions and reports its
 * own outcomes. Its main classes never use protocol error codes or request and response messages, never reach into the coordinators or the broker (the
 * broker plugs storage in, not the other way round) and never touch Netty's channels or
 * transports.
 */
@AnalyzeClasses(packages = "io.skiff.storage", importOptions = ImportOption.DoNotIncludeTests.class)
class StorageLayeringTest {

    @ArchTest
    static final ArchRule storageNeverUsesRequestOrResponseMessages = noClasses()
            .that()
            .resideInAPackage("io.skiff.storage..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.skiff.wire.message..");

    @ArchTest
    static final ArchRule storageNeverUsesProtocolErrorCodes = noClasses()
            .that()
            .resideInAPackage("io.skiff.storage..")
            .should()
            .dependOnClassesThat()
            .haveFullyQualifiedName("io.skiff.wire.protocol.Errors");

    @ArchTest
    static final ArchRule storageNeverDependsOnCoordinatorOrBroker = noClasses()
            .that()
            .resideInAPackage("io.skiff.storage..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.skiff.coordinator..", "io.skiff.broker..");

    @ArchTest
    static final ArchRule storageNeverUsesNettyChannelsOrTransports = noClasses()
            .that()
            .resideInAPackage("io.skiff.storage..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.netty.channel..", "io.netty.bootstrap..", "io.netty.handler..");
}
