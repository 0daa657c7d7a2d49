package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.record.TestBatches;
import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    @TempDir
    File root;

    LogFixture fx;

    @BeforeEach
    void setUp() {
        fx = new LogFixture(root);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void appendAssignsOffsetsAndReadReturnsTheSameBatches() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        AppendResult first = fx.append(log, spec().count(3).timestamp(fx.clock.milliseconds()));
        AppendResult second = fx.append(log, spec().count(2).timestamp(fx.clock.milliseconds()));
        assertThat(first.outcome()).isEqualTo(AppendOutcome.APPENDED);
        assertThat(first.firstOffset()).isEqualTo(0);
        assertThat(first.lastOffset()).isEqualTo(2);
        assertThat(first.logAppendTimeMs()).isEqualTo(-1);
        assertThat(second.firstOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.highWatermark()).isEqualTo(5);
        assertThat(log.lastStableOffset()).isEqualTo(5);

        ReadResult r = log.read(0, 1 << 20, log.highWatermark(), true);
        assertThat(r.outcome()).isEqualTo(ReadOutcome.SUCCESS);
        MemoryRecords m = MemoryRecords.readableRecords(LogFixture.bytes(r.records()));
        List<Long> bases = new ArrayList<>();
        for (MutableRecordBatch b : m.batches()) {
            assertThat(b.isValid()).isTrue();
            assertThat(b.partitionLeaderEpoch()).isEqualTo(0);
            bases.add(b.baseOffset());
        }
        assertThat(bases).containsExactly(0L, 3L);
        assertThat(LogFixture.offsets(log)).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void readFromTheMiddleOfABatchReturnsThatWholeBatch() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        fx.append(log, spec().count(3));
        fx.append(log, spec().count(3));
        ReadResult r = log.read(4, 1 << 20, Long.MAX_VALUE, true);
        MemoryRecords m = MemoryRecords.readableRecords(LogFixture.bytes(r.records()));
        assertThat(m.batches().iterator().next().baseOffset()).isEqualTo(3);
    }

    @Test
    void firstBatchIsReturnedWholeWhenLargerThanMaxBytesOnlyWithMinOneBatch() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        fx.append(log, spec().count(5).valueSize(100));
        fx.append(log, spec().count(5).valueSize(100));
        int firstSize = log.read(0, 1 << 20, Long.MAX_VALUE, true).records().sizeInBytes() / 2;
        ReadResult whole = log.read(0, 10, Long.MAX_VALUE, true);
        assertThat(whole.records().sizeInBytes()).isEqualTo(firstSize);
        ReadResult none = log.read(0, 10, Long.MAX_VALUE, false);
        assertThat(none.records().sizeInBytes()).isEqualTo(10);
    }

    @Test
    void readIsLimitedByMaxOffsetExclusive() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        fx.append(log, spec().count(2));
        fx.append(log, spec().count(2));
        ReadResult r = log.read(0, 1 << 20, 2, true);
        MemoryRecords m = MemoryRecords.readableRecords(LogFixture.bytes(r.records()));
        List<Long> bases = new ArrayList<>();
        m.batches().forEach(b -> bases.add(b.baseOffset()));
        assertThat(bases).containsExactly(0L);
        assertThat(log.read(2, 1 << 20, 2, true).records().sizeInBytes()).isZero();
    }

    @Test
    void outOfRangeBelowLogStartAndAboveLogEnd() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        fx.append(log, spec().count(4));
        assertThat(log.read(5, 100, Long.MAX_VALUE, true).outcome()).isEqualTo(ReadOutcome.OFFSET_OUT_OF_RANGE);
        assertThat(log.read(4, 100, Long.MAX_VALUE, true).outcome()).isEqualTo(ReadOutcome.SUCCESS);
        assertThat(log.read(4, 100, Long.MAX_VALUE, true).records().sizeInBytes())
                .isZero();
        assertThat(log.deleteRecordsBefore(2).lowWatermark()).isEqualTo(2);
        assertThat(log.read(1, 100, Long.MAX_VALUE, true).outcome()).isEqualTo(ReadOutcome.OFFSET_OUT_OF_RANGE);
        assertThat(log.read(2, 100, Long.MAX_VALUE, true).outcome()).isEqualTo(ReadOutcome.SUCCESS);
    }

    @Test
    void rollsOnSegmentBytesAndReadsAcrossSegments() throws Exception {
        PartitionLog log = fx.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "1000"));
        for (int i = 0; i < 20; i++) {
            assertThat(fx.append(log, spec().count(2).valueSize(100)).outcome()).isEqualTo(AppendOutcome.APPENDED);
        }
        assertThat(log.numberOfSegments()).isGreaterThan(5);
        for (long base : log.segmentBaseOffsets()) {
            assertThat(LogFiles.file(log.dir(), base, LogFiles.LOG_SUFFIX).length())
                    .isLessThanOrEqualTo(1000);
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 40; i++) {
            expected.add(i);
        }
        assertThat(LogFixture.offsets(log)).isEqualTo(expected);
        // a roll writes a producer snapshot named by the new segment's base offset
        assertThat(log.producerSnapshotOffsets()).isNotEmpty();
    }

    @Test
    void rollsOnSegmentMsUsingBatchTimestamps() throws Exception {
        PartitionLog log = fx.open(LogFixture.config(LogConfig.SEGMENT_MS, "1000"));
        long t = fx.clock.milliseconds();
        fx.append(log, spec().timestamp(t));
        fx.append(log, spec().timestamp(t + 500));
        assertThat(log.numberOfSegments()).isEqualTo(1);
        fx.clock.advance(1500);
        fx.append(log, spec().timestamp(t + 1500));
        assertThat(log.numberOfSegments()).isEqualTo(2);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
    }

    @Test
    void rollsWhenTheOffsetIndexIsFull() throws Exception {
        // 4 entries of 8 bytes, an entry after every batch
        PartitionLog log =
                fx.open(LogFixture.config(LogConfig.SEGMENT_INDEX_BYTES, "32", LogConfig.INDEX_INTERVAL_BYTES, "1"));
        for (int i = 0; i < 12; i++) {
            fx.append(log, spec());
        }
        assertThat(log.numberOfSegments()).isGreaterThan(1);
        assertThat(LogFixture.offsets(log)).hasSize(12);
    }

    @Test
    void logAppendTimeTopicStampsTheBatchAndReturnsTheTime() throws Exception {
        PartitionLog log = fx.open(LogFixture.config(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
        AppendResult r = fx.append(log, spec().count(2).timestamp(5L));
        assertThat(r.logAppendTimeMs()).isEqualTo(fx.clock.milliseconds());
        MutableRecordBatch b = MemoryRecords.readableRecords(LogFixture.bytes(
                        log.read(0, 1 << 20, Long.MAX_VALUE, true).records()))
                .batches()
                .iterator()
                .next();
        assertThat(b.isValid()).isTrue();
        assertThat(b.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(b.maxTimestamp()).isEqualTo(fx.clock.milliseconds());
    }

    @Test
    void rejectedBatchWritesNothing() throws Exception {
        PartitionLog log = fx.open(LogFixture.config(LogConfig.CLEANUP_POLICY, "compact"));
        AppendResult r = fx.append(log, spec().count(2).nullKeys());
        assertThat(r.outcome()).isEqualTo(AppendOutcome.INVALID_RECORD);
        assertThat(r.recordErrors()).hasSize(2);
        assertThat(r.firstOffset()).isEqualTo(-1);
        assertThat(r.logStartOffset()).isEqualTo(0);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void corruptBatchAnswersWithUnknownLogStartOffset() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        io.netty.buffer.ByteBuf buf = spec().count(2).build();
        try {
            buf.setByte(buf.writerIndex() - 1, buf.getByte(buf.writerIndex() - 1) ^ 1);
            AppendResult r = log.appendAsLeader(buf, 0, fx.clock.milliseconds());
            assertThat(r.outcome()).isEqualTo(AppendOutcome.CORRUPT_BATCH);
            assertThat(r.logStartOffset()).isEqualTo(-1);
        } finally {
            buf.release();
        }
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void batchLargerThanSegmentBytesIsRecordListTooLarge() throws Exception {
        PartitionLog log = fx.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "200"));
        assertThat(fx.append(log, spec().valueSize(300)).outcome()).isEqualTo(AppendOutcome.BATCH_LARGER_THAN_SEGMENT);
    }

    @Test
    void appendListenerIsCalledAfterEachSuccessfulAppend() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        AtomicLong last = new AtomicLong(-1);
        log.setAppendListener((l, lastOffset) -> last.set(lastOffset));
        fx.append(log, spec().count(3));
        assertThat(last.get()).isEqualTo(2);
        fx.append(log, spec().count(3).baseOffset(1));
        assertThat(last.get()).isEqualTo(2);
    }

    @Test
    void indexRebuiltAfterDeletionGivesTheSameAnswers() throws Exception {
        LogConfig cfg = LogFixture.config(LogConfig.SEGMENT_BYTES, "4000", LogConfig.INDEX_INTERVAL_BYTES, "200");
        PartitionLog log = fx.open(cfg);
        long t = fx.clock.milliseconds();
        for (int i = 0; i < 60; i++) {
            fx.append(log, spec().count(2).valueSize(50).timestamp(t + i * 10));
        }
        List<Long> before = LogFixture.offsets(log);
        List<TimestampAndOffset> lookupsBefore = new ArrayList<>();
        for (int i = 0; i < 60; i += 7) {
            lookupsBefore.add(log.offsetForTimestamp(t + i * 10 + 1));
        }
        long[] bases = log.segmentBaseOffsets();
        log.close();
        List<byte[]> indexes = new ArrayList<>();
        for (long base : bases) {
            File idx = LogFiles.file(log.dir(), base, LogFiles.INDEX_SUFFIX);
            indexes.add(java.nio.file.Files.readAllBytes(idx.toPath()));
            assertThat(idx.delete()).isTrue();
            assertThat(LogFiles.file(log.dir(), base, LogFiles.TIME_INDEX_SUFFIX)
                            .delete())
                    .isTrue();
        }
        PartitionLog reopened = fx.open(cfg);
        assertThat(LogFixture.offsets(reopened)).isEqualTo(before);
        for (int i = 0, j = 0; i < 60; i += 7, j++) {
            assertThat(reopened.offsetForTimestamp(t + i * 10 + 1)).isEqualTo(lookupsBefore.get(j));
        }
        reopened.close();
        for (int i = 0; i < bases.length - 1; i++) {
            assertThat(java.nio.file.Files.readAllBytes(LogFiles.file(log.dir(), bases[i], LogFiles.INDEX_SUFFIX)
                            .toPath()))
                    .isEqualTo(indexes.get(i));
        }
    }

    @Test
    void indexesArePreallocatedWhileActiveAndTrimmedOnRollAndClose() throws Exception {
        PartitionLog log = fx.open(LogFixture.config(LogConfig.INDEX_INTERVAL_BYTES, "10"));
        for (int i = 0; i < 5; i++) {
            fx.append(log, spec().valueSize(20));
        }
        File idx = LogFiles.file(log.dir(), 0, LogFiles.INDEX_SUFFIX);
        File tidx = LogFiles.file(log.dir(), 0, LogFiles.TIME_INDEX_SUFFIX);
        assertThat(idx.length()).isEqualTo(10485760);
        assertThat(tidx.length()).isEqualTo(10485756);
        log.roll();
        assertThat(idx.length()).isEqualTo(4 * 8);
        assertThat(tidx.length() % 12).isZero();
        log.close();
        assertThat(LogFiles.file(log.dir(), 5, LogFiles.INDEX_SUFFIX).length()).isZero();
    }

    @Test
    void offsetForTimestampFindsTheFirstRecordAtOrAfterIt() throws Exception {
        PartitionLog log =
                fx.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "2000", LogConfig.INDEX_INTERVAL_BYTES, "100"));
        long t = 1_000_000L;
        for (int i = 0; i < 30; i++) {
            // batch i holds records at t + 100 i, t + 100 i + 1, t + 100 i + 2
            fx.append(log, spec().count(3).valueSize(40).timestamp(t + 100L * i));
        }
        assertThat(log.numberOfSegments()).isGreaterThan(2);
        assertThat(log.offsetForTimestamp(t)).isEqualTo(new TimestampAndOffset(t, 0, 0));
        assertThat(log.offsetForTimestamp(t + 1001)).isEqualTo(new TimestampAndOffset(t + 1001, 31, 0));
        assertThat(log.offsetForTimestamp(t + 1003)).isEqualTo(new TimestampAndOffset(t + 1100, 33, 0));
        assertThat(log.offsetForTimestamp(t + 2902)).isEqualTo(new TimestampAndOffset(t + 2902, 89, 0));
        assertThat(log.offsetForTimestamp(t + 2903).found()).isFalse();
        assertThat(log.offsetForTimestamp(-1)).isEqualTo(new TimestampAndOffset(-1, 90, 0));
        assertThat(log.offsetForTimestamp(-2)).isEqualTo(new TimestampAndOffset(-1, 0, 0));
        assertThat(log.offsetForTimestamp(-4)).isEqualTo(new TimestampAndOffset(-1, 0, 0));
        assertThat(log.offsetForTimestamp(-3)).isEqualTo(new TimestampAndOffset(t + 2902, 89, 0));
        assertThat(log.offsetForTimestamp(-5)).isEqualTo(new TimestampAndOffset(-1, -1, -1));
        log.deleteRecordsBefore(40);
        assertThat(log.offsetForTimestamp(t)).isEqualTo(new TimestampAndOffset(t + 1301, 40, 0));
        assertThat(log.offsetForTimestamp(-2)).isEqualTo(new TimestampAndOffset(-1, 40, 0));
    }

    @Test
    void maxTimestampQueryFindsTheRecordInsideItsBatch() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        ByteBuffer nio = ByteBuffer.allocate(1024);
        org.apache.kafka.common.record.internal.MemoryRecordsBuilder b = MemoryRecords.builder(
                nio, org.apache.kafka.common.compress.Compression.NONE, TimestampType.CREATE_TIME, 0L);
        b.appendWithOffset(0, 500L, "a".getBytes(), "1".getBytes());
        b.appendWithOffset(1, 900L, "b".getBytes(), "2".getBytes());
        b.appendWithOffset(2, 700L, "c".getBytes(), "3".getBytes());
        io.netty.buffer.ByteBuf buf = TestBatches.copy(b.build().buffer());
        try {
            assertThat(log.appendAsLeader(buf, 3, 1000L).outcome()).isEqualTo(AppendOutcome.APPENDED);
        } finally {
            buf.release();
        }
        fx.append(log, spec().timestamp(600L));
        assertThat(log.offsetForTimestamp(-3)).isEqualTo(new TimestampAndOffset(900L, 1, 3));
        assertThat(log.offsetForTimestamp(-1)).isEqualTo(new TimestampAndOffset(-1, 4, 3));
    }

    @Test
    void partitionMetadataFileHoldsTheTopicIdInKafkasFormat() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        String text = new String(java.nio.file.Files.readAllBytes(new File(log.dir(), "partition.metadata").toPath()));
        assertThat(text).isEqualTo("version: 0\ntopic_id: " + log.topicId());
    }

    @Test
    void leaderEpochCheckpointRecordsEachNewEpoch() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        io.netty.buffer.ByteBuf a = spec().count(2).build();
        io.netty.buffer.ByteBuf b = spec().count(2).build();
        try {
            log.appendAsLeader(a, 0, fx.clock.milliseconds());
            log.appendAsLeader(b, 4, fx.clock.milliseconds());
        } finally {
            a.release();
            b.release();
        }
        String text =
                new String(java.nio.file.Files.readAllBytes(new File(log.dir(), "leader-epoch-checkpoint").toPath()));
        assertThat(text).isEqualTo("0\n2\n0 0\n4 2\n");
        assertThat(log.latestEpoch()).isEqualTo(4);
    }

    @Test
    void updateConfigAppliesToLaterAppends() throws Exception {
        PartitionLog log = fx.open(LogConfig.DEFAULT);
        assertThat(fx.append(log, spec().valueSize(2000)).outcome()).isEqualTo(AppendOutcome.APPENDED);
        log.updateConfig(LogFixture.config(LogConfig.MAX_MESSAGE_BYTES, "1000"));
        assertThat(fx.append(log, spec().valueSize(2000)).outcome()).isEqualTo(AppendOutcome.BATCH_TOO_LARGE);
    }
}
