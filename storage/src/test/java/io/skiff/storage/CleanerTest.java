package io.skiff.storage;

import static io.skiff.storage.CompactionFixture.append;
import static io.skiff.storage.CompactionFixture.batch;
import static io.skiff.storage.CompactionFixture.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.storage.CompactionFixture.Rec;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleaner on real partition logs in a temp dir, read back with kafka-clients. */
class CleanerTest {
    @TempDir
    File root;

    static LogConfig compacted(String... extra) {
        Map<String, String> m = new HashMap<>(LogFixture.map(
                LogConfig.CLEANUP_POLICY, "compact",
                LogConfig.SEGMENT_BYTES, "2000",
                LogConfig.INDEX_INTERVAL_BYTES, "100",
                LogConfig.DELETE_RETENTION_MS, "1000",
                LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.01"));
        m.putAll(LogFixture.map(extra));
        return LogConfig.of(m);
    }

    private LogCleaner cleanerOver(LogFixture fx, PartitionLog log, long dedupeBytes) {
        return new LogCleaner(CompactionFixture.cleanerConfig(root, dedupeBytes), fx.clock, () -> List.of(log));
    }

    /** Appends {@code updates} single-record batches over {@code keys} keys; returns what was written. */
    private static List<Rec> writeUpdates(LogFixture fx, PartitionLog log, int updates, int keys, long seed) {
        Random r = new Random(seed);
        List<Rec> written = new ArrayList<>();
        for (int i = 0; i < updates; i++) {
            String k = "key-" + r.nextInt(keys);
            String v = "value-" + i;
            long offset = append(fx, log, batch(Compression.NONE, fx.clock.milliseconds(), k, v))
                    .firstOffset();
            written.add(new Rec(offset, k, v));
        }
        return written;
    }

    @Test
    void keepsTheLatestValueOfEachKeyAtItsOffsetAndNeverTouchesTheActiveSegment() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted());
            List<Rec> written = writeUpdates(fx, log, 600, 20, 1);
            long activeBase = log.activeSegment().baseOffset;
            List<Rec> activeBefore = new ArrayList<>();
            for (Rec rec : written) {
                if (rec.offset() >= activeBase) {
                    activeBefore.add(rec);
                }
            }
            long sizeBefore = log.sizeInBytes();
            LogCleaner cleaner = cleanerOver(fx, log, 1 << 20);

            assertThat(CompactionFixture.cleanUntilDone(cleaner)).isGreaterThanOrEqualTo(1);

            List<Rec> after = records(log);
            assertThat(CompactionFixture.latest(after)).isEqualTo(CompactionFixture.latest(written));
            assertThat(after).containsAll(activeBefore);
            for (int i = 1; i < after.size(); i++) {
                assertThat(after.get(i).offset()).isGreaterThan(after.get(i - 1).offset());
            }
            // below the active segment each key appears once, with its latest value there
            Map<String, Long> seen = new HashMap<>();
            for (Rec rec : after) {
                if (rec.offset() < activeBase) {
                    assertThat(seen.put(rec.key(), rec.offset())).isNull();
                }
            }
            assertThat(written).containsAll(after);
            assertThat(log.sizeInBytes()).isLessThan(sizeBefore / 2);
            assertThat(log.activeSegment().baseOffset).isEqualTo(activeBase);
            assertThat(log.logEndOffset()).isEqualTo(600);
            assertThat(cleaner.firstDirtyOffset(LogFixture.TP)).isEqualTo(activeBase);
        }
    }

    @Test
    void survivesAReopenWithTheSameRecords() throws Exception {
        List<Rec> after;
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted());
            writeUpdates(fx, log, 300, 10, 2);
            CompactionFixture.cleanUntilDone(cleanerOver(fx, log, 1 << 20));
            after = records(log);
        }
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted(), false, 0L, 0L);
            assertThat(records(log)).isEqualTo(after);
        }
    }

    @Test
    void cleansInSeveralPassesWhenTheKeysDoNotFitTheOffsetMap() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted(LogConfig.SEGMENT_BYTES, "20000"));
            List<Rec> written = writeUpdates(fx, log, 3000, 500, 3);
            log.roll();
            // 100 slots: about 90 keys per pass
            LogCleaner cleaner = cleanerOver(fx, log, 100 * OffsetMap.BYTES_PER_ENTRY);

            int cleans = CompactionFixture.cleanUntilDone(cleaner);

            assertThat(cleans).isGreaterThan(3);
            List<Rec> after = records(log);
            assertThat(CompactionFixture.latest(after)).isEqualTo(CompactionFixture.latest(written));
            assertThat(after).hasSize(CompactionFixture.latest(written).size());
        }
    }

    @Test
    void keepsTombstonesForDeleteRetentionAfterTheFirstCleanThenRemovesThem() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted());
            for (int i = 0; i < 50; i++) {
                append(fx, log, batch(Compression.NONE, fx.clock.milliseconds(), "a", "a" + i, "b", "b" + i));
            }
            append(fx, log, batch(Compression.NONE, fx.clock.milliseconds(), "a", null));
            log.roll();
            LogCleaner cleaner = cleanerOver(fx, log, 1 << 20);

            CompactionFixture.cleanUntilDone(cleaner);
            List<Rec> first = records(log);
            assertThat(first).extracting(Rec::key).containsExactly("b", "a");
            assertThat(first.get(1).value()).isNull();
            RecordBatch tombstoneBatch = CompactionFixture.batches(log).get(1);
            assertThat(tombstoneBatch.deleteHorizonMs()).hasValue(fx.clock.milliseconds() + 1000);

            fx.clock.advance(500);
            append(fx, log, batch(Compression.NONE, fx.clock.milliseconds(), "c", "c"));
            log.roll();
            CompactionFixture.cleanUntilDone(cleaner);
            assertThat(records(log)).extracting(Rec::key).containsExactly("b", "a", "c");

            fx.clock.advance(600);
            append(fx, log, batch(Compression.NONE, fx.clock.milliseconds(), "d", "d"));
            log.roll();
            CompactionFixture.cleanUntilDone(cleaner);
            assertThat(records(log)).extracting(Rec::key).containsExactly("b", "c", "d");
        }
    }

    @Test
    void rewritesCompressedBatchesInTheirOwnCodec() throws Exception {
        for (Compression c : List.of(
                Compression.gzip().build(),
                Compression.snappy().build(),
                Compression.lz4().build(),
                Compression.zstd().build())) {
            File dir = new File(root, c.type().name);
            try (LogFixture fx = new LogFixture(dir)) {
                PartitionLog log = fx.open(compacted());
                append(fx, log, batch(c, fx.clock.milliseconds(), "x", "1", "y", "1", "z", "1"));
                append(fx, log, batch(c, fx.clock.milliseconds(), "x", "2", "y", null));
                log.roll();
                LogCleaner cleaner =
                        new LogCleaner(CompactionFixture.cleanerConfig(dir, 1 << 20), fx.clock, () -> List.of(log));

                CompactionFixture.cleanUntilDone(cleaner);

                List<RecordBatch> batches = CompactionFixture.batches(log);
                assertThat(batches).hasSize(2);
                for (RecordBatch b : batches) {
                    assertThat(b.compressionType()).isEqualTo(c.type());
                }
                assertThat(records(log))
                        .containsExactly(new Rec(2, "z", "1"), new Rec(3, "x", "2"), new Rec(4, "y", null));
                assertThat(batches.get(0).lastOffset()).isEqualTo(2);
            }
        }
    }

    @Test
    void keepsTheLastBatchOfAnIdempotentProducerAsAnEmptyBatch() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted());
            append(
                    fx,
                    log,
                    batch(7L, (short) 0, 0, false, Compression.NONE, fx.clock.milliseconds(), "k", "1", "j", "1"));
            append(fx, log, batch(Compression.NONE, fx.clock.milliseconds(), "k", "2", "j", "2"));
            log.roll();

            CompactionFixture.cleanUntilDone(cleanerOver(fx, log, 1 << 20));

            List<RecordBatch> batches = CompactionFixture.batches(log);
            assertThat(batches.get(0).producerId()).isEqualTo(7L);
            assertThat(batches.get(0).baseOffset()).isEqualTo(0);
            assertThat(batches.get(0).lastOffset()).isEqualTo(1);
            assertThat(batches.get(0).lastSequence()).isEqualTo(1);
            assertThat(batches.get(0).countOrNull()).isZero();
            assertThat(records(log)).extracting(Rec::value).containsExactly("2", "2");
            // the producer's next sequence is still accepted, a retry of its last batch still a duplicate
            assertThat(append(fx, log, batch(7L, (short) 0, 0, false, Compression.NONE, 1L, "k", "1", "j", "1"))
                            .outcome())
                    .isEqualTo(AppendOutcome.DUPLICATE);
            assertThat(append(fx, log, batch(7L, (short) 0, 2, false, Compression.NONE, 1L, "k", "3"))
                            .outcome())
                    .isEqualTo(AppendOutcome.APPENDED);
        }
    }

    private static void txnBatch(LogFixture fx, PartitionLog log, long pid, int seq, String... kv) {
        VerificationGuard guard = log.maybeStartTransactionVerification(pid, seq, (short) 0, false);
        io.netty.buffer.ByteBuf buf = batch(pid, (short) 0, seq, true, Compression.NONE, fx.clock.milliseconds(), kv);
        try {
            assertThat(log.appendAsLeader(buf, 0, fx.clock.milliseconds(), guard)
                            .outcome())
                    .isEqualTo(AppendOutcome.APPENDED);
            log.updateHighWatermark(log.logEndOffset());
        } finally {
            buf.release();
        }
    }

    private static long markers(PartitionLog log, long producerId) {
        return CompactionFixture.batches(log).stream()
                .filter(b -> b.isControlBatch() && b.producerId() == producerId)
                .count();
    }

    private void appendAndRoll(LogFixture fx, PartitionLog log, String key) throws Exception {
        append(fx, log, batch(Compression.NONE, fx.clock.milliseconds(), key, key));
        log.roll();
    }

    @Test
    void removesAbortedDataAndThenMarkersNoLongerNeeded() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted());
            txnBatch(fx, log, 1L, 0, "a", "a1");
            TxnLogFixture.marker(fx, log, 1L, (short) 0, 0, true);
            txnBatch(fx, log, 2L, 0, "a", "aborted", "b", "aborted");
            TxnLogFixture.marker(fx, log, 2L, (short) 0, 0, false);
            appendAndRoll(fx, log, "c");
            LogCleaner cleaner = cleanerOver(fx, log, 1 << 20);

            CompactionFixture.cleanUntilDone(cleaner);

            assertThat(records(log)).extracting(Rec::value).containsExactly("a1", "c");
            assertThat(markers(log, 1L)).isEqualTo(1);
            assertThat(markers(log, 2L)).isEqualTo(1);
            assertThat(log.abortedTransactions(0, log.logEndOffset()))
                    .extracting(AbortedTxn::producerId)
                    .containsExactly(2L);

            // a newer committed value of a: the first transaction's data goes, then its marker
            txnBatch(fx, log, 1L, 1, "a", "a2");
            TxnLogFixture.marker(fx, log, 1L, (short) 0, 0, true);
            appendAndRoll(fx, log, "d");
            CompactionFixture.cleanUntilDone(cleaner);
            assertThat(records(log)).extracting(Rec::value).containsExactly("c", "a2", "d");
            assertThat(markers(log, 1L)).isEqualTo(2);

            appendAndRoll(fx, log, "e");
            CompactionFixture.cleanUntilDone(cleaner); // the first marker gets its delete horizon
            assertThat(markers(log, 1L)).isEqualTo(2);
            fx.clock.advance(1001);
            appendAndRoll(fx, log, "f");
            CompactionFixture.cleanUntilDone(cleaner);
            assertThat(markers(log, 1L)).isEqualTo(1);
            assertThat(records(log)).extracting(Rec::value).containsExactly("c", "a2", "d", "e", "f");
            assertThat(log.lastStableOffset()).isEqualTo(log.logEndOffset());
        }
    }

    @Test
    void doesNotCleanPastTheLastStableOffsetOrYoungSegments() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted(LogConfig.MIN_COMPACTION_LAG_MS, "10000"));
            writeUpdates(fx, log, 200, 5, 4);
            log.roll();
            LogCleaner cleaner = cleanerOver(fx, log, 1 << 20);
            assertThat(CompactionFixture.cleanUntilDone(cleaner)).isZero();

            fx.clock.advance(20_000);
            txnBatch(fx, log, 9L, 0, "open", "txn");
            writeUpdates(fx, log, 200, 5, 5);
            log.roll();
            long openAt = 200;
            assertThat(log.lastStableOffset()).isEqualTo(openAt);
            assertThat(CompactionFixture.cleanUntilDone(cleaner)).isEqualTo(1);
            assertThat(cleaner.firstDirtyOffset(LogFixture.TP)).isLessThanOrEqualTo(openAt);
            assertThat(records(log).stream().filter(r -> r.offset() > openAt)).hasSize(200);
        }
    }

    @Test
    void mergesSmallSegmentsUpToSegmentBytes() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(compacted(LogConfig.SEGMENT_BYTES, "1000"));
            writeUpdates(fx, log, 400, 3, 6);
            int before = log.numberOfSegments();
            log.updateConfig(compacted(LogConfig.SEGMENT_BYTES, "1000000"));

            CompactionFixture.cleanUntilDone(cleanerOver(fx, log, 1 << 20));

            assertThat(before).isGreaterThan(10);
            assertThat(log.numberOfSegments()).isEqualTo(2);
            assertThat(fx.deleter.pendingCount()).isEqualTo(before - 1);
        }
    }
}
