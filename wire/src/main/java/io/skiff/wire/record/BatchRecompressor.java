package io.skiff.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.skiff.wire.compress.Codecs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Rewrites a record batch with another compression codec, as the broker must when a topic's
 * {@code compression.type} names a codec other than the producer's: the records are
 * decompressed (if they were compressed) and compressed again (or left uncompressed), under a
 * copy of the original header with the new codec, length and CRC. The record bytes themselves
 * are unchanged. Stateless; every call allocates the new batch.
 */
public final class BatchRecompressor {
    private BatchRecompressor() {}

    /** The codec id a topic's compression.type asks for, or -1 for "producer" (keep the batch's own). */
    public static int targetCodec(String compressionType) {
        switch (compressionType) {
            case "producer":
                return -1;
            case "uncompressed":
                return Codecs.NONE;
            case "gzip":
                return Codecs.GZIP;
            case "snappy":
                return Codecs.SNAPPY;
            case "lz4":
                return Codecs.LZ4;
            case "zstd":
                return Codecs.ZSTD;
            default:
                throw new IllegalArgumentException("unknown compression.type " + compressionType);
        }
    }

    /**
     * A new batch (owned by the caller) with the records of {@code batch} (borrowed) stored with
     * {@code targetCodec} at {@code level}. The batch must already have been validated (so its
     * decompressed size is within the validator's cap).
     */
    public static ByteBuf recompress(RecordBatch batch, int targetCodec, int level, ByteBufAllocator alloc)
            throws IOException {
        ByteBuf src = batch.buffer();
        int recordsStart = batch.offset() + RecordBatchDescriptor.RECORDS_OFFSET;
        int recordsLength = batch.sizeInBytes() - RecordBatchDescriptor.RECORDS_OFFSET;
        ByteBuf plain = null;
        ByteBuf out = alloc.buffer(RecordBatchDescriptor.RECORDS_OFFSET + recordsLength);
        try {
            ByteBuf records;
            if (batch.isCompressed()) {
                plain = alloc.buffer(Math.max(256, recordsLength * 4));
                try (InputStream in =
                        Codecs.decompress(batch.compressionCodecId(), src.slice(recordsStart, recordsLength))) {
                    byte[] chunk = new byte[8192];
                    int n;
                    while ((n = in.read(chunk)) > 0) {
                        plain.writeBytes(chunk, 0, n);
                    }
                }
                records = plain;
            } else {
                records = src.slice(recordsStart, recordsLength);
            }
            out.writeBytes(src, batch.offset(), RecordBatchDescriptor.RECORDS_OFFSET);
            if (targetCodec == Codecs.NONE) {
                out.writeBytes(records, records.readerIndex(), records.readableBytes());
            } else {
                try (OutputStream compressed = Codecs.compress(targetCodec, level, out)) {
                    records.getBytes(records.readerIndex(), compressed, records.readableBytes());
                }
            }
            out.setInt(
                    RecordBatchDescriptor.BATCH_LENGTH_OFFSET,
                    out.readableBytes() - RecordBatchDescriptor.LOG_OVERHEAD);
            short attributes = out.getShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET);
            out.setShort(
                    RecordBatchDescriptor.ATTRIBUTES_OFFSET,
                    (attributes & ~RecordBatchDescriptor.COMPRESSION_CODEC_MASK) | targetCodec);
            new RecordBatch().wrap(out, 0).updateCrc();
            return out;
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e;
        } finally {
            if (plain != null) {
                plain.release();
            }
        }
    }
}
