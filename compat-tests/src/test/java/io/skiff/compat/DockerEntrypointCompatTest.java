package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigLoader;
import io.skiff.broker.config.EndPoint;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entrypoint, {@code docker/entrypoint.sh}, run by bash outside any image (no Docker
 * engine needed): a stand-in {@code java} records every command the script runs, so the tests
 * check the configuration it writes from the apache/kafka image's environment variables and a
 * mounted server.properties, the format command that CLUSTER_ID gives, and the broker command it
 * execs. One test lets the stand-in run Skiff's real format command.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DockerEntrypointCompatTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path ENTRYPOINT = REPO.resolve("docker/entrypoint.sh");
    static final Path DEFAULT_CONFIG = REPO.resolve("docker/server.properties");
    private static final String MAIN = "io.skiff.broker.SkiffMain";
    private static final String APACHE_DEFAULT_CLUSTER_ID = "5L6g3nShT-eMCtK--X86sw";

    /** The stand-in java: one line per argument, then "--", for each run; answers format as told. */
    private static final String FAKE_JAVA = "#!/usr/bin/env bash\n"
            + "printf '%s\\n' \"$@\" -- >> \"$FAKE_JAVA_LOG\"\n"
            + "for a in \"$@\"; do\n"
            + "  if [ \"$a\" = format ]; then\n"
            + "    if [ -n \"${REAL_FORMAT_CP:-}\" ]; then\n"
            + "      while [ \"$1\" != \"" + MAIN + "\" ]; do shift; done\n"
            + "      exec \"$REAL_JAVA\" -cp \"$REAL_FORMAT_CP\" \"$@\"\n"
            + "    fi\n"
            + "    echo \"${FAKE_FORMAT_OUTPUT:-Formatted 1 of 1 directories}\"\n"
            + "    exit \"${FAKE_FORMAT_STATUS:-0}\"\n"
            + "  fi\n"
            + "done\n"
            + "echo broker-started\n";

    @TempDir
    Path dir;

    private Path configDir;
    private Path mountedDir;
    private Path javaLog;

    /** What one run of the entrypoint did. */
    record Run(int exitCode, String output, List<List<String>> javaRuns) {
        List<String> format() {
            return javaRuns.stream()
                    .filter(r -> r.contains("format"))
                    .findFirst()
                    .orElse(null);
        }

        List<String> broker() {
            return javaRuns.stream()
                    .filter(r -> r.contains(MAIN) && !r.contains("format"))
                    .findFirst()
                    .orElse(null);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        configDir = dir.resolve("config");
        mountedDir = dir.resolve("mnt");
        Files.createDirectories(mountedDir);
        javaLog = dir.resolve("java.log");
        Path fake = dir.resolve("fake-java");
        Files.writeString(fake, FAKE_JAVA);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", ENTRYPOINT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        e.put("SKIFF_HOME", dir.resolve("home").toString());
        e.put("SKIFF_CONFIG_DIR", configDir.toString());
        e.put("SKIFF_MOUNTED_CONFIG_DIR", mountedDir.toString());
        e.put("SKIFF_DEFAULT_CONFIG", DEFAULT_CONFIG.toString());
        e.put("SKIFF_DATA_DIR", dir.resolve("data").toString());
        e.put("JAVA", dir.resolve("fake-java").toString());
        e.put("FAKE_JAVA_LOG", javaLog.toString());
        e.putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<List<String>> runs = new ArrayList<>();
        if (Files.exists(javaLog)) {
            List<String> current = new ArrayList<>();
            for (String line : Files.readAllLines(javaLog)) {
                if (line.equals("--")) {
                    runs.add(current);
                    current = new ArrayList<>();
                } else {
                    current.add(line);
                }
            }
        }
        return new Run(p.exitValue(), output, runs);
    }

    private Path finalConfig() {
        return configDir.resolve("server.properties");
    }

    private Map<String, String> finalProperties() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(finalConfig())) {
            p.load(r);
        }
        Map<String, String> out = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            out.put(k, p.getProperty(k));
        }
        return out;
    }

    /** What Skiff itself reads at start: the final file, with the same environment over it. */
    private static BrokerConfig skiffReads(Path file, Map<String, String> env) {
        return new BrokerConfig(ConfigLoader.load(new String[] {file.toString()}, env).properties);
    }

    private static List<String> endPoints(List<EndPoint> list) {
        return list.stream()
                .map(e -> e.listenerName + "://" + e.host + ":" + e.port)
                .toList();
    }

    @Test
    void withNoEnvironmentTheDefaultSingleNodeListensOnAllAddressesAndAdvertisesLocalhost() throws Exception {
        Run r = run(Map.of());

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(Files.readString(finalConfig())).isEqualTo(Files.readString(DEFAULT_CONFIG));
        BrokerConfig config = skiffReads(finalConfig(), Map.of());
        assertThat(endPoints(config.listeners())).contains("PLAINTEXT://0.0.0.0:9092");
        assertThat(endPoints(config.advertisedListeners())).containsExactly("PLAINTEXT://localhost:9092");
        assertThat(config.logDirs()).containsExactly("/var/lib/skiff/data");
        assertThat(config.nodeId()).isEqualTo(1);
        assertThat(r.format())
                .containsSequence(
                        "format",
                        "--cluster-id",
                        APACHE_DEFAULT_CLUSTER_ID,
                        finalConfig().toString());
        assertThat(r.broker()).containsSequence(MAIN, finalConfig().toString());
        assertThat(r.broker()).contains("-Xms256m", "-Xmx1g");
        assertThat(r.broker().get(r.broker().size() - 1))
                .isEqualTo(finalConfig().toString());
        assertThat(r.output()).contains("broker-started");
    }

    @Test
    void everyApacheKafkaVariableBecomesItsPropertyAndJvmVariablesDoNot() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_NODE_ID", "3");
        env.put("KAFKA_PROCESS_ROLES", "broker,controller");
        env.put("KAFKA_LISTENERS", "PLAINTEXT://:19092,CONTROLLER://:9093,PLAINTEXT_HOST://:9092");
        env.put("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://skiff-3:19092,PLAINTEXT_HOST://localhost:49092");
        env.put(
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT");
        env.put("KAFKA_CONTROLLER_QUORUM_VOTERS", "3@localhost:9093");
        env.put("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER");
        env.put("KAFKA_LOG_RETENTION_MS", "3600000");
        env.put("KAFKA_SOME___DASHED__UNDER_KEY", "x y");
        env.put("KAFKA_HEAP_OPTS", "-Xms64m -Xmx300m");
        env.put("KAFKA_OPTS", "-Dskiff.test=1");
        env.put("KAFKA_LOG4J_LOGGERS", "kafka=WARN");
        env.put("KAFKA_LOG4J_ROOT_LOGLEVEL", "WARN");
        env.put("CLUSTER_ID", "Xk3Lw0cxTqmy8NnrRZb1vA");
        Run r = run(env);

        assertThat(r.exitCode()).as(r.output()).isZero();
        Map<String, String> expected = new TreeMap<>();
        expected.put("node.id", "3");
        expected.put("process.roles", "broker,controller");
        expected.put("listeners", "PLAINTEXT://:19092,CONTROLLER://:9093,PLAINTEXT_HOST://:9092");
        expected.put("advertised.listeners", "PLAINTEXT://skiff-3:19092,PLAINTEXT_HOST://localhost:49092");
        expected.put(
                "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT");
        expected.put("controller.quorum.voters", "3@localhost:9093");
        expected.put("controller.listener.names", "CONTROLLER");
        expected.put("log.retention.ms", "3600000");
        expected.put("some-dashed_under.key", "x y");
        expected.put("log.dirs", dir.resolve("data").toString());
        assertThat(finalProperties()).isEqualTo(expected);

        BrokerConfig config = skiffReads(finalConfig(), env);
        assertThat(config.nodeId()).isEqualTo(3);
        assertThat(endPoints(config.advertisedListeners()))
                .containsExactlyInAnyOrder("PLAINTEXT://skiff-3:19092", "PLAINTEXT_HOST://localhost:49092");
        assertThat(r.format())
                .containsSequence(
                        "--cluster-id", "Xk3Lw0cxTqmy8NnrRZb1vA", finalConfig().toString());
        assertThat(r.broker()).contains("-Xms64m", "-Xmx300m", "-Dskiff.test=1", "-Dskiff.log.level=WARN");
        assertThat(r.broker()).doesNotContain("-Xmx1g");
    }

    @Test
    void listenersComeFromTheAdvertisedListenersOnAllAddressesWhenUnset() throws Exception {
        Run r = run(Map.of(
                "KAFKA_PROCESS_ROLES", "broker,controller",
                "KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://broker:19092,PLAINTEXT_HOST://localhost:9092"));

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(finalProperties())
                .containsEntry("listeners", "PLAINTEXT://0.0.0.0:19092,PLAINTEXT_HOST://0.0.0.0:9092")
                .containsEntry("advertised.listeners", "PLAINTEXT://broker:19092,PLAINTEXT_HOST://localhost:9092");
    }

    @Test
    void aMountedServerPropertiesIsOverlaidByTheEnvironment() throws Exception {
        Files.writeString(
                mountedDir.resolve("server.properties"),
                "node.id=7\nnum.partitions=4\nlog.dirs=/srv/kafka\nlisteners=PLAINTEXT://0.0.0.0:9092");
        Map<String, String> env = Map.of("KAFKA_NUM_PARTITIONS", "9", "KAFKA_LOG_SEGMENT_BYTES", "1048576");
        Run r = run(env);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(finalProperties())
                .containsEntry("node.id", "7")
                .containsEntry("num.partitions", "9")
                .containsEntry("log.segment.bytes", "1048576")
                .containsEntry("log.dirs", "/srv/kafka");
        assertThat(Files.readString(finalConfig()))
                .doesNotContain(dir.resolve("data").toString());
        BrokerConfig config = skiffReads(finalConfig(), env);
        assertThat(config.getInt("num.partitions")).isEqualTo(9);
        assertThat(config.nodeId()).isEqualTo(7);
        assertThat(r.output()).contains("Configuration from " + mountedDir.resolve("server.properties"));
    }

    @Test
    void anEmptyMountedFileWithoutEnvironmentGivesTheDefaultNode() throws Exception {
        Files.writeString(mountedDir.resolve("server.properties"), "\n  \n");
        Run r = run(Map.of());

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(Files.readString(finalConfig())).isEqualTo(Files.readString(DEFAULT_CONFIG));
    }

    @Test
    void clusterIdFormatsTheLogDirectoriesWithSkiffsFormatCommand() throws Exception {
        Path data = dir.resolve("data");
        Run r = run(Map.of(
                "KAFKA_PROCESS_ROLES", "broker,controller",
                "KAFKA_NODE_ID", "2",
                "KAFKA_LISTENERS", "PLAINTEXT://127.0.0.1:0",
                "CLUSTER_ID", "Xk3Lw0cxTqmy8NnrRZb1vA",
                "REAL_JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "REAL_FORMAT_CP", System.getProperty("java.class.path")));

        assertThat(r.exitCode()).as(r.output()).isZero();
        Properties meta = new Properties();
        try (Reader in = Files.newBufferedReader(data.resolve("meta.properties"))) {
            meta.load(in);
        }
        assertThat(meta.getProperty("cluster.id")).isEqualTo("Xk3Lw0cxTqmy8NnrRZb1vA");
        assertThat(meta.getProperty("node.id")).isEqualTo("2");
        assertThat(r.broker()).as("the broker starts after the format").isNotNull();

        // The next start formats again; the directory, already this cluster's, is left as it is.
        Run again = run(Map.of(
                "KAFKA_PROCESS_ROLES", "broker,controller",
                "KAFKA_NODE_ID", "2",
                "KAFKA_LISTENERS", "PLAINTEXT://127.0.0.1:0",
                "CLUSTER_ID", "Xk3Lw0cxTqmy8NnrRZb1vA",
                "REAL_JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "REAL_FORMAT_CP", System.getProperty("java.class.path")));
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("Formatted 0 of 1 directories");
    }

    @Test
    void aDirectoryAlreadyFormattedStartsButAnotherFormatFailureStopsTheContainer() throws Exception {
        Run formatted = run(Map.of(
                "FAKE_FORMAT_OUTPUT", "Cannot format: Log directory /d is already formatted for cluster abc",
                "FAKE_FORMAT_STATUS", "1"));
        assertThat(formatted.exitCode()).as(formatted.output()).isZero();
        assertThat(formatted.broker()).isNotNull();

        Files.delete(javaLog);
        Run refused = run(Map.of(
                "CLUSTER_ID", "not-an-id",
                "FAKE_FORMAT_OUTPUT", "Cannot format: Cluster id not-an-id is not a valid id",
                "FAKE_FORMAT_STATUS", "1"));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.output()).contains("is not a valid id");
        assertThat(refused.broker()).as("no broker after a failed format").isNull();
    }

    @Test
    void variableArgumentsAreSetAndAnyOtherCommandRunsInsteadOfTheBroker() throws Exception {
        Run withArgs = run(Map.of(), "KAFKA_NODE_ID=5", "KAFKA_NUM_PARTITIONS=2");
        assertThat(withArgs.exitCode()).as(withArgs.output()).isZero();
        assertThat(finalProperties()).containsEntry("node.id", "5").containsEntry("num.partitions", "2");

        Files.delete(javaLog);
        Run command = run(Map.of(), "echo", "a shell instead");
        assertThat(command.exitCode()).isZero();
        assertThat(command.output()).isEqualTo("a shell instead\n");
        assertThat(command.javaRuns()).isEmpty();
    }

    @Test
    void aControllerOnlyNodeWithAdvertisedListenersIsRefusedAsApacheKafkaRefusesIt() throws Exception {
        Run r = run(Map.of(
                "KAFKA_PROCESS_ROLES", "controller", "KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:9092"));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller.");
        assertThat(r.javaRuns()).isEmpty();
    }
}
