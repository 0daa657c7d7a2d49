package io.skiff.wire.compress;

import static io.skiff.wire.compress.CodecsInteropTest.kafkaCompress;
import static io.skiff.wire.compress.CodecsInteropTest.kafkaDecompress;
import static io.skiff.wire.compress.CodecsInteropTest.random;
import static io.skiff.wire.compress.CodecsInteropTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE;
import net.jpountz.lz4.LZ4FrameOutputStream.FLG.Bits;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyInputStream;
import org.xerial.snappy.SnappyOutputStream;

/**
 * The format features of each reader beyond what Kafka's own writers produce: LZ4 frames with
 * every optional field, block size and uncompressed blocks; gzip members with optional header
 * fields and concatenated members; snappy raw blocks and concatenated streams; zstd
 * concatenated frames; and the limits, reuse and failure behaviour of {@link Decompressors}.
 */
class DecompressorsTest {
    private final Decompressors decompressors = new Decompressors();

    @AfterEach
    void closeDecompressors() {
        decompressors.close();
    }

    private byte[] read(int codec, byte[] compressed) throws IOException {
        return read(decompressors, codec, compressed);
    }

    private static byte[] read(Decompressors decompressors, int codec, byte[] compressed) throws IOException {
        byte[] heap;
        ByteBuf buf = SourceKind.HEAP.wrap(compressed);
        try {
            heap = SourceKind.readChunks(decompressors.open(codec, buf));
        } finally {
            buf.release();
        }
        ByteBuf direct = SourceKind.DIRECT.wrap(compressed);
        try {
            assertThat(SourceKind.readChunks(decompressors.open(codec, direct))).isEqualTo(heap);
        } finally {
            direct.release();
        }
        return heap;
    }

