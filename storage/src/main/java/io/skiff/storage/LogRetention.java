package io.skiff.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log start offset of one partition log and everything that moves it: DeleteRecords, and
 * retention, which removes whole segments as Apache Kafka does: those wholly below the log start
 * offset, then the oldest while the log stays at least retention.bytes large without them, then
 * the oldest whose largest timestamp is older than retention.ms. A segment is removed only when
 * it lies wholly below the high watermark; the active segment only when it is non-empty and
 * itself breaches (it is rolled first, so an empty active segment always remains). Removed
 * segments are renamed {@code .deleted} and handed to the {@link FileDeleter}, so that slices
 * being sent stay readable; the leader epoch cache and producer snapshots are trimmed to the new
 * start.
 *
 * <p>Not thread-safe: the owning {@link PartitionLog} calls the mutators under its lock;
 * {@link #logStartOffset()} is safe from any thread (volatile). Holds no buffers.
 */
final class LogRetention {
    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

    /** Rolls the active segment of the log (caller holds the log's lock). */
    @FunctionalInterface
    interface Roller {
        void roll(long nowMs) throws IOException;
    }

    private static final int DELETE_BELOW_LOG_START = 0;
    private static final int DELETE_BY_SIZE = 1;
    private static final int DELETE_BY_TIME = 2;

    private final String name;
    private final LogSegments segments;
    private final ProducerStateManager producers;
    private final LeaderEpochCache epochs;
    private final FileDeleter deleter;
    private final Roller roller;
    private volatile long logStartOffset;

    LogRetention(
            String name,
            LogSegments segments,
            ProducerStateManager producers,
            LeaderEpochCache epochs,
            FileDeleter deleter,
            Roller roller,
            long logStartOffset) {
        this.name = name;
        this.segments = segments;
        this.producers = producers;
        this.epochs = epochs;
        this.deleter = deleter;
        this.roller = roller;
        this.logStartOffset = logStartOffset;
    }

    /** The first offset readers may see. */
    long logStartOffset() {
        return logStartOffset;
    }

    /** Sets the log start offset after a truncation ({@link LogTruncation}); caller holds the log's lock. */
    void resetLogStartOffset(long offset) {
        logStartOffset = offset;
    }

    /**
     * DeleteRecords: moves the log start offset to {@code offset} (-1 means the high watermark)
     * and removes the segments wholly below it. POLICY_VIOLATION unless cleanup.policy includes
     * delete; OFFSET_OUT_OF_RANGE for a negative offset or one beyond the high watermark.
     */
    DeleteRecordsResult deleteRecordsBefore(long offset, long highWatermark, LogConfig cfg, long nowMs) {
        if (!cfg.delete) {
            return new DeleteRecordsResult(DeleteRecordsOutcome.POLICY_VIOLATION, -1L);
        }
        long target = offset == -1L ? highWatermark : offset;
        if (target < 0 || target > highWatermark) {
            return new DeleteRecordsResult(DeleteRecordsOutcome.OFFSET_OUT_OF_RANGE, -1L);
        }
        try {
            if (target > logStartOffset) {
                logStartOffset = target;
                epochs.truncateFromStart(target);
                deleteSegments(DELETE_BELOW_LOG_START, highWatermark, cfg, nowMs);
            }
            return new DeleteRecordsResult(DeleteRecordsOutcome.SUCCESS, logStartOffset);
        } catch (IOException e) {
            LOG.error("DeleteRecords on {} failed", name, e);
            return new DeleteRecordsResult(DeleteRecordsOutcome.STORAGE_ERROR, -1L);
        }
    }

    /**
     * Retention: deletes the oldest segments below the log start offset, beyond retention.bytes
     * or older than retention.ms (by each segment's largest timestamp), in that order, when
     * cleanup.policy includes delete. Returns the number of segments deleted.
     */
    int deleteRetentionBreachedSegments(long highWatermark, LogConfig cfg, long nowMs) {
        if (!cfg.delete) {
            return 0;
        }
        try {
            return deleteSegments(DELETE_BELOW_LOG_START, highWatermark, cfg, nowMs)
                    + deleteSegments(DELETE_BY_SIZE, highWatermark, cfg, nowMs)
                    + deleteSegments(DELETE_BY_TIME, highWatermark, cfg, nowMs);
        } catch (IOException e) {
            LOG.error("Retention on {} failed", name, e);
            return 0;
        }
    }

    private int deleteSegments(int mode, long highWatermark, LogConfig cfg, long nowMs) throws IOException {
        long sizeExcess = 0;
        if (mode == DELETE_BY_SIZE) {
            long size = segments.sizeInBytes();
            if (cfg.retentionBytes < 0 || size < cfg.retentionBytes) {
                return 0;
            }
            sizeExcess = size - cfg.retentionBytes;
        }
        if (mode == DELETE_BY_TIME && cfg.retentionMs < 0) {
            return 0;
        }
        List<LogSegment> deletable = new ArrayList<>();
        LogEnd end = segments.end();
        for (LogSegment seg : segments.all()) {
            Map.Entry<Long, LogSegment> next = segments.higherEntry(seg.baseOffset);
            long upperBound = next != null ? next.getKey() : end.offset;
            boolean lastAndEmpty = next == null && seg.size() == 0;
            boolean breach;
            if (mode == DELETE_BELOW_LOG_START) {
                breach = next != null && next.getKey() <= logStartOffset;
            } else if (mode == DELETE_BY_SIZE) {
                breach = sizeExcess - seg.size() >= 0;
                if (breach) {
                    sizeExcess -= seg.size();
                }
            } else {
                breach = nowMs - seg.largestTimestamp() > cfg.retentionMs;
            }
            if (highWatermark >= upperBound && breach && !lastAndEmpty) {
                deletable.add(seg);
            } else {
                break;
            }
        }
        if (deletable.isEmpty()) {
            return 0;
        }
        if (deletable.size() == segments.count()) {
            roller.roll(nowMs);
        }
        for (LogSegment seg : deletable) {
            segments.remove(seg);
            seg.renameToDeleted();
            deleter.schedule(seg, nowMs + cfg.fileDeleteDelayMs);
            LOG.info(
                    "Deleting segment {} of {} ({})",
                    seg.baseOffset,
                    name,
                    mode == DELETE_BY_SIZE
                            ? "retention.bytes"
                            : mode == DELETE_BY_TIME ? "retention.ms" : "log start offset");
        }
        long firstBase = segments.firstBaseOffset();
        if (firstBase > logStartOffset) {
            logStartOffset = firstBase;
        }
        epochs.truncateFromStart(logStartOffset);
        producers.deleteSnapshotsBefore(firstBase, 1);
        return deletable.size();
    }
}
