package io.skiff.storage;

import static io.skiff.wire.record.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE;
import static io.skiff.wire.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_V2;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.record.RecordBatch;

/**
 * The integrity checks of a follower append, made on the caller's thread before the log's lock:
 * the records of a leader's fetch response are whole batches (a trailing partial batch, which a
 * fetch response may end with when it hit its byte limit, is left out, as Kafka's follower leaves
 * it out), each with a plausible size, magic 2, a valid CRC32C and a last offset delta that is not
 * negative, their offsets increasing from batch to batch. Nothing is re-validated beyond that: the
 * leader validated the records. Stateless.
 */
final class FollowerBatches {
    private FollowerBatches() {}

    /**
     * The number of bytes, from {@code records}' reader index (borrowed, not moved), of the whole
     * batches that lead it; 0 when it holds none (empty, or one partial batch). {@code
     * gapsAllowed}: whether a batch may start above the previous one's last offset + 1 (a
     * compacted log), else it must start exactly there.
     */
    static int wholeBatchesLength(ByteBuf records, RecordBatch scratch, boolean gapsAllowed, String name)
            throws CorruptRecordsException, UnexpectedAppendOffsetException {
        int start = records.readerIndex();
        int end = records.writerIndex();
        int at = start;
        long previousLast = -1L;
        while (end - at >= LOG_OVERHEAD) {
            long batchSize = (long) records.getInt(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
            if (batchSize < HEADER_SIZE) {
                throw new CorruptRecordsException("A batch of " + batchSize + " bytes, below the " + HEADER_SIZE
                        + "-byte header, at byte " + (at - start) + " of a follower append to " + name);
            }
            if (batchSize > end - at) {
                break; // the partial batch a fetch response may end with
            }
            RecordBatch batch = scratch.wrap(records, at);
            byte magic = records.getByte(at + MAGIC_OFFSET);
            if (magic != MAGIC_V2) {
                throw new CorruptRecordsException("A batch of magic " + magic + " at offset " + batch.baseOffset()
                        + " in a follower append to " + name);
            }
            if (!batch.isValid()) {
                throw new CorruptRecordsException("A batch with a CRC mismatch at offset " + batch.baseOffset()
                        + " in a follower append to " + name);
            }
            if (batch.baseOffset() < 0 || batch.lastOffsetDelta() < 0 || batch.lastOffset() < batch.baseOffset()) {
                throw new CorruptRecordsException("A batch with base offset " + batch.baseOffset()
                        + " and last offset delta " + batch.lastOffsetDelta() + " in a follower append to " + name);
            }
            if (previousLast >= 0) {
                long expected = previousLast + 1;
                if (batch.baseOffset() < expected || (!gapsAllowed && batch.baseOffset() != expected)) {
                    throw new UnexpectedAppendOffsetException(
                            "A batch at offset " + batch.baseOffset() + " after one ending at " + previousLast
                                    + " in a follower append to " + name
                                    + (gapsAllowed
                                            ? ""
                                            : " (offsets must be contiguous: cleanup.policy is not compact)"),
                            batch.baseOffset(),
                            expected);
                }
            }
            previousLast = batch.lastOffset();
            at += (int) batchSize;
        }
        return at - start;
    }
}
