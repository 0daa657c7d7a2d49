package io.skiff.coordinator.transaction;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the coordinator knows of one transactional id: its producer id and epoch, the transaction's
 * state, partitions and timestamps. One instance per transactional id lives in its shard's state,
 * replaced only by the replay of a record; an operation computes the next value with one of the
 * {@code prepare*} methods (each returns a new instance and leaves this one as it is, after checking
 * the state transition), writes it as a record, and the replay installs it.
 *
 * <p>{@link #lastProducerEpoch()} is the only field not written in the record (Kafka does not write it
 * either): it is soft state, kept while the shard is loaded, that lets a producer retrying an
 * InitProducerId whose answer it lost get the same epoch again.
 *
 * <p>Not thread-safe: used on its shard's thread only.
 */
public final class TransactionMetadata {
    /** No producer id (as in a record batch header). */
    public static final long NO_PRODUCER_ID = -1L;
    /** No producer epoch. */
    public static final short NO_PRODUCER_EPOCH = -1;

    final String transactionalId;
    long producerId;
    /** The producer id before the last change (Kafka's PreviousProducerId). */
    long prevProducerId = NO_PRODUCER_ID;
    /** The producer id the transaction moves to when it completes (epoch exhaustion, version 2). */
    long nextProducerId = NO_PRODUCER_ID;

    short producerEpoch = NO_PRODUCER_EPOCH;
    short lastProducerEpoch = NO_PRODUCER_EPOCH;
    int txnTimeoutMs;
    TransactionState state = TransactionState.EMPTY;
    Set<TxnTopicPartition> partitions = new LinkedHashSet<>();
    long txnStartTimestampMs = -1L;
    long txnLastUpdateTimestampMs;
    TransactionVersion clientTransactionVersion = TransactionVersion.TV_0;

    TransactionMetadata(String transactionalId) {
        this.transactionalId = transactionalId;
    }

    /** A transactional id seen for the first time: its new producer id, no epoch yet, Empty. */
    static TransactionMetadata fresh(String transactionalId, long producerId, int txnTimeoutMs, long nowMs) {
        TransactionMetadata m = new TransactionMetadata(transactionalId);
        m.producerId = producerId;
        m.txnTimeoutMs = txnTimeoutMs;
        m.txnLastUpdateTimestampMs = nowMs;
        return m;
    }

    /** Whether no epoch above {@code epoch} may be handed out (one is kept to fence with). */
    public static boolean isEpochExhausted(short epoch) {
        return epoch >= Short.MAX_VALUE - 1;
    }

    public String transactionalId() {
        return transactionalId;
    }

    public long producerId() {
        return producerId;
    }

    public long prevProducerId() {
        return prevProducerId;
    }

    public long nextProducerId() {
        return nextProducerId;
    }

    public short producerEpoch() {
        return producerEpoch;
    }

    public short lastProducerEpoch() {
        return lastProducerEpoch;
    }

    public int txnTimeoutMs() {
        return txnTimeoutMs;
    }

    public TransactionState state() {
        return state;
    }

    /** The partitions of the transaction, in the order they joined (read-only). */
    public Set<TxnTopicPartition> partitions() {
        return Collections.unmodifiableSet(partitions);
    }

    public long txnStartTimestampMs() {
        return txnStartTimestampMs;
    }

    public long txnLastUpdateTimestampMs() {
        return txnLastUpdateTimestampMs;
    }

    public TransactionVersion clientTransactionVersion() {
        return clientTransactionVersion;
    }

    public boolean isEpochExhausted() {
        return isEpochExhausted(producerEpoch);
    }

    /** A copy of every field, for the next value. */
    TransactionMetadata copy() {
        TransactionMetadata m = new TransactionMetadata(transactionalId);
        m.producerId = producerId;
        m.prevProducerId = prevProducerId;
        m.nextProducerId = nextProducerId;
        m.producerEpoch = producerEpoch;
        m.lastProducerEpoch = lastProducerEpoch;
        m.txnTimeoutMs = txnTimeoutMs;
        m.state = state;
        m.partitions = new LinkedHashSet<>(partitions);
        m.txnStartTimestampMs = txnStartTimestampMs;
        m.txnLastUpdateTimestampMs = txnLastUpdateTimestampMs;
        m.clientTransactionVersion = clientTransactionVersion;
        return m;
    }

    /** The next value in {@code to}: a copy whose previous producer id is this one's producer id. */
    private TransactionMetadata next(TransactionState to) {
        TransactionMetadata m = copy();
        m.state = TransactionState.transitionTo(transactionalId, state, to);
        m.prevProducerId = producerId;
        return m;
    }

    /**
     * InitProducerId on a transaction at rest: the next epoch (Empty). {@code expectedEpoch} is the
     * epoch a recovering producer (KIP-360) says it has, or -1: the current epoch gets bumped, the
     * last epoch (a retry whose answer was lost) gets the current one again, any other is fenced.
     *
     * @throws FencedException if {@code expectedEpoch} is neither
     */
    TransactionMetadata prepareIncrementEpoch(int newTimeoutMs, short expectedEpoch, long nowMs) {
        if (isEpochExhausted()) {
            throw new IllegalStateException("no epoch left for producer id " + producerId);
        }
        TransactionMetadata m = next(TransactionState.EMPTY);
        short bumped = (short) (producerEpoch + 1);
        if (expectedEpoch == NO_PRODUCER_EPOCH) {
            m.producerEpoch = bumped;
            m.lastProducerEpoch = NO_PRODUCER_EPOCH;
        } else if (producerEpoch == NO_PRODUCER_EPOCH || expectedEpoch == producerEpoch) {
            m.producerEpoch = bumped;
            m.lastProducerEpoch = producerEpoch;
        } else if (expectedEpoch == lastProducerEpoch) {
            m.producerEpoch = producerEpoch;
            m.lastProducerEpoch = lastProducerEpoch;
        } else {
            throw new FencedException();
        }
        return resetForNewTransaction(m, newTimeoutMs, nowMs);
    }

