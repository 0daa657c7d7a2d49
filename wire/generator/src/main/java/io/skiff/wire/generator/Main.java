package io.skiff.wire.generator;

import io.skiff.wire.generator.Schema.MessageSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Entry point of the build-time generator.
 *
 * <pre>
 * Main SCHEMA_DIR OUTPUT_DIR [PACKAGE]
 * </pre>
 *
 * reads every {@code *.json} message schema in SCHEMA_DIR and writes one class per schema
 * into PACKAGE (default {@code io.skiff.wire.message}) under OUTPUT_DIR, and, when the schemas
 * include requests and responses, the {@code ApiKeys} enum into {@code io.skiff.wire.protocol}.
 * Other modules use the third argument to generate their own record schemas (for example the
 * coordinator records of {@code __consumer_offsets}).
 */
public final class Main {
    static final String MESSAGE_PACKAGE = "io.skiff.wire.message";
    static final String PROTOCOL_PACKAGE = "io.skiff.wire.protocol";

    private Main() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2 && args.length != 3) {
            throw new IllegalArgumentException("usage: Main SCHEMA_DIR OUTPUT_DIR [PACKAGE]");
        }
        Path schemas = Paths.get(args[0]);
        Path out = Paths.get(args[1]);
        String messagePackage = args.length == 3 ? args[2] : MESSAGE_PACKAGE;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(schemas)) {
            s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no schemas in " + schemas);
        }
        List<MessageSpec> specs = new ArrayList<>();
        Path messageDir = out.resolve(messagePackage.replace('.', '/'));
        Files.createDirectories(messageDir);
        int generated = 0;
        for (Path file : files) {
            MessageSpec spec;
            try {
                spec = Schema.load(file);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
            }
            specs.add(spec);
            if (spec.validVersions.isEmpty()) {
                continue; // an API that no longer has any version
            }
            String code;
            try {
                code = new MessageGenerator(spec, messagePackage).generate();
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot generate " + file + ": " + e.getMessage(), e);
            }
            writeIfChanged(messageDir.resolve(spec.name + ".java"), code);
            generated++;
        }
        boolean hasApis = specs.stream().anyMatch(s -> "request".equals(s.type));
        if (hasApis) {
            Path protocolDir = out.resolve(PROTOCOL_PACKAGE.replace('.', '/'));
            Files.createDirectories(protocolDir);
            writeIfChanged(
                    protocolDir.resolve("ApiKeys.java"),
                    ApiKeysGenerator.generate(specs, PROTOCOL_PACKAGE, messagePackage));
        }
        System.out.println("skiff generator: " + generated + " message classes from " + files.size() + " schemas");
    }

    private static void writeIfChanged(Path path, String code) throws IOException {
        byte[] bytes = code.getBytes(StandardCharsets.UTF_8);
        if (Files.exists(path) && Arrays.equals(Files.readAllBytes(path), bytes)) {
            return;
        }
        Files.write(path, bytes);
    }
}
