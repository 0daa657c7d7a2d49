package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward migration, with real processes: Apache Kafka 4.3.1 (KRaft, one combined node) is
 * formatted and run, gets two topics of idempotently produced records, a consumer group's
 * committed offsets and a compacted topic with configs, and is stopped with SIGTERM. Skiff then
 * starts on the same log directory and port, and serves all of it: the same records at the
 * same offsets, the group's offsets, the topic configs and ids; Kafka's idempotent producer,
 * still open, continues through Skiff, and a new one gets a producer id Kafka never handed out.
 * Kafka's metadata log is byte for byte what Kafka left. {@code --check-migration} first reports
 * the plan and changes nothing. The Kafka directory is made once for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaMigrationCompatTest {
    private static final String ORDERS = "orders";
    private static final String EVENTS = "events";
    private static final String COMPACTED = "compacted";
    private static final String GROUP = "migrating-group";
    private static final int RECORDS = 60;
    private static final Map<String, String> COMPACTED_CONFIGS =
            Map.of("cleanup.policy", "compact", "retention.ms", "3600000", "max.message.bytes", "200000");

    @TempDir
    static Path home;

    private static Path logDir;
    private static int port;
    /** What Kafka wrote: "topic-partition@offset" to "key=value". */
    private static final Map<String, String> written = new TreeMap<>();

    private static final Map<String, Uuid> topicIds = new HashMap<>();
    private static final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    /** Kafka's idempotent producer, left open across the switch of brokers. */
    private static KafkaProducer<byte[], byte[]> kafkaProducer;

    @BeforeAll
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    static void runKafka() throws Exception {
        logDir = home.resolve("logs");
        port = KafkaProcess.freePort();
        try (KafkaProcess kafka =
                new KafkaProcess(logDir, port).with("metadata.log.max.record.bytes.between.snapshots", "2048")) {
            kafka.format();
            kafka.start();
            try (Admin admin = Clients.admin(kafka.bootstrapServers())) {
                admin.createTopics(List.of(
                                new NewTopic(ORDERS, 3, (short) 1),
                                new NewTopic(EVENTS, 2, (short) 1),
                                new NewTopic(COMPACTED, 1, (short) 1).configs(COMPACTED_CONFIGS)))
                        .all()
                        .get(60, TimeUnit.SECONDS);
                kafkaProducer = Clients.producer(kafka.bootstrapServers(), "all");
                produce(kafkaProducer, ORDERS, 0);
                produce(kafkaProducer, EVENTS, 0);
                produce(kafkaProducer, COMPACTED, 0);
                commitGroupOffsets(kafka.bootstrapServers());
                for (Map.Entry<String, TopicDescription> e : admin.describeTopics(List.of(ORDERS, EVENTS, COMPACTED))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .entrySet()) {
                    topicIds.put(e.getKey(), e.getValue().topicId());
                }
            }
            awaitSnapshot(metadataDir(logDir));
            kafka.stop();
            assertThat(logDir.resolve(".kafka_cleanshutdown"))
                    .as("Kafka shut down cleanly")
                    .exists();
        }
    }

    @AfterAll
    static void closeProducer() {
        if (kafkaProducer != null) {
            kafkaProducer.close(Duration.ofSeconds(5));
        }
    }

    /** Sends {@link #RECORDS} keyed records to {@code topic} and remembers where each landed. */
    private static void produce(KafkaProducer<byte[], byte[]> producer, String topic, int first) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = first; i < first + RECORDS; i++) {
            String key = topic.equals(COMPACTED) ? "key-" + (i % 7) : "key-" + i;
            String value = topic + "-value-" + i;
            sent.add(producer.send(new ProducerRecord<>(topic, bytes(key), bytes(value))));
            values.add(key + "=" + value);
        }
        for (int i = 0; i < sent.size(); i++) {
            RecordMetadata m = sent.get(i).get(60, TimeUnit.SECONDS);
            written.put(m.topic() + "-" + m.partition() + "@" + m.offset(), values.get(i));
        }
    }

    /** A member of {@link #GROUP} reads orders and commits half of each partition, with metadata. */
    private static void commitGroupOffsets(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, p)) {
            c.subscribe(List.of(ORDERS));
            List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(c, RECORDS);
            assertThat(read).hasSize(RECORDS);
            Map<TopicPartition, Long> ends = c.endOffsets(c.assignment());
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                committed.put(
                        e.getKey(),
                        new OffsetAndMetadata(
                                e.getValue() / 2, "from-kafka-" + e.getKey().partition()));
            }
            c.commitSync(committed);
        }
    }

    /** Waits until Kafka has written a metadata snapshot, so that the import reads a snapshot and a log tail. */
    private static void awaitSnapshot(Path metadataDir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.list(metadataDir)) {
                if (files.anyMatch(f -> f.getFileName().toString().endsWith(".checkpoint"))) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Kafka wrote no metadata snapshot within 60 s");
    }

    @Test
    @Order(1)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void checkMigrationReportsThePlanAndChangesNothing() throws Exception {
        Map<String, String> before = digests(logDir);

        KafkaTool.Result check = new SkiffProcess(logDir, port).checkMigration();

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output())
                .contains("read Kafka's KRaft metadata: snapshot ")
                .contains("imported 4 topics, 56 partitions, 6 topic configs")
                .contains("producer ids from 1000")
                .contains("topic " + COMPACTED + " id " + topicIds.get(COMPACTED) + ", 1 partitions")
                .contains("topic config " + COMPACTED + ": cleanup.policy=compact")
                .contains("not imported (not supported by Skiff yet): nothing")
                .contains("Skiff would import this at its next start");
        assertThat(digests(logDir)).isEqualTo(before);
    }

    @Test
    @Order(2)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void skiffServesTheKafkaLogDirectoryInPlace() throws Exception {
        Map<String, String> kafkaMetadata = digests(metadataDir(logDir));
        try (SkiffProcess skiff = new SkiffProcess(logDir, port).outputTo(home.resolve("skiff.out"))) {
            skiff.start();
            String bootstrap = skiff.bootstrapServers();
            try (Admin admin = Clients.admin(bootstrap)) {
                Map<String, TopicDescription> topics = admin.describeTopics(List.of(ORDERS, EVENTS, COMPACTED))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS);
                for (TopicDescription t : topics.values()) {
                    assertThat(t.topicId()).as(t.name()).isEqualTo(topicIds.get(t.name()));
                }
                assertThat(topics.get(ORDERS).partitions()).hasSize(3);
                assertThat(topics.get(EVENTS).partitions()).hasSize(2);
                assertCompactedConfigs(admin);
                assertThat(admin.listConsumerGroupOffsets(GROUP)
                                .partitionsToOffsetAndMetadata()
                                .get(30, TimeUnit.SECONDS))
                        .isEqualTo(committed);
            }
            assertThat(readEverything(bootstrap)).isEqualTo(written);
            assertGroupResumesAtItsCommittedOffsets(bootstrap);
            assertProducersContinue(bootstrap);
            assertThat(Files.readString(home.resolve("skiff.out")))
                    .contains("Kafka metadata import: read Kafka's KRaft metadata: snapshot ");
            assertThat(skiff.stop()).as("exit status after SIGTERM").isIn(0, 143);
        }
        assertThat(digests(metadataDir(logDir))).isEqualTo(kafkaMetadata);
    }

    private static void assertCompactedConfigs(Admin admin) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, COMPACTED);
        Config config = admin.describeConfigs(List.of(resource))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(resource);
        for (Map.Entry<String, String> e : COMPACTED_CONFIGS.entrySet()) {
            ConfigEntry entry = config.get(e.getKey());
            assertThat(entry.value()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(entry.source()).as(e.getKey()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        }
    }

    /** Every record of the three topics, read from the start, as "topic-partition@offset" to "key=value". */
    private static Map<String, String> readEverything(String bootstrap) {
        Map<String, String> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : List.of(ORDERS, EVENTS, COMPACTED)) {
                c.partitionsFor(topic).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
            }
            c.assign(all);
            c.seekToBeginning(all);
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(c, written.size())) {
                out.put(r.topic() + "-" + r.partition() + "@" + r.offset(), string(r.key()) + "=" + string(r.value()));
            }
        }
        return out;
    }

    /** A new member of the group starts each partition at the offset committed under Kafka. */
    private static void assertGroupResumesAtItsCommittedOffsets(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, p)) {
            c.subscribe(List.of(ORDERS));
            long expected = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                expected += c.endOffsets(List.of(e.getKey())).get(e.getKey())
                        - e.getValue().offset();
            }
            Map<TopicPartition, Long> first = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(c, (int) expected)) {
                first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
            }
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                assertThat(first.get(e.getKey()))
                        .as(e.getKey().toString())
                        .isEqualTo(e.getValue().offset());
            }
        }
    }

    /**
     * Kafka's producer continues its sequences on Skiff (the producer state came from Kafka's
     * snapshots), and a new producer gets an id above every id Kafka handed out.
     */
    private static void assertProducersContinue(String bootstrap) throws Exception {
        produce(kafkaProducer, ORDERS, RECORDS);
        TopicPartition orders0 = new TopicPartition(ORDERS, 0);
        Set<Long> kafkaIds = producerIds(bootstrap, orders0);
        try (KafkaProducer<byte[], byte[]> fresh = Clients.producer(bootstrap, "all")) {
            fresh.send(new ProducerRecord<>(ORDERS, 0, bytes("new"), bytes("producer")))
                    .get(60, TimeUnit.SECONDS);
        }
        Set<Long> added = new HashSet<>(producerIds(bootstrap, orders0));
        added.removeAll(kafkaIds);
        assertThat(added).singleElement().satisfies(id -> assertThat(id).isGreaterThanOrEqualTo(1000L));
        assertThat(readEverything(bootstrap)).containsAllEntriesOf(written);
    }

    private static Set<Long> producerIds(String bootstrap, TopicPartition tp) throws Exception {
        Set<Long> ids = new HashSet<>();
        try (Admin admin = Clients.admin(bootstrap)) {
            for (ProducerState s : admin.describeProducers(List.of(tp))
                    .partitionResult(tp)
                    .get(30, TimeUnit.SECONDS)
                    .activeProducers()) {
                ids.add(s.producerId());
            }
        }
        return ids;
    }

    /** Every file under {@code dir} by relative path, with a digest of its bytes. */
    static Map<String, String> digests(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir" : sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Where Kafka keeps its metadata log. */
    private static Path metadataDir(Path logDir) {
        return logDir.resolve("__cluster_metadata-0");
    }
}
