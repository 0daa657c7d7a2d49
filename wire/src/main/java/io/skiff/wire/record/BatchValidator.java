package io.skiff.wire.record;

import static io.skiff.wire.record.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.CURRENT_MAGIC;
import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE;
import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE_UP_TO_MAGIC;
import static io.skiff.wire.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_V2;
import static io.skiff.wire.record.RecordBatchDescriptor.MIN_LEGACY_RECORD_OVERHEAD;
import static io.skiff.wire.record.RecordBatchDescriptor.NO_TIMESTAMP;
import static io.skiff.wire.record.ValidationOutcome.BATCH_TOO_LARGE;
import static io.skiff.wire.record.ValidationOutcome.CORRUPT_BATCH;
import static io.skiff.wire.record.ValidationOutcome.INVALID_RECORD;
import static io.skiff.wire.record.ValidationOutcome.INVALID_TIMESTAMP;
import static io.skiff.wire.record.ValidationOutcome.UNKNOWN_COMPRESSION_CODEC;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Checks the records of one partition of a Produce request before the leader appends them, and
 * answers with the {@link ValidationOutcome} matching the protocol error Apache Kafka gives for
 * each defect (the error names below), in Kafka's order:
 *
 * <ol>
 *   <li>framing, as Kafka's request check reads it: a batch length below 14 or an unknown magic
 *       is CORRUPT_MESSAGE (with a message); no complete batch, a magic other than 2, or more than
 *       one batch is INVALID_RECORD (no message); incomplete bytes after the batch are ignored (the
 *       caller appends only {@link ValidationResult#batchSize()} bytes). Kafka answers these with
 *       log start offset -1 ({@link ValidationResult#isRequestLevel()});</li>
 *   <li>the batch as the log checks it: a base offset other than 0 is INVALID_RECORD, a batch
 *       larger than max.message.bytes MESSAGE_TOO_LARGE, a short batch or a CRC32C mismatch
 *       CORRUPT_MESSAGE;</li>
 *   <li>the batch header as the log validator checks it (all INVALID_RECORD): last offset delta
 *       and record count consistent and positive, no control batch from a client, a sequence for
 *       every idempotent batch; compression codec bits naming no codec (5-7) fail as Kafka fails
 *       them, with UNKNOWN_SERVER_ERROR;</li>
 *   <li>every record: a malformed record or a count that does not match the bytes fails the whole
 *       batch with INVALID_RECORD; a null key on a compacted topic (INVALID_RECORD) and a
 *       CreateTime timestamp outside the configured window or a producer-set LogAppendTime
 *       (INVALID_TIMESTAMP) are reported per record, INVALID_TIMESTAMP winning.</li>
 * </ol>
 *
 * Record offset deltas are not checked, as Kafka does not check them for magic 2.
 *
 * <p>Compressed batches: the records are read through a decompressing {@link RecordSource}
 * (by default a {@link DecompressingRecordSource}) and checked like uncompressed ones. A payload
 * that does not decompress is CORRUPT_MESSAGE (Apache Kafka 4.3.1 answers UNKNOWN_SERVER_ERROR
 * there; Skiff names the defect), and a batch that decompresses past the cap of the source is
 * INVALID_RECORD (a decompression bomb; Kafka has no cap).
 *
 * <p>Borrows the buffer it validates and does not modify it. Not thread-safe: use one instance
 * per thread; it allocates nothing on success.
 */
public final class BatchValidator {
    private final RecordBatch batch = new RecordBatch();
    private final RecordView view = new RecordView();
    private final UncompressedRecordSource uncompressed = new UncompressedRecordSource();
    private final RecordSource decompressing;

    /** A validator that reads compressed batches through a {@link DecompressingRecordSource}. */
    public BatchValidator() {
        this(new DecompressingRecordSource());
    }

    /** A validator that reads compressed batches through {@code decompressing} (may be null). */
    public BatchValidator(RecordSource decompressing) {
        this.decompressing = decompressing;
    }

    /**
     * Validates the readable bytes of {@code records} (borrowed) for an append as leader of
     * {@code topicPartition} (used in messages) at time {@code nowMs}. Returns true when valid;
     * the details are in {@code out} either way.
     */
    public boolean validate(
            ByteBuf records, ValidationRules rules, String topicPartition, long nowMs, ValidationResult out) {
        out.clear();
        int start = records.readerIndex();
        int end = records.writerIndex();

        // 1. Framing: the first batch and whether a second one follows.
        out.requestLevel = true;
        int firstSize = nextBatchSize(records, start, end, out);
        if (firstSize < 0) {
            return false;
        }
        if (firstSize == 0) {
            return out.fail(INVALID_RECORD, "Produce requests must have at least one record batch per partition");
        }
        byte magic = records.getByte(start + MAGIC_OFFSET);
        if (magic != MAGIC_V2) {
            return out.fail(
                    INVALID_RECORD, "Produce requests are only allowed to contain record batches with magic version 2");
        }
        int secondSize = nextBatchSize(records, start + firstSize, end, out);
        if (secondSize < 0) {
            return false;
        }
        if (secondSize > 0) {
            return out.fail(
                    INVALID_RECORD,
                    "Produce requests are only allowed to contain exactly one record batch per partition");
        }

        // 2. The batch as a whole.
        out.requestLevel = false;
        batch.wrap(records, start);
        out.batchOffset = start;
        out.batchSize = firstSize;
        if (batch.baseOffset() != 0) {
            return out.fail(
                    INVALID_RECORD,
                    "The baseOffset of the record batch in the append to " + topicPartition + " should be 0, but it is "
                            + batch.baseOffset());
        }
        if (firstSize > rules.maxMessageBytes()) {
            return out.fail(
                    BATCH_TOO_LARGE,
                    "The record batch size in the append to " + topicPartition + " is " + firstSize
                            + " bytes which exceeds the maximum configured value of " + rules.maxMessageBytes() + ".");
        }
        if (firstSize < HEADER_SIZE || !batch.isValid()) {
            return out.fail(
                    CORRUPT_BATCH,
                    "Record is corrupt (stored crc = " + (firstSize >= HEADER_SIZE ? batch.checksum() : -1)
                            + ") in topic partition " + topicPartition + ".");
        }

        // 3. Header consistency.
        long countFromOffsets = (long) batch.lastOffsetDelta() + 1;
        int count = batch.recordsCount();
        if (countFromOffsets <= 0) {
            return out.fail(
                    INVALID_RECORD,
                    "Batch has an invalid offset range: [0, " + batch.lastOffsetDelta() + "] in topic partition "
                            + topicPartition);
        }
        if (count <= 0) {
            return out.fail(
                    INVALID_RECORD,
                    "Invalid reported count for record batch: " + count + " in topic partition " + topicPartition);
        }
        if (countFromOffsets != count) {
            return out.fail(
                    INVALID_RECORD,
                    "Inconsistent batch offset range [0, " + batch.lastOffsetDelta() + "] and count of records " + count
                            + " in topic partition " + topicPartition);
        }
        if (batch.isControl()) {
            return out.fail(
                    INVALID_RECORD,
                    "Clients are not allowed to write control records in topic partition " + topicPartition);
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            return out.fail(
                    INVALID_RECORD,
                    "Invalid sequence number " + batch.baseSequence() + " in record batch with producerId "
                            + batch.producerId() + " in topic partition " + topicPartition);
        }
        out.recordCount = count;
        if (batch.compressionType() == null) {
            return out.fail(UNKNOWN_COMPRESSION_CODEC, "Unknown compression type id: " + batch.compressionCodecId());
        }

        // 4. Records.
        RecordSource source = uncompressed;
        if (batch.isCompressed()) {
            if (decompressing == null || !decompressing.open(batch)) {
                out.maxTimestamp = batch.maxTimestamp();
                return true;
            }
            source = decompressing;
        } else {
            source.open(batch);
        }
        try {
            return validateRecords(source, count, rules, topicPartition, nowMs, out);
        } finally {
            source.close();
        }
    }

    private boolean validateRecords(
            RecordSource source,
            int count,
            ValidationRules rules,
            String topicPartition,
            long nowMs,
            ValidationResult out) {
        boolean logAppendTimeBatch = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
        long baseTimestamp = batch.baseTimestamp();
        long batchMaxTimestamp = batch.maxTimestamp();
        boolean anyTimestampError = false;
        long maxTimestamp = NO_TIMESTAMP;
        for (int i = 0; i < count; i++) {
            if (!source.next(view)) {
                // Bytes that do not decompress are corrupt; well-decompressed bytes that are not
                // the records the header promises are an invalid record batch.
                return out.fail(source.failureIsCorruption() ? CORRUPT_BATCH : INVALID_RECORD, source.failure());
            }
            long timestamp = logAppendTimeBatch ? batchMaxTimestamp : baseTimestamp + view.timestampDelta();
            if (rules.compacted() && !view.hasKey()) {
                out.addRecordError(
                        i, "Compacted topic cannot accept message without key in topic partition " + topicPartition);
            } else if (rules.timestampType() == TimestampType.CREATE_TIME && timestamp != NO_TIMESTAMP) {
                long diff = nowMs - timestamp;
                if (diff > rules.timestampBeforeMaxMs() || -diff > rules.timestampAfterMaxMs()) {
                    anyTimestampError = true;
                    out.addRecordError(
                            i,
                            "Timestamp " + timestamp + " of message with offset " + view.offsetDelta()
                                    + " is out of range. The timestamp should be within ["
                                    + (nowMs - rules.timestampBeforeMaxMs())
                                    + ", " + (nowMs + rules.timestampAfterMaxMs()) + "]");
                }
            } else if (logAppendTimeBatch) {
                anyTimestampError = true;
                out.addRecordError(
                        i,
                        "Invalid timestamp type in message " + describe(timestamp)
                                + ". Producer should not set timestamp type to LogAppendTime.");
            }
            if (timestamp > maxTimestamp) {
                maxTimestamp = timestamp;
            }
        }
        if (source.hasRemaining()) {
            return out.fail(INVALID_RECORD, "Incorrect declared batch size, records still remaining in file");
        }
        out.recordsChecked = true;
        out.maxTimestamp = maxTimestamp;
        if (out.recordErrors != null) {
            List<RecordError> errors = out.recordErrors;
            if (anyTimestampError) {
                out.errorMessage = "One or more records have been rejected due to invalid timestamp";
                out.fail(INVALID_TIMESTAMP, out.errorMessage);
            } else {
                out.errorMessage = "One or more records have been rejected due to " + errors.size()
                        + " record errors in total, and only showing the first three errors at most: "
                        + errors.subList(0, Math.min(errors.size(), 3));
                out.fail(INVALID_RECORD, out.errorMessage);
            }
            return false;
        }
        return true;
    }

    private String describe(long timestamp) {
        return "DefaultRecord(offset=" + view.offsetDelta() + ", timestamp=" + timestamp + ", key="
                + Math.max(0, view.keyLength()) + " bytes, value=" + Math.max(0, view.valueLength()) + " bytes)";
    }

    /**
     * The size of the batch at {@code position} as Kafka's batch iterator frames it: 0 when no
     * complete batch starts there, -1 (with {@code out} failed) when the header is corrupt.
     */
    private static int nextBatchSize(ByteBuf buf, int position, int end, ValidationResult out) {
        int remaining = end - position;
        if (remaining < LOG_OVERHEAD) {
            return 0;
        }
        int batchLength = buf.getInt(position + BATCH_LENGTH_OFFSET);
        if (batchLength < MIN_LEGACY_RECORD_OVERHEAD) {
            out.fail(
                    CORRUPT_BATCH,
                    "Record size " + batchLength + " is less than the minimum record overhead ("
                            + MIN_LEGACY_RECORD_OVERHEAD + ")");
            out.errorMessage = out.diagnostic;
            return -1;
        }
        if (remaining < HEADER_SIZE_UP_TO_MAGIC) {
            return 0;
        }
        byte magic = buf.getByte(position + MAGIC_OFFSET);
        if (magic < 0 || magic > CURRENT_MAGIC) {
            out.fail(CORRUPT_BATCH, "Invalid magic found in record: " + magic);
            out.errorMessage = out.diagnostic;
            return -1;
        }
        long size = (long) batchLength + LOG_OVERHEAD;
        if (remaining < size) {
            return 0;
        }
        return (int) size;
    }
}
