package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.util.ManualClock;
import java.io.File;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
    @TempDir
    File root;

    private static int countFiles(File dir, String suffix) {
        int n = 0;
        for (File f : dir.listFiles()) {
            if (f.getName().endsWith(suffix)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void retentionByTimeDeletesSegmentsWhoseLargestTimestampIsTooOld() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log =
                    fx.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "600", LogConfig.RETENTION_MS, "10000"));
            long t = fx.clock.milliseconds();
            for (int i = 0; i < 20; i++) {
                fx.append(log, spec().count(2).valueSize(50).timestamp(t + i * 1000L));
            }
            int segmentsBefore = log.numberOfSegments();
            assertThat(log.deleteRetentionBreachedSegments()).isZero();
            fx.clock.advance(15_000);
            int deleted = log.deleteRetentionBreachedSegments();
            assertThat(deleted).isGreaterThan(0);
            assertThat(log.numberOfSegments()).isEqualTo(segmentsBefore - deleted);
            long firstBase = log.segmentBaseOffsets()[0];
            assertThat(log.logStartOffset()).isEqualTo(firstBase);
            // every remaining segment but the first holds a record newer than now - retention.ms
            long cutoff = fx.clock.milliseconds() - 10_000;
            assertThat(log.offsetForTimestamp(0).timestamp()).isGreaterThan(cutoff - 10_000);
            assertThat(log.read(firstBase - 1, 100, Long.MAX_VALUE, true).outcome())
                    .isEqualTo(ReadOutcome.OFFSET_OUT_OF_RANGE);
            assertThat(LogFixture.offsets(log).get(0)).isEqualTo(firstBase);
        }
    }

    @Test
    void retentionByTimeRollsAndDeletesTheActiveSegmentWhenItIsTooOld() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogFixture.config(LogConfig.RETENTION_MS, "1000"));
            fx.append(log, spec().count(3).timestamp(fx.clock.milliseconds()));
            fx.clock.advance(2000);
            assertThat(log.deleteRetentionBreachedSegments()).isEqualTo(1);
            assertThat(log.numberOfSegments()).isEqualTo(1);
            assertThat(log.segmentBaseOffsets()).containsExactly(3L);
            assertThat(log.logStartOffset()).isEqualTo(3);
            assertThat(log.logEndOffset()).isEqualTo(3);
            // the empty active segment is never deleted
            fx.clock.advance(2000);
            assertThat(log.deleteRetentionBreachedSegments()).isZero();
        }
    }

    @Test
    void retentionBySizeKeepsTheNewestSegmentsUnderTheLimit() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log =
                    fx.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "600", LogConfig.RETENTION_BYTES, "1500"));
            for (int i = 0; i < 30; i++) {
                fx.append(log, spec().count(2).valueSize(50).timestamp(fx.clock.milliseconds()));
            }
            long before = log.sizeInBytes();
            assertThat(before).isGreaterThan(1500);
            int deleted = log.deleteRetentionBreachedSegments();
            assertThat(deleted).isGreaterThan(0);
            assertThat(log.sizeInBytes()).isLessThanOrEqualTo(before);
            // Kafka deletes a segment only while the log stays at least retention.bytes large without it
            long[] bases = log.segmentBaseOffsets();
            long firstSize =
                    LogFiles.file(log.dir(), bases[0], LogFiles.LOG_SUFFIX).length();
            assertThat(log.sizeInBytes() - firstSize).isLessThan(1500);
            assertThat(log.logStartOffset()).isEqualTo(bases[0]);
        }
    }

    @Test
    void deletedSegmentsAreRenamedAndRemovedAfterTheFileDeleteDelay() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogFixture.config(
                    LogConfig.SEGMENT_BYTES,
                    "600",
                    LogConfig.RETENTION_MS,
                    "1000",
                    LogConfig.FILE_DELETE_DELAY_MS,
                    "60000"));
            for (int i = 0; i < 10; i++) {
                fx.append(log, spec().count(2).valueSize(50).timestamp(fx.clock.milliseconds()));
            }
            // a fetch holds a slice of the first segment while it is deleted
            ReadResult inFlight = log.read(0, 1 << 20, Long.MAX_VALUE, true);
            fx.clock.advance(5000);
            int deleted = log.deleteRetentionBreachedSegments();
            assertThat(deleted).isGreaterThan(0);
            assertThat(countFiles(log.dir(), ".log.deleted")).isEqualTo(deleted);
            assertThat(countFiles(log.dir(), ".index.deleted")).isEqualTo(deleted);
            assertThat(LogFixture.bytes(inFlight.records()).remaining())
                    .isEqualTo(inFlight.records().sizeInBytes());
            fx.clock.advance(59_999);
            assertThat(fx.deleter.runDue(fx.clock.milliseconds())).isZero();
            fx.clock.advance(1);
            assertThat(fx.deleter.runDue(fx.clock.milliseconds())).isEqualTo(deleted);
            assertThat(countFiles(log.dir(), ".deleted")).isZero();
        }
    }

    @Test
    void deleteRecordsMovesTheLogStartOffsetAndDropsWholeSegmentsBelowIt() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "600"));
            for (int i = 0; i < 20; i++) {
                fx.append(log, spec().count(2).valueSize(50));
            }
            long[] bases = log.segmentBaseOffsets();
            DeleteRecordsResult r = log.deleteRecordsBefore(bases[2] + 1);
            assertThat(r.outcome()).isEqualTo(DeleteRecordsOutcome.SUCCESS);
            assertThat(r.lowWatermark()).isEqualTo(bases[2] + 1);
            assertThat(log.logStartOffset()).isEqualTo(bases[2] + 1);
            assertThat(log.segmentBaseOffsets()[0]).isEqualTo(bases[2]);
            assertThat(LogFixture.offsets(log).get(0)).isEqualTo(bases[2] + 1);
            assertThat(log.deleteRecordsBefore(41).outcome()).isEqualTo(DeleteRecordsOutcome.OFFSET_OUT_OF_RANGE);
            assertThat(log.deleteRecordsBefore(-5).outcome()).isEqualTo(DeleteRecordsOutcome.OFFSET_OUT_OF_RANGE);
            assertThat(log.deleteRecordsBefore(-1).lowWatermark()).isEqualTo(40);
            assertThat(log.logStartOffset()).isEqualTo(40);
        }
    }

    @Test
    void deleteRecordsOnACompactedTopicIsAPolicyViolation() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogFixture.config(LogConfig.CLEANUP_POLICY, "compact"));
            fx.append(log, spec().count(2));
            assertThat(log.deleteRecordsBefore(1).outcome()).isEqualTo(DeleteRecordsOutcome.POLICY_VIOLATION);
        }
    }

    @Test
    void logStartOffsetSurvivesARestartThroughTheCheckpoint() throws Exception {
        File logDir = new File(root, "logs");
        LogManagerConfig cfg =
                LogManagerConfig.builder(java.util.List.of(logDir)).build();
        ManualClock clock = new ManualClock(LogFixture.START_MS);
        LogManager m = LogManager.start(cfg, clock, null);
        PartitionLog log = m.createLog(LogFixture.TP, io.skiff.wire.protocol.Uuid.random(), LogConfig.DEFAULT);
        io.netty.buffer.ByteBuf buf = spec().count(10).build();
        try {
            log.appendAsLeader(buf, 0, clock.milliseconds());
            log.updateHighWatermark(log.logEndOffset()); // as the broker's partition layer does
        } finally {
            buf.release();
        }
        log.deleteRecordsBefore(7);
        m.shutdown();
        String text =
                new String(java.nio.file.Files.readAllBytes(new File(logDir, "log-start-offset-checkpoint").toPath()));
        assertThat(text).isEqualTo("0\n1\ntopic 0 7\n");
        LogManager again = LogManager.start(cfg, clock, null);
        try {
            assertThat(again.getLog(LogFixture.TP).logStartOffset()).isEqualTo(7);
            assertThat(again.getLog(LogFixture.TP)
                            .read(6, 100, Long.MAX_VALUE, true)
                            .outcome())
                    .isEqualTo(ReadOutcome.OFFSET_OUT_OF_RANGE);
        } finally {
            again.shutdown();
        }
    }
}