    private void assertFails(int codec, byte[] compressed, String message) {
        for (SourceKind kind : SourceKind.values()) {
            ByteBuf buf = kind.wrap(compressed);
            try {
                assertThatThrownBy(() -> SourceKind.readChunks(decompressors.open(codec, buf)))
                        .as("%s", kind)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining(message);
            } finally {
                buf.release();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // lz4

    private static byte[] lz4Frame(byte[] payload, BLOCKSIZE blockSize, boolean contentSize, Bits... bits)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Bits> all = new ArrayList<>(Arrays.asList(bits));
        if (contentSize) {
            all.add(Bits.CONTENT_SIZE);
        }
        try (OutputStream out = new LZ4FrameOutputStream(
                bytes, blockSize, contentSize ? payload.length : -1L, all.toArray(new Bits[0]))) {
            out.write(payload);
        }
        return bytes.toByteArray();
    }

    /** How many blocks of {@code frame} are stored uncompressed. */
    private static int uncompressedBlocks(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int flg = frame[Lz4FrameDescriptor.FLG_OFFSET];
        int at = Lz4FrameDescriptor.MIN_HEADER_LENGTH
                + ((flg & Lz4FrameDescriptor.FLG_CONTENT_SIZE) != 0 ? Lz4FrameDescriptor.CONTENT_SIZE_LENGTH : 0);
        int count = 0;
        while (true) {
            int word = b.getInt(at);
            int size = word & Lz4FrameDescriptor.BLOCK_SIZE_MASK;
            if (size == 0) {
                return count;
            }
            count += word < 0 ? 1 : 0;
            at += 4 + size + ((flg & Lz4FrameDescriptor.FLG_BLOCK_CHECKSUM) != 0 ? 4 : 0);
        }
    }

    /** Sets the header checksum of {@code frame} to match its descriptor. */
    private static void fixLz4HeaderChecksum(byte[] frame) {
        int flg = frame[Lz4FrameDescriptor.FLG_OFFSET];
        int length = 2
                + ((flg & Lz4FrameDescriptor.FLG_CONTENT_SIZE) != 0 ? 8 : 0)
                + ((flg & Lz4FrameDescriptor.FLG_DICTIONARY_ID) != 0 ? 4 : 0);
        int hash = XXHashFactory.safeInstance().hash32().hash(frame, Lz4FrameDescriptor.FLG_OFFSET, length, 0);
        frame[Lz4FrameDescriptor.FLG_OFFSET + length] = (byte) (hash >> 8);
    }

    @Test
    void readsLz4FramesWithEveryBlockSizeAndOptionalField() throws IOException {
        byte[][] payloads = {new byte[0], "x".getBytes(), text(300_000), random(300_000, 1)};
        Bits[][] options = {
            {Bits.BLOCK_INDEPENDENCE},
            {Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM},
            {Bits.BLOCK_INDEPENDENCE, Bits.CONTENT_CHECKSUM},
            {Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM, Bits.CONTENT_CHECKSUM},
        };
        for (BLOCKSIZE blockSize : BLOCKSIZE.values()) {
            for (Bits[] bits : options) {
                for (boolean contentSize : new boolean[] {false, true}) {
                    for (byte[] payload : payloads) {
                        byte[] frame = lz4Frame(payload, blockSize, contentSize, bits);
                        assertThat(read(Codecs.LZ4, frame))
                                .as("%s %s %s", blockSize, Arrays.toString(bits), contentSize)
                                .isEqualTo(payload);
                    }
                }
            }
        }
    }

    @Test
    void readsLz4BlocksStoredUncompressed() throws IOException {
        byte[] payload = new byte[400_000];
        System.arraycopy(random(200_000, 2), 0, payload, 0, 200_000);
        System.arraycopy(text(200_000), 0, payload, 200_000, 200_000);
        for (boolean checksums : new boolean[] {false, true}) {
            byte[] frame = checksums
                    ? lz4Frame(
                            payload,
                            BLOCKSIZE.SIZE_64KB,
                            true,
                            Bits.BLOCK_INDEPENDENCE,
                            Bits.BLOCK_CHECKSUM,
                            Bits.CONTENT_CHECKSUM)
                    : lz4Frame(payload, BLOCKSIZE.SIZE_64KB, false, Bits.BLOCK_INDEPENDENCE);
            assertThat(uncompressedBlocks(frame)).isGreaterThan(0);
            for (SourceKind kind : SourceKind.values()) {
                ByteBuf buf = kind.wrap(frame);
                assertThat(SourceKind.readChunks(decompressors.open(Codecs.LZ4, buf)))
                        .isEqualTo(payload);
                buf.release();
            }
        }
    }

    @Test
    void rejectsLz4BlockChecksumMismatch() throws IOException {
        byte[] frame = lz4Frame(text(10_000), BLOCKSIZE.SIZE_64KB, false, Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM);
        int size = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getInt(7) & Lz4FrameDescriptor.BLOCK_SIZE_MASK;
        frame[7 + 4 + size] ^= 1;
        assertFails(Codecs.LZ4, frame, "block checksum");
    }

    @Test
    void rejectsLz4ContentChecksumMismatch() throws IOException {
        byte[] frame =
                lz4Frame(text(10_000), BLOCKSIZE.SIZE_64KB, false, Bits.BLOCK_INDEPENDENCE, Bits.CONTENT_CHECKSUM);
        frame[frame.length - 1] ^= 1;
        assertFails(Codecs.LZ4, frame, "content checksum");
    }

    @Test
    void rejectsLz4ContentSizeMismatch() throws IOException {
        byte[] frame = lz4Frame(text(10_000), BLOCKSIZE.SIZE_64KB, true, Bits.BLOCK_INDEPENDENCE);
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putLong(Lz4FrameDescriptor.CONTENT_SIZE_OFFSET, 10_001);
        fixLz4HeaderChecksum(frame);
        assertFails(Codecs.LZ4, frame, "declares 10001 bytes");
    }

    @Test
    void rejectsLz4HeaderChecksumMismatchReservedBitsAndDictionaries() throws IOException {
        byte[] good = kafkaCompress(Codecs.LZ4, text(1000));
        byte[] badChecksum = good.clone();
        badChecksum[6] ^= 1;
        assertFails(Codecs.LZ4, badChecksum, "header checksum");

        byte[] dictionary = good.clone();
        dictionary[Lz4FrameDescriptor.FLG_OFFSET] |= Lz4FrameDescriptor.FLG_DICTIONARY_ID;
        fixLz4HeaderChecksum(dictionary);
        assertFails(Codecs.LZ4, dictionary, "dictionary");

        byte[] reserved = good.clone();
        reserved[Lz4FrameDescriptor.BD_OFFSET] |= 1;
        fixLz4HeaderChecksum(reserved);
        assertFails(Codecs.LZ4, reserved, "reserved");

        byte[] smallBlocks = good.clone();
        smallBlocks[Lz4FrameDescriptor.BD_OFFSET] = 0x30;
        fixLz4HeaderChecksum(smallBlocks);
        assertFails(Codecs.LZ4, smallBlocks, "block maximum size");

        byte[] magic = good.clone();
        magic[0] ^= 1;
        assertFails(Codecs.LZ4, magic, "not an lz4 frame");
    }

    @Test
    void rejectsLz4BlockLargerThanTheFrameMaximum() throws IOException {
        byte[] frame = kafkaCompress(Codecs.LZ4, text(1000));
        ByteBuffer.wrap(frame)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(Lz4FrameDescriptor.MIN_HEADER_LENGTH, (64 << 10) + 1);
        assertFails(Codecs.LZ4, frame, "exceeds");
    }

    @Test
    void ignoresBytesAfterTheLz4EndMarkAsKafkaDoes() throws IOException {
        byte[] payload = text(5000);
        byte[] frame = kafkaCompress(Codecs.LZ4, payload);
        byte[] trailing = Arrays.copyOf(frame, frame.length + 9);
        Arrays.fill(trailing, frame.length, trailing.length, (byte) 0x77);
        assertThat(read(Codecs.LZ4, trailing))
                .isEqualTo(payload)
                .isEqualTo(kafkaDecompress(Codecs.LZ4, trailing, 1 << 20));
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.LZ4, Codecs.ZSTD})
    void rejectsEveryTruncation(int codec) throws IOException {
        byte[] compressed = kafkaCompress(codec, text(3000));
        for (int length = 0; length < compressed.length; length++) {
            byte[] truncated = Arrays.copyOf(compressed, length);
            ByteBuf buf = Unpooled.wrappedBuffer(truncated);
            try {
                if (length == 0 && codec == Codecs.ZSTD) {
                    // zstd-jni (Kafka's reader) reads no frame as no bytes.
                    assertThat(SourceKind.readChunks(decompressors.open(codec, buf)))
                            .isEqualTo(kafkaDecompress(codec, truncated, 1 << 20))
                            .isEmpty();
                    continue;
                }
                assertThatThrownBy(() -> SourceKind.readChunks(decompressors.open(codec, buf)))
                        .as("%d of %d bytes", length, compressed.length)
                        .isInstanceOf(IOException.class);
            } finally {
                buf.release();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // gzip

    private static byte[] gunzip(byte[] compressed) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsConcatenatedGzipMembersAsGzipInputStreamDoes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[][] parts = {text(70_000), new byte[0], random(50_000, 4), "tail".getBytes()};
        for (byte[] part : parts) {
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(part);
            }
        }
        bytes.writeBytes(GzipMembers.member(text(999), GzipDescriptor.FLG_FNAME));
        byte[] stream = bytes.toByteArray();
        byte[] expected = gunzip(stream);
        assertThat(expected).hasSize(70_000 + 50_000 + 4 + 999);
        assertThat(read(Codecs.GZIP, stream)).isEqualTo(expected);
    }

    @Test
    void readsGzipHeadersWithEveryOptionalField() throws IOException {
        byte[] payload = text(20_000);
        int[] flagSets = {
            0,
            GzipDescriptor.FLG_FEXTRA,
            GzipDescriptor.FLG_FNAME,
            GzipDescriptor.FLG_FCOMMENT,
            GzipDescriptor.FLG_FHCRC,
            GzipDescriptor.FLG_FTEXT
                    | GzipDescriptor.FLG_FEXTRA
                    | GzipDescriptor.FLG_FNAME
                    | GzipDescriptor.FLG_FCOMMENT
                    | GzipDescriptor.FLG_FHCRC
        };
        for (int flags : flagSets) {
            byte[] member = GzipMembers.member(payload, flags);
            assertThat(gunzip(member)).isEqualTo(payload);
            assertThat(read(Codecs.GZIP, member)).as("flags %d", flags).isEqualTo(payload);
        }
    }

    @Test
    void rejectsGzipHeaderCrcTrailerCrcAndSizeMismatches() throws IOException {
        byte[] payload = text(20_000);
        byte[] headerCrc = GzipMembers.member(payload, GzipDescriptor.FLG_FNAME | GzipDescriptor.FLG_FHCRC);
        int crcAt = GzipDescriptor.FIXED_HEADER_LENGTH + "records.bin".length() + 1;
        headerCrc[crcAt] ^= 1;
        assertFails(Codecs.GZIP, headerCrc, "CRC16");

        byte[] trailerCrc = GzipMembers.member(payload, 0);
        trailerCrc[trailerCrc.length - 8] ^= 1;
        assertFails(Codecs.GZIP, trailerCrc, "CRC32");

        byte[] size = GzipMembers.member(payload, 0);
        size[size.length - 4] ^= 1;
        assertFails(Codecs.GZIP, size, "ISIZE");

        byte[] method = GzipMembers.member(payload, 0);
        method[GzipDescriptor.CM_OFFSET] = 7;
        assertFails(Codecs.GZIP, method, "compression method");
    }

    @Test
    void ignoresBytesAfterAGzipMemberThatStartNoMemberAsGzipInputStreamDoes() throws IOException {
        byte[] payload = text(8000);
        byte[] member = GzipMembers.member(payload, 0);
        for (byte[] tail : new byte[][] {{0}, {0x1f}, {0x1f, (byte) 0x8b}, "garbage after the member".getBytes()}) {
            byte[] stream = Arrays.copyOf(member, member.length + tail.length);
            System.arraycopy(tail, 0, stream, member.length, tail.length);
            assertThat(gunzip(stream)).isEqualTo(payload);
            assertThat(read(Codecs.GZIP, stream)).isEqualTo(payload);
        }
        // A second member that starts well but is cut short is an error, for both.
        byte[] second = GzipMembers.member(payload, 0);
        byte[] cut = Arrays.copyOf(member, member.length + 20);
        System.arraycopy(second, 0, cut, member.length, 20);
        assertThatThrownBy(() -> gunzip(cut)).isInstanceOf(IOException.class);
        assertFails(Codecs.GZIP, cut, "truncated");
    }

    // ---------------------------------------------------------------------------------------------
    // snappy

    private static byte[] snappyJava(byte[] compressed) throws IOException {
        try (InputStream in = new SnappyInputStream(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }

    private static byte[] snappyStream(byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (SnappyOutputStream out = new SnappyOutputStream(bytes)) {
            out.write(payload);
        }
        return bytes.toByteArray();
    }

    @Test
    void readsARawSnappyBlockWithoutTheStreamHeader() throws IOException {
        for (byte[] payload : new byte[][] {new byte[0], "x".getBytes(), text(100_000), random(100_000, 6)}) {
            byte[] raw = Snappy.compress(payload);
            assertThat(snappyJava(raw)).isEqualTo(payload);
            assertThat(read(Codecs.SNAPPY, raw)).isEqualTo(payload);
        }
    }

    @Test
    void readsConcatenatedSnappyStreamsAndIgnoresAShortTailAsSnappyJavaDoes() throws IOException {
        byte[] first = snappyStream(text(100_000));
        byte[] second = snappyStream(random(70_000, 7));
        byte[] both = Arrays.copyOf(first, first.length + second.length + 3);
        System.arraycopy(second, 0, both, first.length, second.length);
        both[both.length - 1] = 1;
        byte[] expected = snappyJava(both);
        assertThat(expected).hasSize(170_000);
        assertThat(read(Codecs.SNAPPY, both)).isEqualTo(expected);
    }

    @Test
    void skipsARepeatedSnappyHeaderEvenWithAWrongMagicAsSnappyJavaDoes() throws IOException {
        byte[] first = snappyStream(text(1000));
        byte[] second = snappyStream(text(500));
        second[6] = 'X';
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        byte[] ours = read(Codecs.SNAPPY, both);
        assertThat(ours.length).isEqualTo(1500);
        assertThat(Arrays.equals(ours, snappyJava(both))).isTrue();

        // A whole magic with a version older than 1 is an error, for both.
        both[first.length + 6] = 'Y';
        ByteBuffer.wrap(both).putInt(first.length + SnappyFramingDescriptor.VERSION_OFFSET, 0);
        assertThatThrownBy(() -> snappyJava(both)).isInstanceOf(IOException.class);
        assertFails(Codecs.SNAPPY, both, "version");
    }

    @Test
    void refusesASnappyChunkDeclaringMoreThanItsSizeCanHoldBeforeAllocating() {
        // A 5-byte chunk that declares 2^31 - 1 decompressed bytes.
        ByteBuffer b = ByteBuffer.allocate(SnappyFramingDescriptor.HEADER_LENGTH + 4 + 5);
        b.putInt(SnappyFramingDescriptor.MAGIC_HEAD)
                .putInt(SnappyFramingDescriptor.MAGIC_TAIL)
                .putInt(1)
                .putInt(1);
        b.putInt(5).put(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
        assertFails(Codecs.SNAPPY, b.array(), "declare");
    }

    @Test
    void truncatedSnappyStreamFailsOrYieldsAPrefix() throws IOException {
        byte[] payload = text(200_000);
        byte[] stream = snappyStream(payload);
        for (int length = 1; length < stream.length; length += 97) {
            ByteBuf buf = Unpooled.wrappedBuffer(Arrays.copyOf(stream, length));
            try {
                byte[] out = SourceKind.readChunks(decompressors.open(Codecs.SNAPPY, buf));
                assertThat(payload).startsWith(out);
            } catch (IOException expected) {
                // a chunk cut short
            } finally {
                buf.release();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // zstd

    @Test
    void readsConcatenatedZstdFrames() throws IOException {
        byte[] first = kafkaCompress(Codecs.ZSTD, text(100_000));
        byte[] second = kafkaCompress(Codecs.ZSTD, random(30_000, 8));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        byte[] expected = kafkaDecompress(Codecs.ZSTD, both, 1 << 20);
        assertThat(expected).hasSize(130_000);
        assertThat(read(Codecs.ZSTD, both)).isEqualTo(expected);
    }

    // ---------------------------------------------------------------------------------------------
    // every codec

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void emptyInputIsReadAsKafkaReadsIt(int codec) throws IOException {
        byte[] theirs = kafkaDecompress(codec, new byte[0], 1 << 20);
        ByteBuf empty = Unpooled.EMPTY_BUFFER;
        if (theirs == null) {
            assertThatThrownBy(() -> SourceKind.readChunks(decompressors.open(codec, empty)))
                    .isInstanceOf(IOException.class);
        } else {
            assertThat(SourceKind.readChunks(decompressors.open(codec, empty))).isEqualTo(theirs);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void stopsAtTheLimitWithADecompressionLimitException(int codec) throws IOException {
        byte[] zeros = new byte[8 << 20];
        List<byte[]> bombs = new ArrayList<>(List.of(kafkaCompress(codec, zeros)));
        if (codec == Codecs.SNAPPY) {
            bombs.add(Snappy.compress(zeros)); // one raw block: refused from its declared length
        }
        try (Decompressors limited = new Decompressors(1 << 20)) {
            for (byte[] bomb : bombs) {
                for (SourceKind kind : SourceKind.values()) {
                    ByteBuf buf = kind.wrap(bomb);
                    try {
                        DecompressingStream in = limited.open(codec, buf);
                        assertThatThrownBy(() -> SourceKind.readChunks(in))
                                .isInstanceOf(DecompressionLimitException.class);
                    } finally {
                        buf.release();
                    }
                }
            }
            // Just under the limit is fine.
            byte[] under = new byte[1 << 20];
            assertThat(read(limited, codec, kafkaCompress(codec, under))).isEqualTo(under);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void reusesOneStreamPerCodecAndRestartsItOnOpen(int codec) throws IOException {
        byte[] a = text(100_000);
        byte[] b = random(100_000, 9);
        ByteBuf first = Unpooled.wrappedBuffer(kafkaCompress(codec, a));
        ByteBuf second = Unpooled.wrappedBuffer(kafkaCompress(codec, b));
        try {
            DecompressingStream in = decompressors.open(codec, first);
            assertThat(in.codec()).isEqualTo(codec);
            assertThat(in.read()).isEqualTo(a[0] & 0xff);
            // Opening again abandons the half-read payload.
            assertThat(decompressors.open(codec, second)).isSameAs(in);
            assertThat(SourceKind.readStream(in)).isEqualTo(b);
            assertThat(in.read()).isEqualTo(-1);
            in.close();
            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
            assertThat(SourceKind.readChunks(decompressors.open(codec, first))).isEqualTo(a);
        } finally {
            first.release();
            second.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void aFailedStreamKeepsFailing(int codec) throws IOException {
        byte[] compressed = kafkaCompress(codec, text(50_000));
        ByteBuf truncated = Unpooled.wrappedBuffer(Arrays.copyOf(compressed, compressed.length / 2));
        try {
            DecompressingStream in = decompressors.open(codec, truncated);
            IOException first = null;
            try {
                SourceKind.readChunks(in);
            } catch (IOException e) {
                first = e;
            }
            if (codec != Codecs.SNAPPY || first != null) {
                assertThat(first).isNotNull();
                assertThatThrownBy(in::nextChunk).isSameAs(first);
                assertThatThrownBy(in::read).isSameAs(first);
            }
        } finally {
            truncated.release();
        }
    }

    @Test
    void skipMovesOverDecompressedBytes() throws IOException {
        byte[] payload = text(200_000);
        ByteBuf buf = Unpooled.wrappedBuffer(kafkaCompress(Codecs.LZ4, payload));
        try {
            DecompressingStream in = decompressors.open(Codecs.LZ4, buf);
            assertThat(in.skip(150_001)).isEqualTo(150_001);
            assertThat(in.read()).isEqualTo(payload[150_001] & 0xff);
            assertThat(in.skip(1_000_000)).isEqualTo(200_000 - 150_002);
            assertThat(in.read()).isEqualTo(-1);
        } finally {
            buf.release();
        }
    }

    @Test
    void unknownCodecIsAnIOException() {
        assertThatThrownBy(() -> decompressors.open(Codecs.NONE, Unpooled.EMPTY_BUFFER))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decompressors.open(7, Unpooled.EMPTY_BUFFER)).isInstanceOf(IOException.class);
    }
}
