package io.skiff.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Record batches exactly as Kafka's producer builds them (kafka-clients' MemoryRecordsBuilder),
 * copied into pooled direct buffers so the leak detector watches them. Callers own (release) the
 * returned buffers.
 */
public final class TestBatches {
    private TestBatches() {}

    /** Describes a batch to build. */
    public static final class Spec {
        Compression compression = Compression.NONE;
        org.apache.kafka.common.record.TimestampType timestampType =
                org.apache.kafka.common.record.TimestampType.CREATE_TIME;
        long producerId = RecordBatch.NO_PRODUCER_ID;
        short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
        int baseSequence = RecordBatch.NO_SEQUENCE;
        boolean transactional;
        long baseOffset;
        int count = 1;
        long timestamp = 1_000L;
        int valueSize = 10;
        boolean nullKeys;
        String keyPrefix = "k";

        public Spec compression(Compression c) {
            compression = c;
            return this;
        }

        public Spec logAppendTime() {
            timestampType = org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME;
            return this;
        }

        public Spec idempotent(long producerId, short epoch, int baseSequence) {
            this.producerId = producerId;
            this.producerEpoch = epoch;
            this.baseSequence = baseSequence;
            return this;
        }

        public Spec transactional() {
            transactional = true;
            return this;
        }

        public Spec baseOffset(long o) {
            baseOffset = o;
            return this;
        }

        public Spec count(int n) {
            count = n;
            return this;
        }

        /** Timestamp of the first record; each next record is 1 ms later. */
        public Spec timestamp(long ts) {
            timestamp = ts;
            return this;
        }

        public Spec valueSize(int n) {
            valueSize = n;
            return this;
        }

        public Spec nullKeys() {
            nullKeys = true;
            return this;
        }

        public Spec keyPrefix(String p) {
            keyPrefix = p;
            return this;
        }

        /** The batch as kafka-clients serializes it. */
        public ByteBuffer toNio() {
            ByteBuffer out = ByteBuffer.allocate(1024 + count * (valueSize + 64));
            MemoryRecordsBuilder b = MemoryRecords.builder(
                    out,
                    RecordBatch.MAGIC_VALUE_V2,
                    compression,
                    timestampType,
                    baseOffset,
                    timestampType == org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME ? timestamp : -1L,
                    producerId,
                    producerEpoch,
                    baseSequence,
                    transactional,
                    RecordBatch.NO_PARTITION_LEADER_EPOCH);
            for (int i = 0; i < count; i++) {
                byte[] key = nullKeys ? null : (keyPrefix + i).getBytes(StandardCharsets.UTF_8);
                byte[] value = new byte[valueSize];
                for (int j = 0; j < valueSize; j++) {
                    value[j] = (byte) (i + j);
                }
                b.appendWithOffset(baseOffset + i, timestamp + i, key, value);
            }
            return b.build().buffer();
        }

        /** The batch in a pooled direct buffer the caller must release. */
        public ByteBuf build() {
            return copy(toNio());
        }
    }

    public static Spec spec() {
        return new Spec();
    }

    /** A pooled direct copy of {@code nio}'s remaining bytes; the caller releases it. */
    public static ByteBuf copy(ByteBuffer nio) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(nio.remaining());
        buf.writeBytes(nio.duplicate());
        return buf;
    }

    /** Reads the batches in {@code bytes} with kafka-clients (fails if Kafka cannot parse them). */
    public static MemoryRecords kafkaView(ByteBuf bytes) {
        byte[] copy = new byte[bytes.readableBytes()];
        bytes.getBytes(bytes.readerIndex(), copy);
        return MemoryRecords.readableRecords(ByteBuffer.wrap(copy));
    }
}
