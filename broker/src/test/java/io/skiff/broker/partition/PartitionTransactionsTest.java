package io.skiff.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.skiff.storage.AppendOutcome;
import io.skiff.storage.AppendResult;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.VerificationGuard;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.RecordBatchBuilder;
import io.skiff.wire.record.RecordBatchDescriptor;
import io.skiff.wire.record.TestBatches;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The partition layer's part of transactions: the last stable offset, markers, coordinator appends, wake-ups. */
class PartitionTransactionsTest {
    private static final long PID = 61L;

    @TempDir
    File dir;

    private PartitionFixture fx;
    private final List<Integer> announced = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fx = new PartitionFixture(dir);
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    private Partition partition() throws Exception {
        PartitionLog log = fx.createLog("t", 0, Uuid.random());
        return fx.partition(log, 0, 1, (tp, bytes) -> announced.add(bytes));
    }

    private static AppendResult txn(Partition p, int seq, int count) {
        VerificationGuard guard = p.log().maybeStartTransactionVerification(PID, seq, (short) 0, false);
        ByteBuf buf = TestBatches.spec()
                .idempotent(PID, (short) 0, seq)
                .transactional()
                .count(count)
                .timestamp(System.currentTimeMillis())
                .build();
        try {
            return p.appendAsLeader(buf, System.currentTimeMillis(), guard);
        } finally {
            buf.release();
        }
    }

    @Test
    void theLastStableOffsetComesFromTheLogAndAMarkerMovesItAndWakesEveryFetch() throws Exception {
        Partition p = partition();
        assertThat(txn(p, 0, 3).outcome()).isEqualTo(AppendOutcome.APPENDED);
        assertThat(p.highWatermark()).isEqualTo(3);
        assertThat(p.lastStableOffset()).isZero();
        assertThat(p.fetchableOffset(true)).isZero();
        assertThat(p.fetchableOffset(false)).isEqualTo(3);
        announced.clear();
        AppendResult commit = p.appendTxnMarker(PID, (short) 0, 0, true, System.currentTimeMillis());
        assertThat(commit.outcome()).isEqualTo(AppendOutcome.APPENDED);
        assertThat(p.highWatermark()).isEqualTo(4);
        assertThat(p.lastStableOffset()).isEqualTo(4);
        assertThat(announced).as("every parked fetch re-reads").containsExactly(Integer.MAX_VALUE);
        assertThat(p.log().latestEpoch()).isZero();
    }

    @Test
    void aRefusedMarkerMovesNothingAndWakesNobody() throws Exception {
        Partition p = partition();
        txn(p, 0, 2);
        announced.clear();
        AppendResult stale = p.appendTxnMarker(PID, (short) -1, 0, true, System.currentTimeMillis());
        assertThat(stale.outcome()).isEqualTo(AppendOutcome.INVALID_PRODUCER_EPOCH);
        assertThat(p.highWatermark()).isEqualTo(2);
        assertThat(p.lastStableOffset()).isZero();
        assertThat(announced).isEmpty();
    }

    @Test
    void coordinatorBatchesAppendWithoutSequencesAndAdvanceTheHighWatermark() throws Exception {
        Partition p = partition();
        ByteBuf offsets = RecordBatchBuilder.build(
                UnpooledByteBufAllocator.DEFAULT,
                System.currentTimeMillis(),
                PID,
                (short) 0,
                RecordBatchDescriptor.NO_SEQUENCE,
                RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK,
                List.of(new byte[] {1}),
                List.of(new byte[] {2}));
        try {
            AppendResult r = p.appendFromCoordinator(offsets, System.currentTimeMillis());
            assertThat(r.outcome()).isEqualTo(AppendOutcome.APPENDED);
        } finally {
            offsets.release();
        }
        assertThat(p.highWatermark()).isEqualTo(1);
        assertThat(p.lastStableOffset()).isZero();
        p.appendTxnMarker(PID, (short) 0, 0, false, System.currentTimeMillis());
        assertThat(p.lastStableOffset()).isEqualTo(2);
        assertThat(p.log().abortedTransactions(0, 10)).hasSize(1);
    }
}
