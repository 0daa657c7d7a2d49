package io.skiff.compat;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.storage.internals.checkpoint.OffsetCheckpointFile;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;

/**
 * Reads one partition directory of a stopped broker the way Apache Kafka would, with
 * kafka-clients' and kafka-storage's own readers: the segment files by base offset, the record
 * batches of a segment (positions, offsets, CRC, the 8-byte sequence numbers that
 * {@link IdempotentLoad} writes as values), the recovery point from
 * {@code recovery-point-offset-checkpoint}. Nothing here writes.
 *
 * <p>Stateless; not for a directory a running broker is writing.
 */
final class PartitionFiles {
    static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";

    /** One whole, valid record batch of a segment: where it is and the values of its records. */
    record Batch(long baseOffset, long lastOffset, int position, int sizeInBytes, long[] values) {
        int end() {
            return position + sizeInBytes;
        }
    }

    /** The whole valid batches at the start of one segment file, and its size on disk. */
    record Segment(long baseOffset, File log, List<Batch> batches, long sizeInBytes) {
        /** The offset after the last whole batch, or the base offset when there is none. */
        long nextOffset() {
            return batches.isEmpty()
                    ? baseOffset
                    : batches.get(batches.size() - 1).lastOffset() + 1;
        }

        /** Bytes after the last whole valid batch (a torn or corrupt tail). */
        long trailingBytes() {
            return sizeInBytes
                    - (batches.isEmpty() ? 0 : batches.get(batches.size() - 1).end());
        }
    }

    private PartitionFiles() {}

    static File partitionDir(Path logDir, String topic, int partition) {
        return logDir.resolve(topic + "-" + partition).toFile();
    }

    /** The segment (.log) files of {@code dir} by base offset. */
    static TreeMap<Long, File> segmentFiles(File dir) {
        TreeMap<Long, File> out = new TreeMap<>();
        File[] files = dir.listFiles((d, name) -> name.endsWith(".log") && name.length() == 24);
        for (File f : files == null ? new File[0] : files) {
            out.put(baseOffset(f), f);
        }
        return out;
    }

    /** Files of {@code dir} with {@code suffix} (".snapshot", ".index", ...) by the offset in their name. */
    static TreeMap<Long, File> filesWithSuffix(File dir, String suffix) {
        TreeMap<Long, File> out = new TreeMap<>();
        File[] files = dir.listFiles((d, name) -> name.endsWith(suffix) && name.length() == 20 + suffix.length());
        for (File f : files == null ? new File[0] : files) {
            out.put(baseOffset(f), f);
        }
        return out;
    }

    static long baseOffset(File f) {
        return Long.parseLong(f.getName().substring(0, 20));
    }

    /** Sibling of a segment file with another suffix (".index", ".timeindex", ".snapshot"). */
    static File sibling(File log, String suffix) {
        return new File(log.getParentFile(), log.getName().substring(0, 20) + suffix);
    }

    /**
     * The whole batches at the start of {@code log} whose CRC is valid and whose offsets follow
     * each other, as Kafka's recovery would keep them; stops at the first torn, corrupt or
     * out-of-order batch.
     */
    static Segment readSegment(File log) throws IOException {
        long base = baseOffset(log);
        List<Batch> batches = new ArrayList<>();
        try (FileRecords records = FileRecords.open(log, false)) {
            long expected = base;
            try {
                for (FileChannelRecordBatch b : records.batches()) {
                    if (!b.isValid() || b.baseOffset() < expected) {
                        break;
                    }
                    long[] values = new long[(int) (b.lastOffset() - b.baseOffset() + 1)];
                    int n = 0;
                    for (Record r : b) {
                        if (n == values.length) {
                            break;
                        }
                        ByteBuffer v = r.value();
                        values[n++] = v != null && v.remaining() == 8 ? v.getLong(v.position()) : -1;
                    }
                    batches.add(new Batch(
                            b.baseOffset(), b.lastOffset(), b.position(), b.sizeInBytes(), Arrays.copyOf(values, n)));
                    expected = b.lastOffset() + 1;
                }
            } catch (CorruptRecordException tornOrZeroed) {
                // the valid prefix ends here
            }
            return new Segment(base, log, batches, records.sizeInBytes());
        }
    }

    /**
     * The recovery point recorded for {@code tp} in {@code logDir}'s checkpoint, read with
     * Kafka's reader; 0 when the file or the entry is absent.
     */
    static long recoveryPoint(Path logDir, TopicPartition tp) throws IOException {
        Map<TopicPartition, Long> points =
                readOffsetCheckpoint(logDir.resolve(RECOVERY_POINT_CHECKPOINT).toFile());
        return points.getOrDefault(tp, 0L);
    }

    /** Reads an offset checkpoint file with Kafka's reader; an empty map when it does not exist. */
    static Map<TopicPartition, Long> readOffsetCheckpoint(File file) throws IOException {
        if (!file.exists()) {
            return Map.of();
        }
        return new OffsetCheckpointFile(file, new LogDirFailureChannel(1)).read();
    }
}
