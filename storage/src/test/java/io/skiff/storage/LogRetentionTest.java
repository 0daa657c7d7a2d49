package io.skiff.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogRetention} on hand-built segments: three of ten records each, at offsets 0, 10 and 20 (the last active). */
class LogRetentionTest {
    private static final long NOW = LogFixture.START_MS;

    @TempDir
    File dir;

    private final LogSegments segments = new LogSegments();
    private final FileDeleter deleter = new FileDeleter();
    private int rolls;
    private LogRetention retention;

    /** Builds the three segments with the given first-record timestamps and a retention over them. */
    private void build(LogConfig cfg, long ts0, long ts10, long ts20) throws IOException {
        segments.add(LogFixture.segmentWith(dir, 0, 10, ts0, cfg));
        segments.add(LogFixture.segmentWith(dir, 10, 10, ts10, cfg));
        LogSegment active = LogFixture.segmentWith(dir, 20, 10, ts20, cfg);
        segments.add(active);
        segments.publish(new LogEnd(30, active, active.size()));
        ProducerStateManager producers = new ProducerStateManager(dir, "topic-0", 86_400_000L);
        LeaderEpochCache epochs = new LeaderEpochCache(new File(dir, LogFiles.LEADER_EPOCH_CHECKPOINT));
        retention = new LogRetention("topic-0", segments, producers, epochs, deleter, nowMs -> roll(cfg, nowMs), 0L);
    }

    /** What PartitionLog's roll does to the segment list: a new empty active segment at the log end. */
    private void roll(LogConfig cfg, long nowMs) throws IOException {
        rolls++;
        LogEnd end = segments.end();
        LogSegment fresh = LogSegment.open(dir, end.offset, cfg, 0L, nowMs);
        segments.add(fresh);
        segments.publish(new LogEnd(end.offset, fresh, 0));
    }

    @AfterEach
    void closeSegments() throws IOException {
        deleter.closeAll();
        for (LogSegment s : segments.all()) {
            s.close();
        }
    }

    @Test
    void byTimeDeletesTheOldestSegmentsWhoseNewestRecordIsOlderThanRetentionMs() throws Exception {
        build(LogFixture.config(LogConfig.RETENTION_MS, "10000"), NOW - 30_000, NOW - 20_000, NOW - 1_000);
        assertThat(retention.deleteRetentionBreachedSegments(
                        30, LogFixture.config(LogConfig.RETENTION_MS, "10000"), NOW))
                .isEqualTo(2);
        assertThat(segments.baseOffsets()).containsExactly(20L);
        assertThat(retention.logStartOffset()).isEqualTo(20);
        assertThat(rolls).isZero();
        assertThat(new File(dir, LogFiles.file(dir, 0, LogFiles.LOG_SUFFIX).getName() + LogFiles.DELETED_SUFFIX))
                .exists();
    }

    @Test
    void byTimeStopsAtTheFirstSegmentThatIsRecentEnough() throws Exception {
        LogConfig cfg = LogFixture.config(LogConfig.RETENTION_MS, "10000");
        build(cfg, NOW - 30_000, NOW - 1_000, NOW - 30_000);
        assertThat(retention.deleteRetentionBreachedSegments(30, cfg, NOW)).isEqualTo(1);
        assertThat(segments.baseOffsets()).containsExactly(10L, 20L);
        assertThat(retention.logStartOffset()).isEqualTo(10);
    }

    @Test
    void bySizeDeletesTheOldestWhileTheRestStaysAtLeastRetentionBytes() throws Exception {
        build(LogConfig.DEFAULT, NOW, NOW, NOW);
        long segmentSize = segments.last().size();
        LogConfig cfg = LogFixture.config(LogConfig.RETENTION_BYTES, Long.toString(segmentSize + 1));
        assertThat(retention.deleteRetentionBreachedSegments(30, cfg, NOW)).isEqualTo(1);
        assertThat(segments.baseOffsets()).containsExactly(10L, 20L);
        assertThat(segments.sizeInBytes()).isGreaterThanOrEqualTo(segmentSize + 1);
        assertThat(retention.logStartOffset()).isEqualTo(10);
    }

