package io.skiff.wire.record;

import static io.skiff.wire.record.RecordBatchDescriptor.ATTRIBUTES_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BASE_OFFSET_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BASE_SEQUENCE_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BASE_TIMESTAMP_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.COMPRESSION_CODEC_MASK;
import static io.skiff.wire.record.RecordBatchDescriptor.CONTROL_FLAG_MASK;
import static io.skiff.wire.record.RecordBatchDescriptor.CRC_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.DELETE_HORIZON_FLAG_MASK;
import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE;
import static io.skiff.wire.record.RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.NO_SEQUENCE;
import static io.skiff.wire.record.RecordBatchDescriptor.PARTITION_LEADER_EPOCH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.PRODUCER_EPOCH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.PRODUCER_ID_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.RECORDS_COUNT_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.TIMESTAMP_TYPE_MASK;
import static io.skiff.wire.record.RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A flyweight over one record batch (magic 2) held in a {@link ByteBuf}: reads header fields in
 * place and patches the fields a broker assigns (base offset, partition leader epoch, and the
 * LogAppendTime max timestamp with its CRC). Layout in {@link RecordBatchDescriptor}.
 *
 * <p>{@link #wrap} borrows the buffer: the flyweight neither retains nor releases it, and must not
 * be used after the buffer is released. {@code wrap} checks nothing; callers check that
 * {@link RecordBatchDescriptor#HEADER_SIZE} bytes (or at least the fields they read) are present.
 * Not thread-safe; reuse one instance per thread.
 */
public final class RecordBatch {
    private final CRC32C crc = new CRC32C();
    private ByteBuf buf;
    private int offset;

    /** Points this flyweight at the batch starting at absolute index {@code offset} of {@code buf} (borrowed). */
    public RecordBatch wrap(ByteBuf buf, int offset) {
        this.buf = buf;
        this.offset = offset;
        return this;
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the batch's first byte in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    public long baseOffset() {
        return buf.getLong(offset + BASE_OFFSET_OFFSET);
    }

    public int batchLength() {
        return buf.getInt(offset + BATCH_LENGTH_OFFSET);
    }

    /** Whole batch size: the batch length plus the {@link RecordBatchDescriptor#LOG_OVERHEAD} before it. */
    public int sizeInBytes() {
        return LOG_OVERHEAD + batchLength();
    }

    public int partitionLeaderEpoch() {
        return buf.getInt(offset + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buf.getByte(offset + MAGIC_OFFSET);
    }

    /** The stored CRC32C, as an unsigned value. */
    public long checksum() {
        return buf.getUnsignedInt(offset + CRC_OFFSET);
    }

    public short attributes() {
        return buf.getShort(offset + ATTRIBUTES_OFFSET);
    }

    public int compressionCodecId() {
        return attributes() & COMPRESSION_CODEC_MASK;
    }

    /** The batch's codec, or null when the codec bits name no codec. */
    public CompressionType compressionType() {
        return CompressionType.forId(compressionCodecId());
    }

    public boolean isCompressed() {
        return compressionCodecId() != 0;
    }

    public TimestampType timestampType() {
        return (attributes() & TIMESTAMP_TYPE_MASK) == 0 ? TimestampType.CREATE_TIME : TimestampType.LOG_APPEND_TIME;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_FLAG_MASK) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_FLAG_MASK) != 0;
    }

    public boolean hasDeleteHorizon() {
        return (attributes() & DELETE_HORIZON_FLAG_MASK) != 0;
    }

    public int lastOffsetDelta() {
        return buf.getInt(offset + LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    public long nextOffset() {
        return lastOffset() + 1;
    }

    public long baseTimestamp() {
        return buf.getLong(offset + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(offset + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buf.getLong(offset + PRODUCER_ID_OFFSET);
    }

    public boolean hasProducerId() {
        return producerId() > RecordBatchDescriptor.NO_PRODUCER_ID;
    }

    public short producerEpoch() {
        return buf.getShort(offset + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buf.getInt(offset + BASE_SEQUENCE_OFFSET);
    }

    /** The sequence of the last record, wrapping past Integer.MAX_VALUE to 0; NO_SEQUENCE if none. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        return incrementSequence(base, lastOffsetDelta());
    }

    public int recordsCount() {
        return buf.getInt(offset + RECORDS_COUNT_OFFSET);
    }

    /** Adds {@code increment} to a producer sequence, wrapping past Integer.MAX_VALUE to 0. */
    public static int incrementSequence(int sequence, int increment) {
        if (sequence > Integer.MAX_VALUE - increment) {
            return increment - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + increment;
    }

    /** Subtracts {@code decrement} from a producer sequence, the inverse of {@link #incrementSequence}. */
    public static int decrementSequence(int sequence, int decrement) {
        if (sequence < decrement) {
            return Integer.MAX_VALUE - (decrement - sequence) + 1;
        }
        return sequence - decrement;
    }

    /** Sets the base offset (outside the CRC: no CRC change). */
    public void setBaseOffset(long baseOffset) {
        buf.setLong(offset + BASE_OFFSET_OFFSET, baseOffset);
    }

    /** Sets the partition leader epoch (outside the CRC: no CRC change). */
    public void setPartitionLeaderEpoch(int epoch) {
        buf.setInt(offset + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    /**
     * Sets the timestamp type bit and the max timestamp, then recomputes the CRC; does nothing
     * when both already hold these values (the CRC is then left alone).
     */
    public void setMaxTimestampAndType(TimestampType type, long maxTimestamp) {
        if (timestampType() == type && maxTimestamp() == maxTimestamp) {
            return;
        }
        short attributes = attributes();
        int updated = type == TimestampType.LOG_APPEND_TIME
                ? attributes | TIMESTAMP_TYPE_MASK
                : attributes & ~TIMESTAMP_TYPE_MASK;
        buf.setShort(offset + ATTRIBUTES_OFFSET, updated);
        buf.setLong(offset + MAX_TIMESTAMP_OFFSET, maxTimestamp);
        buf.setInt(offset + CRC_OFFSET, (int) computeCrc());
    }

    /** Recomputes and stores the CRC (after a change to bytes the CRC covers). */
    public void updateCrc() {
        buf.setInt(offset + CRC_OFFSET, (int) computeCrc());
    }

    /** CRC32C of the bytes from the attributes to the end of the batch (as the batch length says). */
    public long computeCrc() {
        crc.reset();
        int start = offset + ATTRIBUTES_OFFSET;
        int length = sizeInBytes() - ATTRIBUTES_OFFSET;
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + start, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(start, length));
        } else {
            for (ByteBuffer part : buf.nioBuffers(start, length)) {
                crc.update(part);
            }
        }
        return crc.getValue();
    }

    /** True when the batch is at least a header long and its stored CRC matches its bytes. */
    public boolean isValid() {
        int size = sizeInBytes();
        return size >= HEADER_SIZE && offset + size <= buf.capacity() && checksum() == computeCrc();
    }

    @Override
    public String toString() {
        return "RecordBatch(baseOffset=" + baseOffset() + ", lastOffset=" + lastOffset() + ", size=" + sizeInBytes()
                + ", magic=" + magic() + ", count=" + recordsCount() + ")";
    }
}
