package io.skiff.coordinator.transaction;

import static io.skiff.coordinator.transaction.TxnTestContext.TXN;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.protocol.Errors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A producer id whose epochs are used up moves to a new producer id, as in Kafka 4.3.1. */
class EpochExhaustionTest {
    private static final TxnTopicPartition T0 = new TxnTopicPartition("t", 0);
    private static final short LAST = Short.MAX_VALUE - 1;

    private static TransactionMetadata atRest(short epoch, TransactionState state, TransactionVersion version) {
        TransactionMetadata m = TransactionMetadata.fresh(TXN, 7, 60_000, 1L);
        m.producerEpoch = epoch;
        m.prevProducerId = 7;
        m.state = state;
        m.txnStartTimestampMs = state == TransactionState.EMPTY ? -1 : 1L;
        m.clientTransactionVersion = version;
        return m;
    }

    @Test
    void initProducerIdWithAnExhaustedEpochRotatesToANewProducerIdAtEpochZero() {
        try (TxnTestContext ctx =
                new TxnTestContext(Map.of(), List.of(atRest(LAST, TransactionState.EMPTY, TransactionVersion.TV_0)))) {
            assertThat(ctx.init(TXN)).isEqualTo(TxnResult.ok(1000, (short) 0));
            TransactionMetadata m = ctx.metadata(TXN);
            assertThat(m.prevProducerId()).isEqualTo(7);
            assertThat(m.lastProducerEpoch()).as("no expected epoch given").isEqualTo((short) -1);
        }
    }

    @Test
    void recoveringProducerWithTheExhaustedEpochRotatesAndItsRetryIsAccepted() {
        try (TxnTestContext ctx = new TxnTestContext(
                Map.of(), List.of(atRest(LAST, TransactionState.COMPLETE_COMMIT, TransactionVersion.TV_0)))) {
            TxnResult rotated = ctx.init(TXN, 7, LAST);
            assertThat(rotated).isEqualTo(TxnResult.ok(1000, (short) 0));
            assertThat(ctx.metadata(TXN).lastProducerEpoch()).isEqualTo(LAST);
            // The retry names the previous producer id with its exhausted epoch: not fenced.
            TxnResult retried = ctx.init(TXN, 7, LAST);
            assertThat(retried.error()).isEqualTo(Errors.NONE);
            assertThat(retried.producerId()).isEqualTo(1000);
        }
    }

    @Test
    void versionTwoEndTxnWithAnExhaustedEpochHandsOverTheNextProducerId() {
        TransactionMetadata ongoing = atRest(LAST, TransactionState.ONGOING, TransactionVersion.TV_2);
        ongoing.partitions.add(T0);
        try (TxnTestContext ctx = new TxnTestContext(Map.of(), List.of(ongoing))) {
            ctx.channel.hold(true);
            TxnResult ended = ctx.end(TXN, 7, LAST, true, TransactionVersion.TV_2);
            assertThat(ended).isEqualTo(TxnResult.ok(1000, (short) 0));
            TransactionMetadata prepared = ctx.metadata(TXN);
            assertThat(prepared.producerEpoch()).isEqualTo(Short.MAX_VALUE);
            assertThat(prepared.nextProducerId()).isEqualTo(1000);
            assertThat(ctx.channel.last().producerEpoch()).isEqualTo(Short.MAX_VALUE);
            ctx.channel.completeNext();
            TransactionMetadata done = ctx.metadata(TXN);
            assertThat(done.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
            assertThat(done.producerId()).isEqualTo(1000);
            assertThat(done.producerEpoch()).isZero();
            assertThat(done.prevProducerId()).isEqualTo(7);
            // The retry of that EndTxn (old id, last epoch) is answered with the new id.
            assertThat(ctx.end(TXN, 7, LAST, true, TransactionVersion.TV_2)).isEqualTo(ended);
        }
    }

    @Test
    void fencingAtTheLastEpochDoesNotOverflow() {
        TransactionMetadata ongoing = atRest(LAST, TransactionState.ONGOING, TransactionVersion.TV_0);
        ongoing.partitions.add(T0);
        try (TxnTestContext ctx = new TxnTestContext(Map.of(), List.of(ongoing))) {
            assertThat(ctx.init(TXN).error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
            TransactionMetadata m = ctx.metadata(TXN);
            assertThat(m.state()).isEqualTo(TransactionState.COMPLETE_ABORT);
            assertThat(m.producerEpoch()).isEqualTo(Short.MAX_VALUE);
            // Exhausted: the next InitProducerId rotates.
            assertThat(ctx.init(TXN)).isEqualTo(TxnResult.ok(1000, (short) 0));
        }
    }
}
