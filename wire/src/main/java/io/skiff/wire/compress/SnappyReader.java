package io.skiff.wire.compress;

import static io.skiff.wire.compress.SnappyFramingDescriptor.CHUNK_LENGTH_LENGTH;
import static io.skiff.wire.compress.SnappyFramingDescriptor.HEADER_LENGTH;
import static io.skiff.wire.compress.SnappyFramingDescriptor.MAGIC_HEAD;
import static io.skiff.wire.compress.SnappyFramingDescriptor.MAGIC_LENGTH;
import static io.skiff.wire.compress.SnappyFramingDescriptor.MAGIC_TAIL;
import static io.skiff.wire.compress.SnappyFramingDescriptor.MAX_EXPANSION;
import static io.skiff.wire.compress.SnappyFramingDescriptor.MIN_VERSION;
import static io.skiff.wire.compress.SnappyFramingDescriptor.VERSION_OFFSET;

import java.io.IOException;
import org.xerial.snappy.Snappy;

/**
 * Reads snappy-java's stream framing ({@link SnappyFramingDescriptor}) chunk by chunk, each chunk
 * decompressed with {@link Snappy#uncompress(byte[], int, int, byte[], int)} into one reused
 * buffer. A chunk comes straight from the source's array, or is first copied into a reused
 * scratch array when the source is direct. A payload without the header is one raw snappy block.
 *
 * <p>What is accepted is what snappy-java's stream reader accepts: an empty payload is an error;
 * 1 to 3 bytes after the last chunk are ignored; a header repeated at a chunk boundary is
 * skipped, and is an error only if it names an older version. A chunk's declared decompressed
 * length is checked against the size of the chunk and the remaining limit before any buffer
 * grows. Not thread-safe.
 */
final class SnappyReader extends DecompressingStream {
    private byte[] out = EMPTY;
    private byte[] scratch = EMPTY;
    private boolean started;
    private boolean finished;

    SnappyReader(long maxDecompressedBytes) {
        super(Codecs.SNAPPY, maxDecompressedBytes);
    }

    @Override
    void begin() {
        started = false;
        finished = false;
    }

    @Override
    boolean decode() throws IOException {
        if (!started) {
            started = true;
            if (sourceRemaining() == 0) {
                throw new IOException("empty snappy payload");
            }
            if (!hasHeader()) {
                finished = true;
                int length = sourceRemaining();
                sourcePosition = sourceEnd;
                return uncompress(sourceStart, length) > 0;
            }
            sourcePosition += HEADER_LENGTH;
        }
        while (!finished) {
            if (sourceRemaining() < CHUNK_LENGTH_LENGTH) {
                finished = true;
                return false;
            }
            int length = source.getInt(sourcePosition);
            sourcePosition += CHUNK_LENGTH_LENGTH;
            if (length == MAGIC_HEAD) {
                repeatedHeader();
                continue;
            }
            if (length <= 0) {
                throw new IOException("invalid snappy chunk length " + length);
            }
            require(sourcePosition, length, "snappy chunk");
            int at = sourcePosition;
            sourcePosition += length;
            if (uncompress(at, length) > 0) {
                return true;
            }
        }
        return false;
    }

    private boolean hasHeader() {
        return sourceRemaining() >= HEADER_LENGTH
                && source.getInt(sourcePosition) == MAGIC_HEAD
                && source.getInt(sourcePosition + MAGIC_LENGTH / 2) == MAGIC_TAIL;
    }

    /**
     * A header at a chunk boundary (concatenated streams), its first 4 bytes read: skipped. Like
     * snappy-java's reader, which reads on after a repeated header whose magic is otherwise wrong,
     * only the version of a header with the whole magic is checked.
     */
    private void repeatedHeader() throws IOException {
        int headerStart = sourcePosition - CHUNK_LENGTH_LENGTH;
        require(headerStart, HEADER_LENGTH, "repeated snappy stream header");
        if (source.getInt(headerStart + MAGIC_LENGTH / 2) == MAGIC_TAIL) {
            int version = source.getInt(headerStart + VERSION_OFFSET);
            if (version < MIN_VERSION) {
                throw new IOException("snappy stream version " + version + " is too old");
            }
        }
        sourcePosition = headerStart + HEADER_LENGTH;
    }

    /** Decompresses the raw snappy block at [index, index + length) of the source into out. */
    private int uncompress(int index, int length) throws IOException {
        byte[] in;
        int inOffset;
        if (source.hasArray()) {
            in = source.array();
            inOffset = source.arrayOffset() + index;
        } else {
            scratch = ensureCapacity(scratch, length);
            source.getBytes(index, scratch, 0, length);
            in = scratch;
            inOffset = 0;
        }
        int declared = Snappy.uncompressedLength(in, inOffset, length);
        if (declared < 0 || declared > (long) MAX_EXPANSION * length) {
            throw new IOException("snappy block of " + length + " bytes declares " + declared + " decompressed bytes");
        }
        if (declared > maxDecompressedBytes - produced) {
            throw new DecompressionLimitException(maxDecompressedBytes);
        }
        out = ensureCapacity(out, declared);
        int n = Snappy.uncompress(in, inOffset, length, out, 0);
        if (n != declared) {
            throw new IOException("snappy block decompressed to " + n + " bytes, declared " + declared);
        }
        chunk = out;
        chunkPosition = 0;
        chunkLimit = n;
        return n;
    }

    @Override
    void trim() {
        out = trimmed(out);
        scratch = trimmed(scratch);
    }
}
