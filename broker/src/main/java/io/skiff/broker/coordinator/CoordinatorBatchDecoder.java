package io.skiff.broker.coordinator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.coordinator.runtime.RecordVisitor;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.protocol.Wire;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Hands what one stored record batch of a coordinator partition holds to a {@link RecordVisitor}:
 * each data record with the producer id and epoch of the batch header, or, for a control batch,
 * its transaction marker. A control record's key is Kafka's {@code ControlRecordType}:
 *
 * <pre>
 * key = int16 version | int16 type        (type 0 = abort, 1 = commit; others are not markers)
 * </pre>
 *
 * Control records of other types (KRaft's leader changes and snapshot markers) mean nothing to a
 * coordinator and are skipped, as Kafka's coordinator loader does. Stateless; the batch's buffer
 * is borrowed for the call (a compressed batch is inflated into a buffer released before return).
 */
final class CoordinatorBatchDecoder {
    static final short CONTROL_TYPE_ABORT = 0;
    static final short CONTROL_TYPE_COMMIT = 1;
    private static final int CONTROL_KEY_SIZE_IN_BYTES = 4;

    private CoordinatorBatchDecoder() {}

    /** Visits the records of {@code batch} at {@code fromOffset} or later, in offset order. */
    static void decode(RecordBatch batch, long fromOffset, RecordVisitor visitor) {
        ByteBuf records;
        ByteBuf owned = null;
        int start = batch.offset() + RecordBatchDescriptor.RECORDS_OFFSET;
        int length = batch.sizeInBytes() - RecordBatchDescriptor.RECORDS_OFFSET;
        if (batch.isCompressed()) {
            owned = Unpooled.buffer(length * 4);
            try (InputStream in =
                    Codecs.decompress(batch.compressionCodecId(), batch.buffer().slice(start, length))) {
                owned.writeBytes(in.readAllBytes());
            } catch (IOException e) {
                owned.release();
                throw new IllegalStateException("corrupt compressed batch in " + batch, e);
            }
            records = owned;
        } else {
            records = batch.buffer().slice(start, length);
        }
        try {
            for (int i = 0; i < batch.recordsCount(); i++) {
                int bodyLength = Wire.readVarint(records);
                int bodyEnd = records.readerIndex() + bodyLength;
                records.skipBytes(1); // attributes
                Wire.readVarlong(records); // timestamp delta
                int offsetDelta = Wire.readVarint(records);
                ByteBuffer key = slice(records, Wire.readVarint(records));
                ByteBuffer value = slice(records, Wire.readVarint(records));
                records.readerIndex(bodyEnd);
                long offset = batch.baseOffset() + offsetDelta;
                if (offset < fromOffset) {
                    continue;
                }
                if (batch.isControl()) {
                    visitControl(batch, offset, key, visitor);
                } else if (key != null) {
                    visitor.visit(offset, batch.producerId(), batch.producerEpoch(), key, value);
                }
            }
        } finally {
            if (owned != null) {
                owned.release();
            }
        }
    }

    private static void visitControl(RecordBatch batch, long offset, ByteBuffer key, RecordVisitor visitor) {
        if (key == null || key.remaining() < CONTROL_KEY_SIZE_IN_BYTES || key.getShort(key.position()) < 0) {
            throw new IllegalStateException("corrupt control record at offset " + offset + " in " + batch);
        }
        short type = key.getShort(key.position() + 2);
        if (type == CONTROL_TYPE_COMMIT || type == CONTROL_TYPE_ABORT) {
            visitor.visitEndTransactionMarker(
                    offset, batch.producerId(), batch.producerEpoch(), type == CONTROL_TYPE_COMMIT);
        }
    }

    private static ByteBuffer slice(ByteBuf buf, int length) {
        if (length < 0) {
            return null;
        }
        ByteBuffer b = buf.nioBuffer(buf.readerIndex(), length);
        buf.skipBytes(length);
        return b;
    }
}
