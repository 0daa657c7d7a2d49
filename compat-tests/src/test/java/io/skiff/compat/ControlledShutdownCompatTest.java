package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controlled shutdown against three Skiff processes (combined nodes, metadata on Apache Ratis) with
 * a 30 s {@code broker.session.timeout.ms}, so that only a controlled shutdown can move leadership
 * quickly: an RF-3 topic with min.insync.replicas 2 takes an idempotent acks=all producer's numbered
 * records and a plain acks=all producer's (no retries, so it cannot write a record twice); the
 * partition's leader gets SIGTERM. Each other node's own Metadata answer shows a new leader in a
 * higher leader epoch within half the session timeout, the stopping broker logs that its controlled
 * shutdown moved everything and that the other brokers committed the change; it is fenced as it
 * stops (DescribeCluster leaves it out long before the session timeout), exits as after any SIGTERM, the producers go on with the new leader, and
 * every acknowledged record of both producers is in the partition exactly once. With
 * {@code controlled.shutdown.enable=false} the other nodes still show the stopped broker as leader
 * after it exited, until the active controller fences it for its missing heartbeats.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ControlledShutdownCompatTest {
    private static final String CLUSTER_ID = "Cs5Lq0cxTqmy8NnrRZb1vD";
    private static final int NODES = 3;
    private static final String TOPIC = "handed-off";
    private static final long SESSION_TIMEOUT_MS = 30_000;
    private static final short METADATA_VERSION = 12;

    @TempDir
    Path dir;

    private final List<SkiffProcess> nodes = new ArrayList<>();
    private Admin admin;

    @AfterEach
    void stopAll() throws Exception {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        for (SkiffProcess p : nodes) {
            p.close();
        }
    }

    private String bootstrap() {
        List<String> out = new ArrayList<>();
        for (SkiffProcess p : nodes) {
            out.add(p.bootstrapServers());
        }
        return String.join(",", out);
    }

    /** Partition 0 of the topic as node {@code node}'s own Metadata answer shows it. */
    private MetadataResponseData.MetadataResponsePartition metadataOf(SkiffProcess node) throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", node.port())) {
            MetadataRequestData req = new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)))
                    .setAllowAutoTopicCreation(false);
            int id = c.send(ApiKeys.METADATA, METADATA_VERSION, req);
            ByteBuffer buf = c.receive(id, ApiKeys.METADATA.responseHeaderVersion(METADATA_VERSION));
            MetadataResponseData resp = new MetadataResponseData(new ByteBufferAccessor(buf), METADATA_VERSION);
            MetadataResponseData.MetadataResponseTopic t = resp.topics().find(TOPIC);
            return t == null || t.partitions().isEmpty() ? null : t.partitions().get(0);
        }
    }

    private void startCluster(boolean controlledShutdown) throws Exception {
        for (SkiffProcess p : SkiffProcess.combinedNodes(dir, NODES)) {
            p.with("broker.session.timeout.ms", Long.toString(SESSION_TIMEOUT_MS))
                    .with("replica.lag.time.max.ms", "10000")
                    .with("controlled.shutdown.enable", Boolean.toString(controlledShutdown));
            nodes.add(p);
            KafkaTool.Result r = p.format(CLUSTER_ID);
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
        for (SkiffProcess p : nodes) {
            p.startInBackground();
        }
        for (SkiffProcess p : nodes) {
            p.awaitListening();
        }
        admin = Clients.admin(bootstrap());
        Eventually.until(
                "all three brokers registered",
                Duration.ofSeconds(90),
                () -> admin.describeCluster().nodes().get().size() == NODES);
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all()
                .get(30, TimeUnit.SECONDS);
        Eventually.until("a leader and the ISR whole on every node", Duration.ofSeconds(90), () -> {
            for (SkiffProcess n : nodes) {
                MetadataResponseData.MetadataResponsePartition p = metadataOf(n);
                if (p == null || p.leaderId() < 1 || p.isrNodes().size() != NODES) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void sigtermHandsLeadershipOffBeforeTheSessionTimeoutAndLosesNoAcknowledgedRecord() throws Exception {
        startCluster(true);
        Set<String> plainAcked = ConcurrentHashMap.newKeySet();
        AtomicLong plainFailed = new AtomicLong();
        AtomicBoolean plainRunning = new AtomicBoolean(true);
        Thread plain = new Thread(() -> producePlain(plainAcked, plainFailed, plainRunning), "plain-acks-all");
        try (IdempotentLoad idempotent = new IdempotentLoad(bootstrap(), TOPIC, 0).start()) {
            plain.start();
            idempotent.awaitMoreAcks(500, Duration.ZERO, Duration.ofSeconds(90));
            Eventually.until(
                    "plain acks=all records acknowledged", Duration.ofSeconds(90), () -> plainAcked.size() > 200);

            MetadataResponseData.MetadataResponsePartition before = metadataOf(nodes.get(0));
            int leader = before.leaderId();
            SkiffProcess stopping = nodes.get(leader - 1);
            List<SkiffProcess> others = new ArrayList<>(nodes);
            others.remove(stopping);
            stopping.terminate();
            Map<Integer, Boolean> aliveWhenSeen = new HashMap<>();
            Eventually.until(
                    "a new leader in the metadata of both other nodes within half the session timeout",
                    Duration.ofMillis(SESSION_TIMEOUT_MS / 2),
                    () -> {
                        for (SkiffProcess n : others) {
                            MetadataResponseData.MetadataResponsePartition p = metadataOf(n);
                            if (p == null
                                    || p.leaderId() < 1
                                    || p.leaderId() == leader
                                    || p.leaderEpoch() <= before.leaderEpoch()) {
                                return false;
                            }
                            aliveWhenSeen.putIfAbsent(n.port(), stopping.isAlive());
                        }
                        return true;
                    });
            System.out.println("Broker " + leader + " got SIGTERM; new leader "
                    + metadataOf(others.get(0)).leaderId()
                    + "; the stopping process was alive when the others showed it: " + aliveWhenSeen.values());
            assertThat(stopping.awaitExit()).as("exit status after SIGTERM").isIn(0, 143);
            assertThat(stopping.output())
                    .contains("Controlled shutdown of broker " + leader + " done")
                    .contains("it leads no partition and every other active broker has the change")
                    .doesNotContain("Controlled shutdown of broker " + leader + " gave up")
                    .contains("Broker " + leader + " fenced as it stops after its controlled shutdown");
            Eventually.until(
                    "the stopped broker fenced (left out of DescribeCluster) within half the session timeout",
                    Duration.ofMillis(SESSION_TIMEOUT_MS / 2),
                    () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                            .noneMatch(n -> n.id() == leader));

            idempotent.awaitMoreAcks(500, Duration.ZERO, Duration.ofSeconds(90));
            int plainBefore = plainAcked.size();
            Eventually.until(
                    "plain acks=all records acknowledged by the new leader",
                    Duration.ofSeconds(90),
                    () -> plainAcked.size() > plainBefore + 200);
            plainRunning.set(false);
            plain.join(TimeUnit.SECONDS.toMillis(60));
            idempotent.stopAndFlush();
            assertThat(idempotent.failures())
                    .as("idempotent sends that failed for good")
                    .isZero();

            long[] ackedOffsets = idempotent.ackedOffsets();
            Map<Long, Integer> sequences = new HashMap<>();
            Map<String, Integer> plainValues = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : readPartition(others.get(0))) {
                if (r.value().length == Long.BYTES) {
                    sequences.merge(ByteBuffer.wrap(r.value()).getLong(), 1, Integer::sum);
                } else {
                    plainValues.merge(new String(r.value(), StandardCharsets.UTF_8), 1, Integer::sum);
                }
            }
            long acked = 0;
            for (int seq = 0; seq < ackedOffsets.length; seq++) {
                if (ackedOffsets[seq] >= 0) {
                    acked++;
                    assertThat(sequences.get((long) seq))
                            .as("copies of acknowledged idempotent record %d", seq)
                            .isEqualTo(1);
                }
            }
            for (String v : plainAcked) {
                assertThat(plainValues.get(v))
                        .as("copies of acknowledged plain record %s", v)
                        .isEqualTo(1);
            }
            System.out.println(acked + " idempotent and " + plainAcked.size() + " plain records acknowledged ("
                    + plainFailed.get() + " plain sends failed); all present exactly once");
        }
    }

    @Test
    void withControlledShutdownDisabledLeadershipMovesOnlyWhenTheBrokerIsFenced() throws Exception {
        startCluster(false);
        MetadataResponseData.MetadataResponsePartition before = metadataOf(nodes.get(0));
        int leader = before.leaderId();
        SkiffProcess stopping = nodes.get(leader - 1);
        List<SkiffProcess> others = new ArrayList<>(nodes);
        others.remove(stopping);
        assertThat(stopping.stop()).as("exit status after SIGTERM").isIn(0, 143);
        assertThat(stopping.output()).doesNotContain("Controlled shutdown of broker " + leader);
        for (SkiffProcess n : others) {
            assertThat(metadataOf(n).leaderId())
                    .as("leader in node %d's metadata once broker %d has exited", nodes.indexOf(n) + 1, leader)
                    .isEqualTo(leader);
        }
        Eventually.until(
                "a new leader once the session timeout fenced broker " + leader,
                Duration.ofMillis(SESSION_TIMEOUT_MS * 3),
                () -> {
                    for (SkiffProcess n : others) {
                        MetadataResponseData.MetadataResponsePartition p = metadataOf(n);
                        if (p == null || p.leaderId() < 1 || p.leaderId() == leader) {
                            return false;
                        }
                    }
                    return true;
                });
        String controllerLogs = others.get(0).output() + others.get(1).output();
        assertThat(controllerLogs).contains("Fencing broker " + leader + ": no heartbeat for");
    }

    /** A non-idempotent acks=all producer without retries: an acknowledged record was written once. */
    private void producePlain(Set<String> acked, AtomicLong failed, AtomicBoolean running) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.RETRIES_CONFIG, 0);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        Semaphore inFlight = new Semaphore(20);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; running.get(); i++) {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                String value = "plain-record-" + i; // never 8 bytes long, as the idempotent records are
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
                    inFlight.release();
                    if (e == null) {
                        acked.add(value);
                    } else {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every record of partition 0, read through {@code node}, to its end offset. */
    private static List<ConsumerRecord<byte[], byte[]>> readPartition(SkiffProcess node) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(node.bootstrapServers(), new Properties())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> out = Clients.readAll(c, (int) end);
            assertThat((long) out.size())
                    .as("records read vs the log end offset")
                    .isEqualTo(end);
            return out;
        }
    }
}
