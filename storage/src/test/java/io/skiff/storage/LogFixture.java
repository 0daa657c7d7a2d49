package io.skiff.storage;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.TestBatches;
import io.skiff.wire.util.ManualClock;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Opens partition logs in a temp dir with a manual clock, a flusher and a deleter; reads back what they hold. */
final class LogFixture implements AutoCloseable {
    static final TopicPartition TP = new TopicPartition("topic", 0);
    static final long START_MS = 1_700_000_000_000L;

    final File dir;
    final ManualClock clock = new ManualClock(START_MS);
    final LogFlusher flusher = new LogFlusher("test-flusher");
    final FileDeleter deleter = new FileDeleter();
    final List<PartitionLog> opened = new ArrayList<>();

    LogFixture(File root) {
        this.dir = new File(root, TP.dirName());
    }

    PartitionLog open(LogConfig config) throws IOException {
        return open(config, true, 0L, 0L);
    }

    PartitionLog open(LogConfig config, boolean clean, long recoveryPoint, long logStartOffset) throws IOException {
        PartitionLog log = PartitionLog.open(
                dir,
                TP,
                Uuid.random(),
                config,
                clock,
                flusher,
                deleter,
                86_400_000L,
                clean,
                recoveryPoint,
                logStartOffset);
        opened.add(log);
        return log;
    }

    static LogConfig config(String... kv) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return LogConfig.of(m);
    }

    /** Appends a batch built by {@code spec}, releasing the buffer. */
    AppendResult append(PartitionLog log, TestBatches.Spec spec) {
        ByteBuf buf = spec.build();
        try {
            AppendResult r = log.appendAsLeader(buf, 0, clock.milliseconds());
            log.updateHighWatermark(log.logEndOffset()); // as the broker's partition layer does on one node
            return r;
        } finally {
            buf.release();
        }
    }

    /**
     * Opens a segment at {@code baseOffset} in {@code dir} holding one batch of {@code count}
     * records with offsets from {@code baseOffset} and timestamps from {@code timestampMs}.
     */
    static LogSegment segmentWith(File dir, long baseOffset, int count, long timestampMs, LogConfig config)
            throws IOException {
        LogSegment segment = LogSegment.open(dir, baseOffset, config, 0L, timestampMs);
        ByteBuf buf = TestBatches.spec()
                .baseOffset(baseOffset)
                .count(count)
                .timestamp(timestampMs)
                .build();
        try {
            segment.append(buf, buf.readerIndex(), buf.readableBytes(), new io.skiff.wire.record.RecordBatch());
        } finally {
            buf.release();
        }
        return segment;
    }

    /** The bytes of a read result (copied through FileRecords.copyTo). */
    static ByteBuffer bytes(FileRecords records) {
        ByteBuf buf = io.netty.buffer.Unpooled.buffer(records.sizeInBytes());
        try {
            records.copyTo(buf);
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return ByteBuffer.wrap(out);
        } finally {
            buf.release();
        }
    }

    /** Offsets of all whole records in the log from the log start, read with kafka-clients. */
    static List<Long> offsets(PartitionLog log) {
        List<Long> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            ReadResult r = log.read(next, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            if (r.records() == null || r.records().sizeInBytes() == 0) {
                break;
            }
            MemoryRecords m = MemoryRecords.readableRecords(bytes(r.records()));
            long before = next;
            for (RecordBatch b : m.batches()) {
                if (!b.isValid()) {
                    throw new AssertionError("invalid batch read back at " + b.baseOffset());
                }
                for (Record rec : b) {
                    if (rec.offset() >= next) {
                        out.add(rec.offset());
                    }
                }
                next = b.nextOffset();
            }
            if (next == before) {
                break;
            }
        }
        return out;
    }

    static Map<String, String> map(String... kv) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Override
    public void close() throws Exception {
        for (PartitionLog l : opened) {
            if (!l.isClosed()) {
                l.close();
            }
        }
        deleter.closeAll();
        flusher.close();
    }
}
