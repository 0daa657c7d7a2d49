package io.skiff.wire.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xerial.snappy.Snappy;

/**
 * Each codec reads what kafka-clients' own compression writes, and kafka-clients reads what
 * each codec writes, for empty, 1-byte, small, large, compressible and incompressible payloads,
 * from every kind of buffer; corrupt and truncated input fails only with an {@link IOException},
 * with bounded output, and never differs from what kafka-clients decodes when both succeed.
 */
class CodecsInteropTest {
    private static final byte MAGIC = RecordBatch.MAGIC_VALUE_V2;

    static Compression kafka(int codec) {
        switch (codec) {
            case Codecs.GZIP:
                return Compression.gzip().build();
            case Codecs.SNAPPY:
                return Compression.snappy().build();
            case Codecs.LZ4:
                return Compression.lz4().build();
            case Codecs.ZSTD:
                return Compression.zstd().build();
            default:
                throw new IllegalArgumentException();
        }
    }

    static byte[] kafkaCompress(int codec, byte[] payload) throws IOException {
        ByteBufferOutputStream bytes = new ByteBufferOutputStream(64);
        try (OutputStream out = kafka(codec).wrapForOutput(bytes, MAGIC)) {
            out.write(payload);
        }
        ByteBuffer compressed = bytes.buffer().flip();
        byte[] result = new byte[compressed.remaining()];
        compressed.get(result);
        return result;
    }

    /** What kafka-clients decodes from {@code compressed}, or null when it fails in any way. */
    static byte[] kafkaDecompress(int codec, byte[] compressed, int limit) {
        try (InputStream in =
                kafka(codec).wrapForInput(ByteBuffer.wrap(compressed), MAGIC, BufferSupplier.NO_CACHING)) {
            byte[] out = in.readNBytes(limit + 1);
            return out.length > limit ? null : out;
        } catch (Throwable e) {
            return null;
        }
    }

