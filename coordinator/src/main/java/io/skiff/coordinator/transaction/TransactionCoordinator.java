package io.skiff.coordinator.transaction;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.CoordinatorLog;
import io.skiff.coordinator.runtime.CoordinatorShard;
import io.skiff.coordinator.runtime.CoordinatorShards;
import io.skiff.coordinator.runtime.CoordinatorTimer;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.coordinator.runtime.ShardExecutors;
import io.skiff.coordinator.runtime.ShardedCoordinator;
import io.skiff.wire.message.DescribeTransactionsResponse;
import io.skiff.wire.message.ListTransactionsRequest;
import io.skiff.wire.message.ListTransactionsResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator: the entry points the broker's transaction handlers call
 * (InitProducerId with a transactional id, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
 * DescribeTransactions, ListTransactions, and the produce path's verification), answering with
 * Apache Kafka 4.3.1's errors. Protocol shapes that depend on the request version (old error codes,
 * response layouts) are the handlers' business.
 *
 * <p><b>Threading.</b> Every {@code __transaction_state} partition hosted here is a
 * {@link CoordinatorShard} running a {@link TransactionCoordinatorShard}, kept in a
 * {@link CoordinatorShards}; all methods are thread-safe and never block: they route to the shard of
 * {@link #partitionFor(String)} and return at once. Futures complete on a shard thread once what the
 * operation wrote is durable, and never fail: errors are in the result (NOT_COORDINATOR for a
 * transactional id of a partition not hosted here, COORDINATOR_LOAD_IN_PROGRESS while it loads).
 *
 * <p><b>Markers.</b> Once a transaction's decision is durable its markers go out through the
 * {@link TransactionMarkerChannel}, with the shard's leader epoch as coordinator epoch; a failed write
 * is retried with a backoff and the transaction stays prepared until one succeeds. Completions of a
 * shard that was unloaded or replaced meanwhile are dropped: the next load sends them again.
 *
 * <p><b>Buffers.</b> Nothing here holds a request buffer: arguments are plain values.
 */
public final class TransactionCoordinator implements ShardedCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinator.class);
    /** The topic whose partitions hold the transactions. */
    public static final String TRANSACTION_STATE_TOPIC = "__transaction_state";

    private final TransactionCoordinatorConfig config;
    private final ProducerIdSource producerIds;
    private final TransactionMarkerChannel channel;
    private final Clock clock;
    private final CoordinatorShards<TransactionCoordinatorShard> shards;
    private volatile boolean active = true;

    /**
     * @param executorForPartition the executor of each partition's shard (one task at a time, in
     *                             order), or null for threads owned by the coordinator
     */
    public TransactionCoordinator(
            TransactionCoordinatorConfig config,
            ProducerIdSource producerIds,
            TransactionMarkerChannel channel,
            Clock clock,
            CoordinatorTimer timer,
            IntFunction<Executor> executorForPartition) {
        this.config = config;
        this.producerIds = producerIds;
        this.channel = channel;
        this.clock = clock;
        ShardExecutors executors = executorForPartition != null
                ? ShardExecutors.of(executorForPartition)
                : ShardExecutors.owned(TransactionCoordinatorConfig.THREADS, "skiff-txn-coordinator-");
        MarkerSender sender = this::sendMarkers;
        this.shards = new CoordinatorShards<>(
                TRANSACTION_STATE_TOPIC,
                TransactionRecords.SERDE,
                p -> new TransactionCoordinatorShard(p, config, sender),
                executors,
                clock,
                timer,
                config.maxMessageBytes());
    }

    public TransactionCoordinatorConfig config() {
        return config;
    }

    /** The {@code __transaction_state} partition of a transactional id: Kafka's {@code abs(hashCode) % partitions}. */
    @Override
    public int partitionFor(String transactionalId) {
        int h = transactionalId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % config.partitions();
    }

    @Override
    public CompletableFuture<Void> onElection(int partition, int leaderEpoch, CoordinatorLog log) {
        return shards.elect(partition, leaderEpoch, log);
    }

    @Override
    public CompletableFuture<Void> onResignation(int partition, int leaderEpoch) {
        return shards.resign(partition, leaderEpoch);
    }

    @Override
    public boolean hosts(int partition) {
        return shards.hosts(partition);
    }

    /** The shard of a partition, or null (for tests and diagnostics). */
    public CoordinatorShard<TransactionCoordinatorShard> shard(int partition) {
        return shards.shard(partition);
    }

    @Override
    public void close() {
        active = false;
        shards.close();
    }

    // -------------------------------------------------------------------------------------------
    // Operations.

    /**
     * InitProducerId with a transactional id (versions 0-6): the checks Kafka makes before the
     * transaction's own (empty id, two-phase commit, kept prepared transactions, the timeout), then
     * a producer id and epoch, fetching a new producer id when the shard needs one.
     *
     * @param expectedProducerId    the producer id of a recovering producer, or -1 (with epoch -1)
     */
    public CompletableFuture<TxnResult> initProducerId(
            String transactionalId,
            int timeoutMs,
            long expectedProducerId,
            short expectedProducerEpoch,
            boolean enable2Pc,
            boolean keepPreparedTxn) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(TxnResult.error(Errors.INVALID_REQUEST));
        }
        if (enable2Pc) {
            // transaction.two.phase.commit.enable is false (Kafka's default, not configurable here).
            return CompletableFuture.completedFuture(TxnResult.error(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        if (keepPreparedTxn) {
            return CompletableFuture.completedFuture(TxnResult.error(Errors.UNSUPPORTED_VERSION));
        }
        if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
            return CompletableFuture.completedFuture(TxnResult.error(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        return withProducerId(
                transactionalId,
                "init-producer-id",
                (s, ctx, newId) -> s.initProducerId(
                        ctx, transactionalId, timeoutMs, expectedProducerId, expectedProducerEpoch, newId));
    }

    /** AddPartitionsToTxn (and AddOffsetsToTxn, with the group's offsets partition) of one transaction. */
    public CompletableFuture<Errors> addPartitions(
            String transactionalId,
            long producerId,
            short producerEpoch,
            Collection<TxnTopicPartition> partitions,
            TransactionVersion clientVersion) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        List<TxnTopicPartition> copy = List.copyOf(partitions);
        return run(
                        "add-partitions",
                        transactionalId,
                        (s, ctx) ->
                                s.addPartitions(ctx, transactionalId, producerId, producerEpoch, copy, clientVersion))
                .exceptionally(CoordinatorException::errorOf);
    }

    /** AddPartitionsToTxn's {@code verify_only} form: the error of each partition. */
    public CompletableFuture<Map<TxnTopicPartition, Errors>> verifyPartitions(
            String transactionalId, long producerId, short producerEpoch, Collection<TxnTopicPartition> partitions) {
        List<TxnTopicPartition> copy = List.copyOf(partitions);
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(allErrors(copy, Errors.INVALID_REQUEST));
        }
        return run(
                        "verify-partitions",
                        transactionalId,
                        (s, ctx) -> s.verifyPartitions(transactionalId, producerId, producerEpoch, copy))
                .exceptionally(t -> allErrors(copy, CoordinatorException.errorOf(t)));
    }

    private static Map<TxnTopicPartition, Errors> allErrors(List<TxnTopicPartition> partitions, Errors error) {
        Map<TxnTopicPartition, Errors> out = new LinkedHashMap<>();
        for (TxnTopicPartition tp : partitions) {
            out.put(tp, error);
        }
        return out;
    }

    /** EndTxn: commit or abort, answered once the decision is durable (markers follow). */
    public CompletableFuture<TxnResult> endTransaction(
            String transactionalId,
            long producerId,
            short producerEpoch,
            boolean commit,
            TransactionVersion clientVersion) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(TxnResult.error(Errors.INVALID_REQUEST));
        }
        return withProducerId(
                transactionalId,
                "end-txn",
                (s, ctx, newId) -> s.endTransaction(
                        ctx, transactionalId, producerId, producerEpoch, commit, clientVersion, newId));
    }

    /** DescribeTransactions of one transactional id. */
    public CompletableFuture<DescribeTransactionsResponse.TransactionState> describeTransaction(
            String transactionalId) {
        DescribeTransactionsResponse.TransactionState error = new DescribeTransactionsResponse.TransactionState()
                .setTransactionalId(transactionalId)
                .setTransactionState("")
                .setTopics(new ArrayList<>());
        if (!active) {
            return CompletableFuture.completedFuture(error.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code));
        }
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(error.setErrorCode(Errors.INVALID_REQUEST.code));
        }
        return run("describe-transaction", transactionalId, (s, ctx) -> s.describe(transactionalId))
                .exceptionally(t -> error.setErrorCode(CoordinatorException.errorOf(t).code));
    }

    /** ListTransactions (versions 0-2: state, producer id, duration and transactional id filters) over every hosted partition. */
    public CompletableFuture<ListTransactionsResponse> listTransactions(ListTransactionsRequest request) {
        ListTransactionsResponse response = new ListTransactionsResponse()
                .setUnknownStateFilters(new ArrayList<>())
                .setTransactionStates(new ArrayList<>());
        if (!active) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code));
        }
        Collection<CoordinatorShard<TransactionCoordinatorShard>> hosted = shards.all();
        for (CoordinatorShard<TransactionCoordinatorShard> shard : hosted) {
            if (shard.status() == CoordinatorShard.Status.LOADING) {
                return CompletableFuture.completedFuture(
                        response.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code));
            }
        }
        Set<TransactionState> states = EnumSet.noneOf(TransactionState.class);
        List<String> stateFilters = request.stateFilters() == null ? List.of() : request.stateFilters();
        for (String name : stateFilters) {
            TransactionState s = TransactionState.fromDisplayName(name);
            if (s == null) {
                response.unknownStateFilters().add(name);
            } else {
                states.add(s);
            }
        }
        Predicate<String> idFilter = null;
        String pattern = request.transactionalIdPattern();
        if (pattern != null && !pattern.isEmpty()) {
            try {
                Pattern compiled = Pattern.compile(pattern);
                idFilter = id -> compiled.matcher(id).matches();
            } catch (PatternSyntaxException e) {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code));
            }
        }
        Set<Long> producerIdFilters =
                request.producerIdFilters() == null ? Set.of() : new HashSet<>(request.producerIdFilters());
        boolean filterStates = !stateFilters.isEmpty();
        long duration = request.durationFilter();
        Predicate<String> ids = idFilter;
        long nowMs = clock.milliseconds();
        List<CompletableFuture<List<ListTransactionsResponse.TransactionState>>> parts = new ArrayList<>();
        for (CoordinatorShard<TransactionCoordinatorShard> shard : hosted) {
            parts.add(shard.submit(
                            "list-transactions",
                            ctx -> shard.state().list(producerIdFilters, states, filterStates, duration, ids, nowMs))
                    .exceptionally(t -> List.of()));
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    for (CompletableFuture<List<ListTransactionsResponse.TransactionState>> part : parts) {
                        response.transactionStates().addAll(part.join());
                    }
                    return response.setErrorCode(Errors.NONE.code);
                });
    }

    // -------------------------------------------------------------------------------------------
    // Routing.

    private <R> CompletableFuture<R> run(
            String name, String transactionalId, BiFunction<TransactionCoordinatorShard, OperationContext, R> op) {
        if (!active) {
            return CompletableFuture.failedFuture(new CoordinatorException(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        CoordinatorShard<TransactionCoordinatorShard> shard = shards.shard(partitionFor(transactionalId));
        if (shard == null) {
            return CompletableFuture.failedFuture(new CoordinatorException(Errors.NOT_COORDINATOR));
        }
        return shard.submit(name, ctx -> op.apply(shard.state(), ctx));
    }

    /** An operation that may need a fresh producer id: {@code -1} on the first run. */
    private interface ProducerIdOperation {
        TxnResult apply(TransactionCoordinatorShard shard, OperationContext ctx, long newProducerId);
    }

    /** Runs {@code op}; if the shard needs a new producer id, fetches one and runs it again with it. */
    private CompletableFuture<TxnResult> withProducerId(String transactionalId, String name, ProducerIdOperation op) {
        return run(name, transactionalId, (s, ctx) -> op.apply(s, ctx, -1L))
                .thenCompose(first -> {
                    if (first != TxnResult.NEEDS_PRODUCER_ID) {
                        return CompletableFuture.completedFuture(first);
                    }
                    CompletableFuture<Long> id;
                    try {
                        id = producerIds.nextProducerId();
                    } catch (RuntimeException e) {
                        id = CompletableFuture.failedFuture(e);
                    }
                    return id.handle((newId, failure) -> {
                                if (failure != null) {
                                    LOG.warn("No producer id for {}: {}", transactionalId, failure.toString());
                                    return CompletableFuture.completedFuture(
                                            TxnResult.error(Errors.UNKNOWN_SERVER_ERROR));
                                }
                                return run(name, transactionalId, (s, ctx) -> {
                                    TxnResult r = op.apply(s, ctx, newId);
                                    return r == TxnResult.NEEDS_PRODUCER_ID
                                            ? TxnResult.error(Errors.UNKNOWN_SERVER_ERROR)
                                            : r;
                                });
                            })
                            .thenCompose(f -> f);
                })
                .exceptionally(t -> TxnResult.error(CoordinatorException.errorOf(t)));
    }

    // -------------------------------------------------------------------------------------------
    // Markers.

    /** Called on the shard's thread once a decision is durable: writes its markers, then completes or retries. */
    private void sendMarkers(int partition, PendingMarkers pending) {
        CoordinatorShard<TransactionCoordinatorShard> shard = shards.shard(partition);
        int coordinatorEpoch = shards.leaderEpoch(partition);
        if (shard == null) {
            return;
        }
        CompletableFuture<Void> written;
        try {
            written = channel.writeMarkers(
                    pending.producerId(),
                    pending.producerEpoch(),
                    coordinatorEpoch,
                    pending.commit(),
                    pending.partitions());
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        written.whenComplete((ignored, failure) -> {
            if (shards.shard(partition) != shard) {
                return; // unloaded or replaced: the next load sends the markers again
            }
            if (failure == null) {
                shard.submit("complete-txn", ctx -> shard.state().completeTransaction(ctx, pending));
            } else {
                if (pending.attempt() == 0) {
                    LOG.warn(
                            "Writing the {} markers of {} failed ({}); retrying",
                            pending.commit() ? "commit" : "abort",
                            pending.transactionalId(),
                            CoordinatorException.unwrap(failure).getMessage());
                }
                shard.submit("retry-markers", ctx -> shard.state().retryMarkers(ctx, pending));
            }
        });
    }
}
