package io.skiff.wire;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.io.RandomAccessFile;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * The layering of {@code wire}: the protocol as data. Its main classes (the generated messages
 * included; the build-time generator and the test classes not) open no sockets or files, start no
 * threads and use no executors, and depend on nothing but the JDK, Netty's buffers and the
 * compression libraries, so in particular on no other Skiff module.
 */
@AnalyzeClasses(packages = "io.skiff.wire", importOptions = ImportOption.DoNotIncludeTests.class)
class WireLayeringTest {
    private static final DescribedPredicate<JavaClass> WIRE = resideInAPackage("io.skiff.wire..")
            .and(not(resideInAPackage("io.skiff.wire.generator..")))
            .as("are in wire (not its generator)");

    @ArchTest
    static final ArchRule wireOpensNoSockets = noClasses()
            .that(WIRE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("java.net..", "java.nio.channels..");

    @ArchTest
    static final ArchRule wireTouchesNoFiles = noClasses()
            .that(WIRE)
            .should()
            .dependOnClassesThat(resideInAPackage("java.nio.file..")
                    .or(resideInAPackage("java.io").and(simpleNameStartingWith("File")))
                    .or(type(RandomAccessFile.class))
                    .as("are file classes (java.nio.file, java.io.File*, RandomAccessFile)"));

    @ArchTest
    static final ArchRule wireCreatesNoThreads = noClasses()
            .that(WIRE)
            .should()
            .callConstructorWhere(target(owner(assignableTo(Thread.class))).as("the target is a Thread constructor"))
            .orShould()
            .beAssignableTo(Thread.class);

    @ArchTest
    static final ArchRule wireUsesNoExecutors = noClasses()
            .that(WIRE)
            .should()
            .dependOnClassesThat(assignableTo(Executor.class)
                    .or(type(Executors.class))
                    .or(assignableTo(ThreadFactory.class))
                    .as("are executors or thread factories"));

    @ArchTest
    static final ArchRule wireDependsOnlyOnTheJdkNettyBuffersAndCompressionLibraries = classes()
            .that(WIRE)
            .should()
            .onlyDependOnClassesThat(WIRE.or(resideInAnyPackage(
                            "java..",
                            "io.netty.buffer..",
                            "io.netty.util..",
                            "com.github.luben.zstd..",
                            "net.jpountz..",
                            "org.xerial.snappy.."))
                    .as("are in wire, the JDK, Netty's buffers or the compression libraries"));
}
