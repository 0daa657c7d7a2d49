package io.skiff.storage;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader epochs of a partition and the offset where each began, persisted in
 * {@code leader-epoch-checkpoint} ("epoch startOffset" lines). Used to answer ListOffsets with a
 * leader epoch and OffsetForLeaderEpoch ({@link #endOffsetFor}), and by a follower to find where
 * its log diverges from the leader's ({@link #latestEpoch}, {@link #endOffsetFor}); a leader
 * append or a follower append starts a new epoch ({@link #assign}), a truncation removes the
 * epochs that start at or above the new log end ({@link #truncateFromEnd}) or all of them
 * ({@link #clearAndFlush}). Every change rewrites the file atomically (temp file, fsync, rename).
 * Thread-safe (synchronized; changes are rare).
 */
final class LeaderEpochCache {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);

    private final File file;
    private final List<long[]> entries = new ArrayList<>();
    private boolean needsRebuild;

    /**
     * Reads {@code file} (empty when missing). A malformed file (bad version or count line, a bad
     * entry, epochs or offsets not increasing) is logged and leaves the cache empty with {@link
     * #needsRebuild()} set: the loader rebuilds it from the log.
     */
    LeaderEpochCache(File file) throws IOException {
        this.file = file;
        try {
            for (String[] f : CheckpointFile.read(file, 2)) {
                int epoch = Integer.parseInt(f[0]);
                long startOffset = Long.parseLong(f[1]);
                if (epoch < 0 || startOffset < 0 || !assignWithoutFlush(epoch, startOffset)) {
                    throw new IOException("Malformed line in checkpoint file (" + file + "): '" + f[0] + " " + f[1]
                            + "' does not follow the previous entry");
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Unreadable leader epoch checkpoint {} ({}); rebuilding it from the log", file, e.getMessage());
            entries.clear();
            needsRebuild = true;
        }
    }

    /** Whether the checkpoint file was unreadable and the epochs must be rebuilt from the log. */
    synchronized boolean needsRebuild() {
        return needsRebuild;
    }

    /** Records that {@code epoch} began at {@code startOffset}, if it is newer than the latest epoch. */
    synchronized boolean assign(int epoch, long startOffset) throws IOException {
        if (!assignWithoutFlush(epoch, startOffset)) {
            return false;
        }
        flush();
        return true;
    }

    /** {@link #assign} without writing the file (call {@link #flush()} after a run of these). */
    synchronized boolean assignWithoutFlush(int epoch, long startOffset) {
        if (epoch < 0) {
            return false;
        }
        if (!entries.isEmpty()) {
            long[] last = entries.get(entries.size() - 1);
            if (epoch <= last[0] || startOffset < last[1]) {
                return false;
            }
        }
        entries.add(new long[] {epoch, startOffset});
        return true;
    }

    /** The latest epoch, or -1. */
    synchronized int latestEpoch() {
        return entries.isEmpty() ? -1 : (int) entries.get(entries.size() - 1)[0];
    }

    /**
     * The end offset of {@code requestedEpoch} as a leader answers OffsetForLeaderEpoch: {epoch,
     * endOffset} where epoch is the largest epoch at or below the one asked for and endOffset is
     * where the next epoch began ({@code logEndOffset} for the latest epoch); {-1, -1} when the
     * epoch is after the latest one or nothing is known; the requested epoch with the first
     * epoch's start when it is before every known epoch.
     */
    synchronized long[] endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch < 0 || entries.isEmpty()) {
            return new long[] {-1, -1};
        }
        long[] latest = entries.get(entries.size() - 1);
        if (requestedEpoch == latest[0]) {
            return new long[] {requestedEpoch, logEndOffset};
        }
        long[] floor = null;
        for (long[] e : entries) {
            if (e[0] > requestedEpoch) {
                return floor == null ? new long[] {requestedEpoch, e[1]} : new long[] {floor[0], e[1]};
            }
            floor = e;
        }
        return new long[] {-1, -1};
    }

    /** The first entry {epoch, startOffset}, or null. */
    synchronized long[] earliestEntry() {
        return entries.isEmpty() ? null : entries.get(0).clone();
    }

    /** The epoch in force at {@code offset}, or -1. */
    synchronized int epochForOffset(long offset) {
        int epoch = -1;
        for (long[] e : entries) {
            if (e[1] <= offset) {
                epoch = (int) e[0];
            } else {
                break;
            }
        }
        return epoch;
    }

    /** Removes entries starting at or after {@code endOffset} (after the log was truncated there). */
    synchronized void truncateFromEnd(long endOffset) throws IOException {
        boolean changed = false;
        while (!entries.isEmpty() && entries.get(entries.size() - 1)[1] >= endOffset) {
            entries.remove(entries.size() - 1);
            changed = true;
        }
        if (changed) {
            flush();
        }
    }

    /** Removes every entry and writes the (empty) file (the log was truncated fully). */
    synchronized void clearAndFlush() throws IOException {
        entries.clear();
        flush();
    }

    /** Drops epochs wholly before {@code startOffset}; the one in force there now starts there. */
    synchronized void truncateFromStart(long startOffset) throws IOException {
        int lastBefore = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i)[1] <= startOffset) {
                lastBefore = i;
            }
        }
        if (lastBefore < 0) {
            return;
        }
        boolean changed = lastBefore > 0 || entries.get(lastBefore)[1] != startOffset;
        for (int i = 0; i < lastBefore; i++) {
            entries.remove(0);
        }
        entries.get(0)[1] = startOffset;
        if (changed) {
            flush();
        }
    }

    synchronized List<long[]> entries() {
        List<long[]> out = new ArrayList<>();
        for (long[] e : entries) {
            out.add(e.clone());
        }
        return out;
    }

    synchronized void flush() throws IOException {
        if (!file.getParentFile().exists()) {
            return;
        }
        needsRebuild = false;
        List<String> lines = new ArrayList<>(entries.size());
        for (long[] e : entries) {
            lines.add(e[0] + " " + e[1]);
        }
        CheckpointFile.write(file, lines);
    }
}
