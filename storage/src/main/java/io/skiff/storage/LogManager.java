package io.skiff.storage;

import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every partition log under the log dirs (log.dirs): loads them at start-up (recovering
 * after an unclean shutdown), creates and deletes them, writes the per-dir checkpoint files
 * (recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 * replication-offset-checkpoint) and the clean shutdown marker ({@code .kafka_cleanshutdown}),
 * and runs the background work on a scheduler it owns: retention, the flush.ms check, checkpoints,
 * producer id expiry and delayed file deletion. The one fsync thread is a {@link LogFlusher}; the
 * {@link LogCleaner} threads compact the logs whose cleanup.policy includes compact.
 *
 * <p>Log dir failures. Each directory of log.dirs is a {@link LogDir}; an I/O error on anything in
 * it (an append, an fsync, a roll, a checkpoint, the clean shutdown marker) takes it offline for
 * the rest of the process: its logs answer storage errors and write nothing more, new logs go to
 * the online dirs only, its checkpoints and clean shutdown marker are no longer written, so the
 * next start-up recovers its logs from their files. The other dirs carry on. The broker decides
 * what an offline dir means for the process ({@link #logDirs()}).
 *
 * <p>Thread-safe. Time comes from the injected {@link Clock}: the scheduler only decides when
 * tasks run, the tasks read the clock, so tests call {@link #cleanupLogs()},
 * {@link #runPendingDeletions()} and friends after advancing a manual clock.
 */
public final class LogManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    /** The topic configs to open existing logs with at start-up. */
    public interface TopicConfigs {
        /** The config of {@code topic}, or null for the default. */
        LogConfig configFor(String topic);
    }

    private final LogManagerConfig config;
    private final Clock clock;
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    /** Every log dir of the config, by absolute path, in the config's order. */
    private final Map<File, LogDir> dirs = new LinkedHashMap<>();

    /** The flusher threads of each log dir, so that a slow disk delays only its own fsyncs. */
    private final Map<LogDir, LogFlusher> flushers = new LinkedHashMap<>();

    private final FileDeleter deleter = new FileDeleter();
    private final LogCleaner cleaner;
    private final ScheduledExecutorService scheduler;
    private final List<FileChannel> lockChannels = new ArrayList<>();
    private final List<FileLock> locks = new ArrayList<>();
    private final List<DirDeletion> pendingDirDeletions = new ArrayList<>();

    /**
     * A deleted log's renamed directory, deleted as a whole at {@code dueMs}; {@code segments} are
     * the log's segments that were awaiting deletion of their own when it was renamed.
     */
    private record DirDeletion(PartitionLog log, File dir, long dueMs, List<LogSegment> segments) {}

    private final Object createLock = new Object();
    private final AtomicBoolean truncationCheckpointQueued = new AtomicBoolean();
    private volatile boolean shutDown;

    private LogManager(LogManagerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.cleaner = new LogCleaner(config, clock, logs::values);
        for (File d : config.logDirs) {
            dirs.putIfAbsent(d.getAbsoluteFile(), new LogDir(d));
        }
        int n = 0;
        for (LogDir d : dirs.values()) {
            flushers.put(d, new LogFlusher("skiff-log-flusher-" + n++, config.flushThreadsPerDir));
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skiff-log-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    /** Locks and loads every log dir, then starts the background tasks. */
    public static LogManager start(LogManagerConfig config, Clock clock, TopicConfigs topicConfigs) throws IOException {
        LogManager m = new LogManager(config, clock);
        boolean ok = false;
        try {
            for (File dir : config.logDirs) {
                m.loadDir(dir, topicConfigs);
            }
            m.cleaner.loadCheckpoints(config.logDirs);
            m.checkpoint();
            m.schedule();
            if (config.cleanerEnable) {
                m.cleaner.startThreads();
            }
            ok = true;
            return m;
        } finally {
            if (!ok) {
                m.abandon();
            }
        }
    }

    private void loadDir(File dir, TopicConfigs topicConfigs) throws IOException {
        if (!dir.exists() && !dir.mkdirs()) {
            throw new IOException("cannot create log dir " + dir);
        }
        FileChannel lockChannel = FileChannel.open(
                new File(dir, LogFiles.LOCK_FILE).toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("Failed to acquire lock on file .lock in " + dir
                    + ". A Kafka instance in another process or thread is using this directory.");
        }
        lockChannels.add(lockChannel);
        locks.add(lock);

        File marker = new File(dir, LogFiles.CLEAN_SHUTDOWN_MARKER);
        boolean clean = marker.exists();
        Map<TopicPartition, Long> recoveryPoints =
                readCheckpointQuietly(new File(dir, LogFiles.RECOVERY_POINT_CHECKPOINT));
        Map<TopicPartition, Long> logStartOffsets =
                readCheckpointQuietly(new File(dir, LogFiles.LOG_START_OFFSET_CHECKPOINT));
        File[] children = dir.listFiles();
        if (children != null) {
            for (File child : children) {
                if (!child.isDirectory()) {
                    continue;
                }
                String name = child.getName();
                if (name.endsWith(LogFiles.DELETE_DIR_SUFFIX)) {
                    LOG.info("Removing {} left by a deletion", child);
                    LogFiles.deleteRecursively(child);
                    continue;
                }
                if (name.endsWith(LogFiles.STRAY_DIR_SUFFIX)
                        || name.endsWith(LogFiles.FUTURE_DIR_SUFFIX)
                        || name.equals(LogFiles.METADATA_LOG_DIR)) {
                    continue;
                }
                TopicPartition tp = TopicPartition.parseDirName(name);
                if (tp == null) {
                    continue;
                }
                LogConfig cfg = topicConfigs == null ? null : topicConfigs.configFor(tp.topic());
                if (cfg == null) {
                    cfg = config.defaultLogConfig;
                }
                Long rp = recoveryPoints.get(tp);
                Long lso = logStartOffsets.get(tp);
                PartitionLog log = PartitionLog.open(
                        child,
                        logDir(dir),
                        tp,
                        null,
                        cfg,
                        clock,
                        flushers.get(logDir(dir)),
                        deleter,
                        config.producerIdExpirationMs,
                        clean,
                        rp == null ? 0L : rp,
                        lso == null ? 0L : lso);
                log.setTransactionVerificationEnabled(config.transactionVerificationEnabled);
                log.setTruncationListener(this::checkpointSoonAfterTruncation);
                PartitionLog previous = logs.putIfAbsent(tp, log);
                if (previous != null) {
                    throw new IOException(
                            "Duplicate log directories for " + tp + ": " + previous.dir() + " and " + child);
                }
            }
        }
        Files.deleteIfExists(marker.toPath());
    }

    private static Map<TopicPartition, Long> readCheckpointQuietly(File file) {
        try {
            return CheckpointFile.readOffsets(file);
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable checkpoint {}: {}", file, e.getMessage());
            return Collections.emptyMap();
        }
    }

    private void schedule() {
        every(config.retentionCheckIntervalMs, this::cleanupLogs);
        every(config.flushCheckIntervalMs, this::flushDirtyLogs);
        every(config.recoveryPointCheckpointIntervalMs, this::checkpointRecoveryPoints);
        every(config.logStartOffsetCheckpointIntervalMs, this::checkpointLogStartOffsets);
        every(config.highWatermarkCheckpointIntervalMs, this::checkpointHighWatermarks);
        every(config.producerIdExpirationCheckIntervalMs, this::removeExpiredProducers);
        every(config.fileDeleteCheckIntervalMs, this::runPendingDeletions);
    }

    private void every(long intervalMs, Runnable task) {
        if (intervalMs <= 0 || intervalMs >= Long.MAX_VALUE / 2) {
            return;
        }
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.run();
                    } catch (Throwable t) {
                        LOG.error("Background log task failed", t);
                    }
                },
                intervalMs,
                intervalMs,
                TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------------------------------------
    // logs

    /**
     * The log of {@code tp}, created in the log dir holding the fewest partitions when missing
     * (partition.metadata records {@code topicId}). Returns the existing log when there is one.
     */
    public PartitionLog createLog(TopicPartition tp, Uuid topicId, LogConfig logConfig) throws IOException {
        synchronized (createLock) {
            PartitionLog existing = logs.get(tp);
            if (existing != null) {
                return existing;
            }
            if (shutDown) {
                throw new IOException("the log manager is shut down");
            }
            LogDir logDir = leastLoadedDir();
            if (logDir == null) {
                throw new IOException("every log dir is offline; cannot create the log of " + tp);
            }
            File dir = new File(logDir.path(), tp.dirName());
            try {
                PartitionLog log = PartitionLog.open(
                        dir,
                        logDir,
                        tp,
                        topicId,
                        logConfig,
                        clock,
                        flushers.get(logDir),
                        deleter,
                        config.producerIdExpirationMs,
                        false,
                        0L,
                        0L);
                log.setTransactionVerificationEnabled(config.transactionVerificationEnabled);
                log.setTruncationListener(this::checkpointSoonAfterTruncation);
                logs.put(tp, log);
                LogFiles.fsyncDir(dir.getParentFile());
                return log;
            } catch (IOException e) {
                logDir.markOffline("creating the log of " + tp, e);
                throw e;
            }
        }
    }

    /** The online log dir holding the fewest logs, or null when every dir is offline. */
    private LogDir leastLoadedDir() {
        Map<LogDir, Integer> counts = new LinkedHashMap<>();
        for (LogDir d : dirs.values()) {
            if (d.isOnline()) {
                counts.put(d, 0);
            }
        }
        for (PartitionLog l : logs.values()) {
            LogDir d = l.logDir();
            if (counts.containsKey(d)) {
                counts.merge(d, 1, Integer::sum);
            }
        }
        LogDir best = null;
        int min = Integer.MAX_VALUE;
        for (Map.Entry<LogDir, Integer> e : counts.entrySet()) {
            if (e.getValue() < min) {
                min = e.getValue();
                best = e.getKey();
            }
        }
        return best;
    }

    /** Every log dir of log.dirs, online or not, in the configured order. */
    public List<LogDir> logDirs() {
        return List.copyOf(dirs.values());
    }

    /** The log dir at {@code path} (any form of the configured path), or null when it is not one of log.dirs. */
    public LogDir logDir(File path) {
        return dirs.get(path.getAbsoluteFile());
    }

    /** True when every log dir is offline: no log can be written or read any more. */
    public boolean allLogDirsOffline() {
        for (LogDir d : dirs.values()) {
            if (d.isOnline()) {
                return false;
            }
        }
        return true;
    }

    /** The log of {@code tp}, or null. */
    public PartitionLog getLog(TopicPartition tp) {
        return logs.get(tp);
    }

    public Collection<PartitionLog> allLogs() {
        return Collections.unmodifiableCollection(logs.values());
    }

    /**
     * Removes the log of {@code tp}: its directory is renamed {@code <topic>-<partition>.<id>-delete}
     * at once and deleted (files closed) after file.delete.delay.ms. Returns false when there is
     * no such log.
     */
    public boolean deleteLog(TopicPartition tp) throws IOException {
        cleaner.abortAndPause(tp);
        PartitionLog log;
        synchronized (createLock) {
            log = logs.remove(tp);
        }
        cleaner.forget(tp);
        if (log == null) {
            return false;
        }
        File dir = log.dir();
        log.markDeleted();
        List<LogSegment> removed = deleter.removeIn(dir);
        String suffix =
                "-" + tp.partition() + "." + UUID.randomUUID().toString().replace("-", "") + LogFiles.DELETE_DIR_SUFFIX;
        String prefix = tp.topic().substring(0, Math.min(tp.topic().length(), 255 - suffix.length()));
        File target = new File(dir.getParentFile(), prefix + suffix);
        LogFiles.atomicMove(dir.toPath(), target.toPath());
        LogFiles.fsyncDir(dir.getParentFile());
        synchronized (pendingDirDeletions) {
            pendingDirDeletions.add(
                    new DirDeletion(log, target, clock.milliseconds() + log.config().fileDeleteDelayMs, removed));
        }
        return true;
    }

    /**
     * Sets the log of {@code tp} aside without deleting anything: it is closed and its directory
     * renamed {@code <topic>-<partition>.<id>-stray}, which start-up skips, so that an operator can
     * inspect or restore it and a new topic of the same name starts empty. Returns the new
     * directory, or null when there is no such log.
     */
    public File markStray(TopicPartition tp) throws IOException {
        cleaner.abortAndPause(tp);
        PartitionLog log;
        synchronized (createLock) {
            log = logs.remove(tp);
        }
        cleaner.forget(tp);
        if (log == null) {
            return null;
        }
        File dir = log.dir();
        log.close();
        String suffix =
                "-" + tp.partition() + "." + UUID.randomUUID().toString().replace("-", "") + LogFiles.STRAY_DIR_SUFFIX;
        String prefix = tp.topic().substring(0, Math.min(tp.topic().length(), 255 - suffix.length()));
        File target = new File(dir.getParentFile(), prefix + suffix);
        LogFiles.atomicMove(dir.toPath(), target.toPath());
        LogFiles.fsyncDir(dir.getParentFile());
        return target;
    }

    // ---------------------------------------------------------------------------------------------
    // background work (also callable directly)

    /** Runs retention on every log now; returns the number of segments deleted. */
    public int cleanupLogs() {
        int total = 0;
        for (PartitionLog log : logs.values()) {
            total += log.deleteRetentionBreachedSegments();
        }
        return total;
    }

    /**
     * Cleans compacted logs on the calling thread until none needs cleaning (at most
     * {@code maxCleans} cleans); returns how many were done. The cleaner threads do the same in the
     * background; this is for tests and tools.
     */
    public int cleanLogsNow(int maxCleans) {
        int n = 0;
        try (Cleaner c = cleaner.cleanerForCaller()) {
            while (n < maxCleans && cleaner.cleanFilthiestLog(c)) {
                n++;
            }
        }
        return n;
    }

    /** The log cleaner (its threads run when log.cleaner.enable is true). */
    public LogCleaner cleaner() {
        return cleaner;
    }

    /** Asks the flusher to flush each log whose flush.ms has passed. */
    public void flushDirtyLogs() {
        long now = clock.milliseconds();
        for (PartitionLog log : logs.values()) {
            log.maybeFlushByTime(now);
        }
    }

    /** Drops idle producer ids on every log. */
    public void removeExpiredProducers() {
        long now = clock.milliseconds();
        for (PartitionLog log : logs.values()) {
            log.removeExpiredProducers(now);
        }
    }

    /** Deletes removed segments and directories whose delay has passed; returns how many. */
    public int runPendingDeletions() {
        long now = clock.milliseconds();
        int n = deleter.runDue(now);
        List<DirDeletion> due = new ArrayList<>();
        synchronized (pendingDirDeletions) {
            for (int i = pendingDirDeletions.size() - 1; i >= 0; i--) {
                if (pendingDirDeletions.get(i).dueMs() <= now) {
                    due.add(pendingDirDeletions.remove(i));
                }
            }
        }
        for (DirDeletion d : due) {
            deleteDirNow(d);
            n++;
        }
        return n;
    }

    private static void deleteDirNow(DirDeletion d) {
        File dir = d.dir();
        d.log().closeForDeletion();
        for (LogSegment s : d.segments()) {
            s.releaseFiles();
        }
        try {
            LogFiles.deleteRecursively(dir);
        } catch (IOException e) {
            LOG.warn("Deleting {} failed", dir, e);
        }
    }

    /** Writes all three checkpoint files in every log dir. */
    public void checkpoint() {
        checkpointRecoveryPoints();
        checkpointLogStartOffsets();
        checkpointHighWatermarks();
    }

    /**
     * A follower truncated a log: its recovery point (and maybe its log start offset) went down.
     * Writes those two checkpoints at once on the scheduler (one write for any number of
     * truncations queued meanwhile), as Kafka checkpoints after a truncation, so that a crash soon
     * after does not trust segments written after the truncation as flushed, nor hide records
     * below a stale log start offset.
     */
    private void checkpointSoonAfterTruncation() {
        if (!truncationCheckpointQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.execute(() -> {
                truncationCheckpointQueued.set(false);
                try {
                    checkpointRecoveryPoints();
                    checkpointLogStartOffsets();
                } catch (RuntimeException e) {
                    LOG.error("Writing the checkpoints after a truncation failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            truncationCheckpointQueued.set(false); // shutting down: the shutdown checkpoint covers it
        }
    }

    private void checkpointRecoveryPoints() {
        writeCheckpoints(LogFiles.RECOVERY_POINT_CHECKPOINT, 0);
    }

    private void checkpointLogStartOffsets() {
        writeCheckpoints(LogFiles.LOG_START_OFFSET_CHECKPOINT, 1);
    }

    private void checkpointHighWatermarks() {
        writeCheckpoints(LogFiles.REPLICATION_OFFSET_CHECKPOINT, 2);
    }

    private void writeCheckpoints(String fileName, int kind) {
        Map<LogDir, Map<TopicPartition, Long>> byDir = new LinkedHashMap<>();
        for (LogDir d : dirs.values()) {
            if (d.isOnline()) {
                byDir.put(
                        d,
                        new TreeMap<>((a, b) -> a.topic().equals(b.topic())
                                ? Integer.compare(a.partition(), b.partition())
                                : a.topic().compareTo(b.topic())));
            }
        }
        for (PartitionLog log : logs.values()) {
            Map<TopicPartition, Long> m = byDir.get(log.logDir());
            if (m == null) {
                continue;
            }
            if (kind == 0) {
                m.put(log.topicPartition(), log.recoveryPoint());
            } else if (kind == 1) {
                long[] bases = log.segmentBaseOffsets();
                if (bases.length > 0 && log.logStartOffset() > bases[0]) {
                    m.put(log.topicPartition(), log.logStartOffset());
                }
            } else {
                m.put(log.topicPartition(), log.highWatermark());
            }
        }
        for (Map.Entry<LogDir, Map<TopicPartition, Long>> e : byDir.entrySet()) {
            try {
                CheckpointFile.writeOffsets(new File(e.getKey().path(), fileName), e.getValue());
            } catch (IOException ex) {
                e.getKey().markOffline("writing " + fileName, ex);
            }
        }
    }

    public LogManagerConfig.Durability durability() {
        return config.durability;
    }

    /** Tells {@code observer} of every fsync pass of this manager's logs (flush metrics). */
    public void flushObserver(FlushObserver observer) {
        for (LogFlusher f : flushers.values()) {
            f.observer(observer);
        }
    }

    /** The flusher of {@code dir}, for tests. */
    LogFlusher flusher(LogDir dir) {
        return flushers.get(dir);
    }

    /** Stops every log dir's flusher threads. */
    private void closeFlushers() {
        try {
            for (LogFlusher f : flushers.values()) {
                f.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // shutdown

    /**
     * Clean shutdown: stops background tasks, flushes and closes every log (writing producer
     * snapshots), deletes what awaits deletion, writes the checkpoints and then the clean
     * shutdown marker in each log dir, and releases the dir locks. An offline log dir (or one
     * whose logs fail to close) gets neither checkpoints nor the marker, so its logs are recovered
     * at the next start-up; that is no failure of the shutdown. Throws the first close failure of
     * a log in a dir that was online, after doing everything else.
     */
    public void shutdown() throws IOException {
        if (shutDown) {
            return;
        }
        shutDown = true;
        cleaner.close();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IOException failure = null;
        for (PartitionLog log : logs.values()) {
            try {
                log.close();
            } catch (IOException e) {
                LOG.error("Closing {} failed", log, e);
                if (failure == null) {
                    failure = e;
                }
            }
        }
        closeFlushers();
        deleter.closeAll();
        List<DirDeletion> dirs;
        synchronized (pendingDirDeletions) {
            dirs = new ArrayList<>(pendingDirDeletions);
            pendingDirDeletions.clear();
        }
        for (DirDeletion d : dirs) {
            deleteDirNow(d);
        }
        checkpoint();
        writeCleanShutdownMarkers();
        releaseLocks();
        if (failure != null) {
            throw failure;
        }
    }

    /** The clean shutdown marker in every log dir still online (a failure takes that dir offline). */
    private void writeCleanShutdownMarkers() {
        for (LogDir dir : dirs.values()) {
            if (!dir.isOnline()) {
                LOG.warn(
                        "No clean shutdown marker in offline log dir {}: its logs are recovered at the next start-up",
                        dir.path());
                continue;
            }
            try {
                LogFiles.writeAtomically(
                        new File(dir.path(), LogFiles.CLEAN_SHUTDOWN_MARKER),
                        "{\"version\":0,\"brokerEpoch\":" + config.brokerEpoch + "}");
            } catch (IOException e) {
                dir.markOffline("writing the clean shutdown marker", e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        shutdown();
    }

    /** Stops threads and releases locks without flushing or closing logs (start-up failure). */
    private void abandon() {
        shutDown = true;
        cleaner.close();
        scheduler.shutdownNow();
        closeFlushers();
        releaseLocks();
    }

    private void releaseLocks() {
        for (FileLock l : locks) {
            try {
                l.release();
            } catch (IOException e) {
                LOG.warn("Releasing a log dir lock failed", e);
            }
        }
        for (FileChannel c : lockChannels) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.warn("Closing a log dir lock failed", e);
            }
        }
        locks.clear();
        lockChannels.clear();
    }

    static String readMarker(File dir) throws IOException {
        return new String(
                Files.readAllBytes(new File(dir, LogFiles.CLEAN_SHUTDOWN_MARKER).toPath()), StandardCharsets.UTF_8);
    }
}
