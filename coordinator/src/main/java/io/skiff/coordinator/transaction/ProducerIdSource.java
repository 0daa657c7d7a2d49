package io.skiff.coordinator.transaction;

import java.util.concurrent.CompletableFuture;

/**
 * Where the transaction coordinator takes new producer ids from (the broker's producer id
 * manager, whose blocks are recorded in the cluster metadata so that no id is handed out twice).
 * Thread-safe and non-blocking.
 */
public interface ProducerIdSource {
    /** An id never handed out before; fails if none can be had now. */
    CompletableFuture<Long> nextProducerId();
}
