package io.skiff.coordinator.transaction;

import static io.skiff.coordinator.transaction.TxnTestContext.TXN;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.protocol.Errors;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The coordinator's timers: timed-out transactions are aborted, idle transactional ids removed. */
class TransactionTimersTest {
    private static final TxnTopicPartition T0 = new TxnTopicPartition("t", 0);

    @Test
    void aTransactionPastItsTimeoutIsAbortedAndItsProducerFenced() {
        try (TxnTestContext ctx = new TxnTestContext()) {
            TxnResult p = ctx.coordinator
                    .initProducerId(TXN, 15_000, -1, (short) -1, false, false)
                    .join();
            ctx.add(TXN, p, TransactionVersion.TV_0, T0);
            // The check runs every 10 s; the transaction times out after 15 s (strictly more).
            ctx.timer.advance(10_000);
            assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.ONGOING);
            ctx.timer.advance(10_000);
            TransactionMetadata m = ctx.metadata(TXN);
            assertThat(m.state()).isEqualTo(TransactionState.COMPLETE_ABORT);
            assertThat(m.producerEpoch()).isEqualTo((short) (p.producerEpoch() + 2));
            RecordingMarkerChannel.Call call = ctx.channel.last();
            assertThat(call.commit()).isFalse();
            assertThat(call.partitions()).containsExactly(T0);
            assertThat(ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_0)
                            .error())
                    .isEqualTo(Errors.PRODUCER_FENCED);
        }
    }

    @Test
    void theAbortIntervalIsConfigurable() {
        try (TxnTestContext ctx = new TxnTestContext(
                Map.of(TransactionCoordinatorConfig.ABORT_TIMED_OUT_TRANSACTIONS_INTERVAL_MS, "1000"))) {
            TxnResult p = ctx.coordinator
                    .initProducerId(TXN, 1_500, -1, (short) -1, false, false)
                    .join();
            ctx.add(TXN, p, TransactionVersion.TV_0, T0);
            ctx.timer.advance(1_000);
            assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.ONGOING);
            ctx.timer.advance(1_000);
            assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        }
    }

    @Test
    void idleTransactionalIdsExpireWithATombstoneButOngoingOnesStay() {
        Map<String, String> props = Map.of(
                TransactionCoordinatorConfig.TRANSACTIONAL_ID_EXPIRATION_MS, "60000",
                TransactionCoordinatorConfig.REMOVE_EXPIRED_TRANSACTIONAL_IDS_INTERVAL_MS, "10000",
                TransactionCoordinatorConfig.TRANSACTION_MAX_TIMEOUT_MS, "900000");
        try (TxnTestContext ctx = new TxnTestContext(props)) {
            ctx.init("idle");
            TxnResult busy = ctx.coordinator
                    .initProducerId("busy", 900_000, -1, (short) -1, false, false)
                    .join();
            ctx.add("busy", busy, TransactionVersion.TV_0, T0);
            ctx.timer.advance(50_000);
            assertThat(ctx.metadata("idle")).isNotNull();
            ctx.timer.advance(20_000);
            assertThat(ctx.metadata("idle")).isNull();
            assertThat(ctx.metadata("busy")).isNotNull();
            byte[][] last = ctx.log.entries().get(ctx.log.size() - 1);
            assertThat(last[1]).as("a tombstone").isNull();
            assertThat(TransactionRecords.transactionalId(
                            TransactionRecords.SERDE.decode(ByteBuffer.wrap(last[0]), null)))
                    .isEqualTo("idle");
            // It stays removed after a load, and the id starts afresh.
            ctx.reload();
            assertThat(ctx.metadata("idle")).isNull();
            assertThat(ctx.coordinator.describeTransaction("idle").join().errorCode())
                    .isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code);
            assertThat(ctx.init("idle").producerEpoch()).isZero();
        }
    }

    @Test
    void timersAreArmedAgainAfterALoad() {
        try (TxnTestContext ctx = new TxnTestContext()) {
            TxnResult p = ctx.coordinator
                    .initProducerId(TXN, 5_000, -1, (short) -1, false, false)
                    .join();
            ctx.add(TXN, p, TransactionVersion.TV_0, T0);
            ctx.reload();
            ctx.timer.advance(10_000);
            assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        }
    }
}
