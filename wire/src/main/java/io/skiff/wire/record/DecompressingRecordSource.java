package io.skiff.wire.record;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.compress.DecompressingStream;
import io.skiff.wire.compress.DecompressionLimitException;
import io.skiff.wire.compress.Decompressors;
import java.io.EOFException;
import java.io.IOException;

/**
 * A {@link RecordSource} over the records of a compressed batch. Records are parsed straight off
 * the decompressed runs of the codec's stream ({@link DecompressingStream#nextChunk()}, read in
 * place, no copy), field by field; keys, values and headers are skipped, never buffered, so
 * memory stays bounded whatever the records' sizes. The total decompressed size of a batch is
 * capped ({@link #MAX_DECOMPRESSED_BYTES}): a batch that decompresses beyond it (a decompression
 * bomb) is refused after at most that much work. Not thread-safe: one instance per thread,
 * reused across batches; it owns a {@link Decompressors}, whose buffers and native state are
 * reused, so a batch is validated without allocating once the buffers have warmed up.
 */
public final class DecompressingRecordSource implements RecordSource {
    /** Largest decompressed size accepted for one batch. */
    public static final long MAX_DECOMPRESSED_BYTES = 128L << 20;

    private static final byte[] EMPTY = new byte[0];

    private final long maxDecompressedBytes;
    private final Decompressors decompressors;
    private DecompressingStream in;
    /** The current decompressed run: [position, limit) of buffer, borrowed from the stream. */
    private byte[] buffer = EMPTY;

    private int position;
    private int limit;
    private long consumed;
    private String failure;
    private boolean corruption;

    public DecompressingRecordSource() {
        this(MAX_DECOMPRESSED_BYTES);
    }

    public DecompressingRecordSource(long maxDecompressedBytes) {
        this.maxDecompressedBytes = maxDecompressedBytes;
        this.decompressors = new Decompressors(maxDecompressedBytes);
    }

    @Override
    public boolean open(RecordBatch batch) {
        close();
        if (!batch.isCompressed() || batch.compressionType() == null) {
            return false;
        }
        ByteBuf buf = batch.buffer();
        int start = batch.offset() + RecordBatchDescriptor.RECORDS_OFFSET;
        int end = batch.offset() + batch.sizeInBytes();
        buffer = EMPTY;
        position = 0;
        limit = 0;
        consumed = 0;
        failure = null;
        corruption = false;
        try {
            in = decompressors.open(batch.compressionCodecId(), buf, start, end - start);
            return true;
        } catch (IOException e) {
            // An unknown codec: report on first read.
            in = null;
            failure = "Failed to decompress record stream: " + e.getMessage();
            corruption = true;
            return true;
        }
    }

    @Override
    public boolean next(RecordView view) {
        if (in == null) {
            if (failure == null) {
                failure = "no batch is open";
            }
            return false;
        }
        long recordStart = consumed;
        try {
            int first = read();
            if (first < 0) {
                return fail("Found fewer records than the batch's record count", false);
            }
            int raw = finishVarint(first);
            int length = (raw >>> 1) ^ -(raw & 1);
            if (length < 0) {
                return fail("Invalid record size " + length, false);
            }
            if (length > maxDecompressedBytes - consumed) {
                throw new TooLarge();
            }
            long bodyStart = consumed;
            int attributes = readByte();
            long timestampDelta = readVarlong();
            int offsetDelta = readVarint();
            int keyLength = readVarint();
            skipBytes(keyLength);
            int valueLength = readVarint();
            skipBytes(valueLength);
            int headerCount = readVarint();
            if (headerCount < 0) {
                return fail("Found invalid number of record headers " + headerCount, false);
            }
            for (int i = 0; i < headerCount; i++) {
                int headerKeyLength = readVarint();
                if (headerKeyLength < 0) {
                    return fail("Invalid negative header key size " + headerKeyLength, false);
                }
                skipBytes(headerKeyLength);
                skipBytes(readVarint());
                if (consumed - bodyStart > length) {
                    break;
                }
            }
            if (consumed - bodyStart != length) {
                return fail(
                        "Invalid record size: expected to read " + length
                                + " bytes in record payload, but instead read " + (consumed - bodyStart),
                        false);
            }
            view.setStreamed(
                    (int) (consumed - recordStart),
                    attributes,
                    timestampDelta,
                    offsetDelta,
                    keyLength,
                    valueLength,
                    headerCount);
            return true;
        } catch (TooLarge | DecompressionLimitException e) {
            return fail("The batch decompresses to more than " + maxDecompressedBytes + " bytes", false);
        } catch (EOFException e) {
            return fail("Failed to decompress record stream: the records end in the middle of a record", true);
        } catch (IOException | RuntimeException e) {
            return fail("Failed to decompress record stream: " + e.getMessage(), true);
        }
    }

    @Override
    public boolean hasRemaining() {
        if (in == null) {
            return false;
        }
        try {
            return position < limit || fill() > 0;
        } catch (IOException | RuntimeException e) {
            return true; // undecodable trailing bytes are remaining bytes
        }
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public boolean failureIsCorruption() {
        return corruption;
    }

    @Override
    public void close() {
        if (in != null) {
            in.close();
            in = null;
        }
        buffer = EMPTY;
        position = 0;
        limit = 0;
    }

    /** The decompressed size passed the cap: refused, but not corrupt. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("decompressed size cap");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a control-flow signal: no stack trace needed
        }
    }

    private boolean fail(String why, boolean isCorruption) {
        failure = why;
        corruption = isCorruption;
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // buffered reading with a budget

    /** Moves on to the next decompressed run; its length, or -1 at the end of the batch's records. */
    private int fill() throws IOException {
        int n = in.nextChunk();
        if (n < 0) {
            buffer = EMPTY;
            position = 0;
            limit = 0;
            return -1;
        }
        buffer = in.chunkArray();
        position = in.chunkOffset();
        limit = position + n;
        return n;
    }

    /** Next byte, or -1 at the end of the stream. */
    private int read() throws IOException {
        if (position >= limit) {
            if (fill() <= 0) {
                return -1;
            }
        }
        consumed++;
        if (consumed > maxDecompressedBytes) {
            throw new TooLarge();
        }
        return buffer[position++] & 0xff;
    }

    private int readByte() throws IOException {
        int b = read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    private int finishVarint(int first) throws IOException {
        int value = first & 0x7f;
        int b = first;
        int shift = 7;
        while ((b & 0x80) != 0) {
            if (shift > 28) {
                throw new IOException("varint is longer than 5 bytes");
            }
            b = readByte();
            value |= (b & 0x7f) << shift;
            shift += 7;
        }
        return value; // a record length is unsigned-zigzag: decoded by the caller
    }

    private int readVarint() throws IOException {
        int raw = finishVarint(readByte());
        return (raw >>> 1) ^ -(raw & 1);
    }

    private long readVarlong() throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = readByte();
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new IOException("varlong is longer than 10 bytes");
    }

    /** Skips {@code n} bytes (nothing for a negative length, which means null). */
    private void skipBytes(int n) throws IOException {
        if (n <= 0) {
            return;
        }
        if (n > maxDecompressedBytes - consumed) {
            throw new TooLarge();
        }
        int left = n;
        while (left > 0) {
            if (position >= limit && fill() <= 0) {
                throw new EOFException();
            }
            int step = Math.min(left, limit - position);
            position += step;
            consumed += step;
            left -= step;
        }
    }
}
