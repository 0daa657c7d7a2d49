package io.skiff.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.storage.CompactionFixture.Rec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash images of every step of the cleaner's swap ({@link PartitionLog#replaceSegments}), opened
 * without the clean shutdown marker: each recovers to exactly the old segments or exactly the new
 * one, never a mix, and leaves no {@code .cleaned}, {@code .swap} or {@code .deleted} file behind.
 */
class SwapRecoveryTest {
    @TempDir
    File root;

    private File oldDir;
    private File newDir;
    private List<Rec> oldRecords;
    private List<Rec> newRecords;
    private long[] oldBases;

    private static final String[] KINDS = {
        LogFiles.LOG_SUFFIX, LogFiles.INDEX_SUFFIX, LogFiles.TIME_INDEX_SUFFIX, LogFiles.TXN_INDEX_SUFFIX
    };

    @BeforeEach
    void writeAndClean() throws Exception {
        File oldRoot = new File(root, "old");
        try (LogFixture fx = new LogFixture(oldRoot)) {
            PartitionLog log = fx.open(CleanerTest.compacted(LogConfig.SEGMENT_BYTES, "1500"));
            Random r = new Random(11);
            for (int i = 0; i < 300; i++) {
                CompactionFixture.append(
                        fx,
                        log,
                        CompactionFixture.batch(
                                Compression.NONE, fx.clock.milliseconds(), "k" + r.nextInt(10), "v" + i));
            }
            oldRecords = CompactionFixture.records(log);
            oldBases = log.segmentBaseOffsets();
            oldDir = log.dir();
        }
        File newRoot = new File(root, "new");
        RecoveryTest.crashImage(oldDir, new File(newRoot, LogFixture.TP.dirName()));
        try (LogFixture fx = new LogFixture(newRoot)) {
            PartitionLog log = fx.open(CleanerTest.compacted(LogConfig.SEGMENT_BYTES, "1000000"));
            LogCleaner cleaner =
                    new LogCleaner(CompactionFixture.cleanerConfig(newRoot, 1 << 20), fx.clock, () -> List.of(log));
            assertThat(CompactionFixture.cleanUntilDone(cleaner)).isEqualTo(1);
            newRecords = CompactionFixture.records(log);
            assertThat(log.numberOfSegments()).isEqualTo(2);
            newDir = log.dir();
        }
        assertThat(oldBases.length).isGreaterThan(5);
        assertThat(newRecords).isNotEqualTo(oldRecords);
    }

    /** A copy of the old segments, plus the new segment's files named with {@code suffix} for the given kinds. */
    private File image(String name) throws IOException {
        File dir = new File(new File(root, name), LogFixture.TP.dirName());
        RecoveryTest.crashImage(oldDir, dir);
        return dir;
    }

