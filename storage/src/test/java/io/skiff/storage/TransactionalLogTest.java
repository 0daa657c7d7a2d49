package io.skiff.storage;

import static io.skiff.storage.TxnLogFixture.append;
import static io.skiff.storage.TxnLogFixture.marker;
import static io.skiff.storage.TxnLogFixture.txn;
import static io.skiff.storage.TxnLogFixture.txnSpec;
import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.skiff.wire.record.RecordBatchBuilder;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.io.File;
import java.util.List;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transactions on a partition log: open transactions, the last stable offset, markers and their checks. */
class TransactionalLogTest {
    private static final long PID = 7001L;
    private static final long OTHER = 7002L;

    @TempDir
    File root;

    @Test
    void openTransactionHoldsTheLastStableOffsetAtItsFirstOffsetUntilTheCommitMarker() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(log, spec().count(2));
            assertThat(txn(fx, log, PID, (short) 0, 0, 3).outcome()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(txn(fx, log, PID, (short) 0, 3, 2).outcome()).isEqualTo(AppendOutcome.APPENDED);
            fx.append(log, spec().count(1));
            assertThat(log.highWatermark()).isEqualTo(8);
            assertThat(log.lastStableOffset()).isEqualTo(2);
            assertThat(log.activeProducers().get(0).currentTxnStartOffset()).isEqualTo(2);

            AppendResult commit = marker(fx, log, PID, (short) 0, 3, true);
            assertThat(commit.outcome()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(commit.firstOffset()).isEqualTo(8);
            assertThat(log.lastStableOffset()).isEqualTo(9).isEqualTo(log.highWatermark());
            assertThat(log.activeProducers().get(0).currentTxnStartOffset()).isEqualTo(-1);
            assertThat(log.activeProducers().get(0).coordinatorEpoch()).isEqualTo(3);
            assertThat(log.abortedTransactions(0, 100)).isEmpty();
        }
    }

