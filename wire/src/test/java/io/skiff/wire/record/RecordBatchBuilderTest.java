package io.skiff.wire.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class RecordBatchBuilderTest {
    @Test
    void kafkaClientsReadTheBuiltBatch() {
        List<byte[]> keys = Arrays.asList("a".getBytes(), null, "c".getBytes());
        List<byte[]> values = Arrays.asList("1".getBytes(), "2".getBytes(), null);
        ByteBuf buf = RecordBatchBuilder.build(ByteBufAllocator.DEFAULT, 12345L, keys, values);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(0, bytes);
            MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes));
            List<String> seen = new ArrayList<>();
            for (RecordBatch batch : records.batches()) {
                batch.ensureValid();
                assertThat(batch.isControlBatch()).isFalse();
                assertThat(batch.producerId()).isEqualTo(-1L);
                for (Record r : batch) {
                    seen.add(r.offset() + ":" + (r.hasKey() ? str(r.key()) : "null") + "="
                            + (r.hasValue() ? str(r.value()) : "null") + "@" + r.timestamp());
                }
            }
            assertThat(seen).containsExactly("0:a=1@12345", "1:null=2@12345", "2:c=null@12345");
            assertThat(new BatchValidator()
                            .validate(
                                    buf,
                                    new ValidationRules(
                                            1 << 20, false, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE),
                                    "t-0",
                                    12345L,
                                    new ValidationResult()))
                    .isTrue();
        } finally {
            buf.release();
        }
    }

    private static String str(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a);
    }
}
