package io.skiff.compat;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Skiff broker in a child JVM, for tests that must kill it (SIGKILL) or stop it (SIGTERM)
 * as an operator would. The child's classpath is this JVM's minus Apache Kafka's jars and
 * test libraries, so the broker runs without kafka-clients as it does in production. Its
 * output goes to {@code broker.out} in the data directory. The port stays the same across
 * restarts; it may be given, e.g. the port another broker had before it.
 */
final class SkiffProcess implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Path outputFile;
    private Process process;

    SkiffProcess(Path dataDir) throws IOException {
        this(dataDir, freePort());
    }

    /** A broker that will listen on {@code port} (for example the port another broker had before it). */
    SkiffProcess(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
        this.outputFile = dataDir.resolve("broker.out");
    }

    /** Sends the broker's output to {@code file} instead of {@code broker.out} in the data directory. */
    SkiffProcess outputTo(Path file) {
        this.outputFile = file;
        return this;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * {@code count} combined nodes (process.roles=broker,controller) of one cluster on loopback, not
     * started: node ids 1..count with data under {@code dir}/node-N, every node a voter on a port of
     * its own, heartbeats every 500 ms, a 3 s session timeout and a 256 MB heap. Tests add their own
     * settings with {@link #with} before starting them.
     */
    static List<SkiffProcess> combinedNodes(Path dir, int count) throws IOException {
        int[] controllerPorts = new int[count];
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < count; i++) {
            controllerPorts[i] = freePort();
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPorts[i]);
        }
        List<SkiffProcess> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path data = dir.resolve("node-" + (i + 1));
            Files.createDirectories(data);
            SkiffProcess p = new SkiffProcess(data);
            p.with("node.id", Integer.toString(i + 1))
                    .with("process.roles", "broker,controller")
                    .with(
                            "listeners",
                            "PLAINTEXT://127.0.0.1:" + p.port() + ",CONTROLLER://127.0.0.1:" + controllerPorts[i])
                    .with("controller.listener.names", "CONTROLLER")
                    .with("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT")
                    .with("controller.quorum.voters", voters.toString())
                    .with("broker.heartbeat.interval.ms", "500")
                    .with("broker.session.timeout.ms", "3000")
                    .jvmOption("-Xmx256m");
            nodes.add(p);
        }
        return nodes;
    }

    SkiffProcess with(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    /** Adds a JVM option of the child (an {@code -Xmx} given here replaces the default 512 MB heap). */
    SkiffProcess jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** The command line of the broker, with {@code options} before the overrides. */
    private List<String> command(String... options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
            cmd.add("-Xmx512m");
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(brokerClasspath());
        cmd.add("io.skiff.broker.SkiffMain");
        cmd.addAll(List.of(options));
        Map<String, String> props = new LinkedHashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("log.dirs", dataDir.toString());
        props.putAll(overrides);
        for (Map.Entry<String, String> e : props.entrySet()) {
            cmd.add("--override");
            cmd.add(e.getKey() + "=" + e.getValue());
        }
        return cmd;
    }

    /** Runs {@code skiff-server --check-migration} with this broker's settings; returns its status and output. */
    KafkaTool.Result checkMigration() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command("--check-migration"))
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "--check-migration did not finish: " + new String(out, StandardCharsets.UTF_8));
        }
        return new KafkaTool.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code skiff-server format --cluster-id <id>} with this broker's settings (as
     * {@code kafka-storage.sh format}); returns its status and output.
     */
    KafkaTool.Result format(String clusterId) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command("format", "--cluster-id", clusterId))
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("format did not finish: " + new String(out, StandardCharsets.UTF_8));
        }
        return new KafkaTool.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Starts the broker without waiting (a node of a quorum listens once the quorum has formed). */
    void startInBackground() throws IOException {
        launch();
    }

    /** Starts the broker and waits until it accepts connections. */
    void start() throws Exception {
        launch();
        awaitListening();
    }

    /** Waits (60 s at most) until the broker, started before, accepts connections. */
    void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited with " + process.exitValue() + "; see " + outputFile);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("broker did not start within 60 s");
    }

    /** Starts the broker and waits until it exits by itself (a start-up it refuses); returns the status. */
    int startExpectingExit() throws Exception {
        launch();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker still runs after 60 s; see " + outputFile);
        }
        return process.exitValue();
    }

    /** Everything the broker printed (standard output and error) so far. */
    String output() throws IOException {
        return Files.readString(outputFile);
    }

    private void launch() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()));
        process = pb.start();
    }

    /** SIGKILL: the process dies at once, with no chance to flush or clean up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: a clean shutdown. Returns the exit status. */
    int stop() throws InterruptedException {
        terminate();
        return awaitExit();
    }

    /** SIGTERM without waiting: the broker shuts down while the caller watches. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the broker to exit (SIGKILL after 60 s); returns the exit status. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    /** True while the broker process runs. */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    private static String brokerClasspath() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            boolean testOnly = entry.contains("/org/apache/kafka/")
                    || name.startsWith("kafka-")
                    || name.startsWith("junit")
                    || name.startsWith("assertj")
                    || name.startsWith("log4j-")
                    || name.startsWith("testcontainers")
                    || name.startsWith("opentest4j")
                    || name.startsWith("apiguardian")
                    || entry.endsWith("test-classes")
                    || name.contains("-tests.jar")
                    || name.startsWith("surefire");
            if (!testOnly) {
                out.add(entry);
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
