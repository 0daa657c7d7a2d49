package io.skiff.storage;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's truncations of one partition log ({@link PartitionLog#truncateTo}, {@link
 * PartitionLog#truncateFullyAndStartAt}): the files, the leader epochs, the producer state, the
 * log start offset and what is durable. The high watermark and the first unstable offset stay
 * with the {@link PartitionLog}, which calls this under its lock.
 *
 * <p>Design note: crash safety. Every step leaves a directory that {@link LogLoader} opens as a
 * contiguous log, using the same discipline as retention and the cleaner's swap: a removed
 * segment is renamed {@code .deleted} (log file first; the loader deletes {@code .deleted} files
 * and indexes without a log file) and handed to the {@link FileDeleter}, the segments above the
 * truncation point newest first, so that a crash between two renames leaves a prefix of the old
 * log (never a hole); the segment holding the truncation point is then cut with one {@code
 * ftruncate} at a batch boundary and fsynced; the directory is fsynced after the renames.
 * Producer snapshots above the new end are deleted before any segment is touched (a loader without
 * them replays the log from an older one), and {@code leader-epoch-checkpoint} is rewritten
 * (atomically) only once the segments are cut: a crash before that leaves entries above the log
 * end, which the loader trims. So after a SIGKILL in the middle of a truncation, what can reappear
 * at restart is a part of the old tail, exactly the batches that were there before (never a record
 * of another content, never a gap), together with the epochs that wrote them; the follower then
 * finds the same divergence again (OffsetForLeaderEpoch or the fetch's diverging epoch) and
 * truncates again, as Kafka's follower does.
 *
 * <p>Not thread-safe: the owning {@link PartitionLog} calls it under its lock. Holds no buffers.
 */
final class LogTruncation {
    private static final Logger LOG = LoggerFactory.getLogger(LogTruncation.class);

    private final File dir;
    private final String name;
    private final LogSegments segments;
    private final ProducerStateManager producers;
    private final LeaderEpochCache epochs;
    private final LogRetention retention;
    private final LogDurability durability;
    private final FileDeleter deleter;
    private volatile StepListener stepListener = StepListener.NONE;

    /**
     * Told after each file step of a truncation (tests copy the directory there: what a process
     * killed at that point leaves on disk). Called under the log's lock.
     */
    @FunctionalInterface
    interface StepListener {
        StepListener NONE = step -> {};

        void afterStep(String step) throws IOException;
    }

    LogTruncation(
            File dir,
            String name,
            LogSegments segments,
            ProducerStateManager producers,
            LeaderEpochCache epochs,
            LogRetention retention,
            LogDurability durability,
            FileDeleter deleter) {
        this.dir = dir;
        this.name = name;
        this.segments = segments;
        this.producers = producers;
        this.epochs = epochs;
        this.retention = retention;
        this.durability = durability;
        this.deleter = deleter;
    }

    void setStepListener(StepListener listener) {
        this.stepListener = listener == null ? StepListener.NONE : listener;
    }

    /**
     * Removes every batch whose last offset is at or above {@code offset} (at least the first
     * segment's base offset, below the log end offset) and returns the new log end offset: {@code
     * offset} when it is a batch boundary, else the base offset of the batch holding it (or, after
     * a gap of a compacted log, the end of the last batch below it).
     */
    long truncateTo(long offset, LogConfig cfg, long nowMs) throws IOException {
        producers.deleteSnapshotsAfter(offset);
        stepListener.afterStep("snapshots above " + offset + " deleted");
        Map.Entry<Long, LogSegment> floor = segments.floorEntry(offset);
        LogSegment kept = floor.getValue();
        List<LogSegment> above = new ArrayList<>();
        for (Map.Entry<Long, LogSegment> e = segments.higherEntry(kept.baseOffset);
                e != null;
                e = segments.higherEntry(e.getKey())) {
            above.add(e.getValue());
        }
        for (int i = above.size() - 1; i >= 0; i--) {
            removeSegment(above.get(i), cfg, nowMs);
        }
        if (!above.isEmpty()) {
            LogFiles.fsyncDir(dir);
        }
        int removed = kept.truncateTo(offset, nowMs);
        stepListener.afterStep("segment " + kept.baseOffset + " cut");
        kept.fsyncData();
        kept.resizeIndexes(cfg.maxIndexSize);
        long logEndOffset = kept.readNextOffset();
        segments.publish(new LogEnd(logEndOffset, kept, kept.size()));
        epochs.truncateFromEnd(logEndOffset);
        stepListener.afterStep("leader epochs truncated");
        if (retention.logStartOffset() > logEndOffset) {
            retention.resetLogStartOffset(logEndOffset);
        }
        rebuildProducerState(logEndOffset, nowMs);
        durability.onTruncated(logEndOffset);
        LOG.info(
                "Truncated {} to offset {} (asked for {}): {} segments deleted, {} bytes cut from segment {}",
                name,
                logEndOffset,
                offset,
                above.size(),
                removed,
                kept.baseOffset);
        return logEndOffset;
    }

    /**
     * Removes every segment and starts the log again, empty, at {@code offset}: one new segment
     * there, log start and log end at {@code offset}, no producer state or snapshots, no leader
     * epochs.
     */
    void truncateFullyAndStartAt(long offset, LogConfig cfg, long nowMs) throws IOException {
        producers.deleteSnapshotsAfter(-1L);
        stepListener.afterStep("snapshots deleted");
        List<LogSegment> all = new ArrayList<>(segments.all());
        for (int i = all.size() - 1; i >= 0; i--) {
            removeSegment(all.get(i), cfg, nowMs);
        }
        LogFiles.fsyncDir(dir);
        LogSegment fresh = LogSegment.open(dir, offset, cfg, LogSegment.randomRollJitterMs(cfg), nowMs);
        segments.add(fresh);
        LogFiles.fsyncDir(dir);
        stepListener.afterStep("segment " + offset + " created");
        segments.publish(new LogEnd(offset, fresh, 0));
        epochs.clearAndFlush();
        stepListener.afterStep("leader epochs cleared");
        retention.resetLogStartOffset(offset);
        producers.loadFromSnapshot(offset, offset, nowMs);
        producers.updateMapEndOffset(offset);
        durability.onTruncatedFully(offset);
        LOG.info(
                "Truncated {} fully: {} segments deleted, the log starts again at offset {}", name, all.size(), offset);
    }

    private void removeSegment(LogSegment seg, LogConfig cfg, long nowMs) throws IOException {
        segments.remove(seg);
        seg.renameToDeleted();
        deleter.schedule(seg, nowMs + cfg.fileDeleteDelayMs);
        stepListener.afterStep("segment " + seg.baseOffset + " renamed .deleted");
    }

    /** Producer state at {@code logEndOffset}: the latest snapshot at or below it plus a replay of the rest. */
    private void rebuildProducerState(long logEndOffset, long nowMs) throws IOException {
        long from = producers.loadFromSnapshot(retention.logStartOffset(), logEndOffset, nowMs);
        LogLoader.replayProducerState(segments, producers, from, Long.MAX_VALUE);
        producers.updateMapEndOffset(logEndOffset);
    }
}
