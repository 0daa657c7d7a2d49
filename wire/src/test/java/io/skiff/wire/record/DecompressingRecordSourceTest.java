package io.skiff.wire.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.compress.Codecs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE;
import net.jpountz.lz4.LZ4FrameOutputStream.FLG.Bits;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Compressed batches through the validator's {@link DecompressingRecordSource}: batches in the
 * stream variants other clients write, the decompression cap, and no allocation per batch once
 * the source's decompressors have warmed up.
 */
class DecompressingRecordSourceTest {
    private static final long NOW = 1_000_000L;
    private static final ValidationRules RULES =
            new ValidationRules(1_048_588, false, TimestampType.CREATE_TIME, Long.MAX_VALUE, 3_600_000L);

    private final BatchValidator validator = new BatchValidator();
    private final ValidationResult result = new ValidationResult();

    /** A batch of {@code count} records of {@code valueSize} bytes, in a direct buffer as a network read leaves it (not leak-tracked). */
    private static ByteBuf directBatch(Compression compression, int count, int valueSize) {
        ByteBuffer nio = TestBatches.spec()
                .compression(compression)
                .count(count)
                .valueSize(valueSize)
                .timestamp(NOW)
                .toNio();
        ByteBuffer direct = ByteBuffer.allocateDirect(nio.remaining());
        direct.put(nio).flip();
        return Unpooled.wrappedBuffer(direct);
    }

    /** The uncompressed records area of a batch of {@code count} records. */
    private static byte[] records(int count, int valueSize) {
        ByteBuffer nio = TestBatches.spec()
                .count(count)
                .valueSize(valueSize)
                .timestamp(NOW)
                .toNio();
        byte[] records = new byte[nio.remaining() - RecordBatchDescriptor.RECORDS_OFFSET];
        nio.position(nio.position() + RecordBatchDescriptor.RECORDS_OFFSET).get(records);
        return records;
    }

    /** A batch of {@code count} records whose records area is {@code payload}, marked as {@code codec}. */
    private static ByteBuf batchWithPayload(int count, int valueSize, int codec, byte[] payload) {
        ByteBuffer nio = TestBatches.spec()
                .count(count)
                .valueSize(valueSize)
                .timestamp(NOW)
                .toNio();
        ByteBuf buf = Unpooled.buffer(RecordBatchDescriptor.RECORDS_OFFSET + payload.length);
        buf.writeBytes(nio.limit(nio.position() + RecordBatchDescriptor.RECORDS_OFFSET))
                .writeBytes(payload);
        buf.setInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET, buf.readableBytes() - RecordBatchDescriptor.LOG_OVERHEAD);
        int attributes = buf.getShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET);
        buf.setShort(
                RecordBatchDescriptor.ATTRIBUTES_OFFSET,
                (attributes & ~RecordBatchDescriptor.COMPRESSION_CODEC_MASK) | codec);
        new RecordBatch().wrap(buf, 0).updateCrc();
        return buf;
    }

    private boolean validate(BatchValidator v, ByteBuf batch) {
        return v.validate(batch, RULES, "t-0", NOW, result);
    }

    @Test
    void validatesCompressedBatchesWithoutAllocatingPerBatch() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String codec : new String[] {"gzip", "snappy", "lz4", "zstd"}) {
            ByteBuf batch = directBatch(Compression.of(codec).build(), 16, 1024);
            try {
                for (int i = 0; i < 100; i++) {
                    assertThat(validate(validator, batch)).isTrue();
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                int batches = 300;
                for (int i = 0; i < batches; i++) {
                    validate(validator, batch);
                }
                long perBatch = (threads.getCurrentThreadAllocatedBytes() - before) / batches;
                // A new library stream per batch took 9 to 33 KB here; the reused readers take a few NIO views at most.
                assertThat(perBatch).as("bytes allocated per %s batch", codec).isLessThan(512);
            } finally {
                batch.release();
            }
        }
    }

    @Test
    void acceptsARawSnappyBlockAsNonJavaClientsWriteIt() throws IOException {
        ByteBuf batch = batchWithPayload(20, 300, Codecs.SNAPPY, Snappy.compress(records(20, 300)));
        try {
            assertThat(validate(validator, batch)).as("%s", result).isTrue();
            assertThat(result.recordCount()).isEqualTo(20);
            assertThat(TestBatches.kafkaView(batch).records()).hasSize(20);
        } finally {
            batch.release();
        }
    }

    @Test
    void acceptsLz4FramesWithChecksumsAndContentSizeAndGzipWithTwoMembers() throws IOException {
        byte[] records = records(30, 2000);
        ByteArrayOutputStream lz4 = new ByteArrayOutputStream();
        try (OutputStream out = new LZ4FrameOutputStream(
                lz4,
                BLOCKSIZE.SIZE_64KB,
                records.length,
                Bits.BLOCK_INDEPENDENCE,
                Bits.BLOCK_CHECKSUM,
                Bits.CONTENT_CHECKSUM,
                Bits.CONTENT_SIZE)) {
            out.write(records);
        }
        ByteArrayOutputStream gzip = new ByteArrayOutputStream();
        int half = records.length / 2;
        try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
            out.write(records, 0, half);
        }
        try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
            out.write(records, half, records.length - half);
        }
        for (ByteBuf batch : new ByteBuf[] {
            batchWithPayload(30, 2000, Codecs.LZ4, lz4.toByteArray()),
            batchWithPayload(30, 2000, Codecs.GZIP, gzip.toByteArray())
        }) {
            try {
                assertThat(validate(validator, batch)).as("%s", result).isTrue();
                assertThat(result.recordCount()).isEqualTo(30);
            } finally {
                batch.release();
            }
        }
    }

    @Test
    void refusesARawSnappyBlockPastTheCapAsTooLargeNotCorrupt() throws IOException {
        // One raw block of 2 MiB of records, declared up front: refused from its declared length.
        ByteBuf batch = batchWithPayload(64, 32 * 1024, Codecs.SNAPPY, Snappy.compress(records(64, 32 * 1024)));
        try {
            BatchValidator capped = new BatchValidator(new DecompressingRecordSource(1 << 20));
            assertThat(validate(capped, batch)).isFalse();
            assertThat(result.outcome()).isEqualTo(ValidationOutcome.INVALID_RECORD);
            assertThat(result.diagnostic()).contains("decompresses to more than");
            assertThat(validate(validator, batch)).isTrue();
        } finally {
            batch.release();
        }
    }
}
