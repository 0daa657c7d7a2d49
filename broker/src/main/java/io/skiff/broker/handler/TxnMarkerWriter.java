package io.skiff.broker.handler;

import io.skiff.broker.coordinator.CoordinatorMarkers;
import io.skiff.broker.partition.NotCommittedException;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.transaction.TransactionMarkerChannel;
import io.skiff.coordinator.transaction.TxnTopicPartition;
import io.skiff.storage.AppendResult;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way transaction markers reach partitions on this broker: the in-process entry point the
 * transaction coordinator calls, and what {@link WriteTxnMarkersHandler} uses for each partition
 * of a request. A data partition gets the marker through {@link Partition#appendTxnMarker} (as an
 * acks=all append: answered once the high watermark passes it and, in fsync mode, once it is on
 * disk); a partition of {@code __consumer_offsets} goes through the group coordinator
 * ({@link CoordinatorMarkers}), whose "not ready" errors are answered NOT_LEADER_OR_FOLLOWER, as
 * Kafka answers them, since the transaction coordinator retries that one. Errors are Kafka's:
 * UNKNOWN_TOPIC_OR_PARTITION for a partition not hosted here, NOT_LEADER_OR_FOLLOWER,
 * KAFKA_STORAGE_ERROR, INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED.
 *
 * <p>Thread-safe; never blocks (an append is a file write on the caller's thread, as produce's).
 */
public final class TxnMarkerWriter implements TransactionMarkerChannel {
    private static final Logger LOG = LoggerFactory.getLogger(TxnMarkerWriter.class);

    /** The group coordinator's topic, whose markers go through {@link CoordinatorMarkers}. */
    public static final String GROUP_METADATA_TOPIC = "__consumer_offsets";

    private final PartitionManager partitions;
    private final CoordinatorMarkers coordinatorMarkers;
    private final boolean fsync;
    private final LongSupplier clockMs;

    /**
     * @param coordinatorMarkers the group coordinator's marker path; null while none is wired (its
     *     partitions then get nothing written and answer NOT_LEADER_OR_FOLLOWER: the group
     *     coordinator is "not available")
     * @param fsync whether markers are answered only once fsynced (skiff.log.durability=fsync)
     */
    public TxnMarkerWriter(
            PartitionManager partitions, CoordinatorMarkers coordinatorMarkers, boolean fsync, LongSupplier clockMs) {
        this.partitions = partitions;
        this.coordinatorMarkers = coordinatorMarkers;
        this.fsync = fsync;
        this.clockMs = clockMs;
    }

    /** Writes the marker with transaction version 0/1 epoch rules. */
    public CompletableFuture<Errors> write(
            TopicPartition partition, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
        return write(partition, producerId, producerEpoch, coordinatorEpoch, commit, (short) 0);
    }

    /** Writes the marker of a transaction of {@code transactionVersion} (2: the epoch must be bumped). */
    public CompletableFuture<Errors> write(
            TopicPartition partition,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion) {
        Partition p = partitions.partition(partition);
        if (p == null) {
            return CompletableFuture.completedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (GROUP_METADATA_TOPIC.equals(partition.topic())) {
            return throughGroupCoordinator(partition, producerId, producerEpoch, coordinatorEpoch, commit);
        }
        Errors check = p.checkAppend(true);
        if (check != Errors.NONE) {
            return CompletableFuture.completedFuture(check);
        }
        AppendResult r = p.appendTxnMarker(
                producerId, producerEpoch, coordinatorEpoch, commit, transactionVersion, clockMs.getAsLong());
        Errors error = StorageErrors.of(r.outcome());
        if (error != Errors.NONE) {
            return CompletableFuture.completedFuture(error);
        }
        CompletableFuture<Void> committed = p.awaitHighWatermark(r.lastOffset() + 1);
        CompletableFuture<Void> durable = fsync ? p.log().awaitDurable(r.lastOffset()) : null;
        if (committed == null && durable == null) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        CompletableFuture<Void> all =
                committed == null ? durable : durable == null ? committed : CompletableFuture.allOf(committed, durable);
        return all.handle((ok, failure) -> failure == null ? Errors.NONE : waitError(failure));
    }

    /**
     * The transaction coordinator's markers: one per partition, written in parallel. Completes when
     * each is written or its partition no longer exists; fails, naming the partitions and their
     * errors, otherwise (the coordinator then retries the whole set: a partition written already
     * gets a second marker, which changes nothing there).
     */
    @Override
    public CompletableFuture<Void> writeMarkers(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            Collection<TxnTopicPartition> partitions) {
        List<TxnTopicPartition> targets = new ArrayList<>(partitions);
        List<CompletableFuture<Errors>> writes = new ArrayList<>(targets.size());
        for (TxnTopicPartition t : targets) {
            writes.add(write(
                    new TopicPartition(t.topic(), t.partition()), producerId, producerEpoch, coordinatorEpoch, commit));
        }
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    StringBuilder failed = new StringBuilder();
                    for (int i = 0; i < targets.size(); i++) {
                        Errors e = writes.get(i).join();
                        LOG.debug(
                                "{} marker of producer {} epoch {} to {}: {}",
                                commit ? "Commit" : "Abort",
                                producerId,
                                producerEpoch,
                                targets.get(i),
                                e);
                        if (e != Errors.NONE && e != Errors.UNKNOWN_TOPIC_OR_PARTITION) {
                            failed.append(' ')
                                    .append(targets.get(i))
                                    .append('=')
                                    .append(e);
                        }
                    }
                    if (failed.length() > 0) {
                        throw new IllegalStateException("markers of producer " + producerId + " not written:" + failed);
                    }
                    return null;
                });
    }

    private CompletableFuture<Errors> throughGroupCoordinator(
            TopicPartition partition, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
        CoordinatorMarkers markers = coordinatorMarkers;
        if (markers == null) {
            return CompletableFuture.completedFuture(fromGroupCoordinator(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        return markers.complete(partition, producerId, producerEpoch, coordinatorEpoch, commit)
                .handle((error, failure) -> failure != null
                        ? Errors.UNKNOWN_SERVER_ERROR
                        : fromGroupCoordinator(error == null ? Errors.UNKNOWN_SERVER_ERROR : error));
    }

    /** The group coordinator's "not ready" errors as Kafka answers them to the transaction coordinator. */
    static Errors fromGroupCoordinator(Errors error) {
        return switch (error) {
            case COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR ->
                Errors.NOT_LEADER_OR_FOLLOWER;
            default -> error;
        };
    }

    private static Errors waitError(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof NotCommittedException nc) {
            return nc.error();
        }
        return Errors.KAFKA_STORAGE_ERROR;
    }
}
