package io.skiff.wire.record;

import static io.skiff.wire.record.RecordBatchDescriptor.ATTRIBUTES_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BASE_OFFSET_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BASE_SEQUENCE_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BASE_TIMESTAMP_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.CRC_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE;
import static io.skiff.wire.record.RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_V2;
import static io.skiff.wire.record.RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.NO_PARTITION_LEADER_EPOCH;
import static io.skiff.wire.record.RecordBatchDescriptor.NO_PRODUCER_EPOCH;
import static io.skiff.wire.record.RecordBatchDescriptor.NO_PRODUCER_ID;
import static io.skiff.wire.record.RecordBatchDescriptor.NO_SEQUENCE;
import static io.skiff.wire.record.RecordBatchDescriptor.PARTITION_LEADER_EPOCH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.PRODUCER_EPOCH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.PRODUCER_ID_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.RECORDS_COUNT_OFFSET;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.skiff.wire.protocol.Wire;
import java.util.List;

/**
 * Builds an uncompressed v2 record batch from keys and values, for records the broker writes
 * itself (coordinator state, control markers). Base offset 0 (the log assigns offsets), every
 * record at the same timestamp, no headers, no producer unless one is given. Stateless.
 */
public final class RecordBatchBuilder {
    private RecordBatchBuilder() {}

    /**
     * A new batch (owned by the caller) holding one record per key/value pair; a null key or
     * value is written as null. {@code keys} and {@code values} have the same size, at least one.
     */
    public static ByteBuf build(ByteBufAllocator alloc, long timestampMs, List<byte[]> keys, List<byte[]> values) {
        return build(alloc, timestampMs, NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_SEQUENCE, 0, keys, values);
    }

    /** As {@link #build(ByteBufAllocator, long, List, List)}, with a producer and extra attribute bits. */
    public static ByteBuf build(
            ByteBufAllocator alloc,
            long timestampMs,
            long producerId,
            short producerEpoch,
            int baseSequence,
            int attributeFlags,
            List<byte[]> keys,
            List<byte[]> values) {
        int n = keys.size();
        if (n == 0 || values.size() != n) {
            throw new IllegalArgumentException("a batch needs as many values as keys, and at least one record");
        }
        int size = HEADER_SIZE;
        for (int i = 0; i < n; i++) {
            size += recordSize(i, keys.get(i), values.get(i));
        }
        ByteBuf out = alloc.buffer(size);
        out.writerIndex(HEADER_SIZE);
        for (int i = 0; i < n; i++) {
            byte[] k = keys.get(i);
            byte[] v = values.get(i);
            Wire.writeVarint(out, bodySize(i, k, v));
            out.writeByte(0); // attributes
            Wire.writeVarlong(out, 0L); // timestamp delta
            Wire.writeVarint(out, i); // offset delta
            writeNullableBytes(out, k);
            writeNullableBytes(out, v);
            Wire.writeVarint(out, 0); // headers
        }
        out.setLong(BASE_OFFSET_OFFSET, 0L);
        out.setInt(BATCH_LENGTH_OFFSET, out.writerIndex() - LOG_OVERHEAD);
        out.setInt(PARTITION_LEADER_EPOCH_OFFSET, NO_PARTITION_LEADER_EPOCH);
        out.setByte(MAGIC_OFFSET, MAGIC_V2);
        out.setShort(ATTRIBUTES_OFFSET, attributeFlags);
        out.setInt(LAST_OFFSET_DELTA_OFFSET, n - 1);
        out.setLong(BASE_TIMESTAMP_OFFSET, timestampMs);
        out.setLong(MAX_TIMESTAMP_OFFSET, timestampMs);
        out.setLong(PRODUCER_ID_OFFSET, producerId);
        out.setShort(PRODUCER_EPOCH_OFFSET, producerEpoch);
        out.setInt(BASE_SEQUENCE_OFFSET, baseSequence);
        out.setInt(RECORDS_COUNT_OFFSET, n);
        out.setInt(CRC_OFFSET, 0);
        new RecordBatch().wrap(out, 0).updateCrc();
        return out;
    }

    private static void writeNullableBytes(ByteBuf out, byte[] b) {
        if (b == null) {
            Wire.writeVarint(out, -1);
        } else {
            Wire.writeVarint(out, b.length);
            out.writeBytes(b);
        }
    }

    private static int bodySize(int offsetDelta, byte[] key, byte[] value) {
        return 1
                + Wire.sizeOfVarlong(0L)
                + Wire.sizeOfVarint(offsetDelta)
                + (key == null ? Wire.sizeOfVarint(-1) : Wire.sizeOfVarint(key.length) + key.length)
                + (value == null ? Wire.sizeOfVarint(-1) : Wire.sizeOfVarint(value.length) + value.length)
                + Wire.sizeOfVarint(0);
    }

    private static int recordSize(int offsetDelta, byte[] key, byte[] value) {
        int body = bodySize(offsetDelta, key, value);
        return Wire.sizeOfVarint(body) + body;
    }
}
