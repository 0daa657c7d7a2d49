package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash images: the files as a crash would leave them, opened without the clean shutdown marker. */
class RecoveryTest {
    @TempDir
    File root;

    /** Copies a live log dir as a crash would leave it (everything in the page cache reached the files). */
    static void crashImage(File from, File to) throws IOException {
        to.mkdirs();
        for (File f : from.listFiles()) {
            Files.copy(f.toPath(), new File(to, f.getName()).toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static File activeLogFile(PartitionLog log) {
        long[] bases = log.segmentBaseOffsets();
        return LogFiles.file(log.dir(), bases[bases.length - 1], LogFiles.LOG_SUFFIX);
    }

    @Test
    void tornHalfBatchAtTheTailIsTruncatedAndEverythingBeforeIsIntact() throws Exception {
        File liveRoot = new File(root, "live");
        File crashRoot = new File(root, "crash");
        List<Long> before;
        long sizeBefore;
        try (LogFixture live = new LogFixture(liveRoot)) {
            PartitionLog log = live.open(
                    LogFixture.config(LogConfig.SEGMENT_BYTES, "3000", LogConfig.INDEX_INTERVAL_BYTES, "100"));
            for (int i = 0; i < 30; i++) {
                live.append(log, spec().count(2).valueSize(60));
            }
            before = LogFixture.offsets(log);
            sizeBefore = activeLogFile(log).length();
            // half of one more batch reaches the file before the crash
            io.netty.buffer.ByteBuf extra = spec().count(2).valueSize(60).build();
            try (RandomAccessFile raf = new RandomAccessFile(activeLogFile(log), "rw")) {
                byte[] half = new byte[extra.readableBytes() / 2];
                extra.getBytes(0, half);
                raf.seek(raf.length());
                raf.write(half);
            } finally {
                extra.release();
            }
            crashImage(live.dir, new File(crashRoot, LogFixture.TP.dirName()));
        }
        try (LogFixture crashed = new LogFixture(crashRoot)) {
            PartitionLog log = crashed.open(
                    LogFixture.config(LogConfig.SEGMENT_BYTES, "3000", LogConfig.INDEX_INTERVAL_BYTES, "100"),
                    false,
                    0L,
                    0L);
            assertThat(LogFixture.offsets(log)).isEqualTo(before);
            assertThat(log.logEndOffset()).isEqualTo(60);
            assertThat(activeLogFile(log).length()).isEqualTo(sizeBefore);
            // appends continue after the truncated tail
            assertThat(crashed.append(log, spec().count(2)).firstOffset()).isEqualTo(60);
            assertThat(LogFixture.offsets(log)).hasSize(62);
        }
    }

    @Test
    void garbageAfterTheLastBatchIsTruncated() throws Exception {
        File liveRoot = new File(root, "live");
        File crashRoot = new File(root, "crash");
        List<Long> before;
        try (LogFixture live = new LogFixture(liveRoot)) {
            PartitionLog log = live.open(LogConfig.DEFAULT);
            for (int i = 0; i < 10; i++) {
                live.append(log, spec().count(3));
            }
            before = LogFixture.offsets(log);
            try (RandomAccessFile raf = new RandomAccessFile(activeLogFile(log), "rw")) {
                raf.seek(raf.length());
                byte[] junk = new byte[500];
                new java.util.Random(7).nextBytes(junk);
                raf.write(junk);
            }
            crashImage(live.dir, new File(crashRoot, LogFixture.TP.dirName()));
        }
        try (LogFixture crashed = new LogFixture(crashRoot)) {
            PartitionLog log = crashed.open(LogConfig.DEFAULT, false, 0L, 0L);
            assertThat(LogFixture.offsets(log)).isEqualTo(before);
            assertThat(log.logEndOffset()).isEqualTo(30);
        }
    }

    @Test
    void corruptBatchInTheMiddleDropsItAndEverythingAfter() throws Exception {
        File liveRoot = new File(root, "live");
        File crashRoot = new File(root, "crash");
        try (LogFixture live = new LogFixture(liveRoot)) {
            PartitionLog log = live.open(LogConfig.DEFAULT);
            long[] positions = new long[5];
            for (int i = 0; i < 5; i++) {
                positions[i] = log.sizeInBytes();
                live.append(log, spec().count(2));
            }
            try (RandomAccessFile raf = new RandomAccessFile(activeLogFile(log), "rw")) {
                raf.seek(positions[3] + 70);
                raf.write(0x55 ^ raf.readByte());
            }
            crashImage(live.dir, new File(crashRoot, LogFixture.TP.dirName()));
        }
        try (LogFixture crashed = new LogFixture(crashRoot)) {
            PartitionLog log = crashed.open(LogConfig.DEFAULT, false, 0L, 0L);
            assertThat(LogFixture.offsets(log)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        }
    }

    @Test
    void cleanShutdownMarkerSkipsTheScanAndItsAbsenceDoesNot() throws Exception {
        File cleanRoot = new File(root, "clean");
        File uncleanRoot = new File(root, "unclean");
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            long[] positions = new long[5];
            for (int i = 0; i < 5; i++) {
                positions[i] = log.sizeInBytes();
                fx.append(log, spec().count(2));
            }
            log.close();
            // a flipped byte inside batch 3: only a scan can notice it
            try (RandomAccessFile raf = new RandomAccessFile(LogFiles.file(log.dir(), 0, LogFiles.LOG_SUFFIX), "rw")) {
                raf.seek(positions[3] + 70);
                raf.write(0x55 ^ raf.readByte());
            }
            RecoveryTest.crashImage(log.dir(), new File(cleanRoot, LogFixture.TP.dirName()));
            RecoveryTest.crashImage(log.dir(), new File(uncleanRoot, LogFixture.TP.dirName()));
        }
        try (LogFixture clean = new LogFixture(cleanRoot)) {
            PartitionLog log = clean.open(LogConfig.DEFAULT, true, 10L, 0L);
            assertThat(log.logEndOffset()).isEqualTo(10);
        }
        try (LogFixture unclean = new LogFixture(uncleanRoot)) {
            PartitionLog log = unclean.open(LogConfig.DEFAULT, false, 0L, 0L);
            assertThat(log.logEndOffset()).isEqualTo(6);
        }
    }

    @Test
    void corruptIndexIsRebuiltEvenAfterACleanShutdown() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            LogConfig cfg = LogFixture.config(LogConfig.INDEX_INTERVAL_BYTES, "50");
            PartitionLog log = fx.open(cfg);
            for (int i = 0; i < 20; i++) {
                fx.append(log, spec().count(2).valueSize(30));
            }
            List<Long> before = LogFixture.offsets(log);
            log.roll();
            log.close();
            File idx = LogFiles.file(log.dir(), 0, LogFiles.INDEX_SUFFIX);
            try (RandomAccessFile raf = new RandomAccessFile(idx, "rw")) {
                raf.setLength(raf.length() - 3);
            }
            PartitionLog reopened = fx.open(cfg, true, 40L, 0L);
            assertThat(LogFixture.offsets(reopened)).isEqualTo(before);
            assertThat(idx.length() % 8).isZero();
            assertThat(idx.length()).isGreaterThan(0);
        }
    }

    @Test
    void leftoverDeletedAndTempFilesAreRemovedOnLoad() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.append(log, spec());
            log.close();
            File deleted = new File(log.dir(), "00000000000000000000.log.deleted");
            File tmp = new File(log.dir(), "leader-epoch-checkpoint.tmp");
            Files.write(deleted.toPath(), new byte[10]);
            Files.write(tmp.toPath(), new byte[10]);
            fx.open(LogConfig.DEFAULT);
            assertThat(deleted).doesNotExist();
            assertThat(tmp).doesNotExist();
        }
    }
}
