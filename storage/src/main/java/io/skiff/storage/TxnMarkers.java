package io.skiff.storage;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.skiff.wire.protocol.Wire;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchBuilder;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.util.List;

/**
 * Transaction markers in Apache Kafka's format: a control batch (attributes transactional +
 * control, base sequence -1) of the producer's id and epoch holding one record whose
 *
 * <pre>
 * key   = int16 version (0) | int16 type (0 = abort, 1 = commit)      (ControlRecordType)
 * value = int16 version (0) | int32 coordinatorEpoch                  (EndTxnMarker)
 * </pre>
 *
 * Builds them for {@link PartitionLog#appendTxnMarker} and reads them back for recovery.
 * Stateless.
 */
final class TxnMarkers {
    static final short CONTROL_KEY_VERSION = 0;
    static final short TYPE_ABORT = 0;
    static final short TYPE_COMMIT = 1;
    static final short MARKER_VALUE_VERSION = 0;
    /** Answer of {@link #controlType} for a control record that is not a transaction marker or cannot be read. */
    static final int NOT_A_MARKER = -1;

    private static final int KEY_SIZE = 4;
    private static final int VALUE_SIZE = 6;

    private TxnMarkers() {}

    /** A new marker batch (owned by the caller), base offset 0, every timestamp {@code timestampMs}. */
    static ByteBuf build(
            ByteBufAllocator alloc,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            long timestampMs) {
        byte[] key = new byte[KEY_SIZE];
        short type = commit ? TYPE_COMMIT : TYPE_ABORT;
        key[0] = (byte) (CONTROL_KEY_VERSION >> 8);
        key[1] = (byte) CONTROL_KEY_VERSION;
        key[2] = (byte) (type >> 8);
        key[3] = (byte) type;
        byte[] value = new byte[VALUE_SIZE];
        value[0] = (byte) (MARKER_VALUE_VERSION >> 8);
        value[1] = (byte) MARKER_VALUE_VERSION;
        value[2] = (byte) (coordinatorEpoch >>> 24);
        value[3] = (byte) (coordinatorEpoch >>> 16);
        value[4] = (byte) (coordinatorEpoch >>> 8);
        value[5] = (byte) coordinatorEpoch;
        return RecordBatchBuilder.build(
                alloc,
                timestampMs,
                producerId,
                producerEpoch,
                RecordBatchDescriptor.NO_SEQUENCE,
                RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK | RecordBatchDescriptor.CONTROL_FLAG_MASK,
                List.of(key),
                List.of(value));
    }

    /**
     * The control type of the first record of the control batch wrapped by {@code batch} (whole
     * batch readable, uncompressed as Kafka writes markers): {@link #TYPE_ABORT}, {@link
     * #TYPE_COMMIT}, or {@link #NOT_A_MARKER}.
     */
    static int controlType(RecordBatch batch) {
        int key = keyOffset(batch);
        if (key < 0) {
            return NOT_A_MARKER;
        }
        ByteBuf buf = batch.buffer();
        short type = buf.getShort(key + 2);
        return buf.getShort(key) >= 0 && (type == TYPE_ABORT || type == TYPE_COMMIT) ? type : NOT_A_MARKER;
    }

    /** The coordinator epoch in the marker value of the control batch wrapped by {@code batch}, or -1. */
    static int coordinatorEpoch(RecordBatch batch) {
        int key = keyOffset(batch);
        if (key < 0) {
            return -1;
        }
        ByteBuf buf = batch.buffer();
        int at = key + KEY_SIZE;
        int end = batch.offset() + batch.sizeInBytes();
        ByteBuf view = buf.slice(at, end - at);
        int valueLength = Wire.readVarint(view);
        if (valueLength < VALUE_SIZE || view.readableBytes() < valueLength) {
            return -1;
        }
        return view.getInt(view.readerIndex() + 2);
    }

    /** Position in the batch's buffer of the first record's 4-byte key, or -1 when it has none. */
    private static int keyOffset(RecordBatch batch) {
        if (!batch.isControl() || batch.isCompressed() || batch.recordsCount() < 1) {
            return -1;
        }
        int start = batch.offset() + RecordBatchDescriptor.RECORDS_OFFSET;
        int end = batch.offset() + batch.sizeInBytes();
        if (end - start < 8) {
            return -1;
        }
        ByteBuf view = batch.buffer().slice(start, end - start);
        try {
            Wire.readVarint(view); // record length
            view.skipBytes(1); // attributes
            Wire.readVarlong(view); // timestamp delta
            Wire.readVarint(view); // offset delta
            int keyLength = Wire.readVarint(view);
            if (keyLength < KEY_SIZE || view.readableBytes() < keyLength) {
                return -1;
            }
            return start + view.readerIndex();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
