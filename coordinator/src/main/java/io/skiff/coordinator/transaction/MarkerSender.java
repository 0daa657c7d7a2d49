package io.skiff.coordinator.transaction;

/**
 * How a shard hands the markers of a decided transaction (whose Prepare record is durable) to its
 * coordinator, which writes them through the {@link TransactionMarkerChannel} and comes back to
 * the shard to complete the transaction or to retry. Called on the shard's thread; must not block.
 */
interface MarkerSender {
    void send(int partition, PendingMarkers markers);
}
