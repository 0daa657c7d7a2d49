package io.skiff.storage;

import io.skiff.wire.record.ValidationOutcome;

/**
 * How an append as leader ended, in the partition log's own terms. The broker translates each
 * value to the protocol error Apache Kafka answers for it (named on each constant); storage
 * itself speaks no protocol error codes. Immutable.
 */
public enum AppendOutcome {
    /** The batch was written (Kafka: NONE). */
    APPENDED,
    /** A retry of a batch already written; nothing was written now, its original offsets answer (Kafka: NONE). */
    DUPLICATE,
    /** Bad framing, CRC mismatch, a payload that does not decompress or cannot be recompressed (Kafka: CORRUPT_MESSAGE). */
    CORRUPT_BATCH,
    /** A batch or record the validator refuses (Kafka: INVALID_RECORD). */
    INVALID_RECORD,
    /** A record timestamp outside the window, or a producer-set LogAppendTime (Kafka: INVALID_TIMESTAMP). */
    INVALID_TIMESTAMP,
    /** A batch (or its recompressed form) larger than max.message.bytes (Kafka: MESSAGE_TOO_LARGE). */
    BATCH_TOO_LARGE,
    /** A batch larger than segment.bytes (Kafka: RECORD_LIST_TOO_LARGE). */
    BATCH_LARGER_THAN_SEGMENT,
    /** Compression codec bits naming no codec (Kafka: UNKNOWN_SERVER_ERROR). */
    UNKNOWN_COMPRESSION_CODEC,
    /** A producer epoch (of a batch or a marker) older than the one the log has seen (Kafka: INVALID_PRODUCER_EPOCH). */
    INVALID_PRODUCER_EPOCH,
    /** A sequence number that does not follow the producer's last one (Kafka: OUT_OF_ORDER_SEQUENCE_NUMBER). */
    OUT_OF_ORDER_SEQUENCE,
    /**
     * A transactional batch outside a verified or open transaction, or a non-transactional batch
     * of a producer with an open transaction (Kafka: INVALID_TXN_STATE).
     */
    INVALID_TXN_STATE,
    /** A marker whose coordinator epoch is below the one the producer's last marker carried (Kafka: TRANSACTION_COORDINATOR_FENCED). */
    TRANSACTION_COORDINATOR_FENCED,
    /**
     * The log was deleted (its topic or partition removed) while the append was on its way; nothing
     * was written (Kafka: UNKNOWN_TOPIC_OR_PARTITION).
     */
    LOG_DELETED,
    /** The log is closed or an I/O operation failed (Kafka: KAFKA_STORAGE_ERROR). */
    STORAGE_ERROR;

    /** True for {@link #APPENDED} and {@link #DUPLICATE}: the producer's batch is in the log. */
    public boolean isSuccess() {
        return this == APPENDED || this == DUPLICATE;
    }

    /** The append outcome for a batch the validator rejected ({@code outcome} is not VALID). */
    static AppendOutcome of(ValidationOutcome outcome) {
        return switch (outcome) {
            case CORRUPT_BATCH -> CORRUPT_BATCH;
            case INVALID_RECORD -> INVALID_RECORD;
            case BATCH_TOO_LARGE -> BATCH_TOO_LARGE;
            case INVALID_TIMESTAMP -> INVALID_TIMESTAMP;
            case UNKNOWN_COMPRESSION_CODEC -> UNKNOWN_COMPRESSION_CODEC;
            case VALID -> throw new IllegalArgumentException("not a rejection: " + outcome);
        };
    }
}
