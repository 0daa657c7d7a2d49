package io.skiff.broker.handler;

import io.skiff.storage.AppendOutcome;
import io.skiff.storage.DeleteRecordsOutcome;
import io.skiff.storage.ReadOutcome;
import io.skiff.wire.protocol.Errors;

/**
 * The one place where the partition log's outcomes become protocol errors: each storage outcome
 * maps to the error code Apache Kafka answers in that case. Error messages are not made here:
 * the storage results carry the messages Kafka sends (or none), and handlers pass them on.
 *
 * <p>Stateless and thread-safe; allocates nothing (a switch per call, on the request path).
 */
public final class StorageErrors {
    private StorageErrors() {}

    /** The Produce partition error for an append outcome (NONE for a write and for an acknowledged duplicate). */
    public static Errors of(AppendOutcome outcome) {
        return switch (outcome) {
            case APPENDED, DUPLICATE -> Errors.NONE;
            case CORRUPT_BATCH -> Errors.CORRUPT_MESSAGE;
            case INVALID_RECORD -> Errors.INVALID_RECORD;
            case INVALID_TIMESTAMP -> Errors.INVALID_TIMESTAMP;
            case BATCH_TOO_LARGE -> Errors.MESSAGE_TOO_LARGE;
            case BATCH_LARGER_THAN_SEGMENT -> Errors.RECORD_LIST_TOO_LARGE;
            case UNKNOWN_COMPRESSION_CODEC -> Errors.UNKNOWN_SERVER_ERROR;
            case INVALID_PRODUCER_EPOCH -> Errors.INVALID_PRODUCER_EPOCH;
            case OUT_OF_ORDER_SEQUENCE -> Errors.OUT_OF_ORDER_SEQUENCE_NUMBER;
            case INVALID_TXN_STATE -> Errors.INVALID_TXN_STATE;
            case TRANSACTION_COORDINATOR_FENCED -> Errors.TRANSACTION_COORDINATOR_FENCED;
            case LOG_DELETED -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
            case STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR;
        };
    }

    /** The Fetch partition error for a read outcome. */
    public static Errors of(ReadOutcome outcome) {
        return switch (outcome) {
            case SUCCESS -> Errors.NONE;
            case OFFSET_OUT_OF_RANGE -> Errors.OFFSET_OUT_OF_RANGE;
            case CORRUPT_MESSAGE -> Errors.CORRUPT_MESSAGE;
            case STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR;
        };
    }

    /** The DeleteRecords partition error for a DeleteRecords outcome. */
    public static Errors of(DeleteRecordsOutcome outcome) {
        return switch (outcome) {
            case SUCCESS -> Errors.NONE;
            case POLICY_VIOLATION -> Errors.POLICY_VIOLATION;
            case OFFSET_OUT_OF_RANGE -> Errors.OFFSET_OUT_OF_RANGE;
            case STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR;
        };
    }
}
