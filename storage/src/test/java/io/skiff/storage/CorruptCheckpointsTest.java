package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.ManualClock;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-dir checkpoint files, damaged by a bit flip or a truncation: the log manager starts,
 * and each damaged file counts as missing, as Apache Kafka's LogManager treats an unreadable
 * recovery point or log start offset checkpoint (a recovery point of 0: every segment is scanned;
 * the log start offset of the first segment). Kafka also marks the log dir offline when a
 * checkpoint is unreadable, which stops a one-dir broker at every start; Skiff only logs it.
 */
class CorruptCheckpointsTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final LogConfig CONFIG =
            LogFixture.config(LogConfig.SEGMENT_BYTES, "2000", LogConfig.INDEX_INTERVAL_BYTES, "100");

    @TempDir
    File root;

    enum Kind {
        RECOVERY_POINT(LogFiles.RECOVERY_POINT_CHECKPOINT),
        LOG_START_OFFSET(LogFiles.LOG_START_OFFSET_CHECKPOINT),
        REPLICATION_OFFSET(LogFiles.REPLICATION_OFFSET_CHECKPOINT);

        final String fileName;

        Kind(String fileName) {
            this.fileName = fileName;
        }
    }

    /** NONE is the control: the same start with the file intact. */
    enum Damage {
        NONE,
        BIT_FLIP,
        TRUNCATION
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            for (Damage d : Damage.values()) {
                out.add(Arguments.of(k, d));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void damagedCheckpointCountsAsMissing(Kind kind, Damage damage) throws Exception {
        File dir = new File(root, "d");
        ManualClock clock = new ManualClock(LogFixture.START_MS);
        LogManagerConfig cfg = LogManagerConfig.builder(List.of(dir)).build();
        LogManager m = LogManager.start(cfg, clock, null);
        PartitionLog log = m.createLog(TP, Uuid.random(), CONFIG);
        for (int i = 0; i < 30; i++) {
            ByteBuf buf = spec().count(2)
                    .valueSize(40)
                    .timestamp(clock.milliseconds())
                    .build();
            try {
                log.appendAsLeader(buf, 0, clock.milliseconds());
            } finally {
                buf.release();
            }
            log.updateHighWatermark(log.logEndOffset());
        }
        log.deleteRecordsBefore(6);
        long[] bases = log.segmentBaseOffsets();
        m.shutdown();
        File logDir = new File(dir, TP.dirName());
        long flipped = -1;
        if (kind == Kind.RECOVERY_POINT) {
            // As after a crash: no clean marker, and a batch of the first segment no longer matches
            // its CRC, which only a scan from a recovery point below it can notice.
            Files.delete(new File(dir, LogFiles.CLEAN_SHUTDOWN_MARKER).toPath());
            File first = LogFiles.file(logDir, bases[0], LogFiles.LOG_SUFFIX);
            List<long[]> batches = CorruptFilesTest.batches(first);
            long[] victim = batches.get(batches.size() / 2);
            try (RandomAccessFile raf = new RandomAccessFile(first, "rw")) {
                raf.seek(victim[0] + victim[2] - 3);
                int b = raf.readByte();
                raf.seek(victim[0] + victim[2] - 3);
                raf.write(b ^ 0x10);
            }
            flipped = victim[1];
        }
        File checkpoint = new File(dir, kind.fileName);
        assertThat(Files.readString(checkpoint.toPath())).contains("t 0 ");
        damage(checkpoint, damage);

        LogManager again = LogManager.start(cfg, clock, null);
        try {
            PartitionLog reopened = again.getLog(TP);
            boolean damaged = damage != Damage.NONE;
            switch (kind) {
                case RECOVERY_POINT ->
                    assertThat(reopened.logEndOffset())
                            .as("a damaged recovery point means a scan from the first segment")
                            .isEqualTo(damaged ? flipped : 60L);
                case LOG_START_OFFSET ->
                    assertThat(reopened.logStartOffset())
                            .as("a damaged log start checkpoint means the first segment's base offset")
                            .isEqualTo(damaged ? bases[0] : 6L);
                case REPLICATION_OFFSET -> assertThat(reopened.logEndOffset()).isEqualTo(60L);
                default -> throw new AssertionError(kind);
            }
            // the next checkpoint writes a readable file again (a log start at the first segment's
            // base offset is left out of it, as Kafka leaves it out)
            again.checkpoint();
            boolean logStartAtFirstSegment = kind == Kind.LOG_START_OFFSET && damaged;
            assertThat(CheckpointFile.readOffsets(checkpoint).containsKey(TP)).isEqualTo(!logStartAtFirstSegment);
        } finally {
            again.shutdown();
        }
    }

    private static void damage(File f, Damage damage) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
            switch (damage) {
                case NONE -> {}
                case BIT_FLIP -> {
                    int b = raf.readByte();
                    raf.seek(0);
                    raf.write(b ^ 0x01); // version 0 becomes 1
                }
                case TRUNCATION -> raf.setLength(raf.length() - 3);
                default -> throw new AssertionError(damage);
            }
        }
    }
}
