package io.skiff.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One broker, Apache Kafka or Skiff, running as a child JVM in its own directory on a free
 * loopback port: started, timed to its first Metadata answer, watched through {@code /proc}
 * while load runs, and stopped. Not thread-safe except where noted.
 */
public final class BrokerProcess implements AutoCloseable {
    /** How both brokers are configured alike: JVM options, CPU pinning prefix, shared properties. */
    public static final class Launch {
        final List<String> jvmOptions;
        final List<String> cpuPrefix;
        final Map<String, String> extraProperties;

        public Launch(List<String> jvmOptions, List<String> cpuPrefix, Map<String, String> extraProperties) {
            this.jvmOptions = List.copyOf(jvmOptions);
            this.cpuPrefix = List.copyOf(cpuPrefix);
            this.extraProperties = new LinkedHashMap<>(extraProperties);
        }
    }

    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);

    public final String label;
    public final Path dir;
    public final int port;
    private final Process process;
    /** Process start to the first Metadata answer. */
    public final long startupNanos;
    /** Kafka only: the separate storage-format JVM that must run before the first start; 0 for Skiff. */
    public final long formatNanos;

    private final ProcMonitor monitor;

    private BrokerProcess(String label, Path dir, int port, Process process, long startupNanos, long formatNanos) {
        this.label = label;
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.startupNanos = startupNanos;
        this.formatNanos = formatNanos;
        this.monitor = new ProcMonitor(process.pid());
    }

    /** The exit status if the process has ended, else null. */
    public Integer exitStatus() {
        return process.isAlive() ? null : process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Broker properties common to both brokers: one node on loopback, replication factor 1 everywhere. */
    private static Map<String, String> commonProperties(Path dir, int port) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("node.id", "1");
        p.put("log.dirs", dir.resolve("logs").toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // No log.flush.* key: both brokers keep Apache Kafka's default flush policy (the OS
        // page cache decides when data reaches the disk).
        return p;
    }

    /** Formats a KRaft storage directory and starts Apache Kafka (combined broker and controller). */
    public static BrokerProcess startKafka(String label, Path dir, Launch launch)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freePort();
        int controllerPort = freePort();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.putAll(commonProperties(dir, port));
        p.putAll(launch.extraProperties);
        Path props = writeProperties(dir.resolve("server.properties"), p);
        Path log4j = dir.resolve("log4j2.xml");
        Files.writeString(
                log4j,
                "<Configuration status=\"WARN\"><Appenders><Console name=\"out\" target=\"SYSTEM_OUT\">"
                        + "<PatternLayout pattern=\"[%d] %p %m (%c)%n\"/></Console></Appenders>"
                        + "<Loggers><Root level=\"WARN\"><AppenderRef ref=\"out\"/></Root></Loggers></Configuration>\n");
        String classpath = System.getProperty("java.class.path");

        List<String> format = new ArrayList<>();
        format.add(javaExecutable());
        format.add("-Dlog4j2.configurationFile=" + log4j);
        format.addAll(List.of(
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                clusterId(),
                "-c",
                props.toString()));
        long formatStart = System.nanoTime();
        Process f = new ProcessBuilder(format)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile())
                .start();
        if (!f.waitFor(120, TimeUnit.SECONDS) || f.exitValue() != 0) {
            f.destroyForcibly();
            throw new IOException("Kafka storage format failed; see " + dir.resolve("format.log") + ":\n"
                    + tail(dir.resolve("format.log")));
        }
        long formatNanos = System.nanoTime() - formatStart;

        List<String> cmd = new ArrayList<>(launch.cpuPrefix);
        cmd.add(javaExecutable());
        cmd.addAll(launch.jvmOptions);
        cmd.add("-Dlog4j2.configurationFile=" + log4j);
        cmd.addAll(List.of("-cp", classpath, "kafka.Kafka", props.toString()));
        return start(label, dir, port, cmd, formatNanos);
    }

    /** Starts Skiff from the built artifacts under {@code skiffHome/broker/target}. */
    public static BrokerProcess startSkiff(
            String label, Path skiffHome, Path dir, Launch launch, Map<String, String> skiffProperties)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path target = skiffHome.resolve("broker").resolve("target");
        Path jar;
        try (Stream<Path> files = Files.list(target)) {
            jar = files.filter(f -> {
                        String n = f.getFileName().toString();
                        return n.startsWith("skiff-broker-")
                                && n.endsWith(".jar")
                                && !n.contains("-sources")
                                && !n.contains("-tests");
                    })
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            jar = null;
        }
        if (jar == null || !Files.isDirectory(target.resolve("lib"))) {
            throw new IOException("Skiff is not built: no broker jar and lib/ under " + target
                    + " (run mvn -q package -DskipTests -pl bench -am)");
        }
        int port = freePort();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.putAll(commonProperties(dir, port));
        p.putAll(launch.extraProperties);
        p.putAll(skiffProperties);
        Path props = writeProperties(dir.resolve("server.properties"), p);
        List<String> cmd = new ArrayList<>(launch.cpuPrefix);
        cmd.add(javaExecutable());
        cmd.addAll(launch.jvmOptions);
        // Same log level as the reference broker gets (WARN), so neither pays for INFO logging.
        cmd.add("-Dskiff.log.level=WARN");
        cmd.addAll(List.of(
                "-cp",
                jar + File.pathSeparator + target.resolve("lib") + "/*",
                "io.skiff.broker.SkiffMain",
                props.toString()));
        return start(label, dir, port, cmd, 0);
    }

    private static BrokerProcess start(String label, Path dir, int port, List<String> cmd, long formatNanos)
            throws IOException, InterruptedException {
        Files.writeString(dir.resolve("command.txt"), String.join(" ", cmd) + "\n");
        Path log = dir.resolve("broker.log");
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        while (true) {
            if (MetadataProbe.answers("127.0.0.1", port, 1000)) {
                return new BrokerProcess(label, dir, port, process, System.nanoTime() - t0, formatNanos);
            }
            if (!process.isAlive()) {
                throw new IOException(label + " exited with status " + process.exitValue()
                        + " before answering Metadata; " + log + ":\n" + tail(log));
            }
            if (System.nanoTime() - t0 > START_TIMEOUT_NANOS) {
                process.destroyForcibly();
                throw new IOException(label + " did not answer Metadata within 90 s; " + log + ":\n" + tail(log));
            }
            Thread.sleep(10);
        }
    }

    /** The monitor of this broker's CPU time and RSS; the same instance for every run. */
    public ProcMonitor monitor() {
        return monitor;
    }

    /** SIGTERM, then SIGKILL after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public String logTail() {
        return tail(dir.resolve("broker.log"));
    }

    private static Path writeProperties(Path file, Map<String, String> p) throws IOException {
        StringBuilder sb = new StringBuilder("# written by the Skiff bench\n");
        p.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, sb.toString());
        return file;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static String clusterId() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.subList(Math.max(0, lines.size() - 30), lines.size()).stream()
                    .collect(Collectors.joining("\n"));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
