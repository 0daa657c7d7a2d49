package io.skiff.storage;

import static io.skiff.storage.FollowerFixture.appendInEpoch;
import static io.skiff.storage.FollowerFixture.assertSameBatches;
import static io.skiff.storage.FollowerFixture.assertSameEpochs;
import static io.skiff.storage.FollowerFixture.recordTimestamps;
import static io.skiff.storage.FollowerFixture.replicate;
import static io.skiff.storage.FollowerFixture.replicateUpTo;
import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.TestBatches;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#truncateTo} and {@link PartitionLog#truncateFullyAndStartAt}: a follower
 * cuts its divergent tail and then holds exactly what a log that never had it holds (batches,
 * indexes, producer state, epochs, transactions), before and after a reopen, and follows its new
 * leader from there.
 */
class LogTruncationTest {
    private static final long PID = 5151L;
    private static final int BATCHES = 24;

    @TempDir
    File root;

    LogFixture oldLeaderFx;
    LogFixture followerFx;
    PartitionLog oldLeader;
    PartitionLog follower;
    List<Long> timestamps;
    int fixtures;

    @BeforeEach
    void setUp() throws Exception {
        oldLeaderFx = new LogFixture(new File(root, "old-leader"));
        followerFx = new LogFixture(new File(root, "follower"));
        oldLeader = oldLeaderFx.open(FollowerAppendTest.smallSegments());
        follower = followerFx.open(FollowerAppendTest.smallSegments());
        // Batch i holds offsets 2i and 2i+1 at times 10i and 10i+1 (from START_MS); odd batches are PID's.
        int seq = 0;
        for (int i = 0; i < BATCHES; i++) {
            TestBatches.Spec s = spec().count(2).valueSize(60).timestamp(LogFixture.START_MS + 10L * i);
            if (i % 2 == 1) {
                s.idempotent(PID, (short) 0, seq);
                seq += 2;
            }
            appendInEpoch(oldLeaderFx, oldLeader, s, i < 8 ? 1 : i < 16 ? 2 : 4);
        }
        replicate(oldLeader, follower);
        timestamps = recordTimestamps(oldLeader);
        assertThat(follower.numberOfSegments()).isGreaterThanOrEqualTo(5);
    }

    @AfterEach
    void tearDown() throws Exception {
        oldLeaderFx.close();
        followerFx.close();
    }

    /** A log that was given the old leader's batches below {@code end} only. */
    private PartitionLog reference(long end) throws Exception {
        LogFixture fx = new LogFixture(new File(root, "reference-" + fixtures++));
        closeLater(fx);
        PartitionLog ref = fx.open(FollowerAppendTest.smallSegments());
        replicateUpTo(oldLeader, ref, end);
        return ref;
    }

    private final List<LogFixture> extra = new ArrayList<>();

    private void closeLater(LogFixture fx) {
        extra.add(fx);
    }

    @AfterEach
    void closeExtra() throws Exception {
        for (LogFixture fx : extra) {
            fx.close();
        }
    }

    /** A batch boundary inside the segment list: strictly between two segment base offsets. */
    private long boundaryInsideSegment(int segmentIndex) {
        long[] bases = follower.segmentBaseOffsets();
        long candidate = bases[segmentIndex] + 2;
        assertThat(candidate).isLessThan(bases[segmentIndex + 1]);
        return candidate;
    }

    /** Everything a truncated follower must share with a log that never had the tail, then and after a reopen. */
    private void assertTruncatedTo(long expectedEnd) throws Exception {
        assertThat(follower.logEndOffset()).isEqualTo(expectedEnd);
        assertThat(follower.highWatermark()).isLessThanOrEqualTo(expectedEnd);
        assertThat(follower.recoveryPoint()).isLessThanOrEqualTo(expectedEnd);
        PartitionLog ref = reference(expectedEnd);
        assertSameBatches(ref, follower, timestamps);
        assertSameEpochs(ref, follower, 8);
        assertThat(follower.activeProducers()).isEqualTo(ref.activeProducers());
        for (long base : follower.segmentBaseOffsets()) {
            assertThat(base).isLessThanOrEqualTo(expectedEnd);
        }
        for (long snapshot : follower.producerSnapshotOffsets()) {
            assertThat(snapshot).isLessThanOrEqualTo(expectedEnd);
        }
        assertThat(LogFixture.offsets(follower)).hasSize((int) expectedEnd);
    }

