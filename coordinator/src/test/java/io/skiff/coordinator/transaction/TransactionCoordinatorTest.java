package io.skiff.coordinator.transaction;

import static io.skiff.coordinator.transaction.TxnTestContext.TXN;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.protocol.Errors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** InitProducerId, AddPartitionsToTxn, EndTxn and the markers, against Kafka 4.3.1's answers. */
class TransactionCoordinatorTest {
    private static final TxnTopicPartition T0 = new TxnTopicPartition("t", 0);
    private static final TxnTopicPartition T1 = new TxnTopicPartition("t", 1);

    private TxnTestContext ctx = new TxnTestContext();

    @AfterEach
    void close() {
        ctx.close();
    }

    @Test
    void initProducerIdGivesANewProducerIdAtEpochZeroAndThenBumpsTheEpoch() {
        TxnResult first = ctx.init(TXN);
        assertThat(first).isEqualTo(TxnResult.ok(1000, (short) 0));
        TransactionMetadata m = ctx.metadata(TXN);
        assertThat(m.state()).isEqualTo(TransactionState.EMPTY);
        assertThat(m.txnTimeoutMs()).isEqualTo(60_000);
        assertThat(m.prevProducerId()).isEqualTo(1000);
        assertThat(ctx.init(TXN)).isEqualTo(TxnResult.ok(1000, (short) 1));
        assertThat(ctx.log.size()).isEqualTo(2);
        assertThat(ctx.nextProducerId.get()).as("one id used").isEqualTo(1001);
    }

    @Test
    void initProducerIdChecksTheRequestFirst() {
        TransactionCoordinator c = ctx.coordinator;
        assertThat(c.initProducerId("", 1000, -1, (short) -1, false, false)
                        .join()
                        .error())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(c.initProducerId(TXN, 900_001, -1, (short) -1, false, false)
                        .join()
                        .error())
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(c.initProducerId(TXN, 0, -1, (short) -1, false, false).join().error())
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(c.initProducerId(TXN, 1000, -1, (short) -1, false, true)
                        .join()
                        .error())
                .isEqualTo(Errors.UNSUPPORTED_VERSION);
        assertThat(c.initProducerId(TXN, 1000, -1, (short) -1, true, false)
                        .join()
                        .error())
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        assertThat(ctx.log.size()).isZero();
        assertThat(ctx.metadata(TXN)).isNull();
    }

