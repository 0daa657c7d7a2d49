package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateTest {
    private static final long PID = 4242L;

    @TempDir
    File root;

    /** A batch spec stamped with the fixture clock's time (producer expiry compares batch timestamps with the clock). */
    private static io.skiff.wire.record.TestBatches.Spec p(LogFixture fx) {
        return spec().timestamp(fx.clock.milliseconds());
    }

    @Test
    void duplicateOfARecentBatchGetsItsOriginalOffsetsAndIsNotWritten() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            long t = fx.clock.milliseconds();
            AppendResult first =
                    fx.append(log, p(fx).idempotent(PID, (short) 0, 0).count(3).timestamp(t));
            fx.append(log, spec().count(2));
            AppendResult second =
                    fx.append(log, p(fx).idempotent(PID, (short) 0, 3).count(2));
            long size = log.sizeInBytes();
            AppendResult dup =
                    fx.append(log, p(fx).idempotent(PID, (short) 0, 0).count(3).timestamp(t));
            assertThat(dup.outcome()).isEqualTo(AppendOutcome.DUPLICATE);
            assertThat(dup.isDuplicate()).isTrue();
            assertThat(dup.firstOffset()).isEqualTo(first.firstOffset()).isEqualTo(0);
            assertThat(dup.lastOffset()).isEqualTo(2);
            // Kafka answers a duplicate with its batch timestamp as log append time
            assertThat(dup.logAppendTimeMs()).isEqualTo(t + 2);
            AppendResult dup2 =
                    fx.append(log, p(fx).idempotent(PID, (short) 0, 3).count(2));
            assertThat(dup2.firstOffset()).isEqualTo(second.firstOffset()).isEqualTo(5);
            assertThat(log.sizeInBytes()).isEqualTo(size);
            assertThat(log.logEndOffset()).isEqualTo(7);
        }
    }

    @Test
    void onlyTheLastFiveBatchesAreRemembered() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            for (int i = 0; i < 6; i++) {
                fx.append(log, p(fx).idempotent(PID, (short) 0, i));
            }
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 0, 1)).isDuplicate())
                    .isTrue();
            AppendResult oldest = fx.append(log, p(fx).idempotent(PID, (short) 0, 0));
            assertThat(oldest.outcome()).isEqualTo(AppendOutcome.OUT_OF_ORDER_SEQUENCE);
        }
    }

    @Test
    void sequenceGapIsOutOfOrderSequenceNumber() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(log, p(fx).idempotent(PID, (short) 0, 0).count(2));
            AppendResult gap = fx.append(log, p(fx).idempotent(PID, (short) 0, 5));
            assertThat(gap.outcome()).isEqualTo(AppendOutcome.OUT_OF_ORDER_SEQUENCE);
            assertThat(gap.errorMessage()).isNull();
            assertThat(gap.logStartOffset()).isEqualTo(0);
            AppendResult overlap = fx.append(log, p(fx).idempotent(PID, (short) 0, 1));
            assertThat(overlap.outcome()).isEqualTo(AppendOutcome.OUT_OF_ORDER_SEQUENCE);
            assertThat(log.logEndOffset()).isEqualTo(2);
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 0, 2)).outcome())
                    .isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void staleEpochIsInvalidProducerEpoch() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(log, p(fx).idempotent(PID, (short) 5, 0));
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 4, 1)).outcome())
                    .isEqualTo(AppendOutcome.INVALID_PRODUCER_EPOCH);
        }
    }

    @Test
    void newEpochMustStartAtSequenceZero() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(log, p(fx).idempotent(PID, (short) 5, 0));
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 6, 3)).outcome())
                    .isEqualTo(AppendOutcome.OUT_OF_ORDER_SEQUENCE);
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 6, 0)).outcome())
                    .isEqualTo(AppendOutcome.APPENDED);
            // the old epoch's batches are forgotten: its retry is now a stale epoch
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 5, 0)).outcome())
                    .isEqualTo(AppendOutcome.INVALID_PRODUCER_EPOCH);
        }
    }

    @Test
    void unknownProducerMayStartAtAnySequence() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 0, 7)).outcome())
                    .isEqualTo(AppendOutcome.APPENDED);
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 0, 8)).outcome())
                    .isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void sequenceWrapsPastIntegerMax() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(
                    log, p(fx).idempotent(PID, (short) 0, Integer.MAX_VALUE - 1).count(2));
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 0, 0)).outcome())
                    .isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void stateSurvivesACleanRestartThroughTheSnapshot() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(log, p(fx).idempotent(PID, (short) 2, 0).count(2));
            fx.append(log, p(fx).idempotent(PID, (short) 2, 2).count(2));
            log.close();
            File snapshot = LogFiles.file(log.dir(), 4, LogFiles.SNAPSHOT_SUFFIX);
            assertThat(snapshot).exists();
            // Kafka's format: version 1, CRC32C, one 46-byte entry
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(snapshot.toPath()));
            assertThat(b.getShort(0)).isEqualTo((short) 1);
            assertThat(b.getInt(6)).isEqualTo(1);
            assertThat(b.capacity()).isEqualTo(10 + 46);
            assertThat(b.getLong(10)).isEqualTo(PID);
            assertThat(b.getShort(18)).isEqualTo((short) 2);
            assertThat(b.getInt(20)).isEqualTo(3);
            assertThat(b.getLong(24)).isEqualTo(3L);

            PartitionLog reopened = fx.open(LogConfig.DEFAULT);
            AppendResult dup =
                    fx.append(reopened, p(fx).idempotent(PID, (short) 2, 2).count(2));
            assertThat(dup.isDuplicate()).isTrue();
            assertThat(dup.firstOffset()).isEqualTo(2);
            assertThat(fx.append(reopened, p(fx).idempotent(PID, (short) 2, 9)).outcome())
                    .isEqualTo(AppendOutcome.OUT_OF_ORDER_SEQUENCE);
            assertThat(fx.append(reopened, p(fx).idempotent(PID, (short) 1, 4)).outcome())
                    .isEqualTo(AppendOutcome.INVALID_PRODUCER_EPOCH);
            assertThat(fx.append(reopened, p(fx).idempotent(PID, (short) 2, 4)).firstOffset())
                    .isEqualTo(4);
        }
    }

    @Test
    void stateSurvivesAnUncleanRestartByReplayingTheLog() throws Exception {
        File liveRoot = new File(root, "live");
        File crashRoot = new File(root, "crash");
        try (LogFixture live = new LogFixture(liveRoot)) {
            PartitionLog log = live.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "500"));
            for (int i = 0; i < 12; i++) {
                live.append(log, p(live).idempotent(PID, (short) 1, i * 2).count(2));
            }
            assertThat(log.numberOfSegments()).isGreaterThan(2);
            File image = new File(crashRoot, LogFixture.TP.dirName());
            RecoveryTest.crashImage(live.dir, image);
            // no snapshot survives: the state must come from replaying the log alone
            for (File f : image.listFiles()) {
                if (f.getName().endsWith(".snapshot")) {
                    assertThat(f.delete()).isTrue();
                }
            }
        }
        try (LogFixture crashed = new LogFixture(crashRoot)) {
            PartitionLog log = crashed.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "500"), false, 0L, 0L);
            assertThat(log.logEndOffset()).isEqualTo(24);
            AppendResult dup = crashed.append(
                    log, p(crashed).idempotent(PID, (short) 1, 22).count(2));
            assertThat(dup.isDuplicate()).isTrue();
            assertThat(dup.firstOffset()).isEqualTo(22);
            AppendResult olderDup = crashed.append(
                    log, p(crashed).idempotent(PID, (short) 1, 16).count(2));
            assertThat(olderDup.isDuplicate()).isTrue();
            assertThat(olderDup.firstOffset()).isEqualTo(16);
            assertThat(crashed.append(log, p(crashed).idempotent(PID, (short) 1, 30))
                            .outcome())
                    .isEqualTo(AppendOutcome.OUT_OF_ORDER_SEQUENCE);
            assertThat(crashed.append(log, p(crashed).idempotent(PID, (short) 1, 24))
                            .firstOffset())
                    .isEqualTo(24);
        }
    }

    /**
     * A producer whose acknowledgements were pending (fsync mode) when the broker was killed retries
     * its in-flight batches after the restart. A roll in the middle of them left a snapshot that
     * remembers only the last batch before it; the older in-flight batches must still be answered as
     * duplicates, or kafka-clients bumps its epoch on OUT_OF_ORDER_SEQUENCE_NUMBER and writes them a
     * second time.
     */
    @Test
    void batchesBeforeTheLastRollSnapshotAreStillDuplicatesAfterAnUncleanRestart() throws Exception {
        File liveRoot = new File(root, "live");
        File crashRoot = new File(root, "crash");
        LogConfig config = LogFixture.config(LogConfig.SEGMENT_BYTES, "500");
        try (LogFixture live = new LogFixture(liveRoot)) {
            PartitionLog log = live.open(config);
            for (int i = 0; i < 12; i++) {
                live.append(log, p(live).idempotent(PID, (short) 1, i * 2).count(2));
            }
            long[] bases = log.segmentBaseOffsets();
            assertThat(bases.length).isGreaterThan(2);
            long lastRoll = bases[bases.length - 1];
            assertThat(LogFiles.file(log.dir(), lastRoll, LogFiles.SNAPSHOT_SUFFIX))
                    .exists();
            assertThat(lastRoll).as("in-flight batches straddle the last roll").isBetween(18L, 22L);
            RecoveryTest.crashImage(live.dir, new File(crashRoot, LogFixture.TP.dirName()));
        }
        try (LogFixture crashed = new LogFixture(crashRoot)) {
            PartitionLog log = crashed.open(config, false, 0L, 0L);
            assertThat(log.logEndOffset()).isEqualTo(24);
            for (int seq = 16; seq < 24; seq += 2) { // the last four batches, as a producer retries them
                AppendResult retry = crashed.append(
                        log, p(crashed).idempotent(PID, (short) 1, seq).count(2));
                assertThat(retry.outcome()).as("retry of sequence %d", seq).isEqualTo(AppendOutcome.DUPLICATE);
                assertThat(retry.firstOffset()).isEqualTo(seq);
            }
            assertThat(log.logEndOffset()).isEqualTo(24);
        }
    }

    @Test
    void corruptSnapshotFallsBackToReplay() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(log, p(fx).idempotent(PID, (short) 0, 0).count(2));
            log.close();
            File snapshot = LogFiles.file(log.dir(), 2, LogFiles.SNAPSHOT_SUFFIX);
            byte[] bytes = Files.readAllBytes(snapshot.toPath());
            bytes[bytes.length - 1] ^= 1;
            Files.write(snapshot.toPath(), bytes);
            PartitionLog reopened = fx.open(LogConfig.DEFAULT);
            assertThat(fx.append(reopened, p(fx).idempotent(PID, (short) 0, 0).count(2))
                            .isDuplicate())
                    .isTrue();
            assertThat(snapshot).doesNotExist();
        }
    }

    @Test
    void idleProducersExpire() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            long now = fx.clock.milliseconds();
            fx.append(log, p(fx).idempotent(PID, (short) 0, 0).timestamp(now - 50_000_000L));
            fx.append(log, p(fx).idempotent(PID + 1, (short) 0, 0).timestamp(now));
            assertThat(log.activeProducerCount()).isEqualTo(2);
            assertThat(log.removeExpiredProducers(now + 36_400_000L - 1)).isZero();
            assertThat(log.removeExpiredProducers(now + 36_400_000L)).isEqualTo(1);
            assertThat(log.activeProducerCount()).isEqualTo(1);
            // once expired, the producer is unknown and may continue at any sequence
            assertThat(fx.append(log, p(fx).idempotent(PID, (short) 0, 10)).outcome())
                    .isEqualTo(AppendOutcome.APPENDED);
        }
    }
}
