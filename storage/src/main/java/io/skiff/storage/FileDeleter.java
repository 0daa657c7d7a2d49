package io.skiff.storage;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes removed segments once file.delete.delay.ms has passed on the injected clock: until
 * then their channels stay open, so a {@link FileRecords} slice being sent keeps working.
 * Thread-safe; {@link #runDue} is called periodically by the log manager's scheduler.
 */
final class FileDeleter {
    private static final Logger LOG = LoggerFactory.getLogger(FileDeleter.class);

    private final List<Object[]> pending = new ArrayList<>();

    synchronized void schedule(LogSegment segment, long dueMs) {
        pending.add(new Object[] {segment, dueMs});
    }

    /** Deletes the segments whose delay has passed at {@code nowMs}; returns how many. */
    int runDue(long nowMs) {
        List<LogSegment> due = new ArrayList<>();
        synchronized (this) {
            for (int i = pending.size() - 1; i >= 0; i--) {
                if ((Long) pending.get(i)[1] <= nowMs) {
                    due.add((LogSegment) pending.remove(i)[0]);
                }
            }
        }
        for (LogSegment s : due) {
            try {
                s.closeAndDeleteFiles();
            } catch (IOException e) {
                LOG.warn("Deleting {} failed", s.logFile(), e);
            }
        }
        return due.size();
    }

    /**
     * Takes back the pending segments under {@code dir} without deleting them (their log's
     * directory is about to be renamed and deleted as a whole; deleting them later by their old
     * names could hit files of a new log of the same partition).
     */
    synchronized List<LogSegment> removeIn(File dir) {
        List<LogSegment> out = new ArrayList<>();
        for (int i = pending.size() - 1; i >= 0; i--) {
            LogSegment s = (LogSegment) pending.get(i)[0];
            if (dir.equals(s.logFile().getParentFile())) {
                out.add(s);
                pending.remove(i);
            }
        }
        return out;
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    /** Deletes every pending segment now (at shutdown, when no send can still be using them). */
    void closeAll() {
        List<Object[]> all;
        synchronized (this) {
            all = new ArrayList<>(pending);
            pending.clear();
        }
        for (Object[] p : all) {
            try {
                ((LogSegment) p[0]).closeAndDeleteFiles();
            } catch (IOException e) {
                LOG.warn("Deleting {} failed", ((LogSegment) p[0]).logFile(), e);
            }
        }
    }
}
