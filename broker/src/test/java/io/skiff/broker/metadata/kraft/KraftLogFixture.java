package io.skiff.broker.metadata.kraft;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.protocol.Message;
import io.skiff.wire.protocol.Wire;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchBuilder;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes KRaft metadata log files the way Apache Kafka lays them out (record batches v2 whose
 * record values are metadata record frames), for tests of the reader. Batches are built with
 * Skiff's own batch builder and the generated metadata record classes.
 */
final class KraftLogFixture {
    /** A batch being assembled: its base offset and record values. */
    static final class Batch {
        final long baseOffset;
        final List<byte[]> values = new ArrayList<>();
        boolean control;
        int codec = Codecs.NONE;

        Batch(long baseOffset) {
            this.baseOffset = baseOffset;
        }

        Batch add(short apiKey, short version, Message record) {
            values.add(frame(apiKey, version, record));
            return this;
        }

        /** A record whose value is {@code frame} as given. */
        Batch addFrame(byte[] frame) {
            values.add(frame);
            return this;
        }

        Batch control() {
            control = true;
            values.add(new byte[] {0, 0, 0, 0});
            return this;
        }

        Batch compressed(int codec) {
            this.codec = codec;
            return this;
        }

        long nextOffset() {
            return baseOffset + values.size();
        }
    }

    private KraftLogFixture() {}

    /** A metadata record frame: frame version 1, api key, version, then the record. */
    static byte[] frame(short apiKey, short version, Message record) {
        ByteBuf buf = Unpooled.buffer();
        try {
            Wire.writeUnsignedVarint(buf, 1);
            Wire.writeUnsignedVarint(buf, apiKey);
            Wire.writeUnsignedVarint(buf, version);
            record.write(buf, version);
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }

    /** The bytes of {@code batches}, one after the other. */
    static byte[] bytes(Batch... batches) throws IOException {
        ByteBuf all = Unpooled.buffer();
        try {
            for (Batch b : batches) {
                ByteBuf one = encode(b);
                try {
                    all.writeBytes(one);
                } finally {
                    one.release();
                }
            }
            byte[] out = new byte[all.readableBytes()];
            all.readBytes(out);
            return out;
        } finally {
            all.release();
        }
    }

    static void write(Path file, Batch... batches) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes(batches));
    }

    static String segmentName(long baseOffset) {
        return String.format("%020d.log", baseOffset);
    }

    static String snapshotName(long endOffset, int epoch) {
        return String.format("%020d-%010d.checkpoint", endOffset, epoch);
    }

    private static ByteBuf encode(Batch b) throws IOException {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < b.values.size(); i++) {
            keys.add(null);
        }
        int flags = b.control ? RecordBatchDescriptor.CONTROL_FLAG_MASK : 0;
        ByteBuf plain =
                RecordBatchBuilder.build(ByteBufAllocator.DEFAULT, 1_000L, -1L, (short) -1, -1, flags, keys, b.values);
        if (b.codec != Codecs.NONE) {
            ByteBuf compressed = compress(plain, b.codec);
            plain.release();
            plain = compressed;
        }
        RecordBatch view = new RecordBatch().wrap(plain, 0);
        view.setBaseOffset(b.baseOffset);
        view.setPartitionLeaderEpoch(1);
        view.updateCrc();
        return plain;
    }

    /** {@code plain} with its records compressed by {@code codec} (a new buffer). */
    private static ByteBuf compress(ByteBuf plain, int codec) throws IOException {
        int header = RecordBatchDescriptor.RECORDS_OFFSET;
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(plain, 0, header);
        try (OutputStream os = Codecs.compress(codec, Codecs.defaultLevel(codec), out)) {
            byte[] records = new byte[plain.writerIndex() - header];
            plain.getBytes(header, records);
            os.write(records);
        }
        out.setInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET, out.writerIndex() - RecordBatchDescriptor.LOG_OVERHEAD);
        short attributes = out.getShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET);
        out.setShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET, attributes | codec);
        return out;
    }
}
