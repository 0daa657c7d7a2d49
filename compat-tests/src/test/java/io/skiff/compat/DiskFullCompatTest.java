package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker child process whose only log dir is a small tmpfs, filled by an idempotent acks=all
 * producer until the disk is full. Produce must then fail with KAFKA_STORAGE_ERROR (the Java
 * client's KafkaStorageException), DescribeLogDirs must show the dir with that error, and the
 * broker must stay up and keep answering (Skiff does not exit when its log dirs go offline; see
 * broker/README.md). After a filler file is removed and the broker restarted, every acknowledged
 * record must be read back exactly once, in order. Skipped (with the reason) where a tmpfs
 * cannot be mounted.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DiskFullCompatTest {
    private static final String TOPIC = "full";
    private static final long FS_BYTES = 24L * 1024 * 1024;
    private static final int VALUE_BYTES = 1000;

    @TempDir
    Path root;

    @Test
    void aFullLogDirAnswersStorageErrorsStaysUpAndLosesNothingAcknowledged() throws Exception {
        try (SmallTmpfs fs = SmallTmpfs.mount(root.resolve("fs").toFile(), FS_BYTES)) {
            File filler = fs.fill("filler", 4 * 1024 * 1024);
            File logs = new File(fs.dir, "logs");
            try (SkiffProcess broker = new SkiffProcess(root).with("log.dirs", logs.getAbsolutePath())) {
                broker.start();
                Filled filled;
                try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                    admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                            .all()
                            .get();

                    filled = fill(broker.bootstrapServers());
                    assertThat(filled.acked)
                            .as("records acknowledged before the disk was full")
                            .isNotEmpty();
                    assertThat(filled.failures)
                            .as("the idempotent producer's failed sends")
                            .isNotEmpty()
                            .allSatisfy(t ->
                                    assertThat(t).isInstanceOfAny(KafkaStorageException.class, TimeoutException.class));

                    assertThatThrownBy(() -> sendOnce(broker.bootstrapServers()))
                            .as("a produce to the offline partition")
                            .isInstanceOf(ExecutionException.class)
                            .hasCauseInstanceOf(KafkaStorageException.class);

                    int nodeId = admin.describeCluster()
                            .nodes()
                            .get()
                            .iterator()
                            .next()
                            .id();
                    Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(nodeId))
                            .allDescriptions()
                            .get()
                            .get(nodeId);
                    LogDirDescription d = dirs.get(logs.getAbsolutePath());
                    assertThat(d)
                            .as("DescribeLogDirs lists %s among %s", logs, dirs.keySet())
                            .isNotNull();
                    assertThat(d.error()).isInstanceOf(KafkaStorageException.class);

                    assertThat(broker.isAlive())
                            .as("the broker process after its only log dir went offline")
                            .isTrue();
                    assertThat(admin.listTopics().names().get())
                            .as("metadata is still served")
                            .contains(TOPIC);
                }
                // The JVM reports 143 (128 + SIGTERM) after running its shutdown hook.
                assertThat(broker.stop())
                        .as("exit status of a SIGTERM shutdown with an offline log dir")
                        .isIn(0, 143);

                assertThat(filler.delete()).isTrue();
                broker.start();
                List<Long> log = readLog(broker.bootstrapServers());
                assertThat(new HashSet<>(log)).as("no record twice").hasSize(log.size());
                for (int i = 1; i < log.size(); i++) {
                    assertThat(log.get(i)).as("order at offset %d", i).isGreaterThan(log.get(i - 1));
                }
                assertThat(log)
                        .as("every acknowledged record after the restart")
                        .containsAll(filled.acked);
                System.out.println("disk full: " + filled.acked.size() + " acknowledged, " + log.size()
                        + " in the log after the restart, " + filled.failures.size() + " failed sends");
            }
        }
    }

    private record Filled(Set<Long> acked, List<Throwable> failures) {}

    /** Sends numbered records (at most 2000 unanswered) until the first send fails; returns what was acknowledged. */
    private static Filled fill(String bootstrap) throws Exception {
        ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Semaphore window = new Semaphore(2000);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
        pp.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (long seq = 0; failures.isEmpty(); seq++) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the disk did not fill within 120 s: " + acked.size() + " acknowledged");
                }
                if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("no answer from the broker for 10 s");
                }
                long value = seq;
                byte[] bytes = ByteBuffer.allocate(VALUE_BYTES).putLong(value).array();
                producer.send(new ProducerRecord<>(TOPIC, 0, null, bytes), (md, e) -> {
                    if (e == null) {
                        acked.add(value);
                    } else {
                        failures.add(e);
                    }
                    window.release();
                });
            }
            producer.flush(); // what was in flight: acknowledged or failed, within the delivery timeout
        }
        return new Filled(acked, new ArrayList<>(failures));
    }

    /** One send with no retries, so that the broker's error reaches the caller as it is. */
    private static void sendOnce(String bootstrap) throws Exception {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.RETRIES_CONFIG, 0);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[] {1})).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<Long> readLog(String bootstrap) {
        List<Long> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, new Properties())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(consumer, (int) end)) {
                out.add(ByteBuffer.wrap(r.value()).getLong());
            }
            assertThat((long) out.size()).as("records read vs log end offset").isEqualTo(end);
        }
        return out;
    }
}
