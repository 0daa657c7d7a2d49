package io.skiff.storage;

/**
 * How a read of one partition ended, in the partition log's own terms; the broker translates
 * each value to the protocol error named on it. Immutable.
 */
public enum ReadOutcome {
    /** Records (possibly none) were read (Kafka: NONE). */
    SUCCESS,
    /** The fetch offset is below the log start offset or above the log end offset (Kafka: OFFSET_OUT_OF_RANGE). */
    OFFSET_OUT_OF_RANGE,
    /** The segment holds bytes that cannot be a batch where the read looked (Kafka: CORRUPT_MESSAGE). */
    CORRUPT_MESSAGE,
    /** An I/O operation failed (Kafka: KAFKA_STORAGE_ERROR). */
    STORAGE_ERROR
}
