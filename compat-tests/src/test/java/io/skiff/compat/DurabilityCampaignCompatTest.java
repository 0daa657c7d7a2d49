package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability campaign: a child broker under idempotent acks=all load ({@link IdempotentLoad})
 * is killed with SIGKILL at random moments, {@code -Dskiff.campaign.kills} times (5 by default,
 * 100 from {@code compat-tests/durability-campaign.sh}; {@code -Dskiff.campaign.seed} repeats a
 * run). Around each kill the test checks:
 *
 * <ul>
 *   <li>on the dead broker's files: the checkpoints parse, and every segment, index and producer
 *       snapshot below the recorded recovery point (what the broker will trust without a scan)
 *       passes Kafka's {@code DumpLogSegments} and readers ({@link LogFilesCheck}); the log on disk
 *       agrees with every record read before;</li>
 *   <li>after the restart, through a consumer: the recovered log holds exactly the whole batches
 *       that were on disk (after a simulated power loss: what it left), offsets consecutive, the
 *       sequence numbers strictly increasing (no record twice, none out of order), and every
 *       acknowledged record at the offset its acknowledgement named, unless the power loss
 *       removed it.</li>
 * </ul>
 *
 * <p>In fsync mode nothing acknowledged may be lost. In the default (page cache) mode each kill is
 * followed by a simulated power loss ({@link PowerLoss}): records after the last flush may be
 * gone, but recovery must be clean and lose nothing that survived. At the end a clean shutdown
 * leaves every file valid, the active segment's included.
 */
class DurabilityCampaignCompatTest {
    private static final String TOPIC = "campaign";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int KILLS = Integer.getInteger("skiff.campaign.kills", 5);
    private static final long SEED = Long.getLong("skiff.campaign.seed", System.nanoTime());

    @Test
    void fsyncModeKeepsEveryAcknowledgedRecordExactlyOnceAcrossRandomSigkills(@TempDir Path dir) {
        Summary s = assertTimeoutPreemptively(timeout(), () -> new Campaign(dir, false).run());
        assertThat(s.lostAcked).as("acknowledged records lost in fsync mode").isZero();
        assertThat(s.failedSends).as("sends that failed for good").isZero();
    }

    @Test
    void defaultModeRecoversCleanlyFromSimulatedPowerLoss(@TempDir Path dir) {
        Summary s = assertTimeoutPreemptively(timeout(), () -> new Campaign(dir, true).run());
        assertThat(s.acked).as("acknowledged records").isPositive();
    }

    private static Duration timeout() {
        return Duration.ofSeconds(120 + 30L * KILLS);
    }

    record Summary(int kills, long acked, long logRecords, long lostAcked, long failedSends) {}

    /**
     * One campaign against one broker; the model of the log is what the test has read and checked
     * so far. Not thread-safe: runs on the test's thread (the load has its own).
     */
    private static final class Campaign {
        private final Path dir;
        private final boolean powerLoss;
        private final Random rnd = new Random(SEED);
        private final LogModel model = new LogModel();
        private final BitSet cut = new BitSet(); // sequence numbers a simulated power loss removed
        private final LogFilesCheck files;
        private long powerLossDropped;
        private long offsetGaps;

        Campaign(Path dir, boolean powerLoss) {
            this.dir = dir;
            this.powerLoss = powerLoss;
            this.files = new LogFilesCheck(dir, TP);
        }