    private void addNew(File dir, String kind, String suffix) throws IOException {
        Files.copy(
                LogFiles.file(newDir, 0, kind).toPath(),
                new File(dir, LogFiles.filenamePrefix(0) + kind + suffix).toPath(),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static void renameOld(File dir, long base, String kind, String suffix) throws IOException {
        File f = LogFiles.file(dir, base, kind);
        if (f.exists()) {
            Files.move(f.toPath(), new File(dir, f.getName() + suffix).toPath());
        }
    }

    /** Renames every old segment but the active one to {@code .deleted} (the first one's log file only when asked). */
    private void deleteOlds(File dir, boolean allOfFirst) throws IOException {
        for (int i = 0; i < oldBases.length - 1; i++) {
            for (String kind : KINDS) {
                if (i == 0 && !allOfFirst && !kind.equals(LogFiles.LOG_SUFFIX)) {
                    continue;
                }
                renameOld(dir, oldBases[i], kind, LogFiles.DELETED_SUFFIX);
            }
        }
    }

    private List<Rec> recover(File dir) throws Exception {
        try (LogFixture fx = new LogFixture(dir.getParentFile())) {
            PartitionLog log = fx.open(CleanerTest.compacted(), false, 0L, 0L);
            List<Rec> out = CompactionFixture.records(log);
            List<String> leftovers = new ArrayList<>();
            for (File f : dir.listFiles()) {
                String n = f.getName();
                if (n.endsWith(LogFiles.SWAP_SUFFIX)
                        || n.endsWith(LogFiles.CLEANED_SUFFIX)
                        || n.endsWith(LogFiles.DELETED_SUFFIX)) {
                    leftovers.add(n);
                }
            }
            assertThat(leftovers).isEmpty();
            return out;
        }
    }

    @Test
    void aCrashWhileTheCleanedFilesAreWrittenKeepsTheOldSegments() throws Exception {
        File dir = image("writing");
        addNew(dir, LogFiles.LOG_SUFFIX, LogFiles.CLEANED_SUFFIX);
        addNew(dir, LogFiles.INDEX_SUFFIX, LogFiles.CLEANED_SUFFIX);
        assertThat(recover(dir)).isEqualTo(oldRecords);
    }

    @Test
    void aCrashBeforeTheLogFileIsRenamedSwapKeepsTheOldSegments() throws Exception {
        File dir = image("step1");
        addNew(dir, LogFiles.INDEX_SUFFIX, LogFiles.SWAP_SUFFIX);
        addNew(dir, LogFiles.TIME_INDEX_SUFFIX, LogFiles.SWAP_SUFFIX);
        addNew(dir, LogFiles.TXN_INDEX_SUFFIX, LogFiles.SWAP_SUFFIX);
        addNew(dir, LogFiles.LOG_SUFFIX, LogFiles.CLEANED_SUFFIX);
        assertThat(recover(dir)).isEqualTo(oldRecords);
    }

    @Test
    void aCrashOnceEverythingIsSwapCompletesTheSwap() throws Exception {
        File dir = image("step1done");
        for (String kind : KINDS) {
            addNew(dir, kind, LogFiles.SWAP_SUFFIX);
        }
        assertThat(recover(dir)).isEqualTo(newRecords);
    }

    @Test
    void aCrashWhileTheOldSegmentsAreRenamedCompletesTheSwap() throws Exception {
        File dir = image("step2");
        for (String kind : KINDS) {
            addNew(dir, kind, LogFiles.SWAP_SUFFIX);
        }
        deleteOlds(dir, false); // the first old segment's log file renamed, its indexes not yet
        assertThat(recover(dir)).isEqualTo(newRecords);
    }

    @Test
    void aCrashWithOnlyLaterOldSegmentsRenamedCompletesTheSwap() throws Exception {
        File dir = image("step2b");
        for (String kind : KINDS) {
            addNew(dir, kind, LogFiles.SWAP_SUFFIX);
        }
        for (String kind : KINDS) {
            renameOld(dir, oldBases[2], kind, LogFiles.DELETED_SUFFIX);
        }
        assertThat(recover(dir)).isEqualTo(newRecords);
    }

    @Test
    void aCrashWhileTheSwapFilesGetTheirNamesCompletesTheSwap() throws Exception {
        File dir = image("step3");
        deleteOlds(dir, true);
        addNew(dir, LogFiles.INDEX_SUFFIX, "");
        addNew(dir, LogFiles.TIME_INDEX_SUFFIX, "");
        addNew(dir, LogFiles.TXN_INDEX_SUFFIX, LogFiles.SWAP_SUFFIX);
        addNew(dir, LogFiles.LOG_SUFFIX, LogFiles.SWAP_SUFFIX);
        assertThat(recover(dir)).isEqualTo(newRecords);
    }

    @Test
    void aCrashAfterTheSwapDeletesTheOldFiles() throws Exception {
        File dir = image("done");
        deleteOlds(dir, true);
        for (String kind : KINDS) {
            addNew(dir, kind, "");
        }
        assertThat(recover(dir)).isEqualTo(newRecords);
    }
}
