package io.skiff.wire.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each case returns the error Apache Kafka 4.3.1 returns for the same produce. */
class BatchValidatorTest {
    private static final long NOW = 1_000_000L;
    private static final ValidationRules DEFAULT_RULES =
            new ValidationRules(1_048_588, false, TimestampType.CREATE_TIME, Long.MAX_VALUE, 3_600_000L);

    private final BatchValidator validator = new BatchValidator();
    private final ValidationResult result = new ValidationResult();
    private ByteBuf buf;

    @AfterEach
    void release() {
        if (buf != null) {
            buf.release();
        }
    }

    private boolean validate(ValidationRules rules) {
        return validator.validate(buf, rules, "t-0", NOW, result);
    }

    private boolean validate() {
        return validate(DEFAULT_RULES);
    }

    private RecordBatch batch() {
        return new RecordBatch().wrap(buf, 0);
    }

    /** Index of the first byte of record {@code n} (records of a batch built with small timestamps). */
    private int recordStart(int n) {
        RecordView view = new RecordView();
        int at = RecordBatchDescriptor.RECORDS_OFFSET;
        for (int i = 0; i < n; i++) {
            at += view.parse(buf, at, buf.writerIndex());
        }
        return at;
    }

    @Test
    void acceptsAProducerBatch() {
        buf = TestBatches.spec().count(5).timestamp(NOW).build();
        assertThat(validate()).isTrue();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.VALID);
        assertThat(result.recordCount()).isEqualTo(5);
        assertThat(result.batchSize()).isEqualTo(buf.readableBytes());
        assertThat(result.maxTimestamp()).isEqualTo(NOW + 4);
        assertThat(result.recordsChecked()).isTrue();
    }

    @Test
    void rejectsBatchWithBadCrc() {
        buf = TestBatches.spec().count(2).build();
        buf.setByte(buf.writerIndex() - 1, buf.getByte(buf.writerIndex() - 1) ^ 1);
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.CORRUPT_BATCH);
        assertThat(result.errorMessage()).isNull();
    }

    @Test
    void rejectsMagicOneBatchAsInvalidRecord() {
        buf = TestBatches.copy(org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
                        (byte) 1,
                        0L,
                        Compression.NONE,
                        new org.apache.kafka.common.record.internal.SimpleRecord(1L, "k".getBytes(), "v".getBytes()))
                .buffer());
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void rejectsUnknownMagicAsCorruptMessage() {
        buf = TestBatches.spec().build();
        buf.setByte(RecordBatchDescriptor.MAGIC_OFFSET, 5);
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.CORRUPT_BATCH);
    }

    @Test
    void rejectsBatchLengthBelowMinimumOverheadAsCorruptMessage() {
        buf = TestBatches.spec().build();
        buf.setInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET, 13);
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.CORRUPT_BATCH);
        assertThat(result.errorMessage()).isEqualTo("Record size 13 is less than the minimum record overhead (14)");
    }

    @Test
    void rejectsEmptyRecordsAsInvalidRecord() {
        buf = PooledByteBufAllocator.DEFAULT.directBuffer(0);
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void rejectsTruncatedOnlyBatchAsInvalidRecord() {
        ByteBuf whole = TestBatches.spec().count(3).build();
        buf = whole.retainedSlice(0, whole.readableBytes() - 5);
        whole.release();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void rejectsTwoBatchesAsInvalidRecord() {
        ByteBuf one = TestBatches.spec().count(2).build();
        buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        buf.writeBytes(one, 0, one.readableBytes()).writeBytes(one, 0, one.readableBytes());
        one.release();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void ignoresAPartialBatchAfterTheFirst() {
        ByteBuf one = TestBatches.spec().count(2).build();
        int size = one.readableBytes();
        buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        buf.writeBytes(one, 0, size).writeBytes(one, 0, 20);
        one.release();
        assertThat(validate()).isTrue();
        assertThat(result.batchSize()).isEqualTo(size);
    }

    @Test
    void rejectsNonZeroBaseOffsetAsInvalidRecord() {
        buf = TestBatches.spec().baseOffset(5).build();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void rejectsBatchLargerThanMaxMessageBytes() {
        buf = TestBatches.spec().valueSize(2000).build();
        ValidationRules small = new ValidationRules(1000, false, TimestampType.CREATE_TIME, Long.MAX_VALUE, 3_600_000L);
        assertThat(validate(small)).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.BATCH_TOO_LARGE);
    }

    @Test
    void rejectsCountThatDisagreesWithLastOffsetDelta() {
        buf = TestBatches.spec().count(2).build();
        buf.setInt(RecordBatchDescriptor.RECORDS_COUNT_OFFSET, 3);
        batch().updateCrc();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void rejectsCountLargerThanTheRecordsPresent() {
        buf = TestBatches.spec().count(2).build();
        buf.setInt(RecordBatchDescriptor.RECORDS_COUNT_OFFSET, 3);
        buf.setInt(RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET, 2);
        batch().updateCrc();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void rejectsRecordsRemainingAfterTheDeclaredCount() {
        buf = TestBatches.spec().count(2).build();
        buf.setInt(RecordBatchDescriptor.RECORDS_COUNT_OFFSET, 1);
        buf.setInt(RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET, 0);
        batch().updateCrc();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
        assertThat(result.diagnostic()).contains("records still remaining");
    }

    @Test
    void rejectsRecordLongerThanTheBatch() {
        buf = TestBatches.spec().count(2).build();
        int second = recordStart(1);
        buf.setByte(second, 0x7e); // length varint 63: runs past the end of the batch
        batch().updateCrc();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void acceptsOutOfSequenceOffsetDeltaAsKafkaDoes() {
        buf = TestBatches.spec().count(3).build();
        int second = recordStart(1);
        // length varint, attributes, timestampDelta (1 byte), then offsetDelta: zig-zag 1 is 2; make it 0.
        assertThat(buf.getByte(second + 3)).isEqualTo((byte) 2);
        buf.setByte(second + 3, 0);
        batch().updateCrc();
        assertThat(validate()).isTrue();
    }

    @Test
    void rejectsControlBatchFromAClient() {
        buf = TestBatches.spec().build();
        buf.setShort(
                RecordBatchDescriptor.ATTRIBUTES_OFFSET,
                batch().attributes() | RecordBatchDescriptor.CONTROL_FLAG_MASK);
        batch().updateCrc();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void rejectsIdempotentBatchWithoutSequence() {
        buf = TestBatches.spec().idempotent(7L, (short) 0, 0).build();
        buf.setInt(RecordBatchDescriptor.BASE_SEQUENCE_OFFSET, -1);
        batch().updateCrc();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void rejectsNullKeyOnCompactedTopicWithRecordErrors() {
        buf = TestBatches.spec().count(3).nullKeys().timestamp(NOW).build();
        ValidationRules compacted =
                new ValidationRules(1_048_588, true, TimestampType.CREATE_TIME, Long.MAX_VALUE, 3_600_000L);
        assertThat(validate(compacted)).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
        assertThat(result.recordErrors()).hasSize(3);
        assertThat(result.recordErrors().get(0).batchIndex()).isEqualTo(0);
        assertThat(result.recordErrors().get(0).message())
                .isEqualTo("Compacted topic cannot accept message without key in topic partition t-0");
        assertThat(result.errorMessage())
                .startsWith("One or more records have been rejected due to 3 record errors in total");
    }

    @Test
    void rejectsTimestampsOutsideTheWindowWithRecordErrors() {
        buf = TestBatches.spec().count(2).timestamp(NOW + 3_600_000L).build();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_TIMESTAMP);
        assertThat(result.errorMessage()).isEqualTo("One or more records have been rejected due to invalid timestamp");
        // the first record is exactly at the edge of message.timestamp.after.max.ms; the second is past it
        assertThat(result.recordErrors()).extracting(RecordError::batchIndex).containsExactly(1);
        assertThat(result.recordErrors().get(0).message())
                .isEqualTo("Timestamp " + (NOW + 3_600_001L)
                        + " of message with offset 1 is out of range. The timestamp should be within ["
                        + (NOW - Long.MAX_VALUE)
                        + ", " + (NOW + 3_600_000L) + "]");
    }

    @Test
    void rejectsTimestampBeforeTheWindow() {
        buf = TestBatches.spec().timestamp(NOW - 10_001L).build();
        ValidationRules rules = new ValidationRules(1_048_588, false, TimestampType.CREATE_TIME, 10_000L, 3_600_000L);
        assertThat(validate(rules)).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_TIMESTAMP);
    }

    @Test
    void timestampWindowIsNotCheckedForLogAppendTimeTopics() {
        buf = TestBatches.spec().timestamp(1L).build();
        ValidationRules rules = new ValidationRules(1_048_588, false, TimestampType.LOG_APPEND_TIME, 10L, 10L);
        assertThat(validate(rules)).isTrue();
    }

    @Test
    void rejectsLogAppendTimeSetByTheProducer() {
        buf = TestBatches.spec().logAppendTime().timestamp(NOW).build();
        ValidationRules rules =
                new ValidationRules(1_048_588, false, TimestampType.LOG_APPEND_TIME, Long.MAX_VALUE, 3_600_000L);
        assertThat(validate(rules)).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_TIMESTAMP);
        assertThat(result.recordErrors()).hasSize(1);
    }

    private static Compression codec(String name) {
        switch (name) {
            case "gzip":
                return Compression.gzip().build();
            case "snappy":
                return Compression.snappy().build();
            case "lz4":
                return Compression.lz4().build();
            default:
                return Compression.zstd().build();
        }
    }

    /** Rewrites the records area of the batch in {@code buf} with {@code payload}, fixing its length and CRC. */
    private void replacePayload(byte[] payload) {
        ByteBuf b = io.netty.buffer.Unpooled.buffer(RecordBatchDescriptor.RECORDS_OFFSET + payload.length);
        b.writeBytes(buf, 0, RecordBatchDescriptor.RECORDS_OFFSET).writeBytes(payload);
        b.setInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET, b.readableBytes() - RecordBatchDescriptor.LOG_OVERHEAD);
        buf.release();
        buf = b;
        batch().updateCrc();
    }

    private byte[] payload() {
        byte[] p = new byte[buf.readableBytes() - RecordBatchDescriptor.RECORDS_OFFSET];
        buf.getBytes(RecordBatchDescriptor.RECORDS_OFFSET, p);
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void decompressesAndChecksEveryRecordOfACompressedBatch(String name) {
        buf = TestBatches.spec()
                .compression(codec(name))
                .count(10)
                .timestamp(NOW)
                .build();
        assertThat(validate()).isTrue();
        assertThat(result.recordsChecked()).isTrue();
        assertThat(result.recordCount()).isEqualTo(10);
        assertThat(result.maxTimestamp()).isEqualTo(NOW + 9);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedPayloadThatDoesNotDecompressIsCorruptMessage(String name) {
        buf = TestBatches.spec()
                .compression(codec(name))
                .count(10)
                .valueSize(200)
                .timestamp(NOW)
                .build();
        byte[] p = payload();
        byte[] garbage = new byte[p.length];
        new java.util.Random(9).nextBytes(garbage);
        replacePayload(garbage);
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.CORRUPT_BATCH);

        buf.release();
        buf = TestBatches.spec()
                .compression(codec(name))
                .count(10)
                .valueSize(200)
                .timestamp(NOW)
                .build();
        replacePayload(java.util.Arrays.copyOf(payload(), payload().length / 2));
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isIn(ValidationOutcome.CORRUPT_BATCH, ValidationOutcome.INVALID_RECORD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchWithFewerRecordsThanItsCountIsInvalidRecord(String name) {
        ByteBuf five = TestBatches.spec()
                .compression(codec(name))
                .count(5)
                .timestamp(NOW)
                .build();
        byte[] fivePayload = new byte[five.readableBytes() - RecordBatchDescriptor.RECORDS_OFFSET];
        five.getBytes(RecordBatchDescriptor.RECORDS_OFFSET, fivePayload);
        five.release();
        buf = TestBatches.spec()
                .compression(codec(name))
                .count(10)
                .timestamp(NOW)
                .build();
        replacePayload(fivePayload);
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
    }

    @Test
    void compressedNullKeyOnACompactedTopicIsARecordError() {
        buf = TestBatches.spec()
                .compression(Compression.zstd().build())
                .count(3)
                .nullKeys()
                .timestamp(NOW)
                .build();
        assertThat(validate(
                        new ValidationRules(1_048_588, true, TimestampType.CREATE_TIME, Long.MAX_VALUE, 3_600_000L)))
                .isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
        assertThat(result.recordErrors()).hasSize(3);
    }

    @Test
    void decompressionBombIsRefusedAfterTheCapWithoutBufferingIt() {
        // One 8 MiB record of zeros compresses to a few hundred bytes; the cap here is 1 MiB.
        buf = TestBatches.copy(org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
                        Compression.zstd().build(),
                        new org.apache.kafka.common.record.internal.SimpleRecord(
                                NOW, "k".getBytes(), new byte[8 << 20]))
                .buffer());
        assertThat(buf.readableBytes()).isLessThan(4096);
        BatchValidator capped = new BatchValidator(new DecompressingRecordSource(1 << 20));
        assertThat(capped.validate(buf, DEFAULT_RULES, "t-0", NOW, result)).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
        assertThat(result.diagnostic()).contains("decompresses to more than");
        // Under the default cap the same batch is fine.
        assertThat(validate()).isTrue();
    }

    @Test
    void rejectsUnknownCompressionCodecAsUnknownServerError() {
        buf = TestBatches.spec().build();
        buf.setShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET, batch().attributes() | 5);
        batch().updateCrc();
        assertThat(validate()).isFalse();
        assertThat(result.outcome()).isEqualTo(ValidationOutcome.UNKNOWN_COMPRESSION_CODEC);
        assertThat(result.isRequestLevel()).isFalse();
    }

    @Test
    void framingErrorsAreRequestLevelWithKafkasMessage() {
        buf = TestBatches.spec().build();
        buf.setByte(RecordBatchDescriptor.MAGIC_OFFSET, 5);
        assertThat(validate()).isFalse();
        assertThat(result.isRequestLevel()).isTrue();
        assertThat(result.errorMessage()).isEqualTo("Invalid magic found in record: 5");
    }

    @Test
    void validatesABatchAtANonZeroReaderIndex() {
        ByteBuf one = TestBatches.spec().count(2).timestamp(NOW).build();
        buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        buf.writeZero(7).writeBytes(one, 0, one.readableBytes());
        buf.readerIndex(7);
        one.release();
        assertThat(validate()).isTrue();
        assertThat(result.batchOffset()).isEqualTo(7);
    }
}