    @Test
    void theLastStableOffsetWaitsForTheHighWatermarkToPassTheMarker() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 2);
            log.appendTxnMarker(PID, (short) 0, 0, true, 0, fx.clock.milliseconds());
            // the marker is at offset 2; the high watermark has not passed it yet
            assertThat(log.highWatermark()).isEqualTo(2);
            assertThat(log.lastStableOffset()).isEqualTo(0);
            log.updateHighWatermark(3);
            assertThat(log.lastStableOffset()).isEqualTo(3);
        }
    }

    @Test
    void theEarliestOpenTransactionOfSeveralProducersBoundsTheLastStableOffset() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 2); // 0-1
            txn(fx, log, OTHER, (short) 0, 0, 2); // 2-3
            assertThat(log.lastStableOffset()).isEqualTo(0);
            marker(fx, log, PID, (short) 0, 0, false); // 4: aborts 0-1
            assertThat(log.lastStableOffset()).isEqualTo(2);
            List<AbortedTxn> aborted = log.abortedTransactions(0, 100);
            // the index records the stable offset just after the abort: OTHER's transaction still open at 2
            assertThat(aborted).containsExactly(new AbortedTxn(PID, 0, 4, 2));
            marker(fx, log, OTHER, (short) 0, 0, true); // 5
            assertThat(log.lastStableOffset()).isEqualTo(6);
        }
    }

    @Test
    void markersAreKafkasControlBatches() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 4, 0, 1);
            marker(fx, log, PID, (short) 4, 17, false);
            ReadResult r = log.read(1, 10_000, Long.MAX_VALUE, true);
            MemoryRecords m = MemoryRecords.readableRecords(LogFixture.bytes(r.records()));
            RecordBatch b = m.batches().iterator().next();
            assertThat(b.isValid()).isTrue();
            assertThat(b.isControlBatch()).isTrue();
            assertThat(b.isTransactional()).isTrue();
            assertThat(b.producerId()).isEqualTo(PID);
            assertThat(b.producerEpoch()).isEqualTo((short) 4);
            assertThat(b.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
            assertThat(b.partitionLeaderEpoch()).isEqualTo(0);
            assertThat(b.baseOffset()).isEqualTo(1);
            Record rec = b.iterator().next();
            assertThat(ControlRecordType.parse(rec.key())).isEqualTo(ControlRecordType.ABORT);
            EndTransactionMarker marker = EndTransactionMarker.deserialize(rec);
            assertThat(marker.controlType()).isEqualTo(ControlRecordType.ABORT);
            assertThat(marker.coordinatorEpoch()).isEqualTo(17);
        }
    }

    @Test
    void aMarkerWithAnOlderEpochIsRefusedAndWritesNothing() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 3, 0, 2);
            long end = log.logEndOffset();
            AppendResult r = marker(fx, log, PID, (short) 2, 0, true);
            assertThat(r.outcome()).isEqualTo(AppendOutcome.INVALID_PRODUCER_EPOCH);
            assertThat(log.logEndOffset()).isEqualTo(end);
            assertThat(log.lastStableOffset()).isEqualTo(0);
        }
    }

    @Test
    void aMarkerFromAnOlderCoordinatorEpochIsFenced() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 1);
            marker(fx, log, PID, (short) 0, 5, true);
            txn(fx, log, PID, (short) 0, 1, 1);
            long end = log.logEndOffset();
            AppendResult r = marker(fx, log, PID, (short) 0, 4, false);
            assertThat(r.outcome()).isEqualTo(AppendOutcome.TRANSACTION_COORDINATOR_FENCED);
            assertThat(log.logEndOffset()).isEqualTo(end);
            assertThat(log.activeProducers().get(0).currentTxnStartOffset()).isEqualTo(2);
        }
    }

    @Test
    void aMarkerWithoutAnOpenTransactionIsWrittenAndChangesNothingElse() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(log, spec().count(2));
            AppendResult r = marker(fx, log, PID, (short) 0, 0, false);
            assertThat(r.outcome()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(log.logEndOffset()).isEqualTo(3);
            assertThat(log.lastStableOffset()).isEqualTo(3);
            assertThat(log.abortedTransactions(0, 100)).isEmpty();
        }
    }

    @Test
    void aTransactionVersion2MarkerCarriesTheBumpedEpochWhichIsAdopted() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 2);
            // transaction version 2 refuses the data's own epoch while the transaction is open
            AppendResult same = log.appendTxnMarker(PID, (short) 0, 0, true, (short) 2, 0, fx.clock.milliseconds());
            assertThat(same.outcome()).isEqualTo(AppendOutcome.INVALID_PRODUCER_EPOCH);
            AppendResult bumped = log.appendTxnMarker(PID, (short) 1, 0, true, (short) 2, 0, fx.clock.milliseconds());
            assertThat(bumped.outcome()).isEqualTo(AppendOutcome.APPENDED);
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.lastStableOffset()).isEqualTo(3);
            assertThat(log.activeProducers().get(0).producerEpoch()).isEqualTo((short) 1);
            // a retry of the written marker (same epoch, nothing open) is written again
            AppendResult retry = log.appendTxnMarker(PID, (short) 1, 0, true, (short) 2, 0, fx.clock.milliseconds());
            assertThat(retry.outcome()).isEqualTo(AppendOutcome.APPENDED);
            // the old epoch's data is fenced now
            assertThat(txn(fx, log, PID, (short) 0, 2, 1).outcome()).isEqualTo(AppendOutcome.INVALID_PRODUCER_EPOCH);
            // the new epoch starts at sequence 0
            assertThat(txn(fx, log, PID, (short) 1, 0, 1).outcome()).isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void aTransactionalBatchWithoutVerificationIsRefused() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            AppendResult r = append(fx, log, txnSpec(fx, PID, (short) 0, 0, 2), VerificationGuard.SENTINEL);
            assertThat(r.outcome()).isEqualTo(AppendOutcome.INVALID_TXN_STATE);
            assertThat(log.logEndOffset()).isZero();
            // a guard of another verification does not match either
            log.maybeStartTransactionVerification(PID, 0, (short) 0, false);
            r = append(fx, log, txnSpec(fx, PID, (short) 0, 0, 2), new VerificationGuard());
            assertThat(r.outcome()).isEqualTo(AppendOutcome.INVALID_TXN_STATE);
            assertThat(log.logEndOffset()).isZero();
        }
    }

    @Test
    void aMarkerBetweenVerificationAndAppendInvalidatesTheGuard() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 1);
            VerificationGuard next = log.maybeStartTransactionVerification(PID, 1, (short) 0, false);
            assertThat(next).isSameAs(VerificationGuard.SENTINEL); // the transaction is open: nothing to verify
            marker(fx, log, PID, (short) 0, 0, false);
            VerificationGuard guard = log.maybeStartTransactionVerification(PID, 1, (short) 0, false);
            assertThat(guard).isNotSameAs(VerificationGuard.SENTINEL);
            // the coordinator aborts the transaction the verification was for: a marker lands first
            marker(fx, log, PID, (short) 0, 0, false);
            long end = log.logEndOffset();
            AppendResult late = append(fx, log, txnSpec(fx, PID, (short) 0, 1, 1), guard);
            assertThat(late.outcome()).isEqualTo(AppendOutcome.INVALID_TXN_STATE);
            assertThat(log.logEndOffset()).isEqualTo(end);
        }
    }

    @Test
    void aNonTransactionalBatchOfAProducerWithAnOpenTransactionIsRefused() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 1);
            AppendResult r = fx.append(log, spec().idempotent(PID, (short) 0, 1).timestamp(fx.clock.milliseconds()));
            assertThat(r.outcome()).isEqualTo(AppendOutcome.INVALID_TXN_STATE);
            assertThat(log.logEndOffset()).isEqualTo(1);
        }
    }

    @Test
    void aStaleEpochOfATransactionalBatchIsAnInvalidEpochBeforeVerification() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 2, 0, 1);
            marker(fx, log, PID, (short) 2, 0, true);
            AppendResult r = append(fx, log, txnSpec(fx, PID, (short) 1, 0, 1), VerificationGuard.SENTINEL);
            assertThat(r.outcome()).isEqualTo(AppendOutcome.INVALID_PRODUCER_EPOCH);
        }
    }

    @Test
    void withVerificationOffATransactionalBatchOpensATransactionDirectly() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            log.setTransactionVerificationEnabled(false);
            AppendResult r = append(fx, log, txnSpec(fx, PID, (short) 0, 0, 2), VerificationGuard.SENTINEL);
            assertThat(r.outcome()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(log.lastStableOffset()).isZero();
        }
    }

    @Test
    void coordinatorBatchesSkipSequencesButOpenTransactions() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            ByteBuf offsets = RecordBatchBuilder.build(
                    UnpooledByteBufAllocator.DEFAULT,
                    fx.clock.milliseconds(),
                    PID,
                    (short) 0,
                    RecordBatchDescriptor.NO_SEQUENCE,
                    RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK,
                    List.of(new byte[] {1}, new byte[] {2}),
                    List.of(new byte[] {3}, new byte[] {4}));
            try {
                // a client may not send it (no sequence)...
                assertThat(log.appendAsLeader(offsets.duplicate(), 0, fx.clock.milliseconds())
                                .outcome())
                        .isEqualTo(AppendOutcome.INVALID_RECORD);
                AppendResult r = log.appendAsCoordinator(offsets, 0, fx.clock.milliseconds());
                assertThat(r.outcome()).isEqualTo(AppendOutcome.APPENDED);
                assertThat(r.lastOffset()).isEqualTo(1);
            } finally {
                offsets.release();
            }
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.lastStableOffset()).isZero();
            marker(fx, log, PID, (short) 0, 0, true);
            assertThat(log.lastStableOffset()).isEqualTo(3);
        }
    }

    @Test
    void readCommittedReadsListTheAbortedTransactionsOfTheRangeReturned() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 2); // 0-1
            marker(fx, log, PID, (short) 0, 0, false); // 2
            fx.append(log, spec().count(2)); // 3-4
            txn(fx, log, PID, (short) 0, 2, 2); // 5-6
            marker(fx, log, PID, (short) 0, 0, true); // 7
            ReadResult all = log.read(0, 1 << 20, log.lastStableOffset(), true, true);
            assertThat(all.abortedTransactions()).containsExactly(new AbortedTxn(PID, 0, 2, 3));
            ReadResult later = log.read(3, 1 << 20, log.lastStableOffset(), true, true);
            assertThat(later.abortedTransactions()).isEmpty();
            assertThat(log.read(0, 1 << 20, log.lastStableOffset(), true).abortedTransactions())
                    .isNull();
            ReadResult atEnd = log.read(8, 1 << 20, log.lastStableOffset(), true, true);
            assertThat(atEnd.abortedTransactions()).isEmpty();
        }
    }
}
