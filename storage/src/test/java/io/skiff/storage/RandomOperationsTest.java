package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.RandomAccessFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random appends, rolls, follower truncations, reads, DeleteRecords, retention, clean reopens and
 * crash reopens (with a torn tail), checked after every step against a model: the offsets from the log start offset to
 * the log end offset.
 */
class RandomOperationsTest {
    @TempDir
    File root;

    private LogFixture fx;
    private PartitionLog log;
    private int generation;

    private static final LogConfig CONFIG = LogFixture.config(
            LogConfig.SEGMENT_BYTES,
            "2000",
            LogConfig.INDEX_INTERVAL_BYTES,
            "256",
            LogConfig.SEGMENT_INDEX_BYTES,
            "400");

    private List<Long> model(long start, long end) {
        List<Long> out = new ArrayList<>();
        for (long o = start; o < end; o++) {
            out.add(o);
        }
        return out;
    }

    @Test
    void randomOperationsMatchTheModel() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            run(seed);
        }
    }

    private void run(long seed) throws Exception {
        Random random = new Random(seed);
        fx = new LogFixture(new File(root, "s" + seed + "-g" + generation));
        log = fx.open(CONFIG);
        long logStart = 0;
        long logEnd = 0;
        java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
        boolean segmentsDeleted = false;
        List<Long> batchStarts = new ArrayList<>();
        int mostSegments = 0;
        try {
            for (int step = 0; step < 250; step++) {
                int op = random.nextInt(100);
                String what;
                if (op < 50) {
                    int count = 1 + random.nextInt(4);
                    AppendResult r = fx.append(
                            log,
                            spec().count(count)
                                    .valueSize(10 + random.nextInt(200))
                                    .timestamp(fx.clock.milliseconds()));
                    assertThat(r.outcome()).isEqualTo(AppendOutcome.APPENDED);
                    assertThat(r.firstOffset()).isEqualTo(logEnd);
                    batchStarts.add(logEnd);
                    logEnd += count;
                    what = "append " + count;
                } else if (op < 55) {
                    // mostly a short divergent tail, sometimes a deep one
                    long depth = Math.min(logEnd - logStart, random.nextInt(5) == 0 ? Integer.MAX_VALUE - 1 : 30);
                    long target = logEnd - random.nextInt((int) depth + 1);
                    log.truncateTo(target);
                    if (target < logEnd) {
                        // only whole batches go: the end is the start of the batch holding the target
                        while (!batchStarts.isEmpty() && batchStarts.get(batchStarts.size() - 1) >= target) {
                            logEnd = batchStarts.remove(batchStarts.size() - 1);
                        }
                        if (!batchStarts.isEmpty() && logEnd > target) {
                            logEnd = batchStarts.remove(batchStarts.size() - 1);
                        }
                        logStart = Math.min(logStart, logEnd);
                    }
                    assertThat(log.highWatermark()).isLessThanOrEqualTo(logEnd);
                    log.updateHighWatermark(logEnd);
                    what = "truncate " + target;
                } else if (op < 60) {
                    log.roll();
                    what = "roll";
                } else if (op < 70) {
                    long from = logStart + (logEnd > logStart ? random.nextInt((int) (logEnd - logStart + 1)) : 0);
                    ReadResult r = log.read(from, 1 + random.nextInt(3000), Long.MAX_VALUE, true);
                    assertThat(r.outcome()).isEqualTo(ReadOutcome.SUCCESS);
                    if (from < logEnd) {
                        assertThat(r.records().sizeInBytes()).isGreaterThan(0);
                        org.apache.kafka.common.record.internal.MutableRecordBatch first =
                                org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(
                                                LogFixture.bytes(r.records()))
                                        .batches()
                                        .iterator()
                                        .next();
                        assertThat(first.baseOffset()).isLessThanOrEqualTo(from);
                        assertThat(first.lastOffset()).isGreaterThanOrEqualTo(from);
                    } else {
                        assertThat(r.records().sizeInBytes()).isZero();
                    }
                    assertThat(log.read(logEnd + 1, 100, Long.MAX_VALUE, true).outcome())
                            .isEqualTo(ReadOutcome.OFFSET_OUT_OF_RANGE);
                    what = "read " + from;
                } else if (op < 76) {
                    long target = logStart + (logEnd > logStart ? random.nextInt((int) (logEnd - logStart + 1)) : 0);
                    DeleteRecordsResult r = log.deleteRecordsBefore(target);
                    assertThat(r.outcome()).isEqualTo(DeleteRecordsOutcome.SUCCESS);
                    logStart = Math.max(logStart, target);
                    assertThat(r.lowWatermark()).isEqualTo(logStart);
                    what = "deleteRecords " + target;
                } else if (op < 82) {
                    long limit = 1000 + random.nextInt(6000);
                    log.updateConfig(
                            LogConfig.of(CONFIG, LogFixture.map(LogConfig.RETENTION_BYTES, Long.toString(limit))));
                    log.deleteRetentionBreachedSegments();
                    log.updateConfig(CONFIG);
                    assertThat(log.logStartOffset()).isGreaterThanOrEqualTo(logStart);
                    logStart = log.logStartOffset();
                    what = "retention.bytes " + limit;
                } else if (op < 91) {
                    log.close();
                    log = fx.open(CONFIG, true, logEnd, logStart);
                    what = "clean reopen";
                } else {
                    boolean torn = random.nextBoolean();
                    File image = new File(root, "s" + seed + "-g" + (++generation));
                    RecoveryTest.crashImage(fx.dir, new File(image, LogFixture.TP.dirName()));
                    if (torn) {
                        long[] bases = log.segmentBaseOffsets();
                        File active = LogFiles.file(
                                new File(image, LogFixture.TP.dirName()), bases[bases.length - 1], ".log");
                        try (RandomAccessFile raf = new RandomAccessFile(active, "rw")) {
                            raf.seek(raf.length());
                            byte[] junk = new byte[1 + random.nextInt(90)];
                            random.nextBytes(junk);
                            raf.write(junk);
                        }
                    }
                    fx.close();
                    fx = new LogFixture(image);
                    // the checkpointed recovery point may be older than the last flush: use 0, the worst case
                    log = fx.open(CONFIG, false, 0L, logStart);
                    what = "crash reopen" + (torn ? " with torn tail" : "");
                }
                seen.merge(what.split(" ")[0], 1, Integer::sum);
                segmentsDeleted |= log.segmentBaseOffsets()[0] > 0;
                mostSegments = Math.max(mostSegments, log.numberOfSegments());
                assertThat(log.logEndOffset())
                        .as("after %s (seed %d step %d)", what, seed, step)
                        .isEqualTo(logEnd);
                assertThat(log.logStartOffset()).as("after %s", what).isEqualTo(logStart);
                assertThat(LogFixture.offsets(log))
                        .as("after %s (seed %d step %d)", what, seed, step)
                        .isEqualTo(model(logStart, logEnd));
            }
            // the run exercised every kind of step, and segments were really removed
            assertThat(seen.keySet())
                    .contains(
                            "append", "roll", "truncate", "read", "deleteRecords", "retention.bytes", "clean", "crash");
            assertThat(segmentsDeleted).isTrue();
            assertThat(mostSegments).isGreaterThan(2);
        } finally {
            fx.close();
        }
    }
}
