package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a broker process while its log cleaner compacts a topic under load, many times, and
 * checks the log against a model after every restart. Small segments, a dirty ratio of 0.01 and a
 * short cleaner back-off keep the cleaner writing {@code .cleaned} segments and swapping them in
 * nearly all the time, so kills land before, during and after swaps; the test reports how many
 * kills left cleaning files behind on disk.
 *
 * <p>Every record carries its sequence number in a header; the key is a function of it, and every
 * 50th record is a tombstone. After each restart the producer (idempotent, acks=all) flushes what
 * it had in flight, then a consumer reads the whole partition and the test checks: every {@code
 * .swap} file the kill left was completed or deleted by recovery, offsets and sequence numbers increase together, every
 * record sits at the offset its acknowledgement named with the key and value of its sequence
 * number, and the latest record of every key is the latest one acknowledged (a key whose latest
 * record is a tombstone may be gone). {@code mvn test} runs 5 kills; {@code
 * compat-tests/cleaner-campaign.sh [kills]} runs a long campaign.
 */
class CleanerCrashCampaignCompatTest {
    private static final String TOPIC = "cleaned";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int KILLS = Integer.getInteger("skiff.cleanerCampaign.kills", 5);
    private static final long SEED = Long.getLong("skiff.cleanerCampaign.seed", System.nanoTime());
    private static final int KEYS = 400;
    private static final int PER_ROUND = 20_000;

    @Test
    void sigkillsDuringCleaningKeepTheLatestAcknowledgedValueOfEveryKey(@TempDir Path dir) {
        Summary s = assertTimeoutPreemptively(Duration.ofSeconds(120 + 30L * KILLS), () -> new Campaign(dir).run());
        assertThat(s.failedSends).as("sends that failed for good").isZero();
        assertThat(s.cleanings).as("cleaning passes the broker logged").isPositive();
    }

    record Summary(int kills, long sent, long cleanings, int killsWithCleaningFiles, long failedSends) {}

    private static String key(long seq) {
        return "key-" + (seq * 7919 % KEYS);
    }

    private static boolean isTombstone(long seq) {
        return seq % 50 == 49;
    }

    private static byte[] value(long seq) {
        return ("value-" + seq).getBytes(StandardCharsets.UTF_8);
    }

    /** One campaign against one broker. Not thread-safe: the test thread drives it, the ledger is locked. */
    private static final class Campaign {
        private final Path dir;
        private final Random rnd = new Random(SEED);
        private final AtomicLong failures = new AtomicLong();
        private long[] acked = new long[1 << 16]; // acked[seq] = offset, or -1; guarded by this
        private long sent;

        Campaign(Path dir) {
            this.dir = dir;
            Arrays.fill(acked, -1);
        }

        Summary run() throws Exception {
            System.out.println("cleaner campaign: " + KILLS + " kills, seed " + SEED);
            int withCleaningFiles = 0;
            int withSwapFiles = 0;
            try (SkiffProcess broker = new SkiffProcess(dir)
                    .with("log.cleaner.backoff.ms", "20")
                    .with("log.cleaner.dedupe.buffer.size", "1048576")
                    .with("log.retention.check.interval.ms", "500")) {
                broker.start();
                createTopic(broker.bootstrapServers());
                try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                    for (int k = 1; k <= KILLS; k++) {
                        long roundEnd = sent + PER_ROUND;
                        while (sent < roundEnd) {
                            send(producer, sent++);
                        }
                        awaitAcks(sent - PER_ROUND + rnd.nextInt(PER_ROUND));
                        broker.kill();
                        List<String> cleaning = cleaningFilesOnDisk();
                        if (!cleaning.isEmpty()) {
                            withCleaningFiles++;
                        }
                        if (cleaning.stream().anyMatch(n -> n.endsWith(".swap"))) {
                            withSwapFiles++;
                        }
                        int outputBefore = broker.output().length();
                        broker.start();
                        checkSwapsRecovered(cleaning, broker.output().substring(outputBefore), k);
                        producer.flush();
                        verify(broker.bootstrapServers(), "after kill " + k);
                    }
                }
                assertThat(broker.stop()).as("exit status after SIGTERM").isIn(0, 143);
                long cleanings = broker.output()
                        .lines()
                        .filter(l -> l.contains("Cleaned " + TOPIC + "-0 up to offset"))
                        .count();
                Summary s = new Summary(KILLS, sent, cleanings, withCleaningFiles, failures.get());
                System.out.printf(
                        "cleaner campaign: %d kills (%d with cleaning files on disk, %d of them mid-swap), %d records"
                                + " sent, %d cleaning passes, %d sends failed, seed %d%n",
                        KILLS, withCleaningFiles, withSwapFiles, sent, cleanings, s.failedSends, SEED);
                return s;
            }
        }

