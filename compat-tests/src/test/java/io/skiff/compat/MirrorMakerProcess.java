package io.skiff.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka's MirrorMaker 2 4.3.1 in dedicated mode ({@code org.apache.kafka.connect.mirror.MirrorMaker
 * mm2.properties}) in a child JVM with this test's classpath (connect-mirror is a test dependency) and a
 * 384 MB heap. Its properties are written to {@code mm2.properties} in its directory and its output goes
 * to {@code mm2.out} there (MirrorMaker's and Connect's classes at INFO). Not thread-safe.
 */
final class MirrorMakerProcess implements AutoCloseable {
    private final Path dir;
    private final Map<String, String> props = new LinkedHashMap<>();
    private Process process;

    MirrorMakerProcess(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** Sets a property of mm2.properties (before {@link #start}). */
    MirrorMakerProcess with(String key, String value) {
        props.put(key, value);
        return this;
    }

    Path outputFile() {
        return dir.resolve("mm2.out");
    }

    Path propertiesFile() {
        return dir.resolve("mm2.properties");
    }

    /** Writes mm2.properties and starts MirrorMaker; fails if the process exits within its first second. */
    void start() throws Exception {
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(propertiesFile(), text);
        Path logback = dir.resolve("mm2-logback.xml");
        Files.writeString(
                logback,
                "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder>"
                        + "<pattern>[%d] %p %m \\(%c\\) [%t]%n</pattern></encoder></appender>"
                        + "<logger name=\"org.apache.kafka.connect\" level=\"INFO\"/>"
                        + "<logger name=\"org.reflections\" level=\"ERROR\"/>"
                        + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>\n");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-Dlogback.configurationFile=" + logback);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.apache.kafka.connect.mirror.MirrorMaker");
        cmd.add(propertiesFile().toString());
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile().toFile()))
                .start();
        process.getOutputStream().close();
        if (process.waitFor(1, TimeUnit.SECONDS)) {
            throw new IllegalStateException("MirrorMaker exited with " + process.exitValue() + "; see " + outputFile());
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: MirrorMaker dies at once, with no chance to commit offsets or transactions. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for MirrorMaker to stop its connectors and exit (SIGKILL after 60 s). */
    int stop() throws InterruptedException {
        if (process == null) {
            return 0;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (isAlive()) {
            kill();
        }
    }
}
