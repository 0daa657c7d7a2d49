package io.skiff.storage;

import io.skiff.wire.util.Clock;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log cleaner: log.cleaner.threads background threads (never a network thread) that compact
 * the logs whose cleanup.policy includes compact, dirtiest first, and the cleaner's bookkeeping
 * (Kafka's LogCleaner and LogCleanerManager in one).
 *
 * <p>Design note. Each log has a first dirty offset: where the last clean stopped, kept in the
 * {@code cleaner-offset-checkpoint} file of its log dir (Kafka's format), the log start offset
 * when unknown. What may be cleaned ends at the first uncleanable offset: the lowest of the active
 * segment's base offset, the last stable offset (so no open transaction and nothing above the high
 * watermark is cleaned) and the base of the first segment younger than min.compaction.lag.ms. A
 * log's dirty ratio is the bytes of its dirty segments over the bytes of all its segments up to
 * that point; a thread picks the log with the highest ratio above its min.cleanable.dirty.ratio,
 * or any log whose oldest dirty record is older than max.compaction.lag.ms, marks it in progress
 * (no other thread takes it), runs a {@link Cleaner} on it, records the new first dirty offset and
 * writes the checkpoint. With nothing to clean a thread waits log.cleaner.backoff.ms. A log being
 * deleted or set aside is first {@link #abortAndPause paused}: a clean in progress stops at its next
 * batch and its {@code .cleaned} files are deleted. A log whose cleaning fails on corrupt data is
 * not cleaned again (logged once); an I/O error takes its log dir offline, as in Kafka.
 *
 * <p>Thread-safe: the bookkeeping is guarded by this object's monitor; each thread owns its
 * {@link Cleaner} (and its offset map of log.cleaner.dedupe.buffer.size / threads bytes, allocated
 * when the thread first cleans).
 */
public final class LogCleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    static final String CHECKPOINT_FILE = "cleaner-offset-checkpoint";

    /** What a clean would cover in one log, and how dirty the log is. */
    record Cleanable(
            PartitionLog log,
            long firstDirtyOffset,
            long firstUncleanableOffset,
            long cleanBytes,
            long dirtyBytes,
            boolean needCompactionNow) {
        double dirtyRatio() {
            long total = cleanBytes + dirtyBytes;
            return total == 0 ? 0.0 : (double) dirtyBytes / total;
        }
    }

    private final LogManagerConfig config;
    private final Clock clock;
    private final Supplier<Collection<PartitionLog>> logs;
    /** First dirty offsets by partition (the checkpoints, kept in memory between writes). */
    private final Map<TopicPartition, Long> firstDirty = new ConcurrentHashMap<>();

    private final Set<TopicPartition> inProgress = new HashSet<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final Set<TopicPartition> uncleanable = new HashSet<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;
    private long cleanings;

    LogCleaner(LogManagerConfig config, Clock clock, Supplier<Collection<PartitionLog>> logs) {
        this.config = config;
        this.clock = clock;
        this.logs = logs;
    }

    /** Reads the checkpoint file of every log dir (an unreadable one counts as empty, logged). */
    void loadCheckpoints(Collection<File> dirs) {
        for (File dir : dirs) {
            File f = new File(dir, CHECKPOINT_FILE);
            try {
                firstDirty.putAll(CheckpointFile.readOffsets(f));
            } catch (IOException e) {
                LOG.warn("Ignoring unreadable {}: {}; those logs are cleaned from their start", f, e.getMessage());
            }
        }
    }

    /** Starts the cleaner threads. */
    synchronized void startThreads() {
        for (int i = 0; i < config.cleanerThreads; i++) {
            Thread t = new Thread(this::run, "skiff-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run() {
        try (Cleaner cleaner = newCleaner()) {
            while (!stopped) {
                boolean cleaned;
                try {
                    cleaned = cleanFilthiestLog(cleaner);
                } catch (RuntimeException e) {
                    LOG.error("The log cleaner failed", e);
                    cleaned = false;
                }
                if (!cleaned && !stopped) {
                    waitBackoff();
                }
            }
        }
    }

    private synchronized void waitBackoff() {
        long until = System.nanoTime() + config.cleanerBackoffMs * 1_000_000L;
        long leftNanos;
        while (!stopped && (leftNanos = until - System.nanoTime()) > 0) {
            try {
                wait(Math.max(1, leftNanos / 1_000_000L));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Cleaner newCleaner() {
        long perThread =
                Math.min(config.cleanerDedupeBufferSize / Math.max(1, config.cleanerThreads), Integer.MAX_VALUE);
        OffsetMap map = new OffsetMap((int) perThread, config.cleanerIoBufferLoadFactor);
        Throttler throttler = new Throttler(config.cleanerIoMaxBytesPerSecond, clock, Thread::sleep);
        return new Cleaner(map, config.cleanerIoBufferSize / 2, throttler, () -> stopped || isPausedNow());
    }

    /** Whether the log the calling thread is cleaning was paused; the thread records it in {@link #current}. */
    private boolean isPausedNow() {
        TopicPartition tp = current.get();
        if (tp == null) {
            return false;
        }
        synchronized (this) {
            return paused.contains(tp);
        }
    }

    private final ThreadLocal<TopicPartition> current = new ThreadLocal<>();

    /**
     * Cleans the dirtiest log once, with {@code cleaner}, on the calling thread; false when no log
     * needs cleaning. The cleaner threads call this in a loop; tests call it directly through
     * {@link LogManager#cleanLogsNow}.
     */
    boolean cleanFilthiestLog(Cleaner cleaner) {
        long nowMs = clock.milliseconds();
        Cleanable c = grabFilthiestLog(nowMs);
        if (c == null) {
            return false;
        }
        TopicPartition tp = c.log().topicPartition();
        current.set(tp);
        try {
            Cleaner.Stats stats = cleaner.clean(c.log(), c.firstDirtyOffset(), c.firstUncleanableOffset(), nowMs);
            if (!stats.swapFailed) {
                firstDirty.put(tp, stats.endOffset);
                writeCheckpoint(c.log().logDir());
            }
            synchronized (this) {
                cleanings++;
            }
            LOG.info(
                    "Cleaned {} up to offset {} (dirty ratio {}): {}",
                    tp,
                    stats.endOffset,
                    String.format("%.2f", c.dirtyRatio()),
                    stats);
            return !stats.swapFailed;
        } catch (Cleaner.AbortedException e) {
            LOG.info("Cleaning of {} was aborted", tp);
            return false;
        } catch (CorruptRecordsException e) {
            LOG.error("Cleaning {} met corrupt data; it is not cleaned again until a restart: {}", tp, e.getMessage());
            synchronized (this) {
                uncleanable.add(tp);
            }
            return false;
        } catch (IOException e) {
            c.log().logDir().markOffline("cleaning " + tp, e);
            return false;
        } catch (RuntimeException e) {
            LOG.error("Cleaning {} failed; it is not cleaned again until a restart", tp, e);
            synchronized (this) {
                uncleanable.add(tp);
            }
            return false;
        } finally {
            current.remove();
            synchronized (this) {
                inProgress.remove(tp);
                notifyAll();
            }
        }
    }

    /** The dirtiest cleanable log, marked in progress; null when none needs cleaning. */
    private synchronized Cleanable grabFilthiestLog(long nowMs) {
        Cleanable best = null;
        for (PartitionLog log : logs.get()) {
            TopicPartition tp = log.topicPartition();
            LogConfig cfg = log.config();
            if (!cfg.compact
                    || log.isClosed()
                    || log.isOffline()
                    || inProgress.contains(tp)
                    || paused.contains(tp)
                    || uncleanable.contains(tp)) {
                continue;
            }
            Cleanable c = cleanable(log, nowMs);
            if (c.dirtyBytes() == 0 || c.firstUncleanableOffset() <= c.firstDirtyOffset()) {
                continue;
            }
            if (!c.needCompactionNow() && c.dirtyRatio() < cfg.minCleanableDirtyRatio) {
                continue;
            }
            if (best == null
                    || c.needCompactionNow() && !best.needCompactionNow()
                    || c.needCompactionNow() == best.needCompactionNow() && c.dirtyRatio() > best.dirtyRatio()) {
                best = c;
            }
        }
        if (best != null) {
            inProgress.add(best.log().topicPartition());
        }
        return best;
    }

    /** What a clean of {@code log} would cover now. */
    Cleanable cleanable(PartitionLog log, long nowMs) {
        LogConfig cfg = log.config();
        long logStart = log.logStartOffset();
        Long checkpoint = firstDirty.get(log.topicPartition());
        long dirtyFrom =
                checkpoint == null || checkpoint < logStart || checkpoint > log.logEndOffset() ? logStart : checkpoint;
        List<LogSegment> segs = log.segmentsSnapshot();
        LogSegment active = segs.get(segs.size() - 1);
        long upper = Math.min(log.lastStableOffset(), active.baseOffset);
        long cleanBytes = 0;
        long dirtyBytes = 0;
        long earliestDirtyTimestamp = Long.MAX_VALUE;
        for (int i = 0; i < segs.size() - 1; i++) {
            LogSegment s = segs.get(i);
            long next = segs.get(i + 1).baseOffset;
            if (next <= dirtyFrom) {
                cleanBytes += s.size();
                continue;
            }
            if (cfg.minCompactionLagMs > 0 && s.largestTimestamp() > nowMs - cfg.minCompactionLagMs) {
                upper = Math.min(upper, s.baseOffset);
            }
            if (s.baseOffset >= upper) {
                break;
            }
            dirtyBytes += s.size();
            if (cfg.maxCompactionLagMs < Long.MAX_VALUE && earliestDirtyTimestamp == Long.MAX_VALUE) {
                earliestDirtyTimestamp = firstBatchTimestamp(s);
            }
        }
        boolean needNow = earliestDirtyTimestamp != Long.MAX_VALUE
                && earliestDirtyTimestamp >= 0
                && nowMs - earliestDirtyTimestamp > cfg.maxCompactionLagMs;
        return new Cleanable(log, dirtyFrom, Math.max(upper, dirtyFrom), cleanBytes, dirtyBytes, needNow);
    }

    private static long firstBatchTimestamp(LogSegment s) {
        try {
            BatchHeaderReader reader = BatchHeaderReader.get();
            return reader.read(s.channel(), 0, s.size()) ? reader.batch.maxTimestamp() : Long.MAX_VALUE;
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Writes the checkpoint file of {@code dir} with the first dirty offsets of its logs. */
    private void writeCheckpoint(LogDir dir) {
        if (!dir.isOnline()) {
            return;
        }
        Map<TopicPartition, Long> out = new TreeMap<>((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        for (PartitionLog log : logs.get()) {
            Long offset = firstDirty.get(log.topicPartition());
            if (offset != null && log.logDir() == dir) {
                out.put(log.topicPartition(), offset);
            }
        }
        synchronized (this) {
            try {
                CheckpointFile.writeOffsets(new File(dir.path(), CHECKPOINT_FILE), out);
            } catch (IOException e) {
                dir.markOffline("writing " + CHECKPOINT_FILE, e);
            }
        }
    }

    /**
     * Stops any clean of {@code tp} and keeps the cleaner away from it until {@link #resume}: a
     * clean in progress stops at its next batch; this waits for it to end (its {@code .cleaned}
     * files deleted).
     */
    public void abortAndPause(TopicPartition tp) {
        synchronized (this) {
            paused.add(tp);
            while (inProgress.contains(tp)) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Lets the cleaner take {@code tp} again. */
    public synchronized void resume(TopicPartition tp) {
        paused.remove(tp);
    }

    /** Forgets {@code tp} (its log was deleted or set aside). */
    synchronized void forget(TopicPartition tp) {
        paused.remove(tp);
        uncleanable.remove(tp);
        firstDirty.remove(tp);
    }

    /** The first dirty offset the cleaner keeps for {@code tp}, or -1 when it has none. */
    public long firstDirtyOffset(TopicPartition tp) {
        Long o = firstDirty.get(tp);
        return o == null ? -1L : o;
    }

    /** Number of cleans done since start. */
    public synchronized long cleanings() {
        return cleanings;
    }

    /** The dirty ratios of the compacted logs now, by partition (DescribeLogDirs-like views, tests). */
    public Map<TopicPartition, Double> dirtyRatios() {
        Map<TopicPartition, Double> out = new LinkedHashMap<>();
        long now = clock.milliseconds();
        for (PartitionLog log : logs.get()) {
            if (log.config().compact) {
                out.put(log.topicPartition(), cleanable(log, now).dirtyRatio());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** A cleaner for a caller's own thread (tests, {@link LogManager#cleanLogsNow}); the caller closes it. */
    Cleaner cleanerForCaller() {
        return newCleaner();
    }

    /** Stops the threads (a clean in progress is aborted) and waits for them. */
    @Override
    public void close() {
        stopped = true;
        List<Thread> ts;
        synchronized (this) {
            notifyAll();
            ts = new ArrayList<>(threads);
            threads.clear();
        }
        for (Thread t : ts) {
            try {
                t.join(30_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** For tests: the partitions marked uncleanable. */
    synchronized Set<TopicPartition> uncleanablePartitions() {
        return new HashSet<>(uncleanable);
    }

    /** For tests: the checkpointed offsets as read back from {@code dir}'s file. */
    static Map<TopicPartition, Long> readCheckpoint(File dir) throws IOException {
        return new HashMap<>(CheckpointFile.readOffsets(new File(dir, CHECKPOINT_FILE)));
    }
}