        private void createTopic(String bootstrap) throws Exception {
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)
                                .configs(Map.of(
                                        "cleanup.policy", "compact",
                                        "segment.bytes", "65536",
                                        "min.cleanable.dirty.ratio", "0.01",
                                        "min.compaction.lag.ms", "0",
                                        "delete.retention.ms", "2000",
                                        "file.delete.delay.ms", "200"))))
                        .all()
                        .get();
            }
        }

        private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
            p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
            p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
            return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }

        private void send(KafkaProducer<byte[], byte[]> producer, long seq) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(
                    TOPIC, 0, key(seq).getBytes(StandardCharsets.UTF_8), isTombstone(seq) ? null : value(seq));
            r.headers().add("seq", ByteBuffer.allocate(8).putLong(seq).array());
            producer.send(r, (md, e) -> {
                if (e == null) {
                    recordAck(seq, md.offset());
                } else {
                    failures.incrementAndGet();
                }
            });
        }

        private synchronized void recordAck(long seq, long offset) {
            if (seq >= acked.length) {
                int old = acked.length;
                acked = Arrays.copyOf(acked, Math.max(old * 2, (int) seq + 1));
                Arrays.fill(acked, old, acked.length, -1);
            }
            acked[(int) seq] = offset;
            notifyAll();
        }

        private synchronized long ackedOffset(long seq) {
            return seq < acked.length ? acked[(int) seq] : -1;
        }

        /** Waits until record {@code seq} and everything before it is acknowledged. */
        private void awaitAcks(long seq) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            synchronized (this) {
                while (ackedOffset(seq) < 0 && failures.get() == 0) {
                    long left = deadline - System.nanoTime();
                    assertThat(left).as("record %d acknowledged in time", seq).isPositive();
                    wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            }
        }

        /** The names of the cleaner's unfinished files in the partition directory. */
        private List<String> cleaningFilesOnDisk() {
            File partition = PartitionFiles.partitionDir(dir, TOPIC, 0);
            String[] names = partition.list((d, n) -> n.endsWith(".cleaned") || n.endsWith(".swap"));
            return names == null ? List.of() : List.of(names);
        }

        /**
         * Every {@code .swap} file the kill left was dealt with by recovery, as the restarted broker
         * logged: its cleaned segment swapped in, or the file deleted as an unfinished cleaning. (A
         * {@code .cleaned} file is always deleted; the cleaner of the restarted broker may already
         * be writing new ones, so their presence afterwards proves nothing.)
         */
        private static void checkSwapsRecovered(List<String> atKill, String restartOutput, int kill) {
            for (String name : atKill) {
                if (!name.endsWith(".swap")) {
                    continue;
                }
                long base = Long.parseLong(name.substring(0, name.indexOf('.')));
                assertThat(restartOutput.contains("Completed the swap of cleaned segment " + base + " ")
                                || restartOutput.contains(name))
                        .as("recovery after kill %d dealt with %s", kill, name)
                        .isTrue();
            }
        }

        private void verify(String bootstrap, String when) {
            assertThat(failures.get()).as("failed sends %s", when).isZero();
            List<ConsumerRecord<byte[], byte[]>> read = CompactionCompatTest.readFromStart(bootstrap, TP);
            Map<String, Long> latestRead = new HashMap<>();
            long previousSeq = -1;
            for (ConsumerRecord<byte[], byte[]> r : read) {
                Header h = r.headers().lastHeader("seq");
                assertThat(h)
                        .as("sequence header at offset %d %s", r.offset(), when)
                        .isNotNull();
                long seq = ByteBuffer.wrap(h.value()).getLong();
                assertThat(seq).as("sequence at offset %d %s", r.offset(), when).isGreaterThan(previousSeq);
                previousSeq = seq;
                assertThat(r.offset()).as("offset of record %d %s", seq, when).isEqualTo(ackedOffset(seq));
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(key(seq));
                if (isTombstone(seq)) {
                    assertThat(r.value()).as("record %d is a tombstone", seq).isNull();
                } else {
                    assertThat(r.value()).as("value of record %d", seq).isEqualTo(value(seq));
                }
                latestRead.put(key(seq), seq);
            }
            Map<String, Long> latestSent = new HashMap<>();
            for (long seq = 0; seq < sent; seq++) {
                latestSent.put(key(seq), seq);
            }
            for (Map.Entry<String, Long> e : latestSent.entrySet()) {
                long seq = e.getValue();
                if (isTombstone(seq) && !latestRead.containsKey(e.getKey())) {
                    continue; // a tombstone past delete.retention.ms may be cleaned away with its key
                }
                assertThat(latestRead.get(e.getKey()))
                        .as("latest record of %s %s", e.getKey(), when)
                        .isEqualTo(seq);
            }
            assertThat(latestSent.keySet()).containsAll(latestRead.keySet());
        }
    }
}