    /** InitProducerId when the epochs of the producer id are used up: a new producer id at epoch 0. */
    TransactionMetadata prepareProducerIdRotation(
            long newProducerId, int newTimeoutMs, long nowMs, boolean recordLastEpoch) {
        if (state == TransactionState.ONGOING || state.isPrepare()) {
            throw new IllegalStateException("cannot rotate the producer id of " + transactionalId + " in " + state);
        }
        TransactionMetadata m = next(TransactionState.EMPTY);
        m.producerId = newProducerId;
        m.producerEpoch = 0;
        m.lastProducerEpoch = recordLastEpoch ? producerEpoch : NO_PRODUCER_EPOCH;
        return resetForNewTransaction(m, newTimeoutMs, nowMs);
    }

    private static TransactionMetadata resetForNewTransaction(TransactionMetadata m, int newTimeoutMs, long nowMs) {
        m.txnTimeoutMs = newTimeoutMs;
        m.partitions = new LinkedHashSet<>();
        m.txnStartTimestampMs = -1L;
        m.txnLastUpdateTimestampMs = nowMs;
        return m;
    }

    /** Partitions join the transaction (Ongoing; it starts now unless it was ongoing already). */
    TransactionMetadata prepareAddPartitions(
            Collection<TxnTopicPartition> added, long nowMs, TransactionVersion clientVersion) {
        boolean starts = state == TransactionState.EMPTY
                || state == TransactionState.COMPLETE_COMMIT
                || state == TransactionState.COMPLETE_ABORT;
        TransactionMetadata m = next(TransactionState.ONGOING);
        m.partitions.addAll(added);
        m.txnStartTimestampMs = starts ? nowMs : txnStartTimestampMs;
        m.txnLastUpdateTimestampMs = nowMs;
        m.clientTransactionVersion = clientVersion;
        return m;
    }

    /**
     * The epoch fence of an ongoing transaction (a new producer instance or the timeout): the epoch
     * is bumped once (not past {@code Short.MAX_VALUE}) and the last epoch forgotten, before the abort.
     */
    TransactionMetadata prepareFenceProducerEpoch() {
        TransactionMetadata m = next(TransactionState.PREPARE_EPOCH_FENCE);
        m.producerEpoch = producerEpoch == Short.MAX_VALUE ? producerEpoch : (short) (producerEpoch + 1);
        m.lastProducerEpoch = NO_PRODUCER_EPOCH;
        return m;
    }

    /**
     * EndTxn (or the coordinator's abort): PrepareCommit or PrepareAbort. With version 2 the epoch is
     * bumped (an abort at {@code Short.MAX_VALUE} keeps it, so that a broken producer can recover).
     *
     * @param nextProducerId   the id to move to when the transaction completes, or -1
     * @param noPartitionAdded a version 2 abort with nothing to abort: the transaction starts now
     */
    TransactionMetadata prepareAbortOrCommit(
            TransactionState to,
            TransactionVersion clientVersion,
            long nextProducerId,
            long nowMs,
            boolean noPartitionAdded) {
        TransactionMetadata m = next(to);
        if (clientVersion.supportsEpochBump()) {
            if (!(producerEpoch == Short.MAX_VALUE && to == TransactionState.PREPARE_ABORT)) {
                m.producerEpoch = (short) (producerEpoch + 1);
            }
            m.lastProducerEpoch = producerEpoch;
        }
        m.txnStartTimestampMs = noPartitionAdded ? nowMs : txnStartTimestampMs;
        m.nextProducerId = nextProducerId;
        m.txnLastUpdateTimestampMs = nowMs;
        m.clientTransactionVersion = clientVersion;
        return m;
    }

    /**
     * Every marker is written: CompleteCommit or CompleteAbort, no partitions. A version 2 transaction
     * that exhausted its epochs moves to its next producer id at epoch 0.
     */
    TransactionMetadata prepareComplete(long nowMs) {
        TransactionMetadata m = next(
                state == TransactionState.PREPARE_COMMIT
                        ? TransactionState.COMPLETE_COMMIT
                        : TransactionState.COMPLETE_ABORT);
        if (clientTransactionVersion.supportsEpochBump() && nextProducerId != NO_PRODUCER_ID) {
            m.producerId = nextProducerId;
            m.producerEpoch = 0;
        }
        m.nextProducerId = NO_PRODUCER_ID;
        m.partitions = new LinkedHashSet<>();
        m.txnLastUpdateTimestampMs = nowMs;
        return m;
    }

    /** The transactional id expired: Dead, removed by a tombstone. */
    TransactionMetadata prepareDead() {
        TransactionMetadata m = next(TransactionState.DEAD);
        m.partitions = new LinkedHashSet<>();
        return m;
    }

    @Override
    public String toString() {
        return "TransactionMetadata(" + transactionalId + ", producerId=" + producerId + ", epoch=" + producerEpoch
                + ", lastEpoch=" + lastProducerEpoch + ", prevProducerId=" + prevProducerId + ", nextProducerId="
                + nextProducerId + ", state=" + state + ", partitions=" + partitions + ", timeoutMs=" + txnTimeoutMs
                + ", startMs=" + txnStartTimestampMs + ", updateMs=" + txnLastUpdateTimestampMs + ", "
                + clientTransactionVersion + ")";
    }

    /** The producer is fenced: the epoch it gave is not the current nor the last one. */
    static final class FencedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FencedException() {
            super("producer fenced", null, false, false);
        }
    }
}
