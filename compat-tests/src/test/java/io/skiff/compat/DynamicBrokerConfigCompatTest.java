package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dynamic broker configs against a real Skiff process, with kafka-clients' Admin
 * (incrementalAlterConfigs, describeConfigs) and {@code kafka-configs.sh} ({@code ConfigCommand})
 * {@code --entity-type brokers}: per-broker and {@code --entity-default} changes, Kafka's refusals,
 * the describe output with sources and synonyms, and changed defaults taking effect at once (a
 * topic without override gets the new retention and segment size, message.max.bytes refuses a
 * larger batch). Runs against Apache Kafka too ({@code -Dskiff.compat.reference=host:port} of a
 * broker with node.id 1 and log.retention.check.interval.ms=500); the restart test is Skiff's only.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DynamicBrokerConfigCompatTest {
    private static final String CONFIG_COMMAND = "kafka.admin.ConfigCommand";
    private static final String NODE = "1";
    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER, NODE);
    private static final ConfigResource DEFAULT_BROKER = new ConfigResource(ConfigResource.Type.BROKER, "");
    /** Every key a test sets, removed again after each test. */
    private static final List<String> KEYS = List.of(
            "log.retention.ms",
            "log.retention.bytes",
            "log.segment.bytes",
            "message.max.bytes",
            "log.cleanup.policy",
            "max.connections.per.ip.overrides");

    /** Topic names of this run (a reference broker keeps the topics of earlier runs). */
    private static final String MAX_TOPIC = "dyn-max-" + System.currentTimeMillis();

    private static final String RETENTION_TOPIC = "dyn-ret-" + System.currentTimeMillis();

    private static Path dataDir;
    private static SkiffProcess skiff;
    private static String bootstrap;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        if (SkiffBrokerExtension.isReference()) {
            bootstrap = System.getProperty(SkiffBrokerExtension.REFERENCE_PROPERTY);
        } else {
            dataDir = Files.createTempDirectory("skiff-dynconfig-");
            skiff = new SkiffProcess(dataDir).with("node.id", NODE).with("log.retention.check.interval.ms", "500");
            skiff.start();
            bootstrap = skiff.bootstrapServers();
        }
        admin = Clients.admin(bootstrap);
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (skiff != null) {
            skiff.close();
        }
        SkiffBrokerExtension.deleteRecursively(dataDir);
    }

    @AfterEach
    void removeWhatTheTestSet() throws Exception {
        for (ConfigResource r : List.of(THIS_BROKER, DEFAULT_BROKER)) {
            List<AlterConfigOp> ops = KEYS.stream()
                    .map(k -> new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE))
                    .toList();
            admin.incrementalAlterConfigs(Map.of(r, ops)).all().get(30, TimeUnit.SECONDS);
        }
        for (String key : KEYS) {
            awaitSource(THIS_BROKER, key, List.of(ConfigEntry.ConfigSource.DEFAULT_CONFIG));
        }
    }

    /**
     * Waits until {@code key} of {@code r} has one of {@code sources} (Kafka's brokers apply a change
     * once their metadata catches up with the controller, Skiff's before it answers); answers the entry.
     */
    private static ConfigEntry awaitSource(ConfigResource r, String key, List<ConfigEntry.ConfigSource> sources)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ConfigEntry e = describe(r).get(key);
        while (!sources.contains(e.source()) && System.nanoTime() < deadline) {
            e = describe(r).get(key);
        }
        assertThat(e.source()).as(key + " of " + r).isIn(sources);
        return e;
    }

    private static ConfigEntry awaitValue(ConfigResource r, String key, String value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ConfigEntry e = describe(r).get(key);
        while (!value.equals(e.value()) && System.nanoTime() < deadline) {
            e = describe(r).get(key);
        }
        assertThat(e.value()).as(key + " of " + r).isEqualTo(value);
        return e;
    }

    private static KafkaTool.Result configs(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        all[0] = "--bootstrap-server";
        all[1] = bootstrap;
        all[2] = "--entity-type";
        all[3] = "brokers";
        System.arraycopy(args, 0, all, 4, args.length);
        return KafkaTool.run(CONFIG_COMMAND, all);
    }

    private static void set(ConfigResource r, String key, String value) throws Exception {
        alter(r, new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
    }

    private static void alter(ConfigResource r, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(r, List.of(ops))).all().get(30, TimeUnit.SECONDS);
    }

    private static Config describe(ConfigResource r) throws Exception {
        return admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
    }

    private static String synonyms(ConfigEntry e) {
        return e.synonyms().stream()
                .map(s -> s.source() + ":" + s.name() + "=" + s.value())
                .toList()
                .toString();
    }

    private static Throwable refusal(ConfigResource r, boolean validateOnly, AlterConfigOp... ops) {
        ExecutionException e = catchThrowableOfType(
                () -> admin.incrementalAlterConfigs(
                                Map.of(r, List.of(ops)), new AlterConfigsOptions().validateOnly(validateOnly))
                        .all()
                        .get(30, TimeUnit.SECONDS),
                ExecutionException.class);
        assertThat(e).as("refused").isNotNull();
        return e.getCause();
    }

    private static AlterConfigOp setOp(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    @Test
    void kafkaConfigsSetsDescribesAndDeletesPerBrokerAndDefaultConfigs() throws Exception {
        KafkaTool.Result def = configs("--entity-default", "--alter", "--add-config", "log.retention.ms=99999");
        assertThat(def.exitCode()).as(def.output()).isZero();
        assertThat(def.output()).contains("Completed updating default config for brokers in the cluster.");
        KafkaTool.Result mine = configs("--entity-name", NODE, "--alter", "--add-config", "log.retention.bytes=12345");
        assertThat(mine.exitCode()).as(mine.output()).isZero();
        assertThat(mine.output()).contains("Completed updating config for broker " + NODE + ".");
        awaitValue(THIS_BROKER, "log.retention.ms", "99999");
        awaitValue(THIS_BROKER, "log.retention.bytes", "12345");

        KafkaTool.Result dynamic = configs("--entity-name", NODE, "--describe");
        assertThat(dynamic.output())
                .contains("Dynamic configs for broker " + NODE + " are:")
                .contains("log.retention.bytes=12345 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:"
                        + "log.retention.bytes=12345, DEFAULT_CONFIG:log.retention.bytes=-1}")
                .doesNotContain("log.retention.ms=");
        KafkaTool.Result defaults = configs("--entity-default", "--describe");
        assertThat(defaults.output())
                .contains("Default configs for brokers in the cluster are:")
                .contains("log.retention.ms=99999 sensitive=false"
                        + " synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=99999}")
                .doesNotContain("log.retention.bytes");
        KafkaTool.Result all = configs("--entity-name", NODE, "--describe", "--all");
        assertThat(all.output())
                .contains("All configs for broker " + NODE + " are:")
                .contains("log.retention.ms=99999 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:"
                        + "log.retention.ms=99999, DEFAULT_CONFIG:log.retention.hours=168}")
                .contains("log.retention.bytes=12345 sensitive=false");

        assertThat(configs("--entity-name", NODE, "--alter", "--delete-config", "log.retention.bytes")
                        .exitCode())
                .isZero();
        assertThat(configs("--entity-default", "--alter", "--delete-config", "log.retention.ms")
                        .exitCode())
                .isZero();
        assertThat(configs("--entity-name", NODE, "--describe").output()).doesNotContain("log.retention.bytes=");
        awaitSource(THIS_BROKER, "log.retention.bytes", List.of(ConfigEntry.ConfigSource.DEFAULT_CONFIG));
        awaitSource(THIS_BROKER, "log.retention.ms", List.of(ConfigEntry.ConfigSource.DEFAULT_CONFIG));
        // Kafka's KRaft bootstrap sets min.insync.replicas as a cluster default of its own.
        assertThat(describe(DEFAULT_BROKER).entries())
                .extracting(ConfigEntry::name)
                .doesNotContain("log.retention.ms", "log.retention.bytes");
    }

    @Test
    void kafkaConfigsGetsKafkasRefusals() throws Exception {
        KafkaTool.Result readOnly =
                configs("--entity-name", NODE, "--alter", "--add-config", "log.retention.hours=3,log.dirs=/x");
        assertThat(readOnly.exitCode()).isNotZero();
        assertThat(readOnly.output())
                .contains("InvalidRequestException: Cannot update these configs dynamically:"
                        + " [log.retention.hours, log.dirs]");
        KafkaTool.Result perBroker = configs("--entity-default", "--alter", "--add-config", "listeners=PLAINTEXT://:1");
        assertThat(perBroker.output())
                .contains("InvalidRequestException: Cannot update these configs at default cluster level, broker id"
                        + " must be specified: [listeners]");
        KafkaTool.Result value = configs("--entity-name", NODE, "--alter", "--add-config", "log.retention.bytes=abc");
        assertThat(value.output())
                .contains("InvalidRequestException: Invalid value abc for configuration log.retention.bytes:"
                        + " Not a number of type LONG");
        assertThat(describe(THIS_BROKER).get("log.retention.bytes").value()).isEqualTo("-1");
    }

    @Test
    void adminGetsInvalidRequestForEveryRefusalAndValidateOnlyChangesNothing() throws Exception {
        assertThat(refusal(THIS_BROKER, false, setOp("ssl.keystore.type", "JKS")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("These security configs can be dynamically updated only per-listener using the listener"
                        + " prefix: [ssl.keystore.type]");
        assertThat(refusal(THIS_BROKER, false, setOp("max.connections.per.ip", "0")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("requirement failed: max.connections.per.ip can be set to zero only if"
                        + " max.connections.per.ip.overrides property is set.");
        assertThat(refusal(THIS_BROKER, true, setOp("log.dirs", "/x")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Cannot update these configs dynamically: [log.dirs]");
        admin.incrementalAlterConfigs(
                        Map.of(THIS_BROKER, List.of(setOp("log.retention.bytes", "777"))),
                        new AlterConfigsOptions().validateOnly(true))
                .all()
                .get(30, TimeUnit.SECONDS);
        assertThat(describe(THIS_BROKER).get("log.retention.bytes").value()).isEqualTo("-1");
    }

    @Test
    void appendAndSubtractChangeAListKey() throws Exception {
        alter(
                DEFAULT_BROKER,
                new AlterConfigOp(new ConfigEntry("log.cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND));
        ConfigEntry e = awaitValue(THIS_BROKER, "log.cleanup.policy", "delete,compact");
        assertThat(e.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        alter(
                DEFAULT_BROKER,
                new AlterConfigOp(new ConfigEntry("log.cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT));
        awaitValue(THIS_BROKER, "log.cleanup.policy", "compact");
        Throwable notAList = refusal(
                THIS_BROKER,
                false,
                new AlterConfigOp(new ConfigEntry("log.retention.ms", "5"), AlterConfigOp.OpType.APPEND));
        assertThat(notAList)
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Config value append is not allowed for config key: log.retention.ms");
        assertThat(refusal(THIS_BROKER, false, setOp("log.retention.ms", null)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Null value not supported for : log.retention.ms");
    }

    @Test
    void aSmallerDefaultMessageMaxBytesRefusesALargerBatchAtOnce() throws Exception {
        admin.createTopics(List.of(new NewTopic(MAX_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "all")) {
            producer.send(new ProducerRecord<>(MAX_TOPIC, new byte[4000])).get(30, TimeUnit.SECONDS);
            set(DEFAULT_BROKER, "message.max.bytes", "2000");
            awaitValue(new ConfigResource(ConfigResource.Type.TOPIC, MAX_TOPIC), "max.message.bytes", "2000");
            assertThat(describe(new ConfigResource(ConfigResource.Type.TOPIC, MAX_TOPIC))
                            .get("max.message.bytes")
                            .source())
                    .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(MAX_TOPIC, new byte[4000]))
                            .get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(RecordTooLargeException.class);
            producer.send(new ProducerRecord<>(MAX_TOPIC, new byte[500])).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTopicWithoutOverrideGetsTheNewSegmentSizeAndRetentionLive() throws Exception {
        admin.createTopics(List.of(new NewTopic(RETENTION_TOPIC, 1, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
        TopicPartition tp = new TopicPartition(RETENTION_TOPIC, 0);
        set(DEFAULT_BROKER, "log.segment.bytes", "1048576");
        awaitValue(new ConfigResource(ConfigResource.Type.TOPIC, RETENTION_TOPIC), "segment.bytes", "1048576");
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "all")) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(RETENTION_TOPIC, new byte[100_000]))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(earliest(tp))
                .as("nothing deleted before the retention change")
                .isZero();
        set(DEFAULT_BROKER, "log.retention.bytes", "1048576");
        ConfigEntry retention = awaitValue(
                new ConfigResource(ConfigResource.Type.TOPIC, RETENTION_TOPIC), "retention.bytes", "1048576");
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long start = 0;
        while (start == 0 && System.nanoTime() < deadline) {
            start = earliest(tp);
        }
        assertThat(start).as("old segments deleted by the new retention.bytes").isPositive();
    }

    private static long earliest(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest()))
                .partitionResult(tp)
                .get(30, TimeUnit.SECONDS)
                .offset();
    }

    private static Socket connectFrom(String ip, List<Socket> open) throws Exception {
        Socket s = new Socket();
        open.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(ip), 0));
        int colon = bootstrap.lastIndexOf(':');
        s.connect(
                new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1))),
                5_000);
        return s;
    }

    @Test
    void aChangedPerIpOverrideLimitsNewConnectionsAtOnce() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            set(THIS_BROKER, "max.connections.per.ip.overrides", "127.0.0.9:1");
            awaitValue(THIS_BROKER, "max.connections.per.ip.overrides", "127.0.0.9:1");
            Socket first = connectFrom("127.0.0.9", open);
            assertThat(ConnectionLimitsCompatTest.served(first, 10_000)).isTrue();
            Socket second = connectFrom("127.0.0.9", open);
            assertThat(ConnectionLimitsCompatTest.closedByBroker(second, 10_000))
                    .as("beyond the new override of 1")
                    .isTrue();
            set(THIS_BROKER, "max.connections.per.ip.overrides", "127.0.0.9:2");
            awaitValue(THIS_BROKER, "max.connections.per.ip.overrides", "127.0.0.9:2");
            Socket third = connectFrom("127.0.0.9", open);
            assertThat(ConnectionLimitsCompatTest.served(third, 10_000))
                    .as("within the raised override")
                    .isTrue();
            assertThat(ConnectionLimitsCompatTest.served(first, 10_000)).isTrue();
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void dynamicConfigsSurviveARestart() throws Exception {
        Assumptions.assumeFalse(SkiffBrokerExtension.isReference(), "cannot restart the reference broker");
        set(THIS_BROKER, "log.retention.bytes", "4242");
        set(DEFAULT_BROKER, "log.retention.ms", "4343");
        skiff.stop();
        skiff.start();
        admin.close();
        admin = Clients.admin(bootstrap);
        Config c = admin.describeConfigs(List.of(THIS_BROKER), new DescribeConfigsOptions().includeSynonyms(true))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(THIS_BROKER);
        assertThat(c.get("log.retention.bytes").value()).isEqualTo("4242");
        assertThat(c.get("log.retention.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(c.get("log.retention.ms").value()).isEqualTo("4343");
        assertThat(synonyms(c.get("log.retention.ms")))
                .isEqualTo(
                        "[DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=4343, DEFAULT_CONFIG:log.retention.hours=168]");
        Collection<ConfigEntry> defaults = describe(DEFAULT_BROKER).entries();
        assertThat(defaults).extracting(ConfigEntry::name).containsExactly("log.retention.ms");
    }
}
