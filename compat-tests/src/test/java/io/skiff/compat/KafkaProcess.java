package io.skiff.compat;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka 4.3.1 itself in a child JVM: a single KRaft node (broker and controller in one
 * process) on a loopback port, its log directory formatted first with Kafka's StorageTool, as
 * an operator would run it. Kafka comes from this test's classpath (kafka_2.13 is a test
 * dependency) and logs at WARN to {@code kafka.out} beside the log directory. Not thread-safe.
 */
final class KafkaProcess implements AutoCloseable {
    /** A fixed cluster id (22 characters of base64, as Kafka's random ids are). */
    static final String CLUSTER_ID = "SkiffMigrationTest0001";

    private final Path logDir;
    private final Path home;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> extra = new LinkedHashMap<>();
    private String clusterId = CLUSTER_ID;
    private Process process;

    KafkaProcess(Path logDir, int port) throws IOException {
        this.logDir = logDir;
        this.home = logDir.getParent();
        this.port = port;
        this.controllerPort = freePort();
    }

    KafkaProcess with(String key, String value) {
        extra.put(key, value);
        return this;
    }

    /** Formats with {@code id} (22 characters of base64) instead of {@link #CLUSTER_ID}, for a second cluster. */
    KafkaProcess withClusterId(String id) {
        clusterId = id;
        return this;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Writes the configuration and formats the log directory (kafka-storage.sh format). */
    void format() throws IOException, InterruptedException {
        Files.createDirectories(home);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.putAll(extra);
        StringBuilder text = new StringBuilder();
        p.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(properties(), text);
        Files.writeString(
                home.resolve("kafka-logback.xml"),
                "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder>"
                        + "<pattern>[%d] %p %m \\(%c\\)%n</pattern></encoder></appender>"
                        + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>\n");
        Process f = new ProcessBuilder(command(
                        "kafka.tools.StorageTool",
                        "format",
                        "--cluster-id",
                        clusterId,
                        "-c",
                        properties().toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        home.resolve("kafka.out").toFile()))
                .start();
        if (!f.waitFor(120, TimeUnit.SECONDS) || f.exitValue() != 0) {
            f.destroyForcibly();
            throw new IllegalStateException("kafka-storage format failed; see " + home.resolve("kafka.out"));
        }
    }

    /** Starts Kafka and waits until its broker listener accepts connections. */
    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(command("kafka.Kafka", properties().toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        home.resolve("kafka.out").toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Kafka exited with " + process.exitValue() + "; see " + home.resolve("kafka.out"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("Kafka did not start within 120 s; see " + home.resolve("kafka.out"));
    }

    /**
     * SIGTERM and wait for the process to end: Kafka's controlled, clean shutdown. Returns the exit
     * status (143, as for any JVM ended by SIGTERM).
     */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Path properties() {
        return home.resolve("kafka-server.properties");
    }

    private List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-Dlogback.configurationFile=" + home.resolve("kafka-logback.xml"));
        cmd.add("-cp");
        cmd.add(kafkaClasspath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** This JVM's classpath less Skiff's own classes and test libraries. */
    private static String kafkaClasspath() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            boolean skip = entry.contains("/io/skiff/")
                    || name.startsWith("skiff-")
                    || entry.endsWith("classes")
                    || name.startsWith("junit")
                    || name.startsWith("surefire");
            if (!skip) {
                out.add(entry);
            }
        }
        return String.join(File.pathSeparator, out);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
