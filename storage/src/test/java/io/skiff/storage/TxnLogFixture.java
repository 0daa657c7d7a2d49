package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.record.TestBatches;

/** Transactional appends and markers on a {@link LogFixture}'s logs, with the high watermark following the log end. */
final class TxnLogFixture {
    private TxnLogFixture() {}

    /** A transactional batch of {@code count} records, verified first as the broker's produce path does. */
    static AppendResult txn(LogFixture fx, PartitionLog log, long pid, short epoch, int seq, int count) {
        VerificationGuard guard = log.maybeStartTransactionVerification(pid, seq, epoch, false);
        return append(fx, log, txnSpec(fx, pid, epoch, seq, count), guard);
    }

    static TestBatches.Spec txnSpec(LogFixture fx, long pid, short epoch, int seq, int count) {
        return spec().idempotent(pid, epoch, seq).transactional().count(count).timestamp(fx.clock.milliseconds());
    }

    /** Appends {@code spec} as a client batch carrying {@code guard}; the high watermark follows. */
    static AppendResult append(LogFixture fx, PartitionLog log, TestBatches.Spec spec, VerificationGuard guard) {
        ByteBuf buf = spec.build();
        try {
            AppendResult r = log.appendAsLeader(buf, 0, fx.clock.milliseconds(), guard);
            log.updateHighWatermark(log.logEndOffset());
            return r;
        } finally {
            buf.release();
        }
    }

    /** Writes a marker (transaction version 0/1 rules); the high watermark follows. */
    static AppendResult marker(
            LogFixture fx, PartitionLog log, long pid, short epoch, int coordinatorEpoch, boolean commit) {
        AppendResult r = log.appendTxnMarker(pid, epoch, coordinatorEpoch, commit, 0, fx.clock.milliseconds());
        log.updateHighWatermark(log.logEndOffset());
        return r;
    }
}