        Summary run() throws Exception {
            String mode = powerLoss ? "default durability + simulated power loss" : "fsync durability";
            System.out.println("durability campaign (" + mode + "): " + KILLS + " kills, seed " + SEED);
            try (SkiffProcess broker = new SkiffProcess(dir)
                    .with("skiff.log.durability", powerLoss ? "flush" : "fsync")
                    .with("log.flush.offset.checkpoint.interval.ms", "200")
                    .with("log.flush.scheduler.interval.ms", "100")) {
                broker.start();
                createTopic(broker);
                try (IdempotentLoad load = new IdempotentLoad(broker.bootstrapServers(), TOPIC, 0).start()) {
                    for (int k = 1; k <= KILLS; k++) {
                        load.awaitMoreAcks(
                                1 + rnd.nextInt(2000), Duration.ofMillis(rnd.nextInt(800)), Duration.ofSeconds(90));
                        broker.kill();
                        long rp = PartitionFiles.recoveryPoint(dir, TP);
                        long survivingEnd = afterKill(k, rp, load);
                        broker.start();
                        verifyAfterRestart(broker, Math.min(rp, survivingEnd), survivingEnd);
                    }
                    load.awaitMoreAcks(1, Duration.ZERO, Duration.ofSeconds(90));
                    load.stopAndFlush();
                    assertThat(broker.stop()).as("exit status after SIGTERM").isIn(0, 143);
                    if (!Files.exists(dir.resolve(".kafka_cleanshutdown"))) {
                        String out = broker.output();
                        throw new AssertionError("no clean shutdown marker after SIGTERM; the broker's last output:\n"
                                + out.substring(Math.max(0, out.length() - 6000)));
                    }
                    List<String> problems = files.problems(Long.MAX_VALUE);
                    assertThat(problems).as("files after a clean shutdown").isEmpty();
                    broker.start();
                    verifyAfterRestart(broker, 0, model.end());
                    long lost = checkAcks(load.ackedOffsets(), "at the end");
                    Summary s = new Summary(KILLS, load.ackedCount(), model.records(), lost, load.failures());
                    System.out.printf(
                            "durability campaign (%s): %d kills, %d acknowledged records, %d records in the log, "
                                    + "%d acknowledged lost (%d records dropped by simulated power losses), %d duplicated, "
                                    + "%d sends failed, %d offset gaps at a power loss, %d files validated, seed %d%n",
                            mode,
                            KILLS,
                            s.acked,
                            s.logRecords,
                            lost,
                            powerLossDropped,
                            0,
                            s.failedSends,
                            offsetGaps,
                            files.filesChecked(),
                            SEED);
                    return s;
                }
            }
        }

