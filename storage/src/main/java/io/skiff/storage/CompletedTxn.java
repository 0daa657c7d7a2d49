package io.skiff.storage;

/**
 * A transaction that a marker just ended on this partition (only transactions that wrote data
 * here; a marker for a producer without one completes nothing).
 *
 * @param producerId the producer
 * @param firstOffset the transaction's first offset on this partition
 * @param lastOffset the marker's offset
 * @param aborted true for an abort marker
 */
record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted) {}
