package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process under idempotent produce load is killed with SIGKILL five times. After each
 * restart the producer carries on (retrying what was in flight); at the end every acknowledged
 * record must be in the log exactly once, in order.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CrashRecoveryCompatTest {
    private static final String TOPIC = "crash";
    private static final int KILLS = 5;
    private static final int ACKS_BETWEEN_KILLS = 3000;

    @Test
    void fsyncModeKeepsEveryAcknowledgedRecordExactlyOnceAcrossFiveSigkills(@TempDir Path dir) throws Exception {
        Outcome o = run(dir, "fsync");
        assertThat(o.lost).as("acknowledged records missing after SIGKILL in fsync mode").isEmpty();
    }

    @Test
    void defaultModeReportsWhatSigkillLoses(@TempDir Path dir) throws Exception {
        // A process kill does not lose the page cache, so nothing acknowledged should be lost;
        // only a machine crash could lose what was not yet flushed. The count is reported.
        Outcome o = run(dir, "flush");
        System.out.println("default durability: " + o.lost.size() + " of " + o.acked + " acknowledged records lost over "
            + KILLS + " SIGKILLs");
        assertThat(o.lost).isEmpty();
    }

    record Outcome(long acked, List<Long> lost) {
    }

    private Outcome run(Path dir, String durability) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir).with("skiff.log.durability", durability)) {
            broker.start();
            Properties ap = new Properties();
            ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin admin = Admin.create(ap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
            AtomicLong failures = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            pp.put(ProducerConfig.LINGER_MS_CONFIG, 2);
            pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 240_000);
            pp.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
            pp.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
            Thread sender;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                new ByteArraySerializer())) {
                sender = new Thread(() -> {
                    long seq = 0;
                    while (!stop.get()) {
                        long value = seq++;
                        producer.send(new ProducerRecord<>(TOPIC, 0, null, ByteBuffer.allocate(8).putLong(value).array()),
                            (md, e) -> {
                                if (e == null) {
                                    acked.add(value);
                                } else {
                                    failures.incrementAndGet();
                                }
                            });
                    }
                }, "crash-test-sender");
                sender.start();
                for (int k = 0; k < KILLS; k++) {
                    awaitAcks(acked, ACKS_BETWEEN_KILLS);
                    broker.kill();
                    broker.start();
                }
                awaitAcks(acked, ACKS_BETWEEN_KILLS);
                stop.set(true);
                sender.join();
                producer.flush();
            }
            List<Long> log = readLog(broker.bootstrapServers());
            List<Long> lost = new ArrayList<>();
            java.util.Set<Long> present = new java.util.HashSet<>(log);
            for (long v : acked) {
                if (!present.contains(v)) {
                    lost.add(v);
                }
            }
            assertThat(present).as("no record appears twice").hasSize(log.size());
            for (int i = 1; i < log.size(); i++) {
                assertThat(log.get(i)).as("log order at offset %d", i).isGreaterThan(log.get(i - 1));
            }
            assertThat(failures.get()).as("sends that failed for good").isZero();
            System.out.println(durability + " durability: " + acked.size() + " acknowledged, " + log.size()
                + " records in the log after " + KILLS + " SIGKILLs");
            return new Outcome(acked.size(), lost);
        }
    }

    private static void awaitAcks(ConcurrentSkipListSet<Long> acked, int more) throws InterruptedException {
        int target = acked.size() + more;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (acked.size() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the producer made no progress: " + acked.size() + " acknowledged");
            }
            Thread.sleep(20);
        }
    }

    private static List<Long> readLog(String bootstrap) {
        List<Long> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, new Properties())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(consumer, (int) end)) {
                out.add(ByteBuffer.wrap(r.value()).getLong());
            }
            assertThat((long) out.size()).as("records read vs log end offset").isEqualTo(end);
        }
        return out;
    }
}
