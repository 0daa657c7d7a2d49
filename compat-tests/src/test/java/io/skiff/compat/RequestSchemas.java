package io.skiff.compat;

import io.skiff.wire.generator.Schema;
import io.skiff.wire.generator.Schema.MessageSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The request schemas of every API key, read from the same JSON files the message generator
 * reads ({@code common/message/*Request.json} inside the kafka-clients jar, which the wire
 * module's build unpacks for the generator) and parsed with the generator's own {@link Schema}
 * model. Loaded once; the list is immutable and safe to share between threads (the fuzzer only
 * reads the specs).
 */
final class RequestSchemas {
    private static final String PREFIX = "common/message/";

    private RequestSchemas() {}

    /** Every request schema with an API key and at least one valid version, sorted by key. */
    static List<MessageSpec> load() throws IOException {
        List<MessageSpec> out = new ArrayList<>();
        try (JarFile jar = new JarFile(kafkaClientsJar().toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String name = e.getName();
                if (!name.startsWith(PREFIX) || !name.endsWith("Request.json")) {
                    continue;
                }
                try (InputStream in = jar.getInputStream(e)) {
                    MessageSpec spec = Schema.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    if (spec.apiKey != null && "request".equals(spec.type) && !spec.validVersions.isEmpty()) {
                        out.add(spec);
                    }
                }
            }
        }
        out.sort(Comparator.comparingInt(s -> s.apiKey));
        return Collections.unmodifiableList(out);
    }

    private static Path kafkaClientsJar() {
        try {
            return Path.of(ApiKeys.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the kafka-clients jar", e);
        }
    }
}
