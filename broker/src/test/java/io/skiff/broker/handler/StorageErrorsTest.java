package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.storage.AppendOutcome;
import io.skiff.storage.DeleteRecordsOutcome;
import io.skiff.storage.ReadOutcome;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every storage outcome maps to the error Apache Kafka answers: each row names the expected
 * error in kafka-clients' own table (name and code are compared), and every enum value must
 * have a row.
 */
class StorageErrorsTest {
    private static final Map<AppendOutcome, Errors> APPEND = new EnumMap<>(AppendOutcome.class);
    private static final Map<ReadOutcome, Errors> READ = new EnumMap<>(ReadOutcome.class);
    private static final Map<DeleteRecordsOutcome, Errors> DELETE_RECORDS = new EnumMap<>(DeleteRecordsOutcome.class);

    static {
        APPEND.put(AppendOutcome.APPENDED, Errors.NONE);
        APPEND.put(AppendOutcome.DUPLICATE, Errors.NONE);
        APPEND.put(AppendOutcome.CORRUPT_BATCH, Errors.CORRUPT_MESSAGE);
        APPEND.put(AppendOutcome.INVALID_RECORD, Errors.INVALID_RECORD);
        APPEND.put(AppendOutcome.INVALID_TIMESTAMP, Errors.INVALID_TIMESTAMP);
        APPEND.put(AppendOutcome.BATCH_TOO_LARGE, Errors.MESSAGE_TOO_LARGE);
        APPEND.put(AppendOutcome.BATCH_LARGER_THAN_SEGMENT, Errors.RECORD_LIST_TOO_LARGE);
        APPEND.put(AppendOutcome.UNKNOWN_COMPRESSION_CODEC, Errors.UNKNOWN_SERVER_ERROR);
        APPEND.put(AppendOutcome.INVALID_PRODUCER_EPOCH, Errors.INVALID_PRODUCER_EPOCH);
        APPEND.put(AppendOutcome.OUT_OF_ORDER_SEQUENCE, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        APPEND.put(AppendOutcome.INVALID_TXN_STATE, Errors.INVALID_TXN_STATE);
        APPEND.put(AppendOutcome.TRANSACTION_COORDINATOR_FENCED, Errors.TRANSACTION_COORDINATOR_FENCED);
        APPEND.put(AppendOutcome.LOG_DELETED, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        APPEND.put(AppendOutcome.STORAGE_ERROR, Errors.KAFKA_STORAGE_ERROR);

        READ.put(ReadOutcome.SUCCESS, Errors.NONE);
        READ.put(ReadOutcome.OFFSET_OUT_OF_RANGE, Errors.OFFSET_OUT_OF_RANGE);
        READ.put(ReadOutcome.STORAGE_ERROR, Errors.KAFKA_STORAGE_ERROR);
        READ.put(ReadOutcome.CORRUPT_MESSAGE, Errors.CORRUPT_MESSAGE);

        DELETE_RECORDS.put(DeleteRecordsOutcome.SUCCESS, Errors.NONE);
        DELETE_RECORDS.put(DeleteRecordsOutcome.POLICY_VIOLATION, Errors.POLICY_VIOLATION);
        DELETE_RECORDS.put(DeleteRecordsOutcome.OFFSET_OUT_OF_RANGE, Errors.OFFSET_OUT_OF_RANGE);
        DELETE_RECORDS.put(DeleteRecordsOutcome.STORAGE_ERROR, Errors.KAFKA_STORAGE_ERROR);
    }

    @ParameterizedTest
    @EnumSource(AppendOutcome.class)
    void appendOutcomeMapsToKafkasProduceError(AppendOutcome outcome) {
        assertThat(APPEND).containsKey(outcome);
        assertThat(StorageErrors.of(outcome).name())
                .isEqualTo(APPEND.get(outcome).name());
        assertThat(StorageErrors.of(outcome).code).isEqualTo(APPEND.get(outcome).code());
    }

    @ParameterizedTest
    @EnumSource(ReadOutcome.class)
    void readOutcomeMapsToKafkasFetchError(ReadOutcome outcome) {
        assertThat(READ).containsKey(outcome);
        assertThat(StorageErrors.of(outcome).name()).isEqualTo(READ.get(outcome).name());
        assertThat(StorageErrors.of(outcome).code).isEqualTo(READ.get(outcome).code());
    }

    @ParameterizedTest
    @EnumSource(DeleteRecordsOutcome.class)
    void deleteRecordsOutcomeMapsToKafkasDeleteRecordsError(DeleteRecordsOutcome outcome) {
        assertThat(DELETE_RECORDS).containsKey(outcome);
        assertThat(StorageErrors.of(outcome).name())
                .isEqualTo(DELETE_RECORDS.get(outcome).name());
        assertThat(StorageErrors.of(outcome).code)
                .isEqualTo(DELETE_RECORDS.get(outcome).code());
    }
}