    @Test
    void neverDeletesASegmentReachingAboveTheHighWatermark() throws Exception {
        LogConfig cfg = LogFixture.config(LogConfig.RETENTION_MS, "10000");
        build(cfg, NOW - 30_000, NOW - 30_000, NOW - 30_000);
        assertThat(retention.deleteRetentionBreachedSegments(15, cfg, NOW)).isEqualTo(1);
        assertThat(segments.baseOffsets()).containsExactly(10L, 20L);
    }

    @Test
    void aBreachingActiveSegmentIsRolledFirstAndTheNewEmptyOneIsNeverDeleted() throws Exception {
        LogConfig cfg = LogFixture.config(LogConfig.RETENTION_MS, "10000");
        build(cfg, NOW - 30_000, NOW - 30_000, NOW - 30_000);
        assertThat(retention.deleteRetentionBreachedSegments(30, cfg, NOW)).isEqualTo(3);
        assertThat(rolls).isEqualTo(1);
        assertThat(segments.baseOffsets()).containsExactly(30L);
        assertThat(retention.logStartOffset()).isEqualTo(30);
        assertThat(retention.deleteRetentionBreachedSegments(30, cfg, NOW + 60_000))
                .isZero();
        assertThat(segments.baseOffsets()).containsExactly(30L);
        assertThat(retention.deleteRetentionBreachedSegments(
                        30, LogFixture.config(LogConfig.RETENTION_BYTES, "0"), NOW))
                .isZero();
        assertThat(rolls).isEqualTo(1);
    }

    @Test
    void nothingIsDeletedWhenCleanupPolicyIsCompactOnly() throws Exception {
        LogConfig cfg = LogFixture.config(LogConfig.RETENTION_MS, "10000", LogConfig.CLEANUP_POLICY, "compact");
        build(cfg, NOW - 30_000, NOW - 30_000, NOW - 30_000);
        assertThat(retention.deleteRetentionBreachedSegments(30, cfg, NOW)).isZero();
        assertThat(segments.count()).isEqualTo(3);
    }

    @Test
    void deleteRecordsMovesTheLogStartOffsetAndRemovesOnlySegmentsWhollyBelowIt() throws Exception {
        build(LogConfig.DEFAULT, NOW, NOW, NOW);
        DeleteRecordsResult r = retention.deleteRecordsBefore(15, 30, LogConfig.DEFAULT, NOW);
        assertThat(r.outcome()).isEqualTo(DeleteRecordsOutcome.SUCCESS);
        assertThat(r.lowWatermark()).isEqualTo(15);
        assertThat(retention.logStartOffset()).isEqualTo(15);
        assertThat(segments.baseOffsets()).containsExactly(10L, 20L);
        // an offset at or below the log start changes nothing and answers the current start
        assertThat(retention.deleteRecordsBefore(12, 30, LogConfig.DEFAULT, NOW).lowWatermark())
                .isEqualTo(15);
        // -1 means the high watermark
        assertThat(retention.deleteRecordsBefore(-1, 25, LogConfig.DEFAULT, NOW).lowWatermark())
                .isEqualTo(25);
        assertThat(segments.baseOffsets()).containsExactly(20L);
    }

    @Test
    void deleteRecordsRejectsOffsetsOutOfRangeAndCompactedTopics() throws Exception {
        build(LogConfig.DEFAULT, NOW, NOW, NOW);
        assertThat(retention.deleteRecordsBefore(31, 30, LogConfig.DEFAULT, NOW).outcome())
                .isEqualTo(DeleteRecordsOutcome.OFFSET_OUT_OF_RANGE);
        assertThat(retention.deleteRecordsBefore(-5, 30, LogConfig.DEFAULT, NOW).outcome())
                .isEqualTo(DeleteRecordsOutcome.OFFSET_OUT_OF_RANGE);
        DeleteRecordsResult compacted =
                retention.deleteRecordsBefore(5, 30, LogFixture.config(LogConfig.CLEANUP_POLICY, "compact"), NOW);
        assertThat(compacted.outcome()).isEqualTo(DeleteRecordsOutcome.POLICY_VIOLATION);
        assertThat(compacted.lowWatermark()).isEqualTo(-1);
        assertThat(retention.logStartOffset()).isZero();
        assertThat(segments.count()).isEqualTo(3);
    }
}
