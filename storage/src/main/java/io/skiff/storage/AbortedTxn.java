package io.skiff.storage;

/**
 * One aborted transaction as the aborted-transaction index records it ({@link TxnIndexDescriptor}):
 * what a read_committed fetch reports as {@code aborted_transactions} (producer id and first offset).
 *
 * @param producerId the producer whose transaction was aborted
 * @param firstOffset the first offset of the transaction on this partition
 * @param lastOffset the offset of its abort marker
 * @param lastStableOffset the partition's last stable offset just after the marker
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {}
