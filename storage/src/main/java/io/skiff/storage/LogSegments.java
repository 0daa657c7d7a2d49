package io.skiff.storage;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segments of one partition log by base offset (the last is the active one) and the
 * published {@link LogEnd}. It is the one owner of the segment list: the loader fills it, appends
 * and rolls add to it and publish the end, retention and DeleteRecords remove from it, the
 * flusher walks it.
 *
 * <p>Thread-safety: reads (lookups, iteration, {@link #end()}) are safe from any thread; the map
 * is concurrent and the end volatile. Mutations are made by one thread at a time: the loader
 * before the log is shared, then the owning {@link PartitionLog} under its lock. Holds no
 * buffers; the segments' files are closed by their owner ({@link PartitionLog} or
 * {@link FileDeleter}).
 */
final class LogSegments {
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private volatile LogEnd end;

    /** The log end last published. */
    LogEnd end() {
        return end;
    }

    /** Publishes a new log end (one volatile write). */
    void publish(LogEnd newEnd) {
        end = newEnd;
    }

    void add(LogSegment segment) {
        segments.put(segment.baseOffset, segment);
    }

    void remove(LogSegment segment) {
        segments.remove(segment.baseOffset);
    }

    void clear() {
        segments.clear();
    }

    boolean isEmpty() {
        return segments.isEmpty();
    }

    int count() {
        return segments.size();
    }

    long firstBaseOffset() {
        return segments.firstKey();
    }

    /** The segment with the highest base offset (the active one once loaded). */
    LogSegment last() {
        return segments.lastEntry().getValue();
    }

    /** The segment that would hold {@code offset}: the one with the greatest base offset at or below it. */
    Map.Entry<Long, LogSegment> floorEntry(long offset) {
        return segments.floorEntry(offset);
    }

    /** The segment after the one based at {@code baseOffset}, or null. */
    Map.Entry<Long, LogSegment> higherEntry(long baseOffset) {
        return segments.higherEntry(baseOffset);
    }

    /** Every segment, oldest first (a live view). */
    Collection<LogSegment> all() {
        return segments.values();
    }

    /** The segments from the one holding {@code offset} on (all of them when it is below the first), oldest first. */
    Collection<LogSegment> from(long offset) {
        Map.Entry<Long, LogSegment> first = segments.floorEntry(offset);
        return (first == null ? segments : segments.tailMap(first.getKey())).values();
    }

    /** Bytes of batches in all segments. */
    long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    /** Base offsets of the segments, oldest first. */
    long[] baseOffsets() {
        long[] out = new long[segments.size()];
        int i = 0;
        for (Long k : segments.keySet()) {
            if (i == out.length) {
                break;
            }
            out[i++] = k;
        }
        return i == out.length ? out : Arrays.copyOf(out, i);
    }
}
