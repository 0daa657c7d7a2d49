package io.skiff.storage;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log directory (an entry of {@code log.dirs}) and whether it is still usable: online until
 * the first I/O error on anything in it (a write at ENOSPC, a failed fsync, a checkpoint that
 * cannot be written), then offline for good, as Apache Kafka's log dir failure handling does.
 * The partition logs in an offline directory write nothing more and answer every append, read
 * and flush with {@link AppendOutcome#STORAGE_ERROR} / {@link ReadOutcome#STORAGE_ERROR} /
 * a failed future; the directory gets no checkpoints and no clean shutdown marker, so that the
 * next start-up recovers its logs from their files (truncating any torn tail). It comes back
 * only with a restart, once the operator has fixed the disk.
 *
 * <p>Going offline is logged once, with the first cause; later failures in the same directory
 * are counted, not logged. Thread-safe: the state is one atomic reference.
 */
public final class LogDir {
    private static final Logger LOG = LoggerFactory.getLogger(LogDir.class);

    private final File path;
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final AtomicLong failureCount = new AtomicLong();

    /** An online log directory at {@code path} (made absolute). */
    public LogDir(File path) {
        this.path = path.getAbsoluteFile();
    }

    /** The directory, absolute. */
    public File path() {
        return path;
    }

    /** True until the first I/O error in this directory. */
    public boolean isOnline() {
        return failure.get() == null;
    }

    /** The I/O error that took this directory offline, or null while it is online. */
    public IOException failure() {
        return failure.get();
    }

    /** How many I/O errors were reported in this directory (the first one and any after it). */
    public long failureCount() {
        return failureCount.get();
    }

    /**
     * Takes the directory offline because {@code what} failed with {@code cause}. The first call
     * logs the failure and wins; later calls only count. Returns true for the call that did it.
     */
    public boolean markOffline(String what, IOException cause) {
        failureCount.incrementAndGet();
        if (!failure.compareAndSet(null, cause)) {
            return false;
        }
        LOG.error(
                "Log directory {} is offline: {} failed ({}). Its partitions refuse appends, reads and flushes "
                        + "with a storage error until the broker is restarted; nothing more is written there.",
                path,
                what,
                cause.toString(),
                cause);
        return true;
    }

    @Override
    public String toString() {
        return "LogDir(" + path + (isOnline() ? ", online)" : ", offline)");
    }
}
