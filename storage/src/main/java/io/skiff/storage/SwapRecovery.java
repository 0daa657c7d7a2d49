package io.skiff.storage;

import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a partition directory back to a whole set of segments after a crash during cleaning,
 * retention or a deletion, before the loader opens the segments. The cleaner's swap (see {@link
 * PartitionLog#replaceSegments}) goes: (1) the cleaned segment's four files are written as
 * {@code .cleaned}, fsynced, and renamed {@code .swap}, the log file last; (2) the old segments are
 * renamed {@code .deleted}; (3) the {@code .swap} files are renamed to their plain names, the log
 * file last. So at start-up:
 *
 * <ul>
 *   <li>{@code .deleted} and {@code .tmp} files are deleted (their removal was decided);
 *   <li>{@code .cleaned} files are deleted, and so is every {@code .swap} file whose base offset is
 *       at or above the lowest base offset of a {@code .cleaned} file (step 1 did not finish: the
 *       old segments are still whole);
 *   <li>a {@code <base>.log.swap} left (step 1 finished) is completed: the segments whose base
 *       offsets lie in [base, the swap segment's next offset) are the old ones and are deleted
 *       (their files that a {@code .swap} file replaces, and every file of the others), then the
 *       {@code .swap} files get their plain names (a plain index without a {@code .swap} twin is
 *       already the new one: step 3 renamed it);
 *   <li>other {@code .swap} files without their {@code .log.swap} are deleted.
 * </ul>
 *
 * As in Kafka, an old segment after the swap segment's last offset (the cleaner removed all its
 * records) is kept: everything in it is superseded by later records.
 *
 * <p>Used once per directory by {@link LogLoader}, before the log is shared; not thread-safe.
 */
final class SwapRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(SwapRecovery.class);

    private final File dir;
    private final String name;

    SwapRecovery(File dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    void run() throws IOException {
        File[] files = dir.listFiles();
        if (files == null) {
            return;
        }
        long minCleaned = Long.MAX_VALUE;
        List<File> swaps = new ArrayList<>();
        for (File f : files) {
            String n = f.getName();
            if (n.endsWith(LogFiles.DELETED_SUFFIX) || n.endsWith(".tmp")) {
                LogFiles.deleteRecursively(f);
            } else if (n.endsWith(LogFiles.CLEANED_SUFFIX)) {
                long base = LogFiles.offsetFromName(n);
                if (base >= 0) {
                    minCleaned = Math.min(minCleaned, base);
                }
                LogFiles.deleteRecursively(f);
            } else if (n.endsWith(LogFiles.SWAP_SUFFIX)) {
                swaps.add(f);
            }
        }
        TreeSet<Long> complete = new TreeSet<>();
        for (File f : swaps) {
            String n = f.getName();
            long base = LogFiles.offsetFromName(n);
            if (base >= 0 && base < minCleaned && n.endsWith(LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX)) {
                complete.add(base);
            }
        }
        for (File f : swaps) {
            long base = LogFiles.offsetFromName(f.getName());
            if (!complete.contains(base)) {
                LOG.warn("Deleting {} of {}: an interrupted cleaning that had not been swapped in", f, name);
                LogFiles.deleteRecursively(f);
            }
        }
        for (long base : complete) {
            completeSwap(base);
        }
        if (!complete.isEmpty()) {
            LogFiles.fsyncDir(dir);
        }
    }

    private void completeSwap(long base) throws IOException {
        String prefix = LogFiles.filenamePrefix(base);
        File swapLog = new File(dir, prefix + LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX);
        long next = nextOffset(swapLog, base);
        File[] files = dir.listFiles();
        if (files != null) {
            for (File f : files) {
                String n = f.getName();
                long o = LogFiles.offsetFromName(n);
                if (o > base && o < next && n.endsWith(LogFiles.LOG_SUFFIX)) {
                    deleteSegmentFiles(o);
                }
            }
        }
        File oldFirst = new File(dir, prefix + LogFiles.LOG_SUFFIX);
        if (oldFirst.exists()) {
            // Step 2 had not renamed the first old segment: every plain file at this base is old.
            deleteSegmentFiles(base);
        }
        for (String suffix : LogSegment.ALL_SUFFIXES) {
            File swap = new File(dir, prefix + suffix + LogFiles.SWAP_SUFFIX);
            if (swap.exists()) {
                LogFiles.atomicMove(swap.toPath(), new File(dir, prefix + suffix).toPath());
            }
        }
        LOG.info("Completed the swap of cleaned segment {} of {} (offsets below {})", base, name, next);
    }

    private void deleteSegmentFiles(long base) throws IOException {
        for (String suffix : LogSegment.ALL_SUFFIXES) {
            File f = LogFiles.file(dir, base, suffix);
            if (Files.deleteIfExists(f.toPath())) {
                LOG.info("Deleting {} of {}: replaced by a swapped-in cleaned segment", f, name);
            }
        }
    }

    /** The offset after the last whole batch of a segment file (its base offset when it has none). */
    static long nextOffset(File logFile, long base) throws IOException {
        try (FileChannel ch = FileChannel.open(logFile.toPath(), StandardOpenOption.READ)) {
            BatchHeaderReader reader = BatchHeaderReader.get();
            long end = ch.size();
            long position = 0;
            long next = base;
            while (reader.read(ch, position, end)) {
                int size = reader.batch.sizeInBytes();
                if (size < HEADER_SIZE || position + size > end) {
                    break;
                }
                next = reader.batch.nextOffset();
                position += size;
            }
            return next;
        }
    }
}
