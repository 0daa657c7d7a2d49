package io.skiff.storage;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.record.RecordBatchDescriptor;
import io.skiff.wire.record.Records;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A slice of one segment's {@code .log} file: record batches to send to a consumer, by
 * {@code sendfile} ({@link #channel()}, {@link #position()}, {@link #sizeInBytes()}) or by
 * {@link #copyTo} where a copy is needed (TLS). Immutable.
 *
 * <p>The channel is borrowed from the segment: this object neither owns nor closes it. The log
 * keeps a deleted segment's channel open for file.delete.delay.ms, so a slice stays readable for
 * that long after retention or DeleteRecords removed its segment. The slice may end inside a
 * batch when a fetch's byte limit falls there, as Kafka's fetch responses may.
 */
public final class FileRecords implements Records {
    private final FileChannel channel;
    private final long position;
    private final int sizeInBytes;

    FileRecords(FileChannel channel, long position, int sizeInBytes) {
        this.channel = channel;
        this.position = position;
        this.sizeInBytes = sizeInBytes;
    }

    /** The segment file's channel (borrowed; do not close, do not move its position). */
    public FileChannel channel() {
        return channel;
    }

    /** Where the slice starts in the file. */
    public long position() {
        return position;
    }

    @Override
    public int sizeInBytes() {
        return sizeInBytes;
    }

    /** Copies the slice into {@code out} (borrowed) with positional reads. */
    @Override
    public void copyTo(ByteBuf out) {
        long at = position;
        int left = sizeInBytes;
        out.ensureWritable(left);
        try {
            while (left > 0) {
                int n = out.writeBytes(channel, at, left);
                if (n < 0) {
                    throw new IOException(
                            "end of file at " + at + " while copying a slice of " + sizeInBytes + " bytes");
                }
                at += n;
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether any batch starting in this slice is compressed with {@code codecId}, read from the
     * batch headers (positional reads of their attributes; no record data is read). Used to
     * refuse zstd data to fetch versions that predate it.
     */
    public boolean anyBatchCompressedWith(int codecId) {
        ByteBuffer header =
                ByteBuffer.allocate(RecordBatchDescriptor.ATTRIBUTES_OFFSET + RecordBatchDescriptor.ATTRIBUTES_LENGTH);
        long at = position;
        long end = position + sizeInBytes;
        try {
            while (at + header.capacity() <= end) {
                header.clear();
                while (header.hasRemaining()) {
                    if (channel.read(header, at + header.position()) < 0) {
                        return false;
                    }
                }
                int batchLength = header.getInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET);
                int attributes = header.getShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET);
                if ((attributes & RecordBatchDescriptor.COMPRESSION_CODEC_MASK) == codecId) {
                    return true;
                }
                if (batchLength <= 0) {
                    return false;
                }
                at += RecordBatchDescriptor.LOG_OVERHEAD + (long) batchLength;
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "FileRecords(position=" + position + ", size=" + sizeInBytes + ")";
    }
}
