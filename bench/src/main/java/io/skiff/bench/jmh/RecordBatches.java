package io.skiff.bench.jmh;

import java.nio.ByteBuffer;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Real record batch v2 bytes for the microbenchmarks, built once at set-up by kafka-clients'
 * own (internal) record builder. Only the fixtures use it; what is measured is Skiff code.
 * To be replaced by Skiff's batch writer when the wire module has one.
 */
final class RecordBatches {
    private RecordBatches() {}

    /** One uncompressed batch of {@code count} records of {@code valueSize} random-letter bytes. */
    static byte[] batch(int count, int valueSize) {
        Random random = new Random(11);
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[valueSize];
            for (int j = 0; j < valueSize; j++) {
                value[j] = (byte) ('A' + random.nextInt(26));
            }
            records[i] = new SimpleRecord(1_700_000_000_000L + i, null, value);
        }
        ByteBuffer b = MemoryRecords.withRecords(Compression.NONE, records).buffer();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }
}
