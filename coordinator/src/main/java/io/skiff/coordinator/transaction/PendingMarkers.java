package io.skiff.coordinator.transaction;

import java.util.List;

/**
 * The markers a decided transaction still needs: those of {@code producerId} in
 * {@code producerEpoch} (the epoch of its PrepareCommit or PrepareAbort record), commit or abort,
 * on each of {@code partitions}. {@code attempt} counts the writes that failed before. Immutable.
 */
record PendingMarkers(
        String transactionalId,
        long producerId,
        short producerEpoch,
        boolean commit,
        List<TxnTopicPartition> partitions,
        int attempt) {}
