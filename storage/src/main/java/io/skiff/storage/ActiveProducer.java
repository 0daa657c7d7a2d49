package io.skiff.storage;

/**
 * One producer id the log keeps state for, as DescribeProducers reports it.
 *
 * @param producerId the producer id
 * @param producerEpoch its latest epoch
 * @param lastSequence the last sequence number of its last batch, -1 when none
 * @param lastTimestamp the max timestamp of its last batch, -1 when none
 * @param coordinatorEpoch the epoch of the transaction coordinator that last wrote a marker, -1
 * @param currentTxnStartOffset the first offset of its open transaction, -1 when none
 */
public record ActiveProducer(
        long producerId,
        short producerEpoch,
        int lastSequence,
        long lastTimestamp,
        int coordinatorEpoch,
        long currentTxnStartOffset) {}
