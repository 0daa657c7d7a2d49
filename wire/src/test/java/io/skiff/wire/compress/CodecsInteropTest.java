package io.skiff.wire.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each codec reads what kafka-clients' own compression writes, and kafka-clients reads what
 * each codec writes, for empty, small, large, compressible and random payloads.
 */
class CodecsInteropTest {
    private static final byte MAGIC = RecordBatch.MAGIC_VALUE_V2;

    private static Compression kafka(int codec) {
        switch (codec) {
            case Codecs.GZIP: return Compression.gzip().build();
            case Codecs.SNAPPY: return Compression.snappy().build();
            case Codecs.LZ4: return Compression.lz4().build();
            case Codecs.ZSTD: return Compression.zstd().build();
            default: throw new IllegalArgumentException();
        }
    }

    private static byte[][] payloads() {
        Random rnd = new Random(3);
        byte[] random = new byte[300_000];
        rnd.nextBytes(random);
        byte[] text = new byte[500_000];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ("the quick brown fox ".charAt(i % 20) + (i % 977 == 0 ? 1 : 0));
        }
        return new byte[][] {new byte[0], "x".getBytes(), "hello kafka".repeat(50).getBytes(), random, text};
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void readsWhatKafkaClientsWrite(int codec) throws IOException {
        for (byte[] payload : payloads()) {
            ByteBufferOutputStream bytes = new ByteBufferOutputStream(64);
            try (OutputStream out = kafka(codec).wrapForOutput(bytes, MAGIC)) {
                out.write(payload);
            }
            ByteBuffer compressed = bytes.buffer().flip();
            ByteBuf buf = Unpooled.wrappedBuffer(compressed);
            try (InputStream in = Codecs.decompress(codec, buf)) {
                assertThat(in.readAllBytes()).isEqualTo(payload);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void kafkaClientsReadWhatSkiffWrites(int codec) throws IOException {
        for (int level : new int[] {Codecs.defaultLevel(codec), codec == Codecs.GZIP ? 1 : codec == Codecs.LZ4 ? 1 : 1}) {
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

    @ParameterizedTest
    @ValueSource(ints = {Codecs.GZIP, Codecs.SNAPPY, Codecs.LZ4, Codecs.ZSTD})
    void corruptInputFailsOnlyWithAnIOException(int codec) throws IOException {
        byte[] payload = "some payload worth compressing ".repeat(200).getBytes();
        ByteBuf target = Unpooled.buffer();
        Codecs.compress(codec, Codecs.defaultLevel(codec), Unpooled.wrappedBuffer(payload), target);
        byte[] compressed = new byte[target.readableBytes()];
        target.readBytes(compressed);
        target.release();
        Random rnd = new Random(codec);
        for (int i = 0; i < 50; i++) {
            byte[] bad = compressed.clone();
            if (i % 2 == 0) {
                bad = Arrays.copyOf(bad, rnd.nextInt(bad.length));
            } else {
                for (int j = 0; j < 8; j++) {
                    bad[rnd.nextInt(bad.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
            }
            byte[] input = bad;
            // Corrupt data either fails as an I/O error, or decodes to some bytes (a truncated snappy
            // stream just ends early); the record-level checks of the batch validator judge those.
            // Anything else (a runtime exception, a hang, unbounded output) is a defect.
            try (InputStream in = Codecs.decompress(codec, Unpooled.wrappedBuffer(input))) {
                byte[] out = in.readNBytes(10 * payload.length + 1);
                assertThat(out.length).isLessThanOrEqualTo(10 * payload.length);
            } catch (IOException expected) {
                // reported as an I/O failure
            }
        }
        assertThatThrownBy(() -> Codecs.decompress(9, Unpooled.buffer())).isInstanceOf(IOException.class);
    }
}
