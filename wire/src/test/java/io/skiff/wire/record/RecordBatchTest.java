package io.skiff.wire.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;

class RecordBatchTest {
    private static MutableRecordBatch kafkaBatch(ByteBuf buf) {
        MemoryRecords records = TestBatches.kafkaView(buf);
        return records.batches().iterator().next();
    }

    @Test
    void readsTheSameHeaderFieldsAsKafka() {
        ByteBuf buf = TestBatches.spec()
                .idempotent(42L, (short) 3, 7)
                .transactional()
                .count(5)
                .timestamp(12_345L)
                .build();
        try {
            RecordBatch b = new RecordBatch().wrap(buf, 0);
            MutableRecordBatch k = kafkaBatch(buf);
            assertThat(b.baseOffset()).isEqualTo(k.baseOffset());
            assertThat(b.sizeInBytes()).isEqualTo(k.sizeInBytes()).isEqualTo(buf.readableBytes());
            assertThat(b.magic()).isEqualTo(k.magic());
            assertThat(b.checksum()).isEqualTo(k.checksum());
            assertThat(b.lastOffsetDelta()).isEqualTo(4);
            assertThat(b.lastOffset()).isEqualTo(k.lastOffset());
            assertThat(b.nextOffset()).isEqualTo(k.nextOffset());
            assertThat(b.maxTimestamp()).isEqualTo(k.maxTimestamp()).isEqualTo(12_349L);
            assertThat(b.baseTimestamp()).isEqualTo(12_345L);
            assertThat(b.producerId()).isEqualTo(42L);
            assertThat(b.producerEpoch()).isEqualTo((short) 3);
            assertThat(b.baseSequence()).isEqualTo(7);
            assertThat(b.lastSequence()).isEqualTo(k.lastSequence()).isEqualTo(11);
            assertThat(b.recordsCount()).isEqualTo(k.countOrNull()).isEqualTo(5);
            assertThat(b.isTransactional()).isTrue();
            assertThat(b.isControl()).isFalse();
            assertThat(b.compressionType()).isEqualTo(CompressionType.NONE);
            assertThat(b.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
            assertThat(b.isValid()).isTrue();
            assertThat(b.computeCrc()).isEqualTo(b.checksum());
        } finally {
            buf.release();
        }
    }

    @Test
    void readsCompressionCodecOfCompressedBatch() {
        ByteBuf buf = TestBatches.spec()
                .compression(Compression.gzip().build())
                .count(3)
                .build();
        try {
            RecordBatch b = new RecordBatch().wrap(buf, 0);
            assertThat(b.compressionType()).isEqualTo(CompressionType.GZIP);
            assertThat(b.isCompressed()).isTrue();
            assertThat(b.isValid()).isTrue();
        } finally {
            buf.release();
        }
    }

    @Test
    void offsetAndLeaderEpochArePatchedOutsideTheCrc() {
        ByteBuf buf = TestBatches.spec().count(3).build();
        try {
            RecordBatch b = new RecordBatch().wrap(buf, 0);
            long crc = b.checksum();
            b.setBaseOffset(1_000L);
            b.setPartitionLeaderEpoch(9);
            assertThat(b.checksum()).isEqualTo(crc);
            assertThat(b.isValid()).isTrue();
            MutableRecordBatch k = kafkaBatch(buf);
            assertThat(k.isValid()).isTrue();
            assertThat(k.baseOffset()).isEqualTo(1_000L);
            assertThat(k.lastOffset()).isEqualTo(1_002L);
            assertThat(k.partitionLeaderEpoch()).isEqualTo(9);
        } finally {
            buf.release();
        }
    }

    @Test
    void logAppendTimeRewritesTheCrcAsKafkaDoes() {
        ByteBuf ours = TestBatches.spec().count(3).build();
        ByteBuf theirs = TestBatches.spec().count(3).build();
        try {
            new RecordBatch().wrap(ours, 0).setMaxTimestampAndType(TimestampType.LOG_APPEND_TIME, 99_999L);
            MutableRecordBatch k = kafkaBatch(theirs);
            k.setMaxTimestamp(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, 99_999L);
            MutableRecordBatch check = kafkaBatch(ours);
            assertThat(check.isValid()).isTrue();
            assertThat(check.timestampType()).isEqualTo(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME);
            assertThat(check.maxTimestamp()).isEqualTo(99_999L);
            assertThat(check.checksum()).isEqualTo(k.checksum());
        } finally {
            ours.release();
            theirs.release();
        }
    }

    @Test
    void detectsACorruptedByte() {
        ByteBuf buf = TestBatches.spec().count(2).build();
        try {
            buf.setByte(buf.writerIndex() - 1, buf.getByte(buf.writerIndex() - 1) ^ 0x5a);
            assertThat(new RecordBatch().wrap(buf, 0).isValid()).isFalse();
        } finally {
            buf.release();
        }
    }

    @Test
    void sequencesWrapPastIntegerMax() {
        assertThat(RecordBatch.incrementSequence(Integer.MAX_VALUE, 1)).isEqualTo(0);
        assertThat(RecordBatch.incrementSequence(Integer.MAX_VALUE - 1, 3)).isEqualTo(1);
        assertThat(RecordBatch.decrementSequence(1, 3)).isEqualTo(Integer.MAX_VALUE - 1);
        assertThat(RecordBatch.decrementSequence(10, 3)).isEqualTo(7);
    }

    @Test
    void descriptorMatchesKafkaLayout() {
        assertThat(RecordBatchDescriptor.LOG_OVERHEAD).isEqualTo(12);
        assertThat(RecordBatchDescriptor.HEADER_SIZE).isEqualTo(61);
        assertThat(RecordBatchDescriptor.CRC_OFFSET).isEqualTo(17);
        assertThat(RecordBatchDescriptor.ATTRIBUTES_OFFSET).isEqualTo(21);
        assertThat(RecordBatchDescriptor.RECORDS_COUNT_OFFSET).isEqualTo(57);
    }

    @Test
    void recordViewParsesEveryRecordOfAKafkaBatch() {
        ByteBuf buf = TestBatches.spec().count(4).valueSize(7).timestamp(500L).build();
        try {
            RecordBatch b = new RecordBatch().wrap(buf, 0);
            UncompressedRecordSource source = new UncompressedRecordSource();
            RecordView view = new RecordView();
            assertThat(source.open(b)).isTrue();
            for (int i = 0; i < 4; i++) {
                assertThat(source.next(view)).isTrue();
                assertThat(view.offsetDelta()).isEqualTo(i);
                assertThat(view.timestampDelta()).isEqualTo(i);
                assertThat(view.keyLength()).isEqualTo(2);
                assertThat(view.valueLength()).isEqualTo(7);
                assertThat(buf.getByte(view.keyOffset())).isEqualTo((byte) 'k');
            }
            assertThat(source.hasRemaining()).isFalse();
            assertThat(source.next(view)).isFalse();
        } finally {
            buf.release();
        }
    }
}
