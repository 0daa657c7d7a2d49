package io.skiff.storage;

/**
 * How a DeleteRecords call on one partition ended, in the partition log's own terms; the broker
 * translates each value to the protocol error named on it. Immutable.
 */
public enum DeleteRecordsOutcome {
    /** The log start offset is at (or already was past) the requested offset (Kafka: NONE). */
    SUCCESS,
    /** cleanup.policy does not include delete (Kafka: POLICY_VIOLATION). */
    POLICY_VIOLATION,
    /** The offset is negative (other than -1) or beyond the high watermark (Kafka: OFFSET_OUT_OF_RANGE). */
    OFFSET_OUT_OF_RANGE,
    /** An I/O operation failed (Kafka: KAFKA_STORAGE_ERROR). */
    STORAGE_ERROR
}
