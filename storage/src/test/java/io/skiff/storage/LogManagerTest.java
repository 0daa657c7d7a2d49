package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.ManualClock;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    @TempDir
    File root;

    private static void append(PartitionLog log, int count, long nowMs) {
        ByteBuf buf = spec().count(count).timestamp(nowMs).build();
        try {
            log.appendAsLeader(buf, 0, nowMs);
            log.updateHighWatermark(log.logEndOffset()); // as the broker's partition layer does
        } finally {
            buf.release();
        }
    }

    private static String read(File f) throws IOException {
        return new String(Files.readAllBytes(f.toPath()));
    }

    @Test
    void shutdownWritesCheckpointsAndTheCleanMarkerWhichTheNextStartDeletes() throws Exception {
        File dir = new File(root, "d1");
        ManualClock clock = new ManualClock(LogFixture.START_MS);
        LogManagerConfig cfg =
                LogManagerConfig.builder(List.of(dir)).brokerEpoch(11).build();
        LogManager m = LogManager.start(cfg, clock, null);
        PartitionLog a = m.createLog(new TopicPartition("a", 0), Uuid.random(), LogConfig.DEFAULT);
        PartitionLog b = m.createLog(new TopicPartition("b-x", 3), Uuid.random(), LogConfig.DEFAULT);
        append(a, 5, clock.milliseconds());
        append(b, 2, clock.milliseconds());
        m.shutdown();
        assertThat(read(new File(dir, ".kafka_cleanshutdown"))).isEqualTo("{\"version\":0,\"brokerEpoch\":11}");
        assertThat(read(new File(dir, "recovery-point-offset-checkpoint"))).isEqualTo("0\n2\na 0 5\nb-x 3 2\n");
        assertThat(read(new File(dir, "replication-offset-checkpoint"))).isEqualTo("0\n2\na 0 5\nb-x 3 2\n");
        assertThat(read(new File(dir, "log-start-offset-checkpoint"))).isEqualTo("0\n0\n");
        assertThat(new File(dir, "a-0/00000000000000000005.snapshot")).exists();

        LogManager again = LogManager.start(cfg, clock, null);
        try {
            assertThat(new File(dir, ".kafka_cleanshutdown")).doesNotExist();
            assertThat(again.getLog(new TopicPartition("a", 0)).logEndOffset()).isEqualTo(5);
            assertThat(again.getLog(new TopicPartition("b-x", 3)).logEndOffset())
                    .isEqualTo(2);
            assertThat(again.getLog(new TopicPartition("a", 0)).topicId()).isEqualTo(a.topicId());
        } finally {
            again.shutdown();
        }
    }

    @Test
    void logsAreSpreadOverTheLogDirs() throws Exception {
        File d1 = new File(root, "d1");
        File d2 = new File(root, "d2");
        LogManager m =
                LogManager.start(LogManagerConfig.builder(List.of(d1, d2)).build(), new ManualClock(0), null);
        try {
            for (int p = 0; p < 4; p++) {
                m.createLog(new TopicPartition("t", p), Uuid.random(), LogConfig.DEFAULT);
            }
            assertThat(d1.list((d, n) -> n.startsWith("t-"))).hasSize(2);
            assertThat(d2.list((d, n) -> n.startsWith("t-"))).hasSize(2);
        } finally {
            m.shutdown();
        }
    }

    @Test
    void aSecondManagerCannotLockTheSameDir() throws Exception {
        File dir = new File(root, "d1");
        LogManagerConfig cfg = LogManagerConfig.builder(List.of(dir)).build();
        LogManager m = LogManager.start(cfg, new ManualClock(0), null);
        try {
            assertThatThrownBy(() -> LogManager.start(cfg, new ManualClock(0), null))
                    .isInstanceOf(IOException.class);
        } finally {
            m.shutdown();
        }
    }

    @Test
    void deleteLogRenamesTheDirAndRemovesItAfterTheDelay() throws Exception {
        File dir = new File(root, "d1");
        ManualClock clock = new ManualClock(LogFixture.START_MS);
        LogManager m = LogManager.start(LogManagerConfig.builder(List.of(dir)).build(), clock, null);
        try {
            TopicPartition tp = new TopicPartition("gone", 1);
            PartitionLog log = m.createLog(tp, Uuid.random(), LogConfig.DEFAULT);
            append(log, 3, clock.milliseconds());
            assertThat(m.deleteLog(tp)).isTrue();
            assertThat(m.getLog(tp)).isNull();
            String[] renamed = dir.list((d, n) -> n.startsWith("gone-1.") && n.endsWith("-delete"));
            assertThat(renamed).hasSize(1);
            assertThat(renamed[0]).matches("gone-1\\.[0-9a-f]{32}-delete");
            clock.advance(59_999);
            m.runPendingDeletions();
            assertThat(new File(dir, renamed[0])).exists();
            clock.advance(1);
            m.runPendingDeletions();
            assertThat(new File(dir, renamed[0])).doesNotExist();
        } finally {
            m.shutdown();
        }
    }

    @Test
    void startupRemovesDeleteDirsAndSkipsTheMetadataLog() throws Exception {
        File dir = new File(root, "d1");
        File leftover = new File(dir, "old-0.0123456789abcdef0123456789abcdef-delete");
        File metadata = new File(dir, "__cluster_metadata-0");
        assertThat(leftover.mkdirs()).isTrue();
        assertThat(metadata.mkdirs()).isTrue();
        Files.write(new File(leftover, "00000000000000000000.log").toPath(), new byte[10]);
        LogManager m = LogManager.start(LogManagerConfig.builder(List.of(dir)).build(), new ManualClock(0), null);
        try {
            assertThat(leftover).doesNotExist();
            assertThat(metadata).exists();
            assertThat(m.allLogs()).isEmpty();
        } finally {
            m.shutdown();
        }
    }

    @Test
    void startWithoutTheMarkerRecoversATornTail() throws Exception {
        File dir = new File(root, "d1");
        File crash = new File(root, "crash");
        ManualClock clock = new ManualClock(LogFixture.START_MS);
        TopicPartition tp = new TopicPartition("t", 0);
        LogManager m = LogManager.start(LogManagerConfig.builder(List.of(dir)).build(), clock, null);
        PartitionLog log = m.createLog(tp, Uuid.random(), LogConfig.DEFAULT);
        for (int i = 0; i < 4; i++) {
            append(log, 2, clock.milliseconds());
        }
        m.checkpoint();
        // the crash image: files as they are now, plus a half-written batch
        RecoveryTest.crashImage(dir, crash);
        RecoveryTest.crashImage(new File(dir, "t-0"), new File(crash, "t-0"));
        Files.write(new File(crash, ".lock").toPath(), new byte[0]);
        try (java.io.RandomAccessFile raf =
                new java.io.RandomAccessFile(new File(crash, "t-0/00000000000000000000.log"), "rw")) {
            raf.seek(raf.length());
            raf.write(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80, 0});
        }
        m.shutdown();
        LogManager recovered =
                LogManager.start(LogManagerConfig.builder(List.of(crash)).build(), clock, null);
        try {
            PartitionLog l = recovered.getLog(tp);
            assertThat(l.logEndOffset()).isEqualTo(8);
            assertThat(LogFixture.offsets(l)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        } finally {
            recovered.shutdown();
        }
    }

    @Test
    void cleanupLogsAppliesRetentionWithTheManualClock() throws Exception {
        File dir = new File(root, "d1");
        ManualClock clock = new ManualClock(LogFixture.START_MS);
        LogManager m = LogManager.start(LogManagerConfig.builder(List.of(dir)).build(), clock, null);
        try {
            PartitionLog log = m.createLog(
                    new TopicPartition("t", 0),
                    Uuid.random(),
                    LogConfig.of(LogFixture.map(LogConfig.SEGMENT_BYTES, "500", LogConfig.RETENTION_MS, "60000")));
            for (int i = 0; i < 10; i++) {
                append(log, 2, clock.milliseconds());
            }
            assertThat(m.cleanupLogs()).isZero();
            // the newest record is at start + 1 ms
            clock.advance(60_001);
            assertThat(m.cleanupLogs()).isZero();
            clock.advance(1);
            assertThat(m.cleanupLogs()).isGreaterThan(0);
            assertThat(log.logStartOffset()).isEqualTo(20);
        } finally {
            m.shutdown();
        }
    }

    @Test
    void aTruncationRewritesTheRecoveryPointAndLogStartCheckpointsSoonAfter() throws Exception {
        File dir = new File(root, "d1");
        ManualClock clock = new ManualClock(LogFixture.START_MS);
        LogManager m = LogManager.start(LogManagerConfig.builder(List.of(dir)).build(), clock, null);
        try {
            PartitionLog log = m.createLog(new TopicPartition("t", 0), Uuid.random(), LogConfig.DEFAULT);
            for (int i = 0; i < 5; i++) {
                append(log, 2, clock.milliseconds());
            }
            log.roll();
            log.awaitDurable(9).get(20, TimeUnit.SECONDS);
            m.checkpoint();
            File recoveryPoints = new File(dir, "recovery-point-offset-checkpoint");
            assertThat(read(recoveryPoints)).isEqualTo("0\n1\nt 0 10\n");

            log.truncateTo(4);
            assertThat(waitFor(recoveryPoints, "0\n1\nt 0 4\n")).isEqualTo("0\n1\nt 0 4\n");

            log.truncateFullyAndStartAt(2);
            File logStarts = new File(dir, "log-start-offset-checkpoint");
            assertThat(waitFor(recoveryPoints, "0\n1\nt 0 2\n")).isEqualTo("0\n1\nt 0 2\n");
            assertThat(read(logStarts)).isEqualTo("0\n0\n");
        } finally {
            m.shutdown();
        }
    }

    /** The contents of {@code f} once they equal {@code expected}, or after 20 s, whichever comes first. */
    private static String waitFor(File f, String expected) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String now = read(f);
        while (!now.equals(expected) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            now = read(f);
        }
        return now;
    }
}
