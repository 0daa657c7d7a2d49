package io.skiff.storage;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.record.TestBatches;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Keyed batches (values may be null: tombstones) for compaction tests, and the log read back with kafka-clients. */
final class CompactionFixture {
    private CompactionFixture() {}

    /** One record read back. */
    record Rec(long offset, String key, String value) {}

    /** A batch of {@code keysAndValues} pairs (a null value is a tombstone) as a producer would send it. */
    static ByteBuf batch(Compression compression, long timestampMs, String... keysAndValues) {
        return batch(RecordBatch.NO_PRODUCER_ID, (short) -1, -1, false, compression, timestampMs, keysAndValues);
    }

    static ByteBuf batch(
            long producerId,
            short epoch,
            int baseSequence,
            boolean transactional,
            Compression compression,
            long timestampMs,
            String... keysAndValues) {
        ByteBuffer out = ByteBuffer.allocate(1024 + keysAndValues.length * 64);
        MemoryRecordsBuilder b = MemoryRecords.builder(
                out,
                RecordBatch.MAGIC_VALUE_V2,
                compression,
                TimestampType.CREATE_TIME,
                0L,
                -1L,
                producerId,
                epoch,
                baseSequence,
                transactional,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            String v = keysAndValues[i + 1];
            b.appendWithOffset(
                    i / 2,
                    timestampMs + i / 2,
                    keysAndValues[i].getBytes(StandardCharsets.UTF_8),
                    v == null ? null : v.getBytes(StandardCharsets.UTF_8));
        }
        return TestBatches.copy(b.build().buffer());
    }

    /** Appends {@code buf} (released) as leader; the high watermark follows the log end. */
    static AppendResult append(LogFixture fx, PartitionLog log, ByteBuf buf) {
        try {
            AppendResult r = log.appendAsLeader(buf, 0, fx.clock.milliseconds());
            log.updateHighWatermark(log.logEndOffset());
            return r;
        } finally {
            buf.release();
        }
    }

    /** Every data record from the log start (control batches skipped), read with kafka-clients; checks CRCs. */
    static List<Rec> records(PartitionLog log) {
        List<Rec> out = new ArrayList<>();
        for (RecordBatch b : batches(log)) {
            if (b.isControlBatch()) {
                continue;
            }
            for (Record r : b) {
                out.add(new Rec(
                        r.offset(),
                        r.hasKey() ? StandardCharsets.UTF_8.decode(r.key()).toString() : null,
                        r.hasValue() ? StandardCharsets.UTF_8.decode(r.value()).toString() : null));
            }
        }
        return out;
    }

    /** Every batch from the log start, read with kafka-clients (each must pass its CRC). */
    static List<RecordBatch> batches(PartitionLog log) {
        List<RecordBatch> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            ReadResult r = log.read(next, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            if (r.records() == null || r.records().sizeInBytes() == 0) {
                break;
            }
            MemoryRecords m = MemoryRecords.readableRecords(LogFixture.bytes(r.records()));
            long before = next;
            for (RecordBatch b : m.batches()) {
                if (!b.isValid()) {
                    throw new AssertionError("invalid batch read back at " + b.baseOffset());
                }
                if (b.lastOffset() >= next) {
                    out.add(b);
                }
                next = b.nextOffset();
            }
            if (next == before) {
                break;
            }
        }
        return out;
    }

    /** The latest value per key of {@code records} in offset order (tombstones remove the key). */
    static Map<String, String> latest(List<Rec> records) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Rec r : records) {
            if (r.value() == null) {
                m.remove(r.key());
            } else {
                m.put(r.key(), r.value());
            }
        }
        return m;
    }

    /** A cleaner configuration with a dedupe buffer of {@code dedupeBytes}. */
    static LogManagerConfig cleanerConfig(File dir, long dedupeBytes) {
        return LogManagerConfig.builder(List.of(dir))
                .cleanerDedupeBufferSize(dedupeBytes)
                .cleanerIoBufferSize(64 * 1024)
                .build();
    }

    /** Cleans {@code log} with a cleaner over it alone until it needs no more cleaning; returns the cleans done. */
    static int cleanUntilDone(LogCleaner cleaner) {
        int n = 0;
        try (Cleaner c = cleaner.cleanerForCaller()) {
            while (n < 100 && cleaner.cleanFilthiestLog(c)) {
                n++;
            }
        }
        return n;
    }
}
