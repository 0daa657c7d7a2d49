package io.skiff.compat;

import io.skiff.broker.SkiffBroker;
import io.skiff.broker.config.BrokerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real Skiff broker, in this JVM, on a free port of 127.0.0.1 with a fresh temporary
 * data directory, before the tests of a class; stops it and deletes the directory after them.
 * Register it as a static field:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension().with("num.partitions", "3");
 * </pre>
 *
 * <p>With the system property {@value #REFERENCE_PROPERTY} set to {@code host:port} of an Apache Kafka
 * broker that is already running, it starts nothing and the
 * tests run against that broker instead: a way to check that what a test expects is what Kafka
 * answers. Tests that need {@link #restart()} or Skiff's internals are skipped then.
 */
public final class SkiffBrokerExtension implements BeforeAllCallback, AfterAllCallback {
    /** System property naming an already running reference broker to test instead of Skiff. */
    public static final String REFERENCE_PROPERTY = "skiff.compat.reference";

    private static final String REFERENCE = System.getProperty(REFERENCE_PROPERTY, "");
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private Path dataDir;
    private SkiffBroker broker;

    /** Adds a broker property (before the broker starts). */
    public SkiffBrokerExtension with(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (isReference()) {
            return;
        }
        dataDir = Files.createTempDirectory("skiff-compat-");
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        deleteRecursively(dataDir);
    }

    private void start() throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dataDir.toString());
        props.putAll(overrides);
        broker = new SkiffBroker(new BrokerConfig(props));
        broker.start();
    }

    private void stop() {
        if (broker != null) {
            broker.shutdown();
            broker = null;
        }
    }

    /** Stops the broker cleanly and starts it again on the same data (on a new port). */
    public void restart() throws Exception {
        Assumptions.assumeFalse(isReference(), "cannot restart the reference broker");
        stop();
        start();
    }

    /** True when the tests run against the reference broker named by {@value #REFERENCE_PROPERTY}. */
    public static boolean isReference() {
        return !REFERENCE.isEmpty();
    }

    public SkiffBroker broker() {
        Assumptions.assumeFalse(isReference(), "no Skiff broker: testing the reference broker");
        return broker;
    }

    public Path dataDir() {
        Assumptions.assumeFalse(isReference(), "no Skiff data directory: testing the reference broker");
        return dataDir;
    }

    public int port() {
        if (isReference()) {
            return Integer.parseInt(REFERENCE.substring(REFERENCE.lastIndexOf(':') + 1));
        }
        return broker.boundPort("PLAINTEXT");
    }

    public String bootstrapServers() {
        if (isReference()) {
            return REFERENCE;
        }
        return "127.0.0.1:" + port();
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