    static byte[] text(int length) {
        byte[] text = new byte[length];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ("the quick brown fox ".charAt(i % 20) + (i % 977 == 0 ? 1 : 0));
        }
        return text;
    }

    static byte[] random(int length, long seed) {
        byte[] random = new byte[length];
        new Random(seed).nextBytes(random);
        return random;
    }

    private static byte[][] payloads() {
        byte[] mixed = new byte[2 << 20];
        System.arraycopy(random(1 << 20, 5), 0, mixed, 0, 1 << 20);
        System.arraycopy(text(1 << 20), 0, mixed, 1 << 20, 1 << 20);
        return new byte[][] {
            new byte[0], "x".getBytes(), "hello kafka".repeat(50).getBytes(), random(300_000, 3), text(500_000), mixed
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void readsWhatKafkaClientsWrite(int codec) throws IOException {
        for (byte[] payload : payloads()) {
            ByteBuf buf = Unpooled.wrappedBuffer(kafkaCompress(codec, payload));
            try (InputStream in = Codecs.decompress(codec, buf)) {
                assertThat(in.readAllBytes()).isEqualTo(payload);
            }
            assertThat(buf.readerIndex()).isZero();
            buf.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void reusedDecompressorsReadWhatKafkaClientsWriteFromEveryKindOfBuffer(int codec) throws IOException {
        try (Decompressors decompressors = new Decompressors()) {
            for (byte[] payload : payloads()) {
                byte[] compressed = kafkaCompress(codec, payload);
                for (SourceKind kind : SourceKind.values()) {
                    ByteBuf buf = kind.wrap(compressed);
                    try {
                        assertThat(SourceKind.readChunks(decompressors.open(codec, buf)))
                                .as("%s", kind)
                                .isEqualTo(payload);
                        assertThat(SourceKind.readStream(decompressors.open(codec, buf)))
                                .as("%s", kind)
                                .isEqualTo(payload);
                    } finally {
                        buf.release();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void readsAPayloadInsideALargerBuffer(int codec) throws IOException {
        byte[] payload = text(40_000);
        byte[] compressed = kafkaCompress(codec, payload);
        byte[] framed = new byte[compressed.length + 100];
        Arrays.fill(framed, (byte) 0xee);
        System.arraycopy(compressed, 0, framed, 61, compressed.length);
        for (SourceKind kind : SourceKind.values()) {
            ByteBuf buf = kind.wrap(framed);
            try (Decompressors decompressors = new Decompressors()) {
                assertThat(SourceKind.readChunks(decompressors.open(codec, buf, 61, compressed.length)))
                        .isEqualTo(payload);
            } finally {
                buf.release();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void kafkaClientsReadWhatSkiffWrites(int codec) throws IOException {
        for (int level : new int[] {Codecs.defaultLevel(codec), 1}) {
            for (byte[] payload : payloads()) {
                ByteBuf target = Unpooled.buffer();
                Codecs.compress(codec, level, Unpooled.wrappedBuffer(payload), target);
                ByteBuffer compressed = target.nioBuffer();
                try (InputStream in = kafka(codec).wrapForInput(compressed, MAGIC, BufferSupplier.create())) {
                    assertThat(in.readAllBytes()).isEqualTo(payload);
                }
                target.release();
            }
        }
    }

    /** Well-formed inputs of each codec to mutate: Kafka's own, and other writers' variants. */
    private static List<byte[]> seeds(int codec, byte[] payload) throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(kafkaCompress(codec, payload));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        switch (codec) {
            case Codecs.GZIP:
                for (int member = 0; member < 2; member++) {
                    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                        out.write(payload, member * payload.length / 2, payload.length / 2);
                    }
                }
                seeds.add(bytes.toByteArray());
                seeds.add(GzipMembers.member(
                        payload,
                        GzipDescriptor.FLG_FEXTRA
                                | GzipDescriptor.FLG_FNAME
                                | GzipDescriptor.FLG_FCOMMENT
                                | GzipDescriptor.FLG_FHCRC));
                break;
            case Codecs.SNAPPY:
                seeds.add(Snappy.compress(payload));
                break;
            case Codecs.LZ4:
                try (OutputStream out = new LZ4FrameOutputStream(
                        bytes,
                        LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                        payload.length,
                        LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE,
                        LZ4FrameOutputStream.FLG.Bits.BLOCK_CHECKSUM,
                        LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM,
                        LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE)) {
                    out.write(payload);
                }
                seeds.add(bytes.toByteArray());
                break;
            default:
                break;
        }
        return seeds;
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void corruptOrTruncatedInputFailsOnlyWithAnIOExceptionAndBoundedOutput(int codec) throws IOException {
        byte[] payload = new byte[70_000];
        System.arraycopy(text(50_000), 0, payload, 0, 50_000);
        System.arraycopy(random(20_000, 11), 0, payload, 50_000, 20_000);
        int limit = 1 << 20;
        List<byte[]> seeds = seeds(codec, payload);
        Random rnd = new Random(codec * 7919L);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (Decompressors decompressors = new Decompressors(limit)) {
                for (int i = 0; i < 1200; i++) {
                    byte[] bad = mutate(seeds.get(i % seeds.size()), rnd);
                    SourceKind kind = SourceKind.values()[i % SourceKind.values().length];
                    ByteBuf buf = kind.wrap(bad);
                    try {
                        byte[] ours = SourceKind.readChunks(decompressors.open(codec, buf));
                        // Whatever decodes stays within the limit and agrees with kafka-clients where it decodes too.
                        assertThat(ours.length).isLessThanOrEqualTo(limit);
                        byte[] theirs = kafkaDecompress(codec, bad, limit);
                        if (theirs != null) {
                            assertThat(ours).as("case %d", i).isEqualTo(theirs);
                        }
                        outcomes[0]++;
                    } catch (IOException expected) {
                        outcomes[1]++;
                    } finally {
                        buf.release();
                    }
                }
                // The same decompressors still read good input after all those failures.
                for (byte[] seed : seeds) {
                    ByteBuf buf = Unpooled.wrappedBuffer(seed);
                    assertThat(SourceKind.readChunks(decompressors.open(codec, buf)))
                            .isEqualTo(payload);
                    buf.release();
                }
            }
        });
        assertThat(outcomes[1]).as("corrupt inputs refused").isGreaterThan(400);
        assertThatThrownBy(() -> Codecs.decompress(9, Unpooled.buffer())).isInstanceOf(IOException.class);
    }

    /** A damaged copy of {@code good}: truncated, bits flipped, a range overwritten, or bytes inserted. */
    private static byte[] mutate(byte[] good, Random rnd) {
        byte[] bad = good.clone();
        switch (rnd.nextInt(5)) {
            case 0:
                return Arrays.copyOf(bad, rnd.nextInt(bad.length));
            case 1:
                for (int j = 1 + rnd.nextInt(8); j > 0; j--) {
                    bad[rnd.nextInt(bad.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return bad;
            case 2: {
                // near the start, where headers and lengths are
                int at = rnd.nextInt(Math.min(bad.length, 32));
                bad[at] = (byte) rnd.nextInt(256);
                return bad;
            }
            case 3: {
                int at = rnd.nextInt(bad.length);
                int n = Math.min(bad.length - at, 1 + rnd.nextInt(64));
                for (int j = 0; j < n; j++) {
                    bad[at + j] = (byte) rnd.nextInt(256);
                }
                return bad;
            }
            default: {
                int at = rnd.nextInt(bad.length + 1);
                byte[] inserted = random(1 + rnd.nextInt(16), rnd.nextLong());
                byte[] longer = new byte[bad.length + inserted.length];
                System.arraycopy(bad, 0, longer, 0, at);
                System.arraycopy(inserted, 0, longer, at, inserted.length);
                System.arraycopy(bad, at, longer, at + inserted.length, bad.length - at);
                return longer;
            }
        }
    }
}