    @Test
    void recoveringProducerKeepsItsIdAndRetriesGetTheSameEpoch() {
        TxnResult p = ctx.init(TXN);
        TxnResult bumped = ctx.init(TXN, p.producerId(), p.producerEpoch());
        assertThat(bumped).isEqualTo(TxnResult.ok(p.producerId(), (short) 1));
        // The answer was lost: the producer retries with its old epoch and gets the same one again.
        assertThat(ctx.init(TXN, p.producerId(), p.producerEpoch())).isEqualTo(bumped);
        // An epoch that is neither the current nor the last one is fenced.
        assertThat(ctx.init(TXN, p.producerId(), (short) 7).error()).isEqualTo(Errors.PRODUCER_FENCED);
        // So is another producer id.
        assertThat(ctx.init(TXN, 42, (short) 0).error()).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void transactionCommitsWithVersionOneThroughPrepareMarkersAndComplete() {
        TxnResult p = ctx.init(TXN);
        assertThat(ctx.add(TXN, p, TransactionVersion.TV_0, T0, T1)).isEqualTo(Errors.NONE);
        TransactionMetadata ongoing = ctx.metadata(TXN);
        assertThat(ongoing.state()).isEqualTo(TransactionState.ONGOING);
        assertThat(ongoing.partitions()).containsExactly(T0, T1);
        assertThat(ongoing.txnStartTimestampMs()).isEqualTo(ctx.clock.milliseconds());
        ctx.channel.hold(true);
        TxnResult ended = ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_0);
        assertThat(ended).isEqualTo(TxnResult.error(Errors.NONE));
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        RecordingMarkerChannel.Call call = ctx.channel.last();
        assertThat(call.commit()).isTrue();
        assertThat(call.producerId()).isEqualTo(p.producerId());
        assertThat(call.producerEpoch()).isEqualTo(p.producerEpoch());
        assertThat(call.coordinatorEpoch()).isEqualTo(ctx.leaderEpoch());
        assertThat(call.partitions()).containsExactly(T0, T1);
        // Until the markers are written everything about the transaction is concurrent.
        assertThat(ctx.add(TXN, p, TransactionVersion.TV_0, T0)).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(ctx.init(TXN).error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        ctx.channel.completeNext();
        TransactionMetadata done = ctx.metadata(TXN);
        assertThat(done.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(done.partitions()).isEmpty();
        assertThat(done.producerEpoch()).as("version 1 keeps the epoch").isEqualTo(p.producerEpoch());
        // A retried commit is answered NONE, an abort now is INVALID_TXN_STATE.
        assertThat(ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.NONE);
        assertThat(ctx.end(TXN, p.producerId(), p.producerEpoch(), false, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void versionTwoBumpsTheEpochAtEveryEndTxnAndAnswersRetries() {
        TxnResult p = ctx.init(TXN);
        assertThat(ctx.add(TXN, p, TransactionVersion.TV_2, T0)).isEqualTo(Errors.NONE);
        TxnResult ended = ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_2);
        assertThat(ended).isEqualTo(TxnResult.ok(p.producerId(), (short) (p.producerEpoch() + 1)));
        assertThat(ctx.channel.last().producerEpoch()).isEqualTo((short) (p.producerEpoch() + 1));
        TransactionMetadata done = ctx.metadata(TXN);
        assertThat(done.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(done.producerEpoch()).isEqualTo(ended.producerEpoch());
        assertThat(done.clientTransactionVersion()).isEqualTo(TransactionVersion.TV_2);
        // The retry carries the old epoch: the same answer, nothing written.
        int records = ctx.log.size();
        assertThat(ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_2))
                .isEqualTo(ended);
        assertThat(ctx.log.size()).isEqualTo(records);
        // A commit with the new epoch but no transaction is INVALID_TXN_STATE; an abort bumps again.
        assertThat(ctx.end(TXN, p.producerId(), ended.producerEpoch(), true, TransactionVersion.TV_2)
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
        TxnResult aborted = ctx.end(TXN, p.producerId(), ended.producerEpoch(), false, TransactionVersion.TV_2);
        assertThat(aborted).isEqualTo(TxnResult.ok(p.producerId(), (short) (ended.producerEpoch() + 1)));
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        // A retry of the commit after the abort carries an epoch two bumps old: fenced.
        assertThat(ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_2)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void versionTwoAbortWithoutATransactionCompletesWithoutMarkers() {
        TxnResult p = ctx.init(TXN);
        int calls = ctx.channel.calls().size();
        TxnResult aborted = ctx.end(TXN, p.producerId(), p.producerEpoch(), false, TransactionVersion.TV_2);
        assertThat(aborted).isEqualTo(TxnResult.ok(p.producerId(), (short) (p.producerEpoch() + 1)));
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        assertThat(ctx.channel.calls()).hasSize(calls);
        // Version 1 refuses the same abort.
        TxnTestContext v1 = new TxnTestContext();
        TxnResult q = v1.init(TXN);
        assertThat(v1.end(TXN, q.producerId(), q.producerEpoch(), false, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
        v1.close();
    }

    @Test
    void endTxnWithoutATransactionalIdOrWithWrongProducerGetsKafkasErrors() {
        assertThat(ctx.end("unknown", 1, (short) 0, true, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        TxnResult p = ctx.init(TXN);
        assertThat(ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(ctx.end(TXN, p.producerId() + 1, p.producerEpoch(), true, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(ctx.end(TXN, p.producerId(), (short) (p.producerEpoch() + 1), true, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.EMPTY);
        assertThat(ctx.log.size()).isEqualTo(1);
    }

    @Test
    void addPartitionsChecksTheProducer() {
        TxnResult p = ctx.init(TXN);
        assertThat(ctx.coordinator
                        .addPartitions("other", p.producerId(), p.producerEpoch(), List.of(T0), TransactionVersion.TV_0)
                        .join())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(ctx.coordinator
                        .addPartitions(TXN, p.producerId() + 1, p.producerEpoch(), List.of(T0), TransactionVersion.TV_0)
                        .join())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(ctx.coordinator
                        .addPartitions(TXN, p.producerId(), (short) 5, List.of(T0), TransactionVersion.TV_0)
                        .join())
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(ctx.coordinator
                        .addPartitions("", p.producerId(), (short) 5, List.of(T0), TransactionVersion.TV_0)
                        .join())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.EMPTY);
        // Partitions already in the transaction write nothing.
        assertThat(ctx.add(TXN, p, TransactionVersion.TV_0, T0)).isEqualTo(Errors.NONE);
        int records = ctx.log.size();
        assertThat(ctx.add(TXN, p, TransactionVersion.TV_0, T0)).isEqualTo(Errors.NONE);
        assertThat(ctx.log.size()).isEqualTo(records);
    }

    @Test
    void verifyOnlyTellsWhichPartitionsAreInTheTransaction() {
        TxnResult p = ctx.init(TXN);
        ctx.add(TXN, p, TransactionVersion.TV_0, T0);
        assertThat(ctx.coordinator
                        .verifyPartitions(TXN, p.producerId(), p.producerEpoch(), List.of(T0, T1))
                        .join())
                .containsExactly(Map.entry(T0, Errors.NONE), Map.entry(T1, Errors.TRANSACTION_ABORTABLE));
        assertThat(ctx.coordinator
                        .verifyPartitions(TXN, p.producerId(), (short) 9, List.of(T0))
                        .join())
                .containsExactly(Map.entry(T0, Errors.PRODUCER_FENCED));
        assertThat(ctx.coordinator
                        .verifyPartitions("x", 1, (short) 0, List.of(T0))
                        .join())
                .containsExactly(Map.entry(T0, Errors.INVALID_PRODUCER_ID_MAPPING));
    }

    @Test
    void initProducerIdOnAnOngoingTransactionFencesTheOldProducerAndAbortsFirst() {
        TxnResult old = ctx.init(TXN);
        ctx.add(TXN, old, TransactionVersion.TV_0, T0);
        ctx.channel.hold(true);
        assertThat(ctx.init(TXN).error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        TransactionMetadata aborting = ctx.metadata(TXN);
        assertThat(aborting.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        // The fence bumps once and the abort (coordinator's version 2) once more.
        assertThat(aborting.producerEpoch()).isEqualTo((short) (old.producerEpoch() + 2));
        RecordingMarkerChannel.Call call = ctx.channel.last();
        assertThat(call.commit()).isFalse();
        assertThat(call.producerEpoch()).isEqualTo(aborting.producerEpoch());
        // The old producer is fenced.
        assertThat(ctx.end(TXN, old.producerId(), old.producerEpoch(), true, TransactionVersion.TV_0)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
        ctx.channel.completeNext();
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        assertThat(ctx.init(TXN)).isEqualTo(TxnResult.ok(old.producerId(), (short) (old.producerEpoch() + 3)));
    }

    @Test
    void failedMarkerWritesAreRetriedWithBackoffAndTheTransactionStaysPrepared() {
        TxnResult p = ctx.init(TXN);
        ctx.add(TXN, p, TransactionVersion.TV_0, T0);
        ctx.channel.hold(true);
        ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_0);
        ctx.channel.failNext();
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(ctx.channel.calls()).hasSize(1);
        ctx.timer.advance(TransactionCoordinatorShard.markerBackoffMs(0) - 1);
        assertThat(ctx.channel.calls()).hasSize(1);
        ctx.timer.advance(1);
        assertThat(ctx.channel.calls()).hasSize(2);
        ctx.channel.failNext();
        ctx.timer.advance(TransactionCoordinatorShard.markerBackoffMs(1));
        assertThat(ctx.channel.calls()).hasSize(3);
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        ctx.channel.completeNext();
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(TransactionCoordinatorShard.markerBackoffMs(30))
                .isEqualTo(TransactionCoordinatorConfig.MARKER_RETRY_BACKOFF_MAX_MS);
    }

    @Test
    void aLoadResumesTheMarkersOfPreparedTransactions() {
        TxnResult p = ctx.init(TXN);
        ctx.add(TXN, p, TransactionVersion.TV_0, T0);
        ctx.channel.hold(true);
        ctx.end(TXN, p.producerId(), p.producerEpoch(), false, TransactionVersion.TV_0);
        assertThat(ctx.channel.calls()).hasSize(1);
        ctx.reload();
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(ctx.channel.calls()).hasSize(2);
        // The first write completes late: its shard is gone, nothing happens.
        ctx.channel.completeNext();
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.PREPARE_ABORT);
        RecordingMarkerChannel.Call resumed = ctx.channel.last();
        assertThat(resumed.coordinatorEpoch()).isEqualTo(ctx.leaderEpoch());
        assertThat(resumed.commit()).isFalse();
        ctx.channel.completeNext();
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.COMPLETE_ABORT);
    }

    @Test
    void aFailedWriteOfTheDecisionSendsNoMarkers() {
        TxnResult p = ctx.init(TXN);
        ctx.add(TXN, p, TransactionVersion.TV_0, T0);
        ctx.log.failNext(Errors.NOT_LEADER_OR_FOLLOWER);
        TxnResult ended = ctx.end(TXN, p.producerId(), p.producerEpoch(), true, TransactionVersion.TV_0);
        assertThat(ended.error()).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(ctx.channel.calls()).isEmpty();
        // The shard reloaded from its log: the transaction is still ongoing.
        assertThat(ctx.metadata(TXN).state()).isEqualTo(TransactionState.ONGOING);
    }
}
