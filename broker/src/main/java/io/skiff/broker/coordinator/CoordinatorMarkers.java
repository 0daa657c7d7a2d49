package io.skiff.broker.coordinator;

import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletableFuture;

/**
 * How a transaction marker reaches a partition of {@code __consumer_offsets}: through the group
 * coordinator that owns it, which writes the marker in its own log and makes the transaction's
 * pending offsets visible (commit) or drops them (abort), as Kafka's {@code
 * GroupCoordinator.completeTransaction} does. Implemented by the group coordinator's host; called
 * by {@code TxnMarkerWriter} from any thread. Implementations must be thread-safe.
 */
public interface CoordinatorMarkers {
    /**
     * Completes the transaction of {@code producerId} on {@code partition} of
     * {@code __consumer_offsets}.
     *
     * @return NONE once the marker is written and applied; otherwise the coordinator's error
     *     (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS — which the
     *     caller answers as NOT_LEADER_OR_FOLLOWER, as Kafka does — INVALID_PRODUCER_EPOCH, ...)
     */
    CompletableFuture<Errors> complete(
            TopicPartition partition, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit);
}
