package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partition replication across three Skiff processes (combined nodes on loopback, metadata on
 * Apache Ratis): a topic with replication factor 3 and min.insync.replicas 2 takes an idempotent
 * acks=all producer's numbered records while a consumer group reads them; the partition's leader is
 * SIGKILLed a few times (restarted each time). Afterwards every acknowledged record is in the
 * partition exactly once and in order, a new leader with a higher leader epoch took over each time,
 * the group read them all, and the ISR is whole again. Followers fetch only every 200 ms, so a
 * killed leader usually holds records no follower has, which it must truncate when it returns (or
 * the partition would show them out of order). With one live replica of min.insync.replicas 2,
 * acks=all is refused with NOT_ENOUGH_REPLICAS.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ReplicationCompatTest {
    private static final String CLUSTER_ID = "Rp7Lw0cxTqmy8NnrRZb1vA";
    private static final int NODES = 3;
    private static final int ROUNDS = 3;
    private static final String TOPIC = "replicated";

    @TempDir
    Path dir;

    private final List<SkiffProcess> nodes = new ArrayList<>();
    private final List<Admin> admins = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        if (System.getProperty("skiff.printNodeOutput") != null) {
            for (SkiffProcess p : nodes) {
                System.out.println("==== node output\n" + p.output());
            }
        }
        for (Admin a : admins) {
            a.close(Duration.ofSeconds(5));
        }
        for (SkiffProcess p : nodes) {
            p.close();
        }
    }

    private void startCluster() throws Exception {
        for (SkiffProcess p : SkiffProcess.combinedNodes(dir, NODES)) {
            p.with("replica.lag.time.max.ms", "5000")
                    .with("replica.fetch.backoff.ms", "200")
                    // Followers fetch every 200 ms: a killed leader leaves a tail they never got, which
                    // it must cut when it comes back as a follower.
                    .with("replica.fetch.wait.max.ms", "200")
                    .with("replica.fetch.min.bytes", "1048576")
                    .with("default.replication.factor", "3")
                    .with("min.insync.replicas", "2");
            nodes.add(p);
            KafkaTool.Result r = p.format(CLUSTER_ID);
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
        for (SkiffProcess p : nodes) {
            p.startInBackground();
        }
        for (SkiffProcess p : nodes) {
            p.awaitListening();
            admins.add(Clients.admin(p.bootstrapServers()));
        }
        eventually(
                "all three brokers registered",
                () -> admins.get(0).describeCluster().nodes().get().size() == NODES);
    }

    private String bootstrap() {
        return nodes.stream().map(SkiffProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    private static void eventually(String what, Callable<Boolean> check) throws Exception {
        Eventually.until(what, Duration.ofSeconds(90), check);
    }

    /** The partition as a live node's Admin describes it. */
    private TopicPartitionInfo describe(String topic, int partition) throws Exception {
        for (int i = 0; i < NODES; i++) {
            if (!nodes.get(i).isAlive()) {
                continue;
            }
            try {
                return admins.get(i)
                        .describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .get(partition);
            } catch (ExecutionException | TimeoutException e) {
                // try the next node
            }
        }
        throw new ExecutionException(new IllegalStateException("no live node describes " + topic));
    }

    private static Set<Integer> ids(List<Node> nodes) {
        Set<Integer> out = new HashSet<>();
        for (Node n : nodes) {
            out.add(n.id());
        }
        return out;
    }

    private static KafkaProducer<byte[], byte[]> idempotentProducer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Test
    void acknowledgedRecordsSurviveLeaderKillsExactlyOnceInOrder() throws Exception {
        startCluster();
        admins.get(0)
                .createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all()
                .get(30, TimeUnit.SECONDS);
        eventually("the ISR whole", () -> describe(TOPIC, 0).isr().size() == NODES);

        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicReference<Exception> producerFailure = new AtomicReference<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer = new Thread(() -> produce(acknowledged, producing, producerFailure), "numbered-producer");
        producer.start();

        Set<Integer> consumedByGroup = ConcurrentHashMap.newKeySet();
        AtomicBoolean consuming = new AtomicBoolean(true);
        Thread group = new Thread(() -> consumeAsGroup(consumedByGroup, consuming), "group-reader");
        group.start();

        eventually("records acknowledged", () -> acknowledged.size() > 200);
        for (int round = 0; round < ROUNDS; round++) {
            int leader = describe(TOPIC, 0).leader().id();
            int before = acknowledged.size();
            nodes.get(leader - 1).kill();
            long killed = System.nanoTime();
            eventually("another leader after the SIGKILL of " + leader, () -> {
                Node now = describe(TOPIC, 0).leader();
                return now != null && now.id() != leader && now.id() >= 1;
            });
            eventually("acknowledgements continue without " + leader, () -> acknowledged.size() > before + 200);
            System.out.println("Round " + round + ": leader " + leader + " SIGKILLed, "
                    + describe(TOPIC, 0).leader().id()
                    + " leads; 200 more acknowledged after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");
            nodes.get(leader - 1).startInBackground();
            nodes.get(leader - 1).awaitListening();
            eventually(
                    "broker " + leader + " back in the ISR",
                    () -> ids(describe(TOPIC, 0).isr()).equals(Set.of(1, 2, 3)));
        }
        int target = acknowledged.size() + 200;
        eventually("more acknowledged after the last round", () -> acknowledged.size() > target);
        producing.set(false);
        producer.join(TimeUnit.SECONDS.toMillis(200));
        assertThat(producerFailure.get()).as("producer failure").isNull();

        List<ConsumerRecord<byte[], byte[]>> all = readPartition();
        List<Integer> values = new ArrayList<>(all.size());
        for (ConsumerRecord<byte[], byte[]> r : all) {
            values.add(Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8)));
        }
        for (int i = 1; i < values.size(); i++) {
            assertThat(values.get(i))
                    .as("record at %d follows %d", i, values.get(i - 1))
                    .isGreaterThan(values.get(i - 1));
        }
        assertThat(new HashSet<>(values)).containsAll(acknowledged);
        int lastEpoch = all.get(all.size() - 1).leaderEpoch().orElse(-1);
        System.out.println(acknowledged.size() + " acknowledged, " + values.size()
                + " in the partition, last leader epoch " + lastEpoch);
        assertThat(lastEpoch).as("leader epoch after %d leader kills", ROUNDS).isGreaterThanOrEqualTo(ROUNDS);
        eventually("the group read every acknowledged record", () -> consumedByGroup.containsAll(acknowledged));
        int truncations = 0;
        for (SkiffProcess n : nodes) {
            truncations += n.output().split("Truncating " + TOPIC + "-0", -1).length - 1;
        }
        System.out.println("Divergent tails truncated: " + truncations);
        consuming.set(false);
        group.join(30_000);
        assertThat(ids(describe(TOPIC, 0).isr())).isEqualTo(Set.of(1, 2, 3));
    }

    private void produce(Set<Integer> acknowledged, AtomicBoolean producing, AtomicReference<Exception> failure) {
        Semaphore inFlight = new Semaphore(20);
        try (KafkaProducer<byte[], byte[]> p = idempotentProducer(bootstrap())) {
            for (int i = 0; producing.get(); i++) {
                inFlight.acquire();
                int n = i;
                p.send(
                        new ProducerRecord<>(TOPIC, 0, null, Integer.toString(n).getBytes(StandardCharsets.UTF_8)),
                        (md, e) -> {
                            inFlight.release();
                            if (e == null) {
                                acknowledged.add(n);
                            } else {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            p.flush();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private void consumeAsGroup(Set<Integer> consumed, AtomicBoolean consuming) {
        Properties group = new Properties();
        group.put(ConsumerConfig.GROUP_ID_CONFIG, "readers");
        group.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        group.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap(), group)) {
            c.subscribe(List.of(TOPIC));
            while (consuming.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    consumed.add(Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8)));
                }
            }
        }
    }

    /** Every record of the partition, from its start to its end offset. */
    private List<ConsumerRecord<byte[], byte[]>> readPartition() {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap(), new Properties())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            assertThat(c.position(tp)).as("read to the end offset").isGreaterThanOrEqualTo(end);
            return out;
        }
    }

    @Test
    void acksAllWithOneLiveReplicaOfMinInsyncTwoIsRefused() throws Exception {
        startCluster();
        // Two replicas, on brokers 1 and 2: broker 3 keeps the metadata quorum a majority with 1.
        admins.get(0)
                .createTopics(List.of(new NewTopic("two-copies", Map.of(0, List.of(1, 2)))
                        .configs(Map.of("min.insync.replicas", "2"))))
                .all()
                .get(30, TimeUnit.SECONDS);
        eventually("the ISR whole", () -> describe("two-copies", 0).isr().size() == 2);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, nodes.get(0).bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.RETRIES_CONFIG, 0);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            // Each node hosts the partition a moment after the topic is visible: retry until the leader takes it.
            eventually(
                    "a first acks=all record",
                    () -> producer.send(new ProducerRecord<>("two-copies", 0, null, new byte[] {1}))
                                    .get(30, TimeUnit.SECONDS)
                            != null);
            nodes.get(1).kill();
            eventually(
                    "broker 2 out of the ISR",
                    () -> ids(describe("two-copies", 0).isr()).equals(Set.of(1)));
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("two-copies", 0, null, new byte[] {2}))
                            .get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(NotEnoughReplicasException.class);
        }
    }
}