    /** A new leader in epoch 7: the old leader's batches below {@code end}, then new batches, PID's sequence going on. */
    private PartitionLog newLeader(long end) throws Exception {
        LogFixture fx = new LogFixture(new File(root, "new-leader-" + fixtures++));
        closeLater(fx);
        PartitionLog leader = fx.open(FollowerAppendTest.smallSegments());
        replicateUpTo(oldLeader, leader, end);
        List<ActiveProducer> producers = leader.activeProducers();
        int nextSeq = producers.isEmpty() ? 0 : producers.get(0).lastSequence() + 1;
        for (int i = 0; i < 6; i++) {
            TestBatches.Spec s = spec().count(3).valueSize(30).timestamp(LogFixture.START_MS + 5_000L + i);
            if (i % 2 == 0) {
                s.idempotent(PID, (short) 0, nextSeq);
                nextSeq += 3;
            }
            assertThat(appendInEpoch(fx, leader, s, 7).outcome()).isEqualTo(AppendOutcome.APPENDED);
        }
        return leader;
    }

    /** After the truncation: the follower follows a new leader, and reopens (cleanly, then not) as that leader's copy. */
    private void assertFollowsNewLeaderAndReopens(long end) throws Exception {
        PartitionLog leader = newLeader(end);
        replicate(leader, follower);
        List<Long> allTimestamps = recordTimestamps(leader);
        allTimestamps.addAll(timestamps);
        assertSameBatches(leader, follower, allTimestamps);
        assertSameEpochs(leader, follower, 8);
        assertThat(follower.latestEpoch()).isEqualTo(7);
        assertThat(follower.activeProducers()).isEqualTo(leader.activeProducers());

        follower.close();
        follower = followerFx.open(FollowerAppendTest.smallSegments(), true, follower.recoveryPoint(), 0L);
        follower.updateHighWatermark(leader.highWatermark());
        assertSameBatches(leader, follower, allTimestamps);
        assertSameEpochs(leader, follower, 8);
        assertThat(follower.activeProducers()).isEqualTo(leader.activeProducers());
        follower.close();
        follower = followerFx.open(FollowerAppendTest.smallSegments(), false, 0L, 0L);
        assertSameBatches(leader, follower, allTimestamps);
        assertSameEpochs(leader, follower, 8);
        assertThat(follower.activeProducers()).isEqualTo(leader.activeProducers());
    }

    @Test
    void truncatingInTheMiddleOfASegmentCutsItAtThatBatch() throws Exception {
        long[] basesBefore = follower.segmentBaseOffsets();
        long cut = boundaryInsideSegment(basesBefore.length - 2);
        follower.truncateTo(cut);
        assertThat(follower.segmentBaseOffsets()).containsExactly(Arrays.copyOf(basesBefore, basesBefore.length - 1));
        assertTruncatedTo(cut);
        assertFollowsNewLeaderAndReopens(cut);
    }

    @Test
    void truncatingAtASegmentBoundaryLeavesThatSegmentEmpty() throws Exception {
        long[] basesBefore = follower.segmentBaseOffsets();
        long cut = basesBefore[2];
        follower.truncateTo(cut);
        assertThat(follower.segmentBaseOffsets()).containsExactly(basesBefore[0], basesBefore[1], basesBefore[2]);
        assertThat(follower.sizeInBytes()).isEqualTo(reference(cut).sizeInBytes());
        assertTruncatedTo(cut);
        assertFollowsNewLeaderAndReopens(cut);
    }

    @Test
    void truncatingAcrossSeveralSegmentsDeletesThemAll() throws Exception {
        long cut = boundaryInsideSegment(0);
        follower.truncateTo(cut);
        assertThat(follower.numberOfSegments()).isEqualTo(1);
        assertThat(follower.latestEpoch()).isEqualTo(1);
        assertTruncatedTo(cut);
        assertFollowsNewLeaderAndReopens(cut);
    }

    @Test
    void truncatingInsideABatchCutsAtThatBatchsBaseOffset() throws Exception {
        long cut = boundaryInsideSegment(2) + 1;
        follower.truncateTo(cut);
        assertTruncatedTo(cut - 1);
        assertFollowsNewLeaderAndReopens(cut - 1);
    }

