package io.skiff.coordinator.transaction;

import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.CoordinatorStateMachine;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.wire.message.DescribeTransactionsResponse;
import io.skiff.wire.message.ListTransactionsResponse;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactions of one {@code __transaction_state} partition: a {@link TransactionMetadata} per
 * transactional id, rebuilt by replaying the partition's records, and one method per operation.
 *
 * <h2>Design note</h2>
 *
 * <ul>
 *   <li><b>Replay.</b> Each record holds the whole metadata of its transactional id (a tombstone
 *       removes it), so replay installs it as it is; an operation computes the next metadata with
 *       {@code TransactionMetadata.prepare*} (which checks the state transition), appends its
 *       record, and the replay makes it the state. Only the last producer epoch is set by the
 *       operation itself (it is not in the record, as in Kafka).</li>
 *   <li><b>Markers.</b> A decided transaction (PrepareCommit, PrepareAbort) gets its markers once
 *       its record is durable: the shard hands them to its coordinator ({@link MarkerSender}),
 *       which writes them and comes back with {@link #completeTransaction} (CompleteCommit,
 *       CompleteAbort) or {@link #retryMarkers} (a keyed timer with a doubling backoff). A load
 *       sends the markers of every transaction it finds prepared. While markers are pending, every
 *       request about the transaction gets CONCURRENT_TRANSACTIONS, as during Kafka's pending
 *       transition to Complete.</li>
 *   <li><b>Epoch fence.</b> InitProducerId on an ongoing transaction, and the transaction timeout,
 *       bump the epoch (PrepareEpochFence, never written) and abort in one record.</li>
 *   <li><b>Timers.</b> Timed-out transactions are aborted every
 *       {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}; transactional ids idle
 *       longer than {@code transactional.id.expiration.ms} are removed (Dead, then a tombstone)
 *       every {@code transaction.remove.expired.transaction.cleanup.interval.ms}.</li>
 *   <li><b>New producer ids</b> come from an asynchronous source: an operation that needs one and
 *       was given none answers {@link TxnResult#NEEDS_PRODUCER_ID} without writing, and the
 *       coordinator runs it again with an id.</li>
 * </ul>
 *
 * <p>Not thread-safe: runs on its shard's thread only.
 */
public final class TransactionCoordinatorShard implements CoordinatorStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinatorShard.class);
    static final String ABORT_TIMER = "abort-timed-out-transactions";
    static final String EXPIRE_TIMER = "remove-expired-transactional-ids";
    static final String MARKERS_TIMER_PREFIX = "markers-";
    /** The most transactions one timer run aborts or removes (the rest wait for an immediate next run). */
    static final int MAX_PER_RUN = 500;

    private final int partition;
    private final TransactionCoordinatorConfig config;
    private final MarkerSender markers;
    private final Map<String, TransactionMetadata> transactions = new HashMap<>();

    TransactionCoordinatorShard(int partition, TransactionCoordinatorConfig config, MarkerSender markers) {
        this.partition = partition;
        this.config = config;
        this.markers = markers;
    }

    /** The metadata of {@code transactionalId}, or null (for tests and diagnostics). */
    public TransactionMetadata transaction(String transactionalId) {
        return transactions.get(transactionalId);
    }

    /** Every transactional id of the partition (read-only). */
    public Collection<TransactionMetadata> transactions() {
        return Collections.unmodifiableCollection(transactions.values());
    }

    // -------------------------------------------------------------------------------------------
    // Replay and life cycle.

    @Override
    public void replay(long offset, long producerId, short producerEpoch, CoordinatorRecord record) {
        if (record.type() != TransactionRecords.TRANSACTION_LOG) {
            return;
        }
        String transactionalId = TransactionRecords.transactionalId(record);
        if (record.isTombstone()) {
            transactions.remove(transactionalId);
            return;
        }
        TransactionMetadata next = TransactionRecords.metadata(record);
        TransactionMetadata previous = transactions.get(transactionalId);
        if (previous != null) {
            next.lastProducerEpoch = previous.lastProducerEpoch;
        }
        transactions.put(transactionalId, next);
    }

    @Override
    public void replayEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
        // __transaction_state holds no transactional records.
    }

    @Override
    public void onLoaded(OperationContext ctx) {
        ctx.schedule(ABORT_TIMER, config.abortTimedOutIntervalMs(), this::abortTimedOutTransactions);
        ctx.schedule(EXPIRE_TIMER, config.removeExpiredIntervalMs(), this::removeExpiredTransactionalIds);
        for (TransactionMetadata m : new ArrayList<>(transactions.values())) {
            if (m.state.isPrepare()) {
                LOG.info("{}: resuming the markers of {}", partition, m);
                sendMarkers(ctx, m.transactionalId, 0);
            }
        }
    }

    @Override
    public void onUnloaded(Errors error) {
        // Nothing is parked here: marker completions find the shard gone and are dropped.
    }

    /** Appends {@code next} as a record (replayed at once) and keeps its last producer epoch. */
    private void write(OperationContext ctx, TransactionMetadata next) {
        ctx.append(TransactionRecords.record(next));
        transactions.get(next.transactionalId).lastProducerEpoch = next.lastProducerEpoch;
    }

    // -------------------------------------------------------------------------------------------
    // InitProducerId.

    /**
     * InitProducerId of a transactional id (the coordinator has checked the id, the timeout and the
     * expected producer): a producer id and epoch for a new transaction.
     *
     * @param expectedProducerId    the producer id a recovering producer has (KIP-360), or -1
     * @param expectedProducerEpoch its epoch, or -1
     * @param newProducerId         a fresh producer id to use if one is needed, or -1
     */
    public TxnResult initProducerId(
            OperationContext ctx,
            String transactionalId,
            int timeoutMs,
            long expectedProducerId,
            short expectedProducerEpoch,
            long newProducerId) {
        long nowMs = ctx.nowMs();
        TransactionMetadata m = transactions.get(transactionalId);
        long idForRotation = newProducerId;
        if (m == null) {
            if (newProducerId < 0) {
                return TxnResult.NEEDS_PRODUCER_ID;
            }
            m = TransactionMetadata.fresh(transactionalId, newProducerId, timeoutMs, nowMs);
            idForRotation = -1;
        }
        if (m.state.isPrepare()) {
            return TxnResult.error(Errors.CONCURRENT_TRANSACTIONS);
        }
        boolean expected = expectedProducerId != TransactionMetadata.NO_PRODUCER_ID;
        if (expected && !isValidExpectedProducer(m, expectedProducerId, expectedProducerEpoch)) {
            return TxnResult.error(Errors.PRODUCER_FENCED);
        }
        switch (m.state) {
            case EMPTY:
            case COMPLETE_COMMIT:
            case COMPLETE_ABORT: {
                TransactionMetadata next;
                if (m.isEpochExhausted() && (!expected || expectedProducerEpoch == m.producerEpoch)) {
                    if (idForRotation < 0) {
                        return TxnResult.NEEDS_PRODUCER_ID;
                    }
                    next = m.prepareProducerIdRotation(idForRotation, timeoutMs, nowMs, expected);
                } else {
                    try {
                        next = m.prepareIncrementEpoch(
                                timeoutMs,
                                expected ? expectedProducerEpoch : TransactionMetadata.NO_PRODUCER_EPOCH,
                                nowMs);
                    } catch (TransactionMetadata.FencedException e) {
                        LOG.info(
                                "{}: InitProducerId of {} with epoch {} fenced by {}",
                                partition,
                                transactionalId,
                                expectedProducerEpoch,
                                m);
                        return TxnResult.error(Errors.PRODUCER_FENCED);
                    }
                }
                write(ctx, next);
                LOG.info(
                        "{}: initialized {} with producer id {} epoch {}",
                        partition,
                        transactionalId,
                        next.producerId,
                        next.producerEpoch);
                return TxnResult.ok(next.producerId, next.producerEpoch);
            }
            case ONGOING:
                // Abort the transaction of the old instance first; the client retries and then
                // gets the epoch after the abort's.
                fenceAndAbort(ctx, m);
                return TxnResult.error(Errors.CONCURRENT_TRANSACTIONS);
            default:
                throw new IllegalStateException(transactionalId + " found in state " + m.state);
        }
    }

    /**
     * A recovering producer's id and epoch are accepted if the metadata was just created, the id is
     * the current one (the epoch is checked when it is bumped), or it is the previous one with an
     * exhausted epoch (a retry after a rotation whose answer was lost).
     */
    private static boolean isValidExpectedProducer(TransactionMetadata m, long producerId, short producerEpoch) {
        return m.producerEpoch == TransactionMetadata.NO_PRODUCER_EPOCH
                || producerId == m.producerId
                || (producerId == m.prevProducerId && TransactionMetadata.isEpochExhausted(producerEpoch));
    }

    /** Fences the producer of an ongoing transaction (epoch bump) and aborts the transaction. */
    private void fenceAndAbort(OperationContext ctx, TransactionMetadata m) {
        TransactionMetadata fenced = m.prepareFenceProducerEpoch();
        // Not from the client: the coordinator's own transaction version (2) applies.
        TransactionMetadata next = fenced.prepareAbortOrCommit(
                TransactionState.PREPARE_ABORT,
                TransactionVersion.TV_2,
                TransactionMetadata.NO_PRODUCER_ID,
                ctx.nowMs(),
                false);
        LOG.info("{}: fencing producer epoch {} of {} and aborting its transaction", partition, m.producerEpoch, m);
        write(ctx, next);
        sendMarkers(ctx, m.transactionalId, 0);
    }

    // -------------------------------------------------------------------------------------------
    // AddPartitionsToTxn, AddOffsetsToTxn and the produce path's verification.

    /** Adds partitions to the transaction of {@code transactionalId} (Ongoing). */
    public Errors addPartitions(
            OperationContext ctx,
            String transactionalId,
            long producerId,
            short producerEpoch,
            Collection<TxnTopicPartition> partitions,
            TransactionVersion clientVersion) {
        TransactionMetadata m = transactions.get(transactionalId);
        if (m == null) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (m.state.isPrepare()) {
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        if (m.producerId != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (m.producerEpoch != producerEpoch) {
            return Errors.PRODUCER_FENCED;
        }
        if (m.state == TransactionState.ONGOING && m.partitions.containsAll(partitions)) {
            return Errors.NONE;
        }
        write(ctx, m.prepareAddPartitions(partitions, ctx.nowMs(), clientVersion));
        return Errors.NONE;
    }

    /**
     * Whether each of {@code partitions} is in the ongoing transaction of the producer (the v4+
     * AddPartitionsToTxn {@code verify_only} form): NONE, or TRANSACTION_ABORTABLE for a partition
     * that is not; an error of the producer applies to every partition.
     */
    public Map<TxnTopicPartition, Errors> verifyPartitions(
            String transactionalId, long producerId, short producerEpoch, Collection<TxnTopicPartition> partitions) {
        TransactionMetadata m = transactions.get(transactionalId);
        Errors all = null;
        if (m == null || m.producerId != producerId) {
            all = Errors.INVALID_PRODUCER_ID_MAPPING;
        } else if (m.producerEpoch != producerEpoch) {
            all = Errors.PRODUCER_FENCED;
        } else if (m.state.isPrepare()) {
            all = Errors.CONCURRENT_TRANSACTIONS;
        }
        Map<TxnTopicPartition, Errors> out = new LinkedHashMap<>();
        for (TxnTopicPartition tp : partitions) {
            out.put(tp, all != null ? all : m.partitions.contains(tp) ? Errors.NONE : Errors.TRANSACTION_ABORTABLE);
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------
    // EndTxn.

    /**
     * EndTxn: commits or aborts the transaction (PrepareCommit/PrepareAbort, then markers), or
     * answers a retry. Version 2 clients bump the epoch and get the producer id and epoch to go on
     * with.
     *
     * @param newProducerId a fresh producer id, if one is needed (version 2, epochs exhausted), or -1
     */
    public TxnResult endTransaction(
            OperationContext ctx,
            String transactionalId,
            long producerId,
            short producerEpoch,
            boolean commit,
            TransactionVersion clientVersion,
            long newProducerId) {
        TransactionMetadata m = transactions.get(transactionalId);
        if (m == null) {
            return TxnResult.error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        return clientVersion.supportsEpochBump()
                ? endTransactionV2(ctx, m, producerId, producerEpoch, commit, newProducerId)
                : endTransactionV1(ctx, m, producerId, producerEpoch, commit);
    }

    private TxnResult endTransactionV1(
            OperationContext ctx, TransactionMetadata m, long producerId, short producerEpoch, boolean commit) {
        if (m.producerId != producerId) {
            return TxnResult.error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (producerEpoch != m.producerEpoch) {
            return TxnResult.error(Errors.PRODUCER_FENCED);
        }
        if (m.state.isPrepare()) {
            return TxnResult.error(Errors.CONCURRENT_TRANSACTIONS);
        }
        switch (m.state) {
            case ONGOING:
                write(
                        ctx,
                        m.prepareAbortOrCommit(
                                commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT,
                                TransactionVersion.TV_0,
                                TransactionMetadata.NO_PRODUCER_ID,
                                ctx.nowMs(),
                                false));
                sendMarkers(ctx, m.transactionalId, 0);
                return TxnResult.error(Errors.NONE);
            case COMPLETE_COMMIT:
                return TxnResult.error(commit ? Errors.NONE : invalidState(m, commit));
            case COMPLETE_ABORT:
                return TxnResult.error(commit ? invalidState(m, commit) : Errors.NONE);
            case EMPTY:
                return TxnResult.error(invalidState(m, commit));
            default:
                throw new IllegalStateException(m.transactionalId + " found in state " + m.state);
        }
    }

    /*
     * Version 2 (KIP-890): the epoch is bumped at every EndTxn, so a retry carries the epoch before
     * the bump. In Empty, CompleteCommit and CompleteAbort:
     *                   abort: retry / current     commit: retry / current
     *   Empty           PRODUCER_FENCED / bump     PRODUCER_FENCED / INVALID_TXN_STATE
     *   CompleteAbort   NONE / bump                INVALID_TXN_STATE / INVALID_TXN_STATE
     *   CompleteCommit  INVALID_TXN_STATE / bump   NONE / INVALID_TXN_STATE
     */
    private TxnResult endTransactionV2(
            OperationContext ctx,
            TransactionMetadata m,
            long producerId,
            short producerEpoch,
            boolean commit,
            long newProducerId) {
        boolean retryOnOverflow =
                m.prevProducerId == producerId && producerEpoch == Short.MAX_VALUE - 1 && m.producerEpoch == 0;
        boolean retryOnEpochBump = m.producerEpoch == producerEpoch + 1;
        boolean isRetry = retryOnEpochBump || retryOnOverflow;
        boolean validEpoch;
        switch (m.state) {
            case PREPARE_COMMIT:
            case PREPARE_ABORT:
                validEpoch = retryOnEpochBump;
                break;
            case COMPLETE_COMMIT:
            case COMPLETE_ABORT:
                validEpoch = isRetry || producerEpoch == m.producerEpoch;
                break;
            default:
                validEpoch = producerEpoch == m.producerEpoch;
        }
        if (m.producerId != producerId && !retryOnOverflow) {
            return TxnResult.error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (!validEpoch) {
            return TxnResult.error(Errors.PRODUCER_FENCED);
        }
        if (m.state.isPrepare()) {
            return TxnResult.error(Errors.CONCURRENT_TRANSACTIONS);
        }
        TxnResult current = TxnResult.ok(m.producerId, m.producerEpoch);
        switch (m.state) {
            case ONGOING:
                return complete(
                        ctx,
                        m,
                        commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT,
                        false,
                        newProducerId);
            case COMPLETE_COMMIT:
                if (commit) {
                    return isRetry ? current : TxnResult.error(invalidState(m, true));
                }
                return isRetry
                        ? TxnResult.error(invalidState(m, false))
                        : complete(ctx, m, TransactionState.PREPARE_ABORT, true, newProducerId);
            case COMPLETE_ABORT:
                if (commit) {
                    return TxnResult.error(invalidState(m, true));
                }
                return isRetry ? current : complete(ctx, m, TransactionState.PREPARE_ABORT, true, newProducerId);
            case EMPTY:
                return commit
                        ? TxnResult.error(invalidState(m, true))
                        : complete(ctx, m, TransactionState.PREPARE_ABORT, true, newProducerId);
            default:
                throw new IllegalStateException(m.transactionalId + " found in state " + m.state);
        }
    }

    /** Writes the decision of a version 2 EndTxn; the answer is the producer id and epoch after it completes. */
    private TxnResult complete(
            OperationContext ctx, TransactionMetadata m, TransactionState to, boolean noPartitionAdded, long newId) {
        long nextProducerId = TransactionMetadata.NO_PRODUCER_ID;
        if (m.isEpochExhausted()) {
            if (newId < 0) {
                return TxnResult.NEEDS_PRODUCER_ID;
            }
            nextProducerId = newId;
        }
        TransactionMetadata next =
                m.prepareAbortOrCommit(to, TransactionVersion.TV_2, nextProducerId, ctx.nowMs(), noPartitionAdded);
        write(ctx, next);
        sendMarkers(ctx, m.transactionalId, 0);
        return nextProducerId != TransactionMetadata.NO_PRODUCER_ID
                ? TxnResult.ok(nextProducerId, (short) 0)
                : TxnResult.ok(next.producerId, next.producerEpoch);
    }

    private Errors invalidState(TransactionMetadata m, boolean commit) {
        LOG.warn(
                "{}: {} is in state {} but got {}", partition, m.transactionalId, m.state, commit ? "COMMIT" : "ABORT");
        return Errors.INVALID_TXN_STATE;
    }

    // -------------------------------------------------------------------------------------------
    // Markers.

    /**
     * Hands the markers of {@code transactionalId}'s decided transaction to the coordinator once
     * everything written so far is durable; a transaction without partitions completes at once.
     */
    private void sendMarkers(OperationContext ctx, String transactionalId, int attempt) {
        TransactionMetadata m = transactions.get(transactionalId);
        if (m == null || !m.state.isPrepare()) {
            return;
        }
        if (m.partitions.isEmpty()) {
            write(ctx, m.prepareComplete(ctx.nowMs()));
            return;
        }
        PendingMarkers pending = new PendingMarkers(
                transactionalId,
                m.producerId,
                m.producerEpoch,
                m.state == TransactionState.PREPARE_COMMIT,
                List.copyOf(m.partitions),
                attempt);
        CompletableFuture<Void> durable = new CompletableFuture<>();
        ctx.completeWhenDurable(durable, null);
        durable.thenRun(() -> markers.send(partition, pending));
    }

    /** Every marker of {@code pending} is written: the transaction completes, if it is still the one decided. */
    Void completeTransaction(OperationContext ctx, PendingMarkers pending) {
        TransactionMetadata m = transactions.get(pending.transactionalId());
        TransactionState expected = pending.commit() ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
        if (m == null
                || m.state != expected
                || m.producerId != pending.producerId()
                || m.producerEpoch != pending.producerEpoch()) {
            LOG.debug("{}: markers of {} written, but the transaction is now {}", partition, pending, m);
            return null;
        }
        write(ctx, m.prepareComplete(ctx.nowMs()));
        return null;
    }

    /** Writing the markers of {@code pending} failed: they are sent again after a backoff. */
    Void retryMarkers(OperationContext ctx, PendingMarkers pending) {
        long backoffMs = markerBackoffMs(pending.attempt());
        ctx.schedule(
                MARKERS_TIMER_PREFIX + pending.transactionalId(),
                backoffMs,
                c -> sendMarkers(c, pending.transactionalId(), pending.attempt() + 1));
        return null;
    }

    static long markerBackoffMs(int attempt) {
        long backoff = TransactionCoordinatorConfig.MARKER_RETRY_BACKOFF_MS << Math.min(attempt, 20);
        return Math.min(backoff, TransactionCoordinatorConfig.MARKER_RETRY_BACKOFF_MAX_MS);
    }

    // -------------------------------------------------------------------------------------------
    // Timers.

    /** Aborts the transactions open longer than their timeout, fencing their producers. */
    void abortTimedOutTransactions(OperationContext ctx) {
        long nowMs = ctx.nowMs();
        int aborted = 0;
        for (TransactionMetadata m : new ArrayList<>(transactions.values())) {
            if (m.state == TransactionState.ONGOING && m.txnStartTimestampMs + m.txnTimeoutMs < nowMs) {
                if (aborted == MAX_PER_RUN) {
                    ctx.schedule(ABORT_TIMER, 0, this::abortTimedOutTransactions);
                    return;
                }
                LOG.info("{}: {} is past its timeout of {} ms", partition, m.transactionalId, m.txnTimeoutMs);
                fenceAndAbort(ctx, m);
                aborted++;
            }
        }
        ctx.schedule(ABORT_TIMER, config.abortTimedOutIntervalMs(), this::abortTimedOutTransactions);
    }

    /** Removes the transactional ids idle longer than {@code transactional.id.expiration.ms}. */
    void removeExpiredTransactionalIds(OperationContext ctx) {
        long nowMs = ctx.nowMs();
        int removed = 0;
        for (TransactionMetadata m : new ArrayList<>(transactions.values())) {
            if (m.state.expirationAllowed
                    && m.txnLastUpdateTimestampMs <= nowMs - config.transactionalIdExpirationMs()) {
                if (removed == MAX_PER_RUN) {
                    ctx.schedule(EXPIRE_TIMER, 0, this::removeExpiredTransactionalIds);
                    return;
                }
                m.prepareDead();
                LOG.info("{}: transactional id {} expired", partition, m.transactionalId);
                ctx.append(TransactionRecords.tombstone(m.transactionalId));
                removed++;
            }
        }
        ctx.schedule(EXPIRE_TIMER, config.removeExpiredIntervalMs(), this::removeExpiredTransactionalIds);
    }

    // -------------------------------------------------------------------------------------------
    // DescribeTransactions and ListTransactions.

    /** The DescribeTransactions entry of {@code transactionalId}. */
    public DescribeTransactionsResponse.TransactionState describe(String transactionalId) {
        DescribeTransactionsResponse.TransactionState out =
                new DescribeTransactionsResponse.TransactionState().setTransactionalId(transactionalId);
        TransactionMetadata m = transactions.get(transactionalId);
        if (m == null || m.state == TransactionState.DEAD) {
            return out.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code)
                    .setTransactionState("")
                    .setTopics(new ArrayList<>());
        }
        Map<String, DescribeTransactionsResponse.TopicData> topics = new LinkedHashMap<>();
        for (TxnTopicPartition tp : m.partitions) {
            topics.computeIfAbsent(
                            tp.topic(),
                            t -> new DescribeTransactionsResponse.TopicData()
                                    .setTopic(t)
                                    .setPartitions(new ArrayList<>()))
                    .partitions()
                    .add(tp.partition());
        }
        return out.setErrorCode(Errors.NONE.code)
                .setProducerId(m.producerId)
                .setProducerEpoch(m.producerEpoch)
                .setTransactionState(m.state.displayName)
                .setTransactionTimeoutMs(m.txnTimeoutMs)
                .setTransactionStartTimeMs(m.txnStartTimestampMs)
                .setTopics(new ArrayList<>(topics.values()));
    }

    /**
     * The ListTransactions entries of this partition that pass the filters (empty filters pass
     * everything; {@code minDurationMs} -1 passes everything, else only transactions running longer).
     */
    public List<ListTransactionsResponse.TransactionState> list(
            Set<Long> producerIds,
            Set<TransactionState> states,
            boolean filterStates,
            long minDurationMs,
            Predicate<String> idFilter,
            long nowMs) {
        List<ListTransactionsResponse.TransactionState> out = new ArrayList<>();
        for (TransactionMetadata m : transactions.values()) {
            if (m.state == TransactionState.DEAD
                    || (!producerIds.isEmpty() && !producerIds.contains(m.producerId))
                    || (filterStates && !states.contains(m.state))
                    || (minDurationMs >= 0 && nowMs - m.txnStartTimestampMs <= minDurationMs)
                    || (idFilter != null && !idFilter.test(m.transactionalId))) {
                continue;
            }
            out.add(new ListTransactionsResponse.TransactionState()
                    .setTransactionalId(m.transactionalId)
                    .setProducerId(m.producerId)
                    .setTransactionState(m.state.displayName));
        }
        return out;
    }
}
