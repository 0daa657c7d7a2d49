package io.skiff.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state rebuilt by a load is the state the operations built, in every transaction state. */
class TransactionReplayTest {
    private static final TxnTopicPartition A0 = new TxnTopicPartition("a", 0);
    private static final TxnTopicPartition B3 = new TxnTopicPartition("b", 3);

    private static String describe(TransactionMetadata m) {
        // Everything but the last producer epoch, which is soft state.
        return m.transactionalId() + " " + m.producerId() + " " + m.prevProducerId() + " " + m.nextProducerId() + " "
                + m.producerEpoch() + " " + m.txnTimeoutMs() + " " + m.state() + " " + m.partitions() + " "
                + m.txnStartTimestampMs() + " " + m.txnLastUpdateTimestampMs() + " " + m.clientTransactionVersion();
    }

    private static List<String> snapshot(TxnTestContext ctx) {
        List<String> out = new ArrayList<>();
        for (TransactionMetadata m : ctx.shard().state().transactions()) {
            out.add(describe(m));
        }
        out.sort(String::compareTo);
        return out;
    }

    @Test
    void aLoadRebuildsEveryTransactionExactly() {
        try (TxnTestContext ctx = new TxnTestContext()) {
            TxnResult done = ctx.init("complete");
            ctx.clock.advance(5);
            ctx.add("complete", done, TransactionVersion.TV_2, A0);
            ctx.end("complete", done.producerId(), done.producerEpoch(), true, TransactionVersion.TV_2);
            ctx.channel.hold(true);
            ctx.init("empty");
            TxnResult ongoing = ctx.init("ongoing");
            ctx.add("ongoing", ongoing, TransactionVersion.TV_2, A0, B3);
            TxnResult commit = ctx.init("prepare-commit");
            ctx.add("prepare-commit", commit, TransactionVersion.TV_0, A0);
            ctx.end("prepare-commit", commit.producerId(), commit.producerEpoch(), true, TransactionVersion.TV_0);
            TxnResult abort = ctx.init("prepare-abort");
            ctx.add("prepare-abort", abort, TransactionVersion.TV_2, B3);
            ctx.end("prepare-abort", abort.producerId(), abort.producerEpoch(), false, TransactionVersion.TV_2);
            assertThat(ctx.metadata("complete").state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
            assertThat(ctx.metadata("prepare-commit").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
            assertThat(ctx.metadata("prepare-abort").state()).isEqualTo(TransactionState.PREPARE_ABORT);
            List<String> before = snapshot(ctx);
            assertThat(before).hasSize(5);
            ctx.reload();
            assertThat(snapshot(ctx)).isEqualTo(before);
            assertThat(ctx.shard().loadedRecords()).isEqualTo(ctx.log.size());
        }
    }
}
