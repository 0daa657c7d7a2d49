package io.skiff.storage;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** File names of Kafka's on-disk layout, and small file helpers. Stateless. */
final class LogFiles {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String TXN_INDEX_SUFFIX = ".txnindex";
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    static final String DELETED_SUFFIX = ".deleted";
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    static final String DELETE_DIR_SUFFIX = "-delete";
    static final String STRAY_DIR_SUFFIX = "-stray";
    static final String FUTURE_DIR_SUFFIX = "-future";
    static final String PARTITION_METADATA = "partition.metadata";
    static final String LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";
    static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    static final String REPLICATION_OFFSET_CHECKPOINT = "replication-offset-checkpoint";
    static final String CLEAN_SHUTDOWN_MARKER = ".kafka_cleanshutdown";
    static final String LOCK_FILE = ".lock";
    /** The metadata log's directory, which lives in a log dir but is not a partition log. */
    static final String METADATA_LOG_DIR = "__cluster_metadata-0";

    private LogFiles() {}

    /** The 20-digit, zero-padded offset that names a segment's files. */
    static String filenamePrefix(long offset) {
        String digits = Long.toString(offset);
        StringBuilder sb = new StringBuilder(20);
        for (int i = digits.length(); i < 20; i++) {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    static File file(File dir, long offset, String suffix) {
        return new File(dir, filenamePrefix(offset) + suffix);
    }

    /** The offset named by a file such as 00000000000000000123.log, or -1. */
    static long offsetFromName(String name) {
        int dot = name.indexOf('.');
        if (dot != 20) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(name.substring(0, 20));
    }

    /** Writes {@code text} to {@code target} durably: a temp file, fsync, atomic rename, directory fsync. */
    static void writeAtomically(File target, String text) throws IOException {
        Path tmp = target.toPath().resolveSibling(target.getName() + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        atomicMove(tmp, target.toPath());
        fsyncDir(target.getParentFile());
    }

    static void atomicMove(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Forces a directory's entries to disk (best effort: not every platform can open a directory). */
    static void fsyncDir(File dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir.toPath(), StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported here
        }
    }

    /** Deletes a file or a directory tree; missing files are fine. */
    static void deleteRecursively(File f) throws IOException {
        if (f.isDirectory()) {
            File[] children = f.listFiles();
            if (children != null) {
                for (File c : children) {
                    deleteRecursively(c);
                }
            }
        }
        Files.deleteIfExists(f.toPath());
    }
}
