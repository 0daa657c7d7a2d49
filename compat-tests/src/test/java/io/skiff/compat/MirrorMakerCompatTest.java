package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka's MirrorMaker 2 4.3.1 in dedicated mode, unmodified, between two single-node Skiff
 * clusters A and B replicating both ways at once (active/active). A topic of A with three partitions and
 * non-default configs reaches B as {@code A.orders} with the same partition count and configs (a later
 * change of a config follows); a topic of B made while MirrorMaker runs reaches A as {@code B.payments};
 * every record arrives in order per partition with its key, value, headers and timestamp; nothing loops
 * back ({@code A.B.*}, {@code B.A.*}); heartbeats flow; MirrorMaker's internal topics are compacted; a
 * consumer group that committed part of the topic on A has its offsets translated on B, and a member of
 * the group on B resumes from them: nothing skipped, and the only records read a second time are those
 * between the translated offset of the last checkpoint and the offset the group had committed on A.
 *
 * <p>With {@code -Dskiff.compat.reference} set, the same test runs between two fresh single-node Apache
 * Kafka 4.3.1 clusters ({@link KafkaProcess}) instead: it needs two clusters with no state of earlier
 * runs, so the address given is not used.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MirrorMakerCompatTest {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorMakerCompatTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String ORDERS = "orders";
    private static final String PAYMENTS = "payments";
    private static final String GROUP = "billing";
    private static final int ORDERS_PARTITIONS = 3;
    private static final int PAYMENTS_PARTITIONS = 2;
    private static final String EVENTS = "events";
    private static final int EVENTS_PARTITIONS = 2;
    /** Records per partition of orders produced before MirrorMaker starts, while it runs, and after the move. */
    private static final int BEFORE = 100;

    private static final int WHILE_RUNNING = 100;
    private static final int AFTER_MOVE = 50;
    /** What the group commits on A for each partition of orders before it moves to B. */
    private static final long[] COMMITTED = {137, 61, BEFORE + WHILE_RUNNING};

    /** Kept when the test fails: the brokers' and MirrorMaker's output are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** A single-node cluster: a Skiff broker process, or an Apache Kafka one under the reference switch. */
    private interface Cluster extends AutoCloseable {
        String bootstrap();
    }

    private static Cluster startCluster(Path dir, String clusterId) throws Exception {
        if (SkiffBrokerExtension.isReference()) {
            KafkaProcess kafka =
                    new KafkaProcess(dir.resolve("logs"), KafkaProcess.freePort()).withClusterId(clusterId);
            kafka.format();
            kafka.start();
            return new Cluster() {
                public String bootstrap() {
                    return kafka.bootstrapServers();
                }

                public void close() throws Exception {
                    kafka.close();
                }
            };
        }
        SkiffProcess skiff = new SkiffProcess(Files.createDirectories(dir))
                .with("group.initial.rebalance.delay.ms", "0")
                .jvmOption("-Xmx256m");
        skiff.start();
        return new Cluster() {
            public String bootstrap() {
                return skiff.bootstrapServers();
            }

            public void close() throws Exception {
                skiff.close();
            }
        };
    }

    @Test
    void activeActiveMirroringCopiesTopicsConfigsRecordsAndTranslatesGroupOffsets() throws Exception {
        try (Cluster a = startCluster(dir.resolve("A"), "MirrorMakerClusterA000");
                Cluster b = startCluster(dir.resolve("B"), "MirrorMakerClusterB000");
                Admin adminA = Clients.admin(a.bootstrap());
                Admin adminB = Clients.admin(b.bootstrap());
                KafkaProducer<byte[], byte[]> producerA = Clients.producer(a.bootstrap(), "all");
                KafkaProducer<byte[], byte[]> producerB = Clients.producer(b.bootstrap(), "all");
                MirrorMakerProcess mm2 = mirrorMaker(dir.resolve("mm2"), a.bootstrap(), b.bootstrap())) {
            Map<String, String> ordersConfig = Map.of("retention.ms", "5400000", "cleanup.policy", "compact");
            adminA.createTopics(List.of(new NewTopic(ORDERS, ORDERS_PARTITIONS, (short) 1).configs(ordersConfig)))
                    .all()
                    .get();
            List<List<ProducerRecord<byte[], byte[]>>> orders = new ArrayList<>();
            for (int p = 0; p < ORDERS_PARTITIONS; p++) {
                orders.add(new ArrayList<>());
            }
            produce(producerA, ORDERS, orders, 0, BEFORE);

            mm2.start();
            adminB.createTopics(List.of(new NewTopic(PAYMENTS, PAYMENTS_PARTITIONS, (short) 1)))
                    .all()
                    .get();
            List<List<ProducerRecord<byte[], byte[]>>> payments = new ArrayList<>();
            for (int p = 0; p < PAYMENTS_PARTITIONS; p++) {
                payments.add(new ArrayList<>());
            }
            produce(producerB, PAYMENTS, payments, 0, 40);
            produce(producerA, ORDERS, orders, BEFORE, WHILE_RUNNING);

            // topics and configs
            awaitPartitions(adminB, "A." + ORDERS, ORDERS_PARTITIONS, mm2);
            awaitPartitions(adminA, "B." + PAYMENTS, PAYMENTS_PARTITIONS, mm2);
            awaitConfig(adminB, "A." + ORDERS, ordersConfig, mm2);
            adminA.incrementalAlterConfigs(Map.of(
                            topic(ORDERS),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
            awaitConfig(adminB, "A." + ORDERS, Map.of("retention.ms", "7200000", "cleanup.policy", "compact"), mm2);

            // the topic's overrides on B are exactly those of the topic on A: MirrorMaker copies only the
            // configs that A reports as set on the topic
            assertThat(overrides(adminB, "A." + ORDERS))
                    .as("configs set on A.orders on B")
                    .isEqualTo(overrides(adminA, ORDERS));

            // records, record by record
            awaitEndOffsets(b.bootstrap(), "A." + ORDERS, orders, mm2);
            awaitEndOffsets(a.bootstrap(), "B." + PAYMENTS, payments, mm2);
            assertSameRecords(b.bootstrap(), "A." + ORDERS, orders);
            assertSameRecords(a.bootstrap(), "B." + PAYMENTS, payments);

            // heartbeats in both directions, replicated as remote topics; nothing loops
            for (Admin admin : List.of(adminA, adminB)) {
                String remote = admin == adminA ? "B.heartbeats" : "A.heartbeats";
                Eventually.until(
                        "heartbeats and " + remote + " exist",
                        WAIT,
                        () -> admin.listTopics().names().get().containsAll(List.of("heartbeats", remote)));
            }
            awaitGrowing(a.bootstrap(), "heartbeats");
            awaitGrowing(b.bootstrap(), "heartbeats");
            awaitGrowing(a.bootstrap(), "B.heartbeats");
            awaitGrowing(b.bootstrap(), "A.heartbeats");
            Set<String> topicsA = new TreeSet<>(adminA.listTopics().names().get());
            Set<String> topicsB = new TreeSet<>(adminB.listTopics().names().get());
            LOG.info("topics of A: {}; topics of B: {}", topicsA, topicsB);
            for (Set<String> topics : List.of(topicsA, topicsB)) {
                assertThat(topics).noneMatch(t -> t.matches("^[AB]\\.[AB]\\..*"));
            }
            assertThat(topicsA).doesNotContain("A." + ORDERS, "A.heartbeats", "B." + ORDERS);
            assertThat(topicsB).doesNotContain("B." + PAYMENTS, "B.heartbeats", "A." + PAYMENTS);

            // MirrorMaker's internal topics are compacted
            assertCompacted(
                    adminB,
                    "mm2-configs.A.internal",
                    "mm2-offsets.A.internal",
                    "mm2-status.A.internal",
                    "A.checkpoints.internal",
                    "heartbeats",
                    "mm2-offset-syncs.A.internal");
            assertCompacted(
                    adminA,
                    "mm2-configs.B.internal",
                    "mm2-offsets.B.internal",
                    "mm2-status.B.internal",
                    "B.checkpoints.internal",
                    "heartbeats",
                    "mm2-offset-syncs.B.internal");

            // a group consumes part of orders on A, commits, and moves to B
            Map<TopicPartition, Long> committed = consumeAndCommit(a.bootstrap());
            Map<TopicPartition, Checkpoint> checkpoints = awaitTranslatedOffsets(adminB, b.bootstrap(), committed, mm2);
            Map<TopicPartition, Long> translated = new HashMap<>();
            checkpoints.forEach((tp, c) -> translated.put(tp, c.downstreamOffset()));
            LOG.info("committed on A {}; translated on B {}", committed, translated);
            resumeOnB(b.bootstrap(), orders, committed, translated, () -> {
                produce(producerA, ORDERS, orders, BEFORE + WHILE_RUNNING, AFTER_MOVE);
                awaitEndOffsets(b.bootstrap(), "A." + ORDERS, orders, mm2);
            });
            assertThat(mm2.isAlive())
                    .as("MirrorMaker still runs; see %s", mm2.outputFile())
                    .isTrue();
        }
    }

    private static MirrorMakerProcess mirrorMaker(Path dir, String bootstrapA, String bootstrapB) throws Exception {
        MirrorMakerProcess mm2 = new MirrorMakerProcess(dir)
                .with("clusters", "A, B")
                .with("A.bootstrap.servers", bootstrapA)
                .with("B.bootstrap.servers", bootstrapB)
                .with("A->B.enabled", "true")
                .with("B->A.enabled", "true")
                .with("tasks.max", "1")
                .with("replication.factor", "1")
                .with("checkpoints.topic.replication.factor", "1")
                .with("heartbeats.topic.replication.factor", "1")
                .with("offset-syncs.topic.replication.factor", "1")
                .with("offset.storage.replication.factor", "1")
                .with("status.storage.replication.factor", "1")
                .with("config.storage.replication.factor", "1")
                .with("refresh.topics.interval.seconds", "1")
                .with("refresh.groups.interval.seconds", "1")
                .with("sync.topic.configs.interval.seconds", "1")
                .with("emit.heartbeats.interval.seconds", "1")
                .with("emit.checkpoints.interval.seconds", "1")
                .with("sync.group.offsets.enabled", "true")
                .with("sync.group.offsets.interval.seconds", "1")
                .with("offset.flush.interval.ms", "1000")
                .with("plugin.discovery", "service_load")
                // each flow's worker takes its settings from its target cluster's prefix
                .with("A.plugin.discovery", "service_load")
                .with("B.plugin.discovery", "service_load");
        return mm2;
    }

    /**
     * A->B only, with exactly-once delivery into B: B's worker has {@code exactly.once.source.support=enabled}
     * (its source tasks write records and their source offsets in one transaction), which in dedicated
     * mode needs MirrorMaker's internal REST server (on {@code restPort}).
     */
    private static MirrorMakerProcess exactlyOnceMirrorMaker(
            Path dir, String bootstrapA, String bootstrapB, int restPort) throws Exception {
        return mirrorMaker(dir, bootstrapA, bootstrapB)
                .with("B->A.enabled", "false")
                .with("sync.group.offsets.enabled", "false")
                .with("B.exactly.once.source.support", "enabled")
                .with("dedicated.mode.enable.internal.rest", "true")
                .with("listeners", "http://127.0.0.1:" + restPort)
                .with("offset.flush.interval.ms", "500");
    }

    /**
     * MirrorMaker with exactly-once delivery into B is SIGKILLed while a producer writes to A and it is
     * copying; it is started again and catches up: a read_committed consumer of B sees every record of A
     * exactly once, in order per partition.
     */
    @Test
    void exactlyOnceMirroringDeliversEveryRecordOnceAcrossASigkill() throws Exception {
        try (Cluster a = startCluster(dir.resolve("A"), "MirrorMakerClusterA000");
                Cluster b = startCluster(dir.resolve("B"), "MirrorMakerClusterB000");
                Admin adminA = Clients.admin(a.bootstrap());
                Admin adminB = Clients.admin(b.bootstrap());
                KafkaProducer<byte[], byte[]> producerA = Clients.producer(a.bootstrap(), "all");
                MirrorMakerProcess mm2 = exactlyOnceMirrorMaker(
                        dir.resolve("mm2"), a.bootstrap(), b.bootstrap(), SkiffProcess.freePort())) {
            adminA.createTopics(List.of(new NewTopic(EVENTS, EVENTS_PARTITIONS, (short) 1)))
                    .all()
                    .get();
            List<List<ProducerRecord<byte[], byte[]>>> events = new ArrayList<>();
            for (int p = 0; p < EVENTS_PARTITIONS; p++) {
                events.add(new ArrayList<>());
            }
            int[] produced = {0};
            Step writeChunk = () -> {
                produce(producerA, EVENTS, events, produced[0], 20);
                produced[0] += 20;
                Thread.sleep(20);
            };
            for (int i = 0; i < 10; i++) {
                writeChunk.run();
            }
            mm2.start();
            String remote = "A." + EVENTS;
            try (KafkaConsumer<byte[], byte[]> lso = Clients.consumer(b.bootstrap(), readCommitted())) {
                List<TopicPartition> tps = partitions(remote, EVENTS_PARTITIONS);
                // keep writing until MirrorMaker has committed some records into B, then kill it mid-stream
                Eventually.until(
                        "MirrorMaker commits records into " + remote + "; see " + mm2.outputFile(), WAIT, () -> {
                            writeChunk.run();
                            return adminB.listTopics().names().get().contains(remote)
                                    && lso.endOffsets(tps).values().stream()
                                                    .mapToLong(Long::longValue)
                                                    .sum()
                                            > 0;
                        });
                for (int i = 0; i < 10; i++) {
                    writeChunk.run();
                }
                mm2.kill();
                LOG.info("MirrorMaker SIGKILLed after {} records a partition were written", produced[0]);
                for (int i = 0; i < 10; i++) {
                    writeChunk.run();
                }
                mm2.start();
                for (int i = 0; i < 20; i++) {
                    writeChunk.run();
                }
            }
            List<List<ConsumerRecord<byte[], byte[]>>> got = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(b.bootstrap(), readCommitted())) {
                List<TopicPartition> tps = partitions(remote, EVENTS_PARTITIONS);
                c.assign(tps);
                c.seekToBeginning(tps);
                for (int p = 0; p < EVENTS_PARTITIONS; p++) {
                    got.add(new ArrayList<>());
                }
                Eventually.until(
                        () -> "a read_committed consumer of B reads " + produced[0] + " records a partition (it has "
                                + got.stream().map(List::size).collect(Collectors.toList()) + "); see "
                                + mm2.outputFile(),
                        WAIT,
                        () -> {
                            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                                got.get(r.partition()).add(r);
                            }
                            return got.stream().allMatch(l -> l.size() >= produced[0]);
                        });
                Map<TopicPartition, Long> end = c.endOffsets(tps);
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    got.get(r.partition()).add(r);
                }
                for (TopicPartition tp : tps) {
                    assertThat(c.position(tp))
                            .as("read %s to its last stable offset", tp)
                            .isEqualTo(end.get(tp));
                }
            }
            long markersAndAborted = 0;
            try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(b.bootstrap(), new Properties())) {
                List<TopicPartition> tps = partitions(remote, EVENTS_PARTITIONS);
                for (Map.Entry<TopicPartition, Long> e : c.endOffsets(tps).entrySet()) {
                    markersAndAborted +=
                            e.getValue() - got.get(e.getKey().partition()).size();
                }
            }
            for (int p = 0; p < EVENTS_PARTITIONS; p++) {
                List<ProducerRecord<byte[], byte[]>> sent = events.get(p);
                List<ConsumerRecord<byte[], byte[]>> read = got.get(p);
                assertThat(values(read))
                        .as("values of %s-%d read_committed on B", remote, p)
                        .isEqualTo(sentValues(sent));
                for (int i = 0; i < read.size(); i++) {
                    assertThat(read.get(i).key()).isEqualTo(sent.get(i).key());
                    assertThat(headers(read.get(i).headers()))
                            .isEqualTo(headers(sent.get(i).headers()));
                }
            }
            LOG.info(
                    "{} records a partition each read once; {} offsets of B are transaction markers or aborted copies",
                    produced[0],
                    markersAndAborted);
            assertThat(markersAndAborted)
                    .as("MirrorMaker wrote into B in transactions (markers take offsets)")
                    .isPositive();
            assertThat(adminB.listTransactions().all().get())
                    .as("the transactional ids on B")
                    .anyMatch(t -> t.transactionalId().endsWith("MirrorSourceConnector-0"));
            assertThat(mm2.isAlive())
                    .as("MirrorMaker still runs; see %s", mm2.outputFile())
                    .isTrue();
        }
    }

    private static Properties readCommitted() {
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private static List<TopicPartition> partitions(String topic, int count) {
        List<TopicPartition> out = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            out.add(new TopicPartition(topic, p));
        }
        return out;
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    private static List<String> sentValues(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    private static ConfigResource topic(String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    /** Appends {@code count} records to each partition, keeping what was sent in {@code sent}. */
    private static void produce(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            List<List<ProducerRecord<byte[], byte[]>>> sent,
            int from,
            int count)
            throws Exception {
        long timestamp = System.currentTimeMillis();
        for (int i = from; i < from + count; i++) {
            for (int p = 0; p < sent.size(); p++) {
                String id = topic + "-" + p + "-" + i;
                List<Header> headers = List.of(
                        new RecordHeader("origin", topic.getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(
                        topic,
                        p,
                        timestamp - 1000 + i,
                        ("key-" + id).getBytes(StandardCharsets.UTF_8),
                        ("value-" + id).getBytes(StandardCharsets.UTF_8),
                        headers);
                producer.send(r);
                sent.get(p).add(r);
            }
        }
        producer.flush();
    }

    private static void awaitPartitions(Admin admin, String topic, int partitions, MirrorMakerProcess mm2)
            throws Exception {
        Eventually.until(topic + " exists with " + partitions + " partitions; see " + mm2.outputFile(), WAIT, () -> {
            if (!admin.listTopics().names().get().contains(topic)) {
                return false;
            }
            TopicDescription d =
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return d.partitions().size() == partitions;
        });
    }

    private static void awaitConfig(Admin admin, String topic, Map<String, String> expected, MirrorMakerProcess mm2)
            throws Exception {
        Map<String, String> last = new HashMap<>();
        Eventually.until(
                () -> topic + " has " + expected + " (last seen " + last + "); see " + mm2.outputFile(), WAIT, () -> {
                    Config config = admin.describeConfigs(List.of(topic(topic)))
                            .all()
                            .get()
                            .get(topic(topic));
                    last.clear();
                    expected.keySet().forEach(k -> last.put(k, config.get(k).value()));
                    return last.equals(expected);
                });
    }

    /** The configs of {@code topic} whose source is the topic itself (DYNAMIC_TOPIC_CONFIG). */
    private static Map<String, String> overrides(Admin admin, String topic) throws Exception {
        Config config = admin.describeConfigs(List.of(topic(topic))).all().get().get(topic(topic));
        Map<String, String> out = new TreeMap<>();
        for (ConfigEntry e : config.entries()) {
            if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                out.put(e.name(), e.value());
            }
        }
        return out;
    }

    private static void assertCompacted(Admin admin, String... topics) throws Exception {
        for (String t : topics) {
            Eventually.until(
                    t + " exists", WAIT, () -> admin.listTopics().names().get().contains(t));
            Config config = admin.describeConfigs(List.of(topic(t))).all().get().get(topic(t));
            assertThat(config.get("cleanup.policy").value())
                    .as("cleanup.policy of %s", t)
                    .isEqualTo("compact");
        }
    }

    private static void awaitEndOffsets(
            String bootstrap, String topic, List<List<ProducerRecord<byte[], byte[]>>> sent, MirrorMakerProcess mm2)
            throws Exception {
        Map<TopicPartition, Long> expected = new HashMap<>();
        for (int p = 0; p < sent.size(); p++) {
            expected.put(new TopicPartition(topic, p), (long) sent.get(p).size());
        }
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            Map<TopicPartition, Long> last = new HashMap<>();
            Eventually.until(
                    () -> topic + " has end offsets " + expected + " (last " + last + "); see " + mm2.outputFile(),
                    WAIT,
                    () -> {
                        last.clear();
                        last.putAll(c.endOffsets(expected.keySet()));
                        return last.equals(expected);
                    });
        }
    }

    /** Every record of the mirrored {@code topic} is the one sent, at the same offset, in order. */
    private static void assertSameRecords(
            String bootstrap, String topic, List<List<ProducerRecord<byte[], byte[]>>> sent) {
        for (int p = 0; p < sent.size(); p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            List<ConsumerRecord<byte[], byte[]>> got =
                    readFrom(bootstrap, tp, 0, sent.get(p).size());
            assertThat(got).hasSameSizeAs(sent.get(p));
            for (int i = 0; i < got.size(); i++) {
                assertSameRecord(got.get(i), sent.get(p).get(i), i);
            }
        }
    }

    private static void assertSameRecord(
            ConsumerRecord<byte[], byte[]> got, ProducerRecord<byte[], byte[]> sent, long offset) {
        String what = got.topic() + "-" + got.partition() + "@" + got.offset();
        assertThat(got.offset()).as(what).isEqualTo(offset);
        assertThat(got.key()).as("key of %s", what).isEqualTo(sent.key());
        assertThat(got.value()).as("value of %s", what).isEqualTo(sent.value());
        assertThat(got.timestamp()).as("timestamp of %s", what).isEqualTo(sent.timestamp());
        assertThat(headers(got.headers())).as("headers of %s", what).isEqualTo(headers(sent.headers()));
    }

    private static List<String> headers(Iterable<Header> headers) {
        List<String> out = new ArrayList<>();
        for (Header h : headers) {
            out.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The records of {@code tp} from {@code from} up to {@code end}. */
    private static List<ConsumerRecord<byte[], byte[]>> readFrom(
            String bootstrap, TopicPartition tp, long from, long end) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            c.assign(List.of(tp));
            c.seek(tp, from);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** Waits until the end offset of {@code topic}-0 rises twice (a heartbeat a second, replicated or not). */
    private static void awaitGrowing(String bootstrap, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            long first = c.endOffsets(List.of(tp)).get(tp);
            Eventually.until(
                    topic + " grows past " + (first + 1),
                    WAIT,
                    () -> c.endOffsets(List.of(tp)).get(tp) > first + 1);
        }
    }

    /**
     * A member of {@link #GROUP} on A reads orders until it has read up to {@link #COMMITTED} on each
     * partition, commits exactly those offsets and leaves the group.
     */
    private static Map<TopicPartition, Long> consumeAndCommit(String bootstrap) throws Exception {
        Map<TopicPartition, Long> target = new LinkedHashMap<>();
        for (int p = 0; p < ORDERS_PARTITIONS; p++) {
            target.put(new TopicPartition(ORDERS, p), COMMITTED[p]);
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, props)) {
            c.subscribe(List.of(ORDERS));
            Map<TopicPartition, Long> read = new HashMap<>();
            Eventually.until("the group on A read orders up to " + target, WAIT, () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    read.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
                }
                return target.entrySet().stream().allMatch(e -> read.getOrDefault(e.getKey(), 0L) >= e.getValue());
            });
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            target.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
            c.commitSync(commit);
        }
        return target;
    }

    /**
     * Waits until the latest checkpoint of {@link #GROUP} in B's {@code A.checkpoints.internal} has the
     * group's committed offset on A as its upstream offset for every partition, and the group's offsets
     * on B for {@code A.orders} are the checkpoints' downstream offsets; returns those checkpoints.
     */
    private static Map<TopicPartition, Checkpoint> awaitTranslatedOffsets(
            Admin adminB, String bootstrapB, Map<TopicPartition, Long> committed, MirrorMakerProcess mm2)
            throws Exception {
        Map<TopicPartition, Checkpoint> latest = new HashMap<>();
        Map<TopicPartition, Long> onB = new HashMap<>();
        TopicPartition checkpointsTp = new TopicPartition("A.checkpoints.internal", 0);
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrapB, new Properties())) {
            c.assign(List.of(checkpointsTp));
            c.seekToBeginning(List.of(checkpointsTp));
            Eventually.until(
                    () -> "checkpoints of " + GROUP + " for " + committed + " (latest " + latest + ") and the group's"
                            + " offsets on B (" + onB + "); see " + mm2.outputFile(),
                    WAIT,
                    () -> {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            Checkpoint cp = Checkpoint.deserializeRecord(r);
                            // a checkpoint names the partition of the remote topic (A.orders-N)
                            if (cp.consumerGroupId().equals(GROUP)) {
                                latest.put(cp.topicPartition(), cp);
                            }
                        }
                        onB.clear();
                        adminB.listConsumerGroupOffsets(GROUP)
                                .partitionsToOffsetAndMetadata()
                                .get()
                                .forEach((tp, o) -> onB.put(tp, o.offset()));
                        return committed.entrySet().stream().allMatch(e -> {
                            Checkpoint cp = latest.get(remote(e.getKey()));
                            return cp != null
                                    && cp.upstreamOffset() == e.getValue()
                                    && Long.valueOf(cp.downstreamOffset()).equals(onB.get(remote(e.getKey())));
                        });
                    });
        }
        assertThat(onB.keySet())
                .as("the group's offsets on B are for the remote topic only")
                .allMatch(tp -> tp.topic().equals("A." + ORDERS));
        for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
            long downstream = latest.get(remote(e.getKey())).downstreamOffset();
            assertThat(downstream)
                    .as("translated offset of %s (nothing skipped)", e.getKey())
                    .isBetween(0L, e.getValue());
        }
        return latest;
    }

    /** The partition of A.orders on B that mirrors {@code tp} of orders on A. */
    private static TopicPartition remote(TopicPartition tp) {
        return new TopicPartition("A." + tp.topic(), tp.partition());
    }

    /** Something the test does while the group's member on B is reading. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * A member of {@link #GROUP} on B subscribed to {@code A.orders} reads to the end, {@code meanwhile} adds
     * records to orders on A, and the member reads those too: on each partition it starts at the translated
     * offset and reads every record from there once and in order, so the records it reads that the group had
     * consumed on A are exactly those from the translated offset to the offset committed on A.
     */
    private static void resumeOnB(
            String bootstrapB,
            List<List<ProducerRecord<byte[], byte[]>>> orders,
            Map<TopicPartition, Long> committed,
            Map<TopicPartition, Long> translated,
            Step meanwhile)
            throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrapB, props)) {
            c.subscribe(List.of("A." + ORDERS));
            Eventually.until("the group on B read A.orders to offset " + (BEFORE + WHILE_RUNNING), WAIT, () -> {
                poll(c, read);
                return readTo(read, translated, BEFORE + WHILE_RUNNING);
            });
            meanwhile.run();
            int end = BEFORE + WHILE_RUNNING + AFTER_MOVE;
            Eventually.until("the group on B read A.orders to offset " + end, WAIT, () -> {
                poll(c, read);
                return readTo(read, translated, end);
            });
        }
        int duplicates = 0;
        for (int p = 0; p < ORDERS_PARTITIONS; p++) {
            TopicPartition remote = new TopicPartition("A." + ORDERS, p);
            long start = translated.get(remote);
            List<ConsumerRecord<byte[], byte[]>> got = read.getOrDefault(p, List.of());
            List<ProducerRecord<byte[], byte[]>> sent = orders.get(p);
            assertThat(got.stream().map(ConsumerRecord::offset).collect(Collectors.toList()))
                    .as("offsets the group read on B from %s", remote)
                    .isEqualTo(range(start, sent.size()));
            for (ConsumerRecord<byte[], byte[]> r : got) {
                assertSameRecord(r, sent.get((int) r.offset()), r.offset());
            }
            long committedOnA = committed.get(new TopicPartition(ORDERS, p));
            long readTwice = got.stream().filter(r -> r.offset() < committedOnA).count();
            assertThat(readTwice).as("records of %s read again", remote).isEqualTo(committedOnA - start);
            duplicates += (int) readTwice;
        }
        LOG.info("the group resumed on B; {} records read a second time", duplicates);
    }

    private static void poll(KafkaConsumer<byte[], byte[]> c, Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            read.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
        }
    }

    /** Whether every partition was read up to {@code end} (or had nothing to read from its start). */
    private static boolean readTo(
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read, Map<TopicPartition, Long> start, int end) {
        for (int p = 0; p < ORDERS_PARTITIONS; p++) {
            List<ConsumerRecord<byte[], byte[]>> got = read.getOrDefault(p, List.of());
            long next = got.isEmpty()
                    ? start.get(new TopicPartition("A." + ORDERS, p))
                    : got.get(got.size() - 1).offset() + 1;
            if (next < end) {
                return false;
            }
        }
        return true;
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long o = from; o < to; o++) {
            out.add(o);
        }
        return out;
    }
}
