package io.skiff.wire.compress;

import static io.skiff.wire.compress.GzipDescriptor.CM_DEFLATE;
import static io.skiff.wire.compress.GzipDescriptor.CM_OFFSET;
import static io.skiff.wire.compress.GzipDescriptor.FIXED_HEADER_LENGTH;
import static io.skiff.wire.compress.GzipDescriptor.FLG_FCOMMENT;
import static io.skiff.wire.compress.GzipDescriptor.FLG_FEXTRA;
import static io.skiff.wire.compress.GzipDescriptor.FLG_FHCRC;
import static io.skiff.wire.compress.GzipDescriptor.FLG_FNAME;
import static io.skiff.wire.compress.GzipDescriptor.FLG_OFFSET;
import static io.skiff.wire.compress.GzipDescriptor.HEADER_CRC_LENGTH;
import static io.skiff.wire.compress.GzipDescriptor.ID1;
import static io.skiff.wire.compress.GzipDescriptor.ID1_OFFSET;
import static io.skiff.wire.compress.GzipDescriptor.ID2;
import static io.skiff.wire.compress.GzipDescriptor.ID2_OFFSET;
import static io.skiff.wire.compress.GzipDescriptor.TRAILER_CRC_OFFSET;
import static io.skiff.wire.compress.GzipDescriptor.TRAILER_ISIZE_OFFSET;
import static io.skiff.wire.compress.GzipDescriptor.TRAILER_LENGTH;
import static io.skiff.wire.compress.GzipDescriptor.XLEN_LENGTH;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Reads a gzip stream ({@link GzipDescriptor}) member by member: parses each member header
 * itself, inflates the deflate data with one reused raw {@link Inflater} (straight from the
 * source's array or its NIO buffer) into one reused buffer, and checks each member's CRC32 and
 * ISIZE trailer.
 *
 * <p>What is accepted is what {@code java.util.zip.GZIPInputStream} (Kafka's reader) accepts:
 * the first member must be well formed (an empty payload is an error); after a complete member,
 * bytes that start another well-formed member header are read as the next member, and bytes that
 * do not are ignored. The FHCRC header checksum is verified; reserved flag bits are ignored. Not
 * thread-safe; {@link #release()} frees the inflater's native memory.
 */
final class GzipReader extends DecompressingStream {
    private static final int OUT_BYTES = 32 * 1024;
    private static final int HEADER = 0;
    private static final int BODY = 1;
    private static final int DONE = 2;

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] out = new byte[OUT_BYTES];
    private int phase;
    /** Where the current member's deflate data starts, and how many bytes were given to the inflater. */
    private int inputStart;

    private int inputLength;
    private long memberBytes;

    GzipReader(long maxDecompressedBytes) {
        super(Codecs.GZIP, maxDecompressedBytes);
    }

    @Override
    void begin() {
        phase = HEADER;
    }

    @Override
    boolean decode() throws IOException {
        while (true) {
            if (phase == HEADER) {
                startMember(readHeader(sourcePosition));
            } else if (phase == BODY) {
                int n;
                try {
                    n = inflater.inflate(out, 0, out.length);
                } catch (DataFormatException e) {
                    throw new ZipException("corrupt deflate data: " + e.getMessage());
                }
                if (n > 0) {
                    crc.update(out, 0, n);
                    memberBytes += n;
                    chunk = out;
                    chunkPosition = 0;
                    chunkLimit = n;
                    return true;
                }
                if (inflater.finished()) {
                    endMember();
                } else if (inflater.needsDictionary()) {
                    throw new ZipException("deflate data asks for a preset dictionary");
                } else if (inflater.needsInput()) {
                    throw new EOFException("truncated gzip payload: the deflate data does not end");
                } else {
                    throw new ZipException("the inflater made no progress");
                }
            } else {
                return false;
            }
        }
    }

    /** Parses the member header at {@code at}; returns where its deflate data starts. */
    private int readHeader(int at) throws IOException {
        require(at, FIXED_HEADER_LENGTH, "gzip header");
        if (source.getUnsignedByte(at + ID1_OFFSET) != ID1 || source.getUnsignedByte(at + ID2_OFFSET) != ID2) {
            throw new ZipException("not in gzip format");
        }
        if (source.getUnsignedByte(at + CM_OFFSET) != CM_DEFLATE) {
            throw new ZipException("unsupported gzip compression method " + source.getUnsignedByte(at + CM_OFFSET));
        }
        int flg = source.getUnsignedByte(at + FLG_OFFSET);
        int p = at + FIXED_HEADER_LENGTH;
        if ((flg & FLG_FEXTRA) != 0) {
            require(p, XLEN_LENGTH, "gzip header extra field");
            int xlen = source.getUnsignedShortLE(p);
            p += XLEN_LENGTH;
            require(p, xlen, "gzip header extra field");
            p += xlen;
        }
        if ((flg & FLG_FNAME) != 0) {
            p = afterZero(p, "gzip header file name");
        }
        if ((flg & FLG_FCOMMENT) != 0) {
            p = afterZero(p, "gzip header comment");
        }
        if ((flg & FLG_FHCRC) != 0) {
            require(p, HEADER_CRC_LENGTH, "gzip header CRC16");
            crc.reset();
            for (int i = at; i < p; i++) {
                crc.update(source.getByte(i));
            }
            if ((int) (crc.getValue() & 0xffff) != source.getUnsignedShortLE(p)) {
                throw new ZipException("corrupt gzip header: CRC16 mismatch");
            }
            p += HEADER_CRC_LENGTH;
        }
        return p;
    }

    private int afterZero(int from, String what) throws EOFException {
        int zero = source.indexOf(from, sourceEnd, (byte) 0);
        if (zero < 0) {
            throw new EOFException("truncated " + what);
        }
        return zero + 1;
    }

    private void startMember(int dataStart) {
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inputStart = dataStart;
        inputLength = sourceEnd - dataStart;
        if (source.hasArray()) {
            inflater.setInput(source.array(), source.arrayOffset() + dataStart, inputLength);
        } else {
            ByteBuffer nio = sourceNio();
            nio.limit(nioIndex(sourceEnd)).position(nioIndex(dataStart));
            inflater.setInput(nio);
        }
        sourcePosition = dataStart;
        phase = BODY;
    }

    private void endMember() throws IOException {
        int trailer = inputStart + inputLength - inflater.getRemaining();
        require(trailer, TRAILER_LENGTH, "gzip trailer");
        if (source.getIntLE(trailer + TRAILER_CRC_OFFSET) != (int) crc.getValue()) {
            throw new ZipException("corrupt gzip trailer: CRC32 mismatch");
        }
        if (source.getIntLE(trailer + TRAILER_ISIZE_OFFSET) != (int) memberBytes) {
            throw new ZipException("corrupt gzip trailer: ISIZE mismatch");
        }
        sourcePosition = trailer + TRAILER_LENGTH;
        phase = DONE;
        if (sourcePosition < sourceEnd) {
            int next;
            try {
                next = readHeader(sourcePosition);
            } catch (IOException notAMember) {
                return; // trailing bytes that are no gzip member are ignored, as GZIPInputStream ignores them
            }
            startMember(next);
        }
    }

    @Override
    void release() {
        inflater.end();
    }
}