    @Test
    void aSequenceAboveTheCutIsNoLongerADuplicate() throws Exception {
        int batch = BATCHES - 5; // odd: PID's, with sequences batch - 1 and batch
        long cut = 2L * batch;
        int removedSeq = batch - 1;
        AppendResult before = followerFx.append(
                follower, spec().idempotent(PID, (short) 0, removedSeq).count(2));
        assertThat(before.outcome()).isEqualTo(AppendOutcome.DUPLICATE);
        assertThat(before.firstOffset()).isEqualTo(cut);
        follower.truncateTo(cut);
        assertThat(follower.activeProducers().get(0).lastSequence()).isEqualTo(removedSeq - 1);
        AppendResult retained = followerFx.append(
                follower, spec().idempotent(PID, (short) 0, removedSeq - 2).count(2));
        assertThat(retained.outcome()).isEqualTo(AppendOutcome.DUPLICATE);
        assertThat(retained.firstOffset()).isEqualTo(cut - 4);
        AppendResult after = followerFx.append(
                follower, spec().idempotent(PID, (short) 0, removedSeq).count(2));
        assertThat(after.outcome()).isEqualTo(AppendOutcome.APPENDED);
        assertThat(after.firstOffset()).isEqualTo(cut);
    }

    @Test
    void truncatingAtOrAboveTheLogEndChangesNothing() throws Exception {
        long end = follower.logEndOffset();
        long[] bases = follower.segmentBaseOffsets();
        follower.truncateTo(end);
        follower.truncateTo(end + 100);
        assertThat(follower.logEndOffset()).isEqualTo(end);
        assertThat(follower.segmentBaseOffsets()).containsExactly(bases);
        assertThat(follower.latestEpoch()).isEqualTo(4);
    }

    @Test
    void theHighWatermarkRecoveryPointAndDurableOffsetComeDownToTheCut() throws Exception {
        long cut = boundaryInsideSegment(1);
        follower.awaitDurable(follower.logEndOffset() - 1).get(30, TimeUnit.SECONDS);
        assertThat(follower.highWatermark()).isEqualTo(2L * BATCHES);
        assertThat(follower.flushedOffset()).isEqualTo(2L * BATCHES);
        follower.truncateTo(cut);
        assertThat(follower.highWatermark()).isEqualTo(cut);
        assertThat(follower.lastStableOffset()).isEqualTo(cut);
        assertThat(follower.flushedOffset()).isEqualTo(cut);
        assertThat(follower.recoveryPoint()).isLessThanOrEqualTo(cut);
        replicate(newLeader(cut), follower);
        follower.awaitDurable(follower.logEndOffset() - 1).get(30, TimeUnit.SECONDS);
        assertThat(follower.flushedOffset()).isEqualTo(follower.logEndOffset());
    }

    @Test
    void transactionsAboveTheCutAreOpenAgainOrGone() throws Exception {
        LogFixture leaderFx = new LogFixture(new File(root, "txn-leader"));
        LogFixture fx = new LogFixture(new File(root, "txn-follower"));
        closeLater(leaderFx);
        closeLater(fx);
        PartitionLog leader = leaderFx.open(LogConfig.DEFAULT);
        PartitionLog f = fx.open(LogConfig.DEFAULT);
        long other = 6161L;
        leaderFx.append(leader, spec().count(2)); // 0-1
        TxnLogFixture.txn(leaderFx, leader, other, (short) 0, 0, 2); // 2-3
        TxnLogFixture.marker(leaderFx, leader, other, (short) 0, 1, false); // 4: abort
        leaderFx.append(leader, spec().count(2)); // 5-6
        TxnLogFixture.txn(leaderFx, leader, PID, (short) 0, 0, 2); // 7-8
        TxnLogFixture.marker(leaderFx, leader, PID, (short) 0, 1, true); // 9: commit
        leaderFx.append(leader, spec().count(2)); // 10-11
        replicate(leader, f);
        assertThat(f.abortedTransactions(0, Long.MAX_VALUE)).hasSize(1);

        f.truncateTo(9);
        assertThat(f.ongoingTransactionCount()).isEqualTo(1);
        assertThat(f.firstUnstableOffset()).isEqualTo(7);
        assertThat(f.lastStableOffset()).isEqualTo(7);
        assertThat(f.abortedTransactions(0, Long.MAX_VALUE)).hasSize(1);

        f.truncateTo(4);
        assertThat(f.ongoingTransactionCount()).isEqualTo(1);
        assertThat(f.firstUnstableOffset()).isEqualTo(2);
        assertThat(f.abortedTransactions(0, Long.MAX_VALUE)).isEmpty();
        assertThat(f.activeProducers()).extracting(ActiveProducer::producerId).containsExactly(other);

        // the new leader writes the abort again; the follower ends up with the same index
        replicate(leader, f);
        assertThat(f.abortedTransactions(0, Long.MAX_VALUE)).isEqualTo(leader.abortedTransactions(0, Long.MAX_VALUE));
        assertThat(f.lastStableOffset()).isEqualTo(leader.lastStableOffset());
        f.close();
        PartitionLog reopened = fx.open(LogConfig.DEFAULT, false, 0L, 0L);
        assertThat(reopened.abortedTransactions(0, Long.MAX_VALUE))
                .isEqualTo(leader.abortedTransactions(0, Long.MAX_VALUE));
        assertThat(reopened.activeProducers()).isEqualTo(leader.activeProducers());
    }