        private void createTopic(SkiffProcess broker) throws Exception {
            Map<String, String> configs =
                    new TreeMap<>(Map.of("segment.bytes", "262144", "index.interval.bytes", "1024"));
            if (powerLoss) {
                configs.put("flush.ms", "400"); // flushes inside the active segment, not only at rolls
            }
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(configs)))
                        .all()
                        .get();
            }
        }

        /** Checks the dead broker's files, simulates the power loss if asked; returns where the log should end. */
        private long afterKill(int k, long rp, IdempotentLoad load) throws Exception {
            List<String> problems = files.problems(rp);
            assertThat(problems)
                    .as("files trusted below recovery point %d after kill %d", rp, k)
                    .isEmpty();
            File partitionDir = PartitionFiles.partitionDir(dir, TOPIC, 0);
            long onDiskEnd = readOnDisk(partitionDir, rp, k);
            long survivingEnd = onDiskEnd;
            String note = "";
            if (powerLoss) {
                PowerLoss.Outcome o = PowerLoss.apply(partitionDir, rp, rnd);
                survivingEnd = o.survivingEnd();
                for (long offset = survivingEnd; offset < model.end(); offset++) {
                    if (model.valueAt(offset) >= 0) {
                        cut.set((int) model.valueAt(offset));
                    }
                }
                powerLossDropped += model.end() - survivingEnd;
                model.truncate(survivingEnd);
                note = "; power loss: " + o.description();
            }
            checkAcks(load.ackedOffsets(), "after kill " + k);
            System.out.println("kill " + k + ": recovery point " + rp + ", " + onDiskEnd + " records on disk, "
                    + load.ackedCount() + " acknowledged" + note);
            return survivingEnd;
        }

        /** Reads the whole batches on disk from the segment holding {@code rp}; they must agree with the model. */
        private long readOnDisk(File partitionDir, long rp, int k) throws Exception {
            TreeMap<Long, File> segments = PartitionFiles.segmentFiles(partitionDir);
            Long first = segments.floorKey(Math.min(rp, model.end()));
            long expected = first == null ? 0 : first;
            for (File log : segments.tailMap(expected, true).values()) {
                PartitionFiles.Segment seg = PartitionFiles.readSegment(log);
                if (seg.baseOffset() != expected) {
                    if (seg.baseOffset() > model.end() || !model.isGap(expected, seg.baseOffset())) {
                        break; // a segment after a torn tail: recovery drops it
                    }
                    expected = seg.baseOffset(); // the offset gap a power loss left (see verifyAfterRestart)
                }
                for (PartitionFiles.Batch b : seg.batches()) {
                    for (int i = 0; i < b.values().length; i++) {
                        long offset = b.baseOffset() + i;
                        if (offset < model.end()) {
                            assertThat(b.values()[i])
                                    .as("value on disk at offset %d after kill %d", offset, k)
                                    .isEqualTo(model.valueAt(offset));
                        } else {
                            model.append(offset, b.values()[i], "on disk after kill " + k);
                        }
                    }
                }
                expected = seg.nextOffset();
                if (seg.trailingBytes() > 0) {
                    break;
                }
            }
            assertThat(expected)
                    .as("log end on disk after kill %d vs records read before", k)
                    .isGreaterThanOrEqualTo(model.end());
            return expected;
        }

        /**
         * Reads the log through a consumer from {@code from} (where recovery may have changed it) to
         * its end; checks it against the model, which it extends.
         */
        private void verifyAfterRestart(SkiffProcess broker, long from, long survivingEnd) {
            try (KafkaConsumer<byte[], byte[]> consumer =
                    Clients.consumer(broker.bootstrapServers(), new Properties())) {
                consumer.assign(List.of(TP));
                long end = consumer.endOffsets(List.of(TP)).get(TP);
                assertThat(end).as("log end offset after recovery").isGreaterThanOrEqualTo(survivingEnd);
                consumer.seek(TP, from);
                long next = from;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (next < end) {
                    assertThat(System.nanoTime())
                            .as("read up to %d, at %d", end, next)
                            .isLessThan(deadline);
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.offset() != next) {
                            acceptGap(next, r.offset(), survivingEnd);
                            next = r.offset();
                        }
                        long value = ByteBuffer.wrap(r.value()).getLong();
                        if (next < model.end()) {
                            assertThat(value)
                                    .as("record at offset %d after restart", next)
                                    .isEqualTo(model.valueAt(next));
                        } else {
                            model.append(next, value, "read after restart");
                        }
                        next++;
                    }
                }
            }
        }

        /**
         * Offsets are consecutive except where the model already has a gap, and where a power loss
         * ended the log: when the cut segment ends exactly at a batch boundary recovery finds nothing
         * to truncate and keeps the (emptied) later segments, so the log end stays at the last
         * segment's base offset, as Kafka's recovery (which drops later segments only after a
         * truncation) would leave it.
         */
        private void acceptGap(long next, long offset, long survivingEnd) {
            assertThat(offset).as("offsets increase").isGreaterThan(next);
            long known = Math.min(offset, model.end());
            assertThat(model.isGap(next, known))
                    .as("records missing at offsets %d..%d after restart", next, known - 1)
                    .isTrue();
            if (offset > model.end()) {
                assertThat(powerLoss && model.end() == survivingEnd)
                        .as(
                                "offset gap %d..%d not at the end a power loss left (%d)",
                                model.end(), offset - 1, survivingEnd)
                        .isTrue();
                offsetGaps++;
                model.skipTo(offset);
            }
        }

        /**
         * Every acknowledged record is in the model at the offset its acknowledgement named, unless
         * a simulated power loss removed it; returns how many were removed so.
         */
        private long checkAcks(long[] ackedOffsets, String when) {
            long lost = 0;
            for (int seq = 0; seq < ackedOffsets.length; seq++) {
                long offset = ackedOffsets[seq];
                if (offset < 0) {
                    continue;
                }
                boolean present = offset < model.end() && model.valueAt(offset) == seq;
                if (!present) {
                    assertThat(cut.get(seq))
                            .as(
                                    "record %d acknowledged at offset %d is missing %s (log end %d)",
                                    seq, offset, when, model.end())
                            .isTrue();
                    lost++;
                }
            }
            return lost;
        }
    }

    /**
     * The log as the test has seen it: values by offset, strictly increasing, -1 at offsets that
     * hold no record (a gap a power loss left). Not thread-safe.
     */
    private static final class LogModel {
        private long[] values = new long[1 << 16];
        private int end;
        private long lastValue = -1;

        long end() {
            return end;
        }

        long valueAt(long offset) {
            return values[(int) offset];
        }

        void append(long offset, long value, String where) {
            assertThat(offset).as("offset appended (%s)", where).isEqualTo(end);
            assertThat(value)
                    .as("sequence number at offset %d (%s): each record once, in order", offset, where)
                    .isGreaterThan(lastValue);
            put(value);
            lastValue = value;
        }

        private void put(long value) {
            if (end == values.length) {
                values = Arrays.copyOf(values, end * 2);
            }
            values[end++] = value;
        }

        /** Marks the offsets from the end up to {@code offset} (exclusive) as holding no record. */
        void skipTo(long offset) {
            while (end < offset) {
                put(-1);
            }
        }

        /** True when no offset in [from, to) holds a record. */
        boolean isGap(long from, long to) {
            for (long o = from; o < to; o++) {
                if (values[(int) o] >= 0) {
                    return false;
                }
            }
            return true;
        }

        /** Number of records (offsets that hold one). */
        long records() {
            long n = 0;
            for (int i = 0; i < end; i++) {
                if (values[i] >= 0) {
                    n++;
                }
            }
            return n;
        }

        void truncate(long newEnd) {
            end = (int) Math.min(end, newEnd);
            lastValue = -1;
            for (int i = end - 1; i >= 0 && lastValue < 0; i--) {
                lastValue = values[i];
            }
        }
    }
}
