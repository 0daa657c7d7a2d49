package io.skiff.storage;

import static io.skiff.storage.FollowerFixture.appendInEpoch;
import static io.skiff.storage.FollowerFixture.assertSameEpochs;
import static io.skiff.storage.FollowerFixture.assertSameSegmentFiles;
import static io.skiff.storage.FollowerFixture.rawBatches;
import static io.skiff.storage.FollowerFixture.replicate;
import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.record.CompressionType;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.TestBatches;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PartitionLog#appendAsFollower}: a leader's batches copied as they are, with the state a leader append keeps. */
class FollowerAppendTest {
    private static final long PID = 4242L;
    private static final long OTHER = 4343L;

    @TempDir
    File root;

    LogFixture leaderFx;
    LogFixture followerFx;

    @BeforeEach
    void setUp() {
        leaderFx = new LogFixture(new File(root, "leader"));
        followerFx = new LogFixture(new File(root, "follower"));
    }

    @AfterEach
    void tearDown() throws Exception {
        leaderFx.close();
        followerFx.close();
    }

    static LogConfig smallSegments() {
        return LogFixture.config(LogConfig.SEGMENT_BYTES, "1200", LogConfig.INDEX_INTERVAL_BYTES, "100");
    }

    /** Plain, idempotent and compressed batches in leader epochs 0, 3 and 5, over several segments. */
    private void fillLeader(PartitionLog leader) {
        int seq = 0;
        for (int i = 0; i < 30; i++) {
            int epoch = i < 10 ? 0 : i < 20 ? 3 : 5;
            TestBatches.Spec s = spec().count(3).valueSize(40).timestamp(LogFixture.START_MS + i * 10L);
            if (i % 3 == 1) {
                s.idempotent(PID, (short) 0, seq);
                seq += 3;
            } else if (i % 3 == 2) {
                s.compression(
                        i % 2 == 0
                                ? Compression.gzip().build()
                                : Compression.zstd().build());
            }
            assertThat(appendInEpoch(leaderFx, leader, s, epoch).outcome()).isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void followerSegmentsIndexesEpochsAndProducerStateMatchTheLeaders() throws Exception {
        PartitionLog leader = leaderFx.open(smallSegments());
        PartitionLog follower = followerFx.open(smallSegments());
        fillLeader(leader);
        assertThat(leader.numberOfSegments()).isGreaterThan(3);

        // Two fetches: the first cut in the middle of a batch (the partial batch is left out).
        ByteBuf raw = rawBatches(leader, 0);
        try {
            ByteBuf firstPart = raw.retainedSlice(raw.readerIndex(), raw.readableBytes() / 2);
            try {
                AppendResult r = follower.appendAsFollower(firstPart);
                assertThat(r.outcome()).isEqualTo(AppendOutcome.APPENDED);
                assertThat(r.firstOffset()).isZero();
                assertThat(r.lastOffset()).isEqualTo(follower.logEndOffset() - 1);
                assertThat(follower.logEndOffset()).isBetween(3L, leader.logEndOffset() - 3);
                assertThat(follower.logEndOffset() % 3).isZero();
            } finally {
                firstPart.release();
            }
        } finally {
            raw.release();
        }
        assertThat(replicate(leader, follower).lastOffset()).isEqualTo(leader.logEndOffset() - 1);

        assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
        assertThat(LogFixture.offsets(follower)).isEqualTo(LogFixture.offsets(leader));
        assertSameSegmentFiles(leader, follower);
        assertSameEpochs(leader, follower, 6);
        assertThat(follower.latestEpoch()).isEqualTo(5);
        assertThat(follower.activeProducers()).isEqualTo(leader.activeProducers());
        assertThat(follower.offsetForTimestamp(LogFixture.START_MS + 155))
                .isEqualTo(leader.offsetForTimestamp(LogFixture.START_MS + 155));

        // Failover: the follower leads; the producer's retry is a duplicate, its next batch follows.
        ActiveProducer p = follower.activeProducers().get(0);
        int lastSeq = p.lastSequence();
        AppendResult retry = followerFx.append(
                follower,
                spec().idempotent(PID, (short) 0, lastSeq - 2).count(3).valueSize(40));
        assertThat(retry.outcome()).isEqualTo(AppendOutcome.DUPLICATE);
        AppendResult next = followerFx.append(
                follower, spec().idempotent(PID, (short) 0, lastSeq + 1).count(2));
        assertThat(next.outcome()).isEqualTo(AppendOutcome.APPENDED);
        assertThat(next.firstOffset()).isEqualTo(leader.logEndOffset());
        AppendResult gap = followerFx.append(
                follower, spec().idempotent(PID, (short) 0, lastSeq + 9).count(1));
        assertThat(gap.outcome()).isEqualTo(AppendOutcome.OUT_OF_ORDER_SEQUENCE);
    }

    @Test
    void transactionalBatchesAndMarkersGiveTheSameAbortedTransactionsAndLastStableOffset() throws Exception {
        PartitionLog leader = leaderFx.open(smallSegments());
        PartitionLog follower = followerFx.open(smallSegments());
        TxnLogFixture.txn(leaderFx, leader, PID, (short) 0, 0, 2);
        TxnLogFixture.txn(leaderFx, leader, OTHER, (short) 1, 0, 3);
        leaderFx.append(leader, spec().count(2));
        TxnLogFixture.marker(leaderFx, leader, PID, (short) 0, 4, false);
        TxnLogFixture.txn(leaderFx, leader, OTHER, (short) 1, 3, 1);
        TxnLogFixture.marker(leaderFx, leader, OTHER, (short) 1, 4, true);
        TxnLogFixture.txn(leaderFx, leader, PID, (short) 0, 2, 2);
        TxnLogFixture.txn(leaderFx, leader, OTHER, (short) 1, 4, 2);
        TxnLogFixture.marker(leaderFx, leader, OTHER, (short) 1, 4, false);
        // PID's second transaction stays open.

        replicate(leader, follower);
        assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
        assertThat(follower.highWatermark()).isEqualTo(leader.highWatermark());
        assertThat(follower.abortedTransactions(0, Long.MAX_VALUE))
                .isEqualTo(leader.abortedTransactions(0, Long.MAX_VALUE))
                .hasSize(2);
        assertThat(follower.firstUnstableOffset()).isEqualTo(leader.firstUnstableOffset());
        assertThat(follower.lastStableOffset()).isEqualTo(leader.lastStableOffset());
        assertThat(follower.ongoingTransactionCount()).isEqualTo(1);
        assertThat(follower.activeProducers()).isEqualTo(leader.activeProducers());
        assertSameSegmentFiles(leader, follower);

        // After failover the open transaction is still one: a marker from the coordinator ends it.
        AppendResult abort = TxnLogFixture.marker(followerFx, follower, PID, (short) 0, 5, false);
        assertThat(abort.outcome()).isEqualTo(AppendOutcome.APPENDED);
        assertThat(follower.ongoingTransactionCount()).isZero();
        assertThat(follower.abortedTransactions(0, Long.MAX_VALUE)).hasSize(3);
    }

    @Test
    void theHighWatermarkMovesOnlyWhenTheFollowerSetsIt() throws Exception {
        PartitionLog leader = leaderFx.open(LogConfig.DEFAULT);
        PartitionLog follower = followerFx.open(LogConfig.DEFAULT);
        leaderFx.append(leader, spec().count(4));
        List<Long> notified = new ArrayList<>();
        follower.setAppendListener((log, lastOffset) -> notified.add(lastOffset));
        ByteBuf raw = rawBatches(leader, 0);
        try {
            follower.appendAsFollower(raw);
        } finally {
            raw.release();
        }
        assertThat(follower.logEndOffset()).isEqualTo(4);
        assertThat(follower.highWatermark()).isZero();
        assertThat(notified).containsExactly(3L);
        follower.updateHighWatermark(10);
        assertThat(follower.highWatermark()).isEqualTo(4);
    }

    @Test
    void anAwaitedFollowerAppendCompletesOnceFsynced() throws Exception {
        PartitionLog leader = leaderFx.open(LogConfig.DEFAULT);
        PartitionLog follower = followerFx.open(LogConfig.DEFAULT);
        leaderFx.append(leader, spec().count(4));
        AppendResult r = replicate(leader, follower);
        follower.awaitDurable(r.lastOffset()).get(30, TimeUnit.SECONDS);
        assertThat(follower.flushedOffset()).isGreaterThan(r.lastOffset());
    }

    @Test
    void anOverlapIsRefusedAndTheLogIsUnchanged() throws Exception {
        PartitionLog follower = followerFx.open(LogConfig.DEFAULT);
        appendRaw(follower, spec().baseOffset(0).count(3));
        long size = follower.sizeInBytes();
        assertThatThrownBy(() -> appendRaw(follower, spec().baseOffset(2).count(3)))
                .isInstanceOfSatisfying(UnexpectedAppendOffsetException.class, e -> {
                    assertThat(e.firstOffset()).isEqualTo(2);
                    assertThat(e.expectedOffset()).isEqualTo(3);
                });
        assertUnchanged(follower, 3, size);
    }

    @Test
    void aGapIsRefusedUnlessTheLogIsCompacted() throws Exception {
        PartitionLog follower = followerFx.open(LogConfig.DEFAULT);
        appendRaw(follower, spec().baseOffset(0).count(3));
        long size = follower.sizeInBytes();
        assertThatThrownBy(() -> appendRaw(follower, spec().baseOffset(5).count(1)))
                .isInstanceOf(UnexpectedAppendOffsetException.class);
        assertUnchanged(follower, 3, size);

        follower.updateConfig(LogFixture.config(LogConfig.CLEANUP_POLICY, "compact"));
        appendRaw(follower, spec().baseOffset(5).count(1));
        assertThat(follower.logEndOffset()).isEqualTo(6);
        assertThat(LogFixture.offsets(follower)).containsExactly(0L, 1L, 2L, 5L);
    }

    @Test
    void batchesThatDoNotFollowEachOtherAreRefusedWhole() throws Exception {
        PartitionLog follower = followerFx.open(LogConfig.DEFAULT);
        appendRaw(follower, spec().baseOffset(0).count(3));
        long size = follower.sizeInBytes();
        ByteBuf first = spec().baseOffset(3).count(2).build();
        ByteBuf overlapping = spec().baseOffset(4).count(2).build();
        ByteBuf both = first.alloc().directBuffer();
        try {
            both.writeBytes(first).writeBytes(overlapping);
            assertThatThrownBy(() -> follower.appendAsFollower(both))
                    .isInstanceOf(UnexpectedAppendOffsetException.class);
        } finally {
            first.release();
            overlapping.release();
            both.release();
        }
        assertUnchanged(follower, 3, size);
    }

    @Test
    void aCorruptCrcIsRefusedAndTheLogIsUnchanged() throws Exception {
        PartitionLog follower = followerFx.open(LogConfig.DEFAULT);
        appendRaw(follower, spec().baseOffset(0).count(3));
        long size = follower.sizeInBytes();
        ByteBuf good = spec().baseOffset(3).count(2).build();
        ByteBuf bad = spec().baseOffset(5).count(2).build();
        ByteBuf both = good.alloc().directBuffer();
        try {
            int last = bad.writerIndex() - 1;
            bad.setByte(last, bad.getByte(last) ^ 0x40);
            both.writeBytes(good).writeBytes(bad);
            assertThatThrownBy(() -> follower.appendAsFollower(both)).isInstanceOf(CorruptRecordsException.class);
        } finally {
            good.release();
            bad.release();
            both.release();
        }
        assertUnchanged(follower, 3, size);
    }

    @Test
    void aBatchSizeBelowTheHeaderIsCorrupt() throws Exception {
        PartitionLog follower = followerFx.open(LogConfig.DEFAULT);
        ByteBuf buf = spec().count(2).build();
        try {
            buf.setInt(8, 20); // batch length field
            assertThatThrownBy(() -> follower.appendAsFollower(buf)).isInstanceOf(CorruptRecordsException.class);
        } finally {
            buf.release();
        }
        assertUnchanged(follower, 0, 0);
    }

    @Test
    void recordsHoldingOnlyAPartialBatchAppendNothing() throws Exception {
        PartitionLog follower = followerFx.open(LogConfig.DEFAULT);
        ByteBuf buf = spec().count(2).build();
        ByteBuf partial = buf.retainedSlice(0, buf.readableBytes() - 1);
        try {
            AppendResult r = follower.appendAsFollower(partial);
            assertThat(r.outcome()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(r.firstOffset()).isEqualTo(-1);
        } finally {
            partial.release();
            buf.release();
        }
        assertUnchanged(follower, 0, 0);
    }

    @Test
    void compressedAndLogAppendTimeBatchesAreKeptAsTheLeaderWroteThem() throws Exception {
        LogConfig logAppendTime =
                LogFixture.config(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime", LogConfig.COMPRESSION_TYPE, "lz4");
        PartitionLog leader = leaderFx.open(logAppendTime);
        PartitionLog follower = followerFx.open(logAppendTime);
        leaderFx.append(leader, spec().count(5).compression(Compression.zstd().build()));
        leaderFx.clock.advance(1000);
        leaderFx.append(leader, spec().count(5).compression(Compression.lz4().build()));
        followerFx.clock.advance(50_000);
        replicate(leader, follower);
        assertSameSegmentFiles(leader, follower);
        RecordBatch b = new RecordBatch();
        ByteBuf raw = rawBatches(follower, 0);
        try {
            b.wrap(raw, 0);
            assertThat(b.compressionType()).isEqualTo(CompressionType.LZ4);
            assertThat(b.maxTimestamp()).isEqualTo(LogFixture.START_MS);
        } finally {
            raw.release();
        }
    }

    @Test
    void theFollowerLogReopensWithTheSameState() throws Exception {
        PartitionLog leader = leaderFx.open(smallSegments());
        PartitionLog follower = followerFx.open(smallSegments());
        fillLeader(leader);
        TxnLogFixture.txn(leaderFx, leader, OTHER, (short) 0, 0, 2);
        replicate(leader, follower);
        List<ActiveProducer> producers = follower.activeProducers();
        follower.close();
        PartitionLog clean = followerFx.open(smallSegments(), true, follower.recoveryPoint(), 0L);
        assertReopened(leader, clean, producers);
        clean.close();
        PartitionLog unclean = followerFx.open(smallSegments(), false, 0L, 0L);
        assertReopened(leader, unclean, producers);
    }

    private static void assertReopened(PartitionLog leader, PartitionLog reopened, List<ActiveProducer> producers)
            throws Exception {
        assertThat(reopened.logEndOffset()).isEqualTo(leader.logEndOffset());
        assertThat(LogFixture.offsets(reopened)).isEqualTo(LogFixture.offsets(leader));
        assertSameEpochs(leader, reopened, 6);
        assertThat(reopened.activeProducers()).isEqualTo(producers);
        assertThat(reopened.ongoingTransactionCount()).isEqualTo(1);
    }

    private static void appendRaw(PartitionLog log, TestBatches.Spec spec) throws Exception {
        ByteBuf buf = spec.build();
        try {
            assertThat(log.appendAsFollower(buf).outcome()).isEqualTo(AppendOutcome.APPENDED);
        } finally {
            buf.release();
        }
    }

    private static void assertUnchanged(PartitionLog log, long logEndOffset, long sizeInBytes) throws Exception {
        assertThat(log.logEndOffset()).isEqualTo(logEndOffset);
        assertThat(log.sizeInBytes()).isEqualTo(sizeInBytes);
        assertThat(Files.size(LogFiles.file(log.dir(), 0, LogFiles.LOG_SUFFIX).toPath()))
                .isEqualTo(sizeInBytes);
        assertThat(LogFixture.offsets(log)).hasSize((int) logEndOffset);
    }
}