    @Test
    void truncatingFullyStartsAnEmptyLogAtTheOffset() throws Exception {
        follower.truncateFullyAndStartAt(1000);
        assertFullyTruncatedAt(1000);
        assertThat(follower.recoveryPoint()).isEqualTo(1000);
        assertThat(follower.flushedOffset()).isEqualTo(1000);
        TestBatches.Spec s = spec().baseOffset(1000).count(2).idempotent(PID, (short) 3, 0);
        ByteBuf buf = s.build();
        try {
            new RecordBatch().wrap(buf, 0).setPartitionLeaderEpoch(9);
            assertThat(follower.appendAsFollower(buf).lastOffset()).isEqualTo(1001);
        } finally {
            buf.release();
        }
        assertThat(follower.latestEpoch()).isEqualTo(9);
        assertThat(follower.endOffsetForEpoch(9)).containsExactly(9L, 1002L);
        follower.close();
        follower = followerFx.open(FollowerAppendTest.smallSegments(), false, 0L, 0L);
        assertThat(follower.logStartOffset()).isEqualTo(1000);
        assertThat(follower.logEndOffset()).isEqualTo(1002);
        assertThat(LogFixture.offsets(follower)).containsExactly(1000L, 1001L);
        assertThat(follower.latestEpoch()).isEqualTo(9);
        assertThat(follower.activeProducers())
                .extracting(ActiveProducer::producerEpoch)
                .containsExactly((short) 3);
    }

    @Test
    void truncatingBelowTheFirstSegmentTruncatesFully() throws Exception {
        follower.truncateFullyAndStartAt(500);
        follower.truncateTo(100);
        assertFullyTruncatedAt(100);
    }

    @Test
    void aFullyTruncatedLogReopensEmptyAtTheOffset() throws Exception {
        follower.truncateFullyAndStartAt(7);
        follower.close();
        follower = followerFx.open(FollowerAppendTest.smallSegments(), true, follower.recoveryPoint(), 0L);
        assertFullyTruncatedAt(7);
        follower.close();
        follower = followerFx.open(FollowerAppendTest.smallSegments(), false, 0L, 0L);
        assertFullyTruncatedAt(7);
    }

    private void assertFullyTruncatedAt(long offset) {
        assertThat(follower.segmentBaseOffsets()).containsExactly(offset);
        assertThat(follower.logStartOffset()).isEqualTo(offset);
        assertThat(follower.logEndOffset()).isEqualTo(offset);
        assertThat(follower.highWatermark()).isEqualTo(offset);
        assertThat(follower.lastStableOffset()).isEqualTo(offset);
        assertThat(follower.recoveryPoint()).isLessThanOrEqualTo(offset);
        assertThat(follower.activeProducers()).isEmpty();
        assertThat(follower.producerSnapshotOffsets()).isEmpty();
        assertThat(follower.latestEpoch()).isEqualTo(-1);
        assertThat(follower.read(offset, 100, Long.MAX_VALUE, true).records().sizeInBytes())
                .isZero();
        assertThat(follower.read(offset - 1, 100, Long.MAX_VALUE, true).outcome())
                .isEqualTo(ReadOutcome.OFFSET_OUT_OF_RANGE);
    }
}
