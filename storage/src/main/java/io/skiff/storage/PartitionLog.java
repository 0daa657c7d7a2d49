package io.skiff.storage;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.BatchRecompressor;
import io.skiff.wire.record.BatchValidator;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordError;
import io.skiff.wire.record.TimestampType;
import io.skiff.wire.record.ValidationResult;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: segments in Apache Kafka's on-disk format, appended as leader, read
 * by fetches, trimmed by retention and DeleteRecords.
 *
 * <p>Design note. Segments live in a concurrent sorted map by base offset; the last is active.
 * Appends, rolls, retention, DeleteRecords and config changes hold {@link #lock}; reads hold
 * nothing. An append validates the batch on the caller's thread (no lock: CRC and record scan),
 * then under the lock checks producer state, maybe rolls, assigns offsets in place in the
 * caller's buffer (base offset and leader epoch lie outside the CRC; LogAppendTime rewrites the
 * max timestamp and the CRC), writes the batch with a gathering write, updates the indexes and
 * producer state, and finally publishes the new end ({@link #end}: log end offset, active
 * segment, file position) with one volatile write. A reader takes that snapshot first and never
 * reads past its position, so it sees only whole, indexed batches; it then looks up positions
 * in the indexes and batch headers and returns a {@link FileRecords} slice of one segment
 * without reading batch data. Removed segments are renamed {@code .deleted} and closed only after
 * file.delete.delay.ms ({@link FileDeleter}) so that slices being sent stay valid. Flushing is
 * never done on the caller's thread: {@link LogFlusher} fsyncs for the flush.messages/flush.ms
 * policy, at rolls, and for {@link #awaitDurable} (group commit). On a single node the high
 * watermark follows the log end offset after each append; the last stable offset equals it
 * until transactions exist.
 *
 * <p>Thread-safe. Buffers passed in are borrowed.
 */
public final class PartitionLog {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private static final ThreadLocal<BatchValidator> VALIDATOR = ThreadLocal.withInitial(BatchValidator::new);
    private static final ThreadLocal<RecordBatch> PEEK = ThreadLocal.withInitial(RecordBatch::new);
    private static final ThreadLocal<ValidationResult> VALIDATION = ThreadLocal.withInitial(ValidationResult::new);

    /** The log end as readers see it: published after each append and roll. */
    private static final class End {
        final long offset;
        final LogSegment segment;
        final int position;

        End(long offset, LogSegment segment, int position) {
            this.offset = offset;
            this.segment = segment;
            this.position = position;
        }
    }

    private static final class Waiter implements Comparable<Waiter> {
        final long offset;
        final CompletableFuture<Void> future;

        Waiter(long offset, CompletableFuture<Void> future) {
            this.offset = offset;
            this.future = future;
        }

        @Override
        public int compareTo(Waiter o) {
            return Long.compare(offset, o.offset);
        }
    }

    private final File dir;
    private final TopicPartition topicPartition;
    private final String name;
    private final Clock clock;
    private final LogFlusher flusher;
    private final FileDeleter deleter;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final ProducerStateManager producers;
    private final LeaderEpochCache epochs;
    private final RecordBatch scratch = new RecordBatch();

    private volatile LogConfig config;
    private volatile Uuid topicId;
    private volatile End end;
    private volatile long logStartOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    private volatile long durableOffset;
    private volatile long lastFlushTimeMs;
    private volatile long lastAppendTimeMs = -1L;
    private volatile AppendListener listener;
    private volatile boolean closed;

    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private volatile boolean fullFlushRequested;
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    private final AtomicLong fsyncCount = new AtomicLong();
    private final Object flushLock = new Object();

    private PartitionLog(File dir, TopicPartition topicPartition, LogConfig config, Clock clock, LogFlusher flusher,
                         FileDeleter deleter, long producerIdExpirationMs) throws IOException {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.name = topicPartition.toString();
        this.config = config;
        this.clock = clock;
        this.flusher = flusher;
        this.deleter = deleter;
        this.producers = new ProducerStateManager(dir, name, producerIdExpirationMs);
        this.epochs = new LeaderEpochCache(new File(dir, LogFiles.LEADER_EPOCH_CHECKPOINT));
    }

    /**
     * Opens (or creates) the partition log in {@code dir}. Without {@code hadCleanShutdown} every
     * segment from the one holding {@code recoveryPoint} on is scanned and a torn or corrupt tail
     * truncated; missing or corrupt indexes are rebuilt in any case. {@code topicId} is written to
     * partition.metadata when given (else read from it).
     */
    static PartitionLog open(File dir, TopicPartition topicPartition, Uuid topicId, LogConfig config, Clock clock,
                             LogFlusher flusher, FileDeleter deleter, long producerIdExpirationMs,
                             boolean hadCleanShutdown, long recoveryPoint, long checkpointedLogStartOffset)
        throws IOException {
        if (!dir.exists() && !dir.mkdirs()) {
            throw new IOException("cannot create " + dir);
        }
        PartitionLog log = new PartitionLog(dir, topicPartition, config, clock, flusher, deleter, producerIdExpirationMs);
        log.load(topicId, hadCleanShutdown, recoveryPoint, checkpointedLogStartOffset);
        return log;
    }

    // ---------------------------------------------------------------------------------------------
    // loading

    private void load(Uuid topicIdArg, boolean hadCleanShutdown, long checkpointRecoveryPoint,
                      long checkpointedLogStartOffset) throws IOException {
        long nowMs = clock.milliseconds();
        File metadata = new File(dir, LogFiles.PARTITION_METADATA);
        if (topicIdArg != null) {
            topicId = topicIdArg;
            if (!metadata.exists() || !topicIdArg.equals(readTopicId(metadata))) {
                LogFiles.writeAtomically(metadata, "version: 0\ntopic_id: " + topicIdArg);
            }
        } else if (metadata.exists()) {
            topicId = readTopicId(metadata);
        }

        List<Long> logOffsets = removeLeftoversAndListSegments();
        List<LogSegment> needRebuild = new ArrayList<>();
        for (long base : logOffsets) {
            boolean indexMissing = !LogFiles.file(dir, base, LogFiles.INDEX_SUFFIX).exists()
                || !LogFiles.file(dir, base, LogFiles.TIME_INDEX_SUFFIX).exists();
            LogSegment seg = LogSegment.open(dir, base, config, 0L, nowMs);
            boolean corrupt = false;
            try {
                seg.sanityCheckIndexes();
            } catch (IOException e) {
                LOG.warn("Found a corrupted index file for segment {} of {}: {}; rebuilding", base, name, e.getMessage());
                corrupt = true;
            }
            if (indexMissing || corrupt) {
                needRebuild.add(seg);
            }
            segments.put(base, seg);
        }

        // Recovery.
        long recoverFrom = Long.MAX_VALUE;
        if (!hadCleanShutdown && !segments.isEmpty()) {
            Map.Entry<Long, LogSegment> floor = segments.floorEntry(Math.max(checkpointRecoveryPoint, 0));
            recoverFrom = floor == null ? segments.firstKey() : floor.getKey();
        }
        List<LogSegment> ordered = new ArrayList<>(segments.values());
        for (int i = 0; i < ordered.size(); i++) {
            LogSegment seg = ordered.get(i);
            if (seg.baseOffset >= recoverFrom || needRebuild.contains(seg)) {
                int truncated = seg.recover(null);
                if (truncated > 0 && seg.baseOffset >= recoverFrom) {
                    for (int j = i + 1; j < ordered.size(); j++) {
                        LogSegment later = ordered.get(j);
                        LOG.warn("Deleting segment {} of {} after a corrupt tail in {}", later.baseOffset, name, seg.baseOffset);
                        segments.remove(later.baseOffset);
                        later.closeAndDeleteFiles();
                    }
                    break;
                }
            }
        }

        if (segments.isEmpty()) {
            long base = Math.max(0, checkpointedLogStartOffset);
            segments.put(base, LogSegment.open(dir, base, config, jitter(config), nowMs));
        }
        LogSegment active = segments.lastEntry().getValue();
        // Older segments have trimmed indexes; the active one grows back to the max size.
        for (LogSegment s : segments.values()) {
            if (s != active) {
                s.onBecomeInactive();
            }
        }
        active.resizeIndexes(config.maxIndexSize);
        long logEndOffset = active.readNextOffset();
        end = new End(logEndOffset, active, active.size());
        logStartOffset = Math.max(checkpointedLogStartOffset, segments.firstKey());
        if (logStartOffset > logEndOffset) {
            logStartOffset = logEndOffset;
        }
        recoveryPoint = hadCleanShutdown ? logEndOffset : Math.min(Math.max(checkpointRecoveryPoint, 0), logEndOffset);
        if (!hadCleanShutdown && recoverFrom != Long.MAX_VALUE) {
            // Everything just scanned is now known good; it is durable once flushed.
            recoveryPoint = Math.min(recoveryPoint, recoverFrom);
        }
        durableOffset = recoveryPoint;
        highWatermark = logEndOffset;
        lastFlushTimeMs = nowMs;

        epochs.truncateFromEnd(logEndOffset);
        epochs.truncateFromStart(logStartOffset);
        rebuildProducerState(nowMs);
        LOG.info("Loaded {} with {} segments, log start offset {}, log end offset {}{}", name, segments.size(),
            logStartOffset, logEndOffset, hadCleanShutdown ? "" : " (recovered)");
    }

    /**
     * Deletes the leftovers of interrupted operations (deleted, temporary, cleaned and swap files,
     * indexes without a segment) and returns the base offsets of the segment files, in order.
     */
    private List<Long> removeLeftoversAndListSegments() throws IOException {
        File[] files = dir.listFiles();
        List<Long> logOffsets = new ArrayList<>();
        if (files != null) {
            for (File f : files) {
                String n = f.getName();
                if (n.endsWith(LogFiles.DELETED_SUFFIX) || n.endsWith(".tmp") || n.endsWith(LogFiles.CLEANED_SUFFIX)
                    || n.endsWith(LogFiles.SWAP_SUFFIX)) {
                    LogFiles.deleteRecursively(f);
                } else if (n.endsWith(LogFiles.LOG_SUFFIX) && LogFiles.offsetFromName(n) >= 0) {
                    logOffsets.add(LogFiles.offsetFromName(n));
                }
            }
            for (File f : files) {
                String n = f.getName();
                long o = LogFiles.offsetFromName(n);
                if (o >= 0 && (n.endsWith(LogFiles.INDEX_SUFFIX) || n.endsWith(LogFiles.TIME_INDEX_SUFFIX))
                    && !logOffsets.contains(o)) {
                    LogFiles.deleteRecursively(f);
                }
            }
        }
        logOffsets.sort(null);
        return logOffsets;
    }

    private static Uuid readTopicId(File metadata) throws IOException {
        for (String line : Files.readAllLines(metadata.toPath())) {
            if (line.startsWith("topic_id:")) {
                return Uuid.fromString(line.substring("topic_id:".length()).trim());
            }
        }
        throw new IOException("no topic_id in " + metadata);
    }

    private void rebuildProducerState(long nowMs) throws IOException {
        long logEndOffset = end.offset;
        long from = producers.loadFromSnapshot(logStartOffset, logEndOffset, nowMs);
        Map.Entry<Long, LogSegment> first = segments.floorEntry(from);
        for (LogSegment seg : (first == null ? segments : segments.tailMap(first.getKey())).values()) {
            seg.forEachBatchHeader(from, (header, position) -> producers.replay(header));
        }
        producers.updateMapEndOffset(logEndOffset);
        producers.deleteSnapshotsBefore(segments.firstKey(), 1);
    }

    private static long jitter(LogConfig config) {
        if (config.segmentJitterMs == 0) {
            return 0;
        }
        return ThreadLocalRandom.current().nextLong(Math.min(config.segmentJitterMs, config.segmentMs));
    }

    // ---------------------------------------------------------------------------------------------
    // append

    /**
     * Appends the records of one Produce partition as leader. {@code records} is borrowed: its
     * readable bytes are validated (see {@link BatchValidator}), then patched in place (base
     * offset, leader epoch, max timestamp and CRC) and written; the caller keeps ownership and may
     * release it when this returns. A rejected batch writes nothing. Safe to call from any thread;
     * appends to one log are serialized.
     */
    public AppendResult appendAsLeader(ByteBuf records, int leaderEpoch, long nowMs) {
        ValidationResult v = VALIDATION.get();
        LogConfig cfg = config;
        if (!VALIDATOR.get().validate(records, cfg.validationRules(), name, nowMs, v)) {
            Errors e = v.error();
            long lso = v.isRequestLevel() || e == Errors.CORRUPT_MESSAGE || e == Errors.MESSAGE_TOO_LARGE
                ? -1L : logStartOffset;
            List<RecordError> recordErrors = v.recordErrors().isEmpty()
                ? null : new ArrayList<>(v.recordErrors());
            return AppendResult.failure(e, v.errorMessage(), v.diagnostic(), recordErrors, lso);
        }
        int batchIndex = v.batchOffset();
        int batchSize = v.batchSize();
        int targetCodec = cfg.targetCodec;
        if (targetCodec >= 0 && targetCodec != scratchFor(records, batchIndex).compressionCodecId()) {
            // The topic stores another codec than the producer used: rewrite the batch first.
            ByteBuf rewritten;
            try {
                rewritten = BatchRecompressor.recompress(scratchFor(records, batchIndex), targetCodec,
                    cfg.compressionLevel(targetCodec), records.alloc());
            } catch (IOException | RuntimeException e) {
                return AppendResult.failure(Errors.CORRUPT_MESSAGE, null, "cannot recompress: " + e, null, -1L);
            }
            try {
                if (rewritten.readableBytes() > cfg.maxMessageBytes) {
                    return AppendResult.failure(Errors.MESSAGE_TOO_LARGE, null, "The recompressed batch size is "
                        + rewritten.readableBytes() + " bytes, above max.message.bytes", null, -1L);
                }
                return appendValidated(rewritten, 0, rewritten.readableBytes(), v, cfg, leaderEpoch, nowMs);
            } finally {
                rewritten.release();
            }
        }
        return appendValidated(records, batchIndex, batchSize, v, cfg, leaderEpoch, nowMs);
    }

    private RecordBatch scratchFor(ByteBuf records, int index) {
        return PEEK.get().wrap(records, index);
    }

    /** The append after validation (and any recompression): under the lock, offsets, write, state. */
    private AppendResult appendValidated(ByteBuf records, int batchIndex, int batchSize, ValidationResult v,
                                         LogConfig cfg, int leaderEpoch, long nowMs) {
        boolean logAppendTime = cfg.timestampType == TimestampType.LOG_APPEND_TIME;
        long maxTimestamp = logAppendTime ? nowMs : v.maxTimestamp();
        boolean setCreateTimeMax = !logAppendTime && v.recordsChecked();

        AppendResult result;
        long lastOffset;
        lock.lock();
        try {
            if (closed) {
                return AppendResult.failure(Errors.KAFKA_STORAGE_ERROR, null, "log " + name + " is closed", null, -1L);
            }
            cfg = config;
            RecordBatch batch = scratch.wrap(records, batchIndex);
            if (batchSize > cfg.segmentBytes) {
                return AppendResult.failure(Errors.RECORD_LIST_TOO_LARGE, null, "Message batch size is " + batchSize
                    + " bytes in append to partition " + name + ", which exceeds the maximum configured segment size of "
                    + cfg.segmentBytes + ".", null, -1L);
            }
            long baseOffset = end.offset;
            if (batch.hasProducerId()) {
                int outcome = producers.check(batch, baseOffset);
                if (outcome == ProducerStateManager.DUPLICATE) {
                    return new AppendResult(Errors.NONE, null, null, null, producers.duplicateFirstOffset(),
                        producers.duplicateLastOffset(), producers.duplicateTimestamp(), logStartOffset, true);
                }
                if (outcome != ProducerStateManager.OK) {
                    return AppendResult.failure(ProducerStateManager.errorFor(outcome), null, producers.failure(), null,
                        logStartOffset);
                }
            }
            lastOffset = baseOffset + batch.lastOffsetDelta();
            maybeRoll(batchSize, maxTimestamp, lastOffset, nowMs, cfg);

            batch.setBaseOffset(baseOffset);
            batch.setPartitionLeaderEpoch(leaderEpoch);
            if (logAppendTime) {
                batch.setMaxTimestampAndType(TimestampType.LOG_APPEND_TIME, nowMs);
            } else if (setCreateTimeMax) {
                batch.setMaxTimestampAndType(TimestampType.CREATE_TIME, maxTimestamp);
            }
            LogSegment active = end.segment;
            active.append(records, batchIndex, batchSize, scratch);
            batch = scratch.wrap(records, batchIndex);
            if (leaderEpoch >= 0 && leaderEpoch > epochs.latestEpoch()) {
                epochs.assign(leaderEpoch, baseOffset);
            }
            if (batch.hasProducerId()) {
                producers.update(batch);
            }
            producers.updateMapEndOffset(lastOffset + 1);
            end = new End(lastOffset + 1, active, active.size());
            highWatermark = lastOffset + 1;
            lastAppendTimeMs = nowMs;
            result = new AppendResult(Errors.NONE, null, null, null, baseOffset, lastOffset,
                logAppendTime ? nowMs : -1L, logStartOffset, false);
            if (lastOffset + 1 - recoveryPoint >= cfg.flushMessages) {
                fullFlushRequested = true;
                flusher.request(this);
            }
        } catch (IOException e) {
            LOG.error("Append to {} failed", name, e);
            return AppendResult.failure(Errors.KAFKA_STORAGE_ERROR, null, e.toString(), null, -1L);
        } finally {
            lock.unlock();
        }
        AppendListener l = listener;
        if (l != null) {
            l.onAppend(this, lastOffset);
        }
        return result;
    }

    private void maybeRoll(int messagesSize, long maxTimestamp, long maxOffset, long nowMs, LogConfig cfg)
        throws IOException {
        LogSegment active = end.segment;
        if (active.shouldRoll(messagesSize, maxTimestamp, maxOffset, nowMs, cfg)) {
            roll(nowMs);
        }
    }

    /** Starts a new active segment at the log end offset. Caller holds the lock. */
    private void roll(long nowMs) throws IOException {
        End e = end;
        LogSegment old = e.segment;
        if (old.size() == 0 && old.baseOffset == e.offset) {
            return;
        }
        old.onBecomeInactive();
        LogConfig cfg = config;
        LogSegment fresh = LogSegment.open(dir, e.offset, cfg, jitter(cfg), nowMs);
        segments.put(e.offset, fresh);
        end = new End(e.offset, fresh, 0);
        producers.updateMapEndOffset(e.offset);
        producers.takeSnapshot(false);
        producers.deleteSnapshotsBefore(Long.MAX_VALUE, 2);
        fullFlushRequested = true;
        flusher.request(this);
        LOG.info("Rolled new log segment for {} at offset {}", name, e.offset);
    }

    /** Rolls the active segment now if it holds any batch (used by tests and admin paths). */
    public void roll() throws IOException {
        lock.lock();
        try {
            roll(clock.milliseconds());
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // read

    /**
     * Reads from {@code fetchOffset}: at most {@code maxBytes} (but, with {@code minOneBatch}, at
     * least the whole first batch), never at or past {@code maxOffsetExclusive} (the high
     * watermark for consumers), from one segment. OFFSET_OUT_OF_RANGE when {@code fetchOffset} is
     * below the log start offset or above the log end offset. Reads only index entries and batch
     * headers; never blocks on appends. Safe from any thread.
     */
    public ReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        End e = end;
        long lso = logStartOffset;
        long hw = highWatermark;
        if (fetchOffset < lso || fetchOffset > e.offset) {
            return new ReadResult(Errors.OFFSET_OUT_OF_RANGE, null, hw, lso, e.offset, hw);
        }
        long limit = Math.min(maxOffsetExclusive, e.offset);
        try {
            if (fetchOffset >= limit) {
                return new ReadResult(Errors.NONE, new FileRecords(e.segment.channel(), e.position, 0), hw, lso, e.offset, hw);
            }
            Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
            while (entry != null) {
                LogSegment seg = entry.getValue();
                Map.Entry<Long, LogSegment> next = segments.higherEntry(entry.getKey());
                long maxPosition = maxPositionFor(seg, next, limit, e);
                FileRecords records = seg.read(fetchOffset, maxBytes, maxPosition, minOneBatch);
                if (records != null) {
                    return new ReadResult(Errors.NONE, records, hw, lso, e.offset, hw);
                }
                if (next == null || next.getKey() >= limit) {
                    break;
                }
                entry = next;
            }
            return new ReadResult(Errors.NONE, new FileRecords(e.segment.channel(), e.position, 0), hw, lso, e.offset, hw);
        } catch (IOException ex) {
            LOG.error("Read from {} failed", name, ex);
            return new ReadResult(Errors.KAFKA_STORAGE_ERROR, null, hw, lso, e.offset, hw);
        }
    }

    private static long maxPositionFor(LogSegment seg, Map.Entry<Long, LogSegment> next, long limit, End e)
        throws IOException {
        if (seg == e.segment) {
            if (limit >= e.offset) {
                return e.position;
            }
        } else if (next != null && next.getKey() <= limit) {
            return seg.size();
        }
        long found = seg.translateOffset(limit, seg.offsetIndex.lookupPosition(limit));
        if (found < 0) {
            return seg == e.segment ? e.position : seg.size();
        }
        return found >>> 32;
    }

    // ---------------------------------------------------------------------------------------------
    // offsets

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return end.offset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Equal to the high watermark until transactions exist. */
    public long lastStableOffset() {
        return highWatermark;
    }

    /** The offset below which everything is flushed and indexes are on disk (recovery skips it). */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    /** The offset below which every record has been fsynced. */
    public long flushedOffset() {
        return durableOffset;
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    public int numberOfSegments() {
        return segments.size();
    }

    /** Base offsets of the segments, oldest first. */
    public long[] segmentBaseOffsets() {
        long[] out = new long[segments.size()];
        int i = 0;
        for (Long k : segments.keySet()) {
            if (i == out.length) {
                break;
            }
            out[i++] = k;
        }
        return i == out.length ? out : Arrays.copyOf(out, i);
    }

    /** When the last successful append happened (its nowMs), -1 if none since opening. */
    public long lastAppendTimeMs() {
        return lastAppendTimeMs;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    /** The topic id from partition.metadata, or null when the log has none. */
    public Uuid topicId() {
        return topicId;
    }

    public File dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /** The latest leader epoch written to the log, or -1. */
    public int latestEpoch() {
        return epochs.latestEpoch();
    }

    /** The producers this partition keeps state for (DescribeProducers). */
    public List<ActiveProducer> activeProducers() {
        lock.lock();
        try {
            return producers.activeProducers();
        } finally {
            lock.unlock();
        }
    }

    /** Number of producer ids with state. */
    public int activeProducerCount() {
        lock.lock();
        try {
            return producers.activeProducerCount();
        } finally {
            lock.unlock();
        }
    }

    /**
     * ListOffsets for one partition. {@code timestampMs} is a timestamp (the first record with a
     * timestamp at or after it) or one of Kafka's special values: -1 latest, -2 earliest, -3 max
     * timestamp, -4 earliest local (the same as earliest here), -5 latest tiered and -6 earliest
     * pending upload (offset -1 without tiered storage). Answers {@link TimestampAndOffset#NOT_FOUND}
     * when no record qualifies. The broker clamps answers to the high watermark or last stable
     * offset of the request's isolation level, as Kafka's partition layer does.
     */
    public TimestampAndOffset offsetForTimestamp(long timestampMs) {
        try {
            if (timestampMs == -2L || timestampMs == -4L) {
                long lso = logStartOffset;
                long[] earliest = epochs.earliestEntry();
                int epoch = earliest != null && earliest[1] <= lso ? (int) earliest[0] : -1;
                return new TimestampAndOffset(-1L, lso, epoch);
            }
            if (timestampMs == -1L) {
                return new TimestampAndOffset(-1L, end.offset, epochs.latestEpoch());
            }
            if (timestampMs == -5L || timestampMs == -6L) {
                return new TimestampAndOffset(-1L, -1L, -1);
            }
            if (timestampMs == -3L) {
                LogSegment best = null;
                for (LogSegment s : segments.values()) {
                    if (best == null || s.maxTimestampSoFar() > best.maxTimestampSoFar()) {
                        best = s;
                    }
                }
                TimestampAndOffset found = best == null ? null : best.maxTimestampRecord();
                return found == null ? TimestampAndOffset.NOT_FOUND : found;
            }
            if (timestampMs < 0) {
                return TimestampAndOffset.NOT_FOUND;
            }
            long lso = logStartOffset;
            for (LogSegment s : segments.values()) {
                if (s.isDeleted() || s.size() == 0 && s.largestTimestamp() < timestampMs) {
                    continue;
                }
                if (s.largestTimestamp() >= timestampMs) {
                    TimestampAndOffset found = s.findOffsetByTimestamp(timestampMs, lso);
                    return found == null ? TimestampAndOffset.NOT_FOUND : found;
                }
            }
            return TimestampAndOffset.NOT_FOUND;
        } catch (IOException e) {
            LOG.error("ListOffsets on {} failed", name, e);
            return TimestampAndOffset.NOT_FOUND;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // deletion: DeleteRecords and retention

    /**
     * DeleteRecords: moves the log start offset to {@code offset} (-1 means the high watermark)
     * and removes the segments wholly below it. POLICY_VIOLATION unless cleanup.policy includes
     * delete; OFFSET_OUT_OF_RANGE for a negative offset or one beyond the high watermark.
     */
    public DeleteRecordsResult deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            if (!config.delete) {
                return new DeleteRecordsResult(Errors.POLICY_VIOLATION, -1L);
            }
            long target = offset == -1L ? highWatermark : offset;
            if (target < 0 || target > highWatermark) {
                return new DeleteRecordsResult(Errors.OFFSET_OUT_OF_RANGE, -1L);
            }
            if (target > logStartOffset) {
                logStartOffset = target;
                epochs.truncateFromStart(target);
                deleteSegments(DELETE_BELOW_LOG_START, clock.milliseconds());
            }
            return new DeleteRecordsResult(Errors.NONE, logStartOffset);
        } catch (IOException e) {
            LOG.error("DeleteRecords on {} failed", name, e);
            return new DeleteRecordsResult(Errors.KAFKA_STORAGE_ERROR, -1L);
        } finally {
            lock.unlock();
        }
    }

    private static final int DELETE_BELOW_LOG_START = 0;
    private static final int DELETE_BY_SIZE = 1;
    private static final int DELETE_BY_TIME = 2;

    /**
     * Retention: deletes the oldest segments that breach retention.bytes or retention.ms (by
     * each segment's largest timestamp), or lie below the log start offset, as Kafka does: whole
     * segments, only below the high watermark, the active one only when it is non-empty and
     * itself breaches (it is rolled first). Returns the number of segments deleted.
     */
    public int deleteRetentionBreachedSegments() {
        lock.lock();
        try {
            if (closed || !config.delete) {
                return 0;
            }
            long nowMs = clock.milliseconds();
            return deleteSegments(DELETE_BELOW_LOG_START, nowMs) + deleteSegments(DELETE_BY_SIZE, nowMs)
                + deleteSegments(DELETE_BY_TIME, nowMs);
        } catch (IOException e) {
            LOG.error("Retention on {} failed", name, e);
            return 0;
        } finally {
            lock.unlock();
        }
    }

    private int deleteSegments(int mode, long nowMs) throws IOException {
        LogConfig cfg = config;
        long sizeExcess = 0;
        if (mode == DELETE_BY_SIZE) {
            long size = sizeInBytes();
            if (cfg.retentionBytes < 0 || size < cfg.retentionBytes) {
                return 0;
            }
            sizeExcess = size - cfg.retentionBytes;
        }
        if (mode == DELETE_BY_TIME && cfg.retentionMs < 0) {
            return 0;
        }
        List<LogSegment> deletable = new ArrayList<>();
        End e = end;
        for (Map.Entry<Long, LogSegment> entry : segments.entrySet()) {
            LogSegment seg = entry.getValue();
            Map.Entry<Long, LogSegment> next = segments.higherEntry(entry.getKey());
            long upperBound = next != null ? next.getKey() : e.offset;
            boolean lastAndEmpty = next == null && seg.size() == 0;
            boolean breach;
            if (mode == DELETE_BELOW_LOG_START) {
                breach = next != null && next.getKey() <= logStartOffset;
            } else if (mode == DELETE_BY_SIZE) {
                breach = sizeExcess - seg.size() >= 0;
                if (breach) {
                    sizeExcess -= seg.size();
                }
            } else {
                breach = nowMs - seg.largestTimestamp() > cfg.retentionMs;
            }
            if (highWatermark >= upperBound && breach && !lastAndEmpty) {
                deletable.add(seg);
            } else {
                break;
            }
        }
        if (deletable.isEmpty()) {
            return 0;
        }
        if (deletable.size() == segments.size()) {
            roll(nowMs);
        }
        for (LogSegment seg : deletable) {
            segments.remove(seg.baseOffset);
            seg.renameToDeleted();
            deleter.schedule(seg, nowMs + cfg.fileDeleteDelayMs);
            LOG.info("Deleting segment {} of {} ({})", seg.baseOffset, name,
                mode == DELETE_BY_SIZE ? "retention.bytes" : mode == DELETE_BY_TIME ? "retention.ms" : "log start offset");
        }
        long firstBase = segments.firstKey();
        if (firstBase > logStartOffset) {
            logStartOffset = firstBase;
        }
        epochs.truncateFromStart(logStartOffset);
        producers.deleteSnapshotsBefore(firstBase, 1);
        return deletable.size();
    }

    // ---------------------------------------------------------------------------------------------
    // producer state

    /** Drops producer ids idle for producer.id.expiration.ms; returns how many. */
    public int removeExpiredProducers(long nowMs) {
        lock.lock();
        try {
            return producers.removeExpiredProducers(nowMs);
        } finally {
            lock.unlock();
        }
    }

    void setProducerIdExpirationMs(long ms) {
        producers.setProducerIdExpirationMs(ms);
    }

    /** Offsets of the producer snapshot files on disk, oldest first. */
    long[] producerSnapshotOffsets() {
        lock.lock();
        try {
            return producers.snapshotOffsets();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // durability

    /**
     * A future completed once an fsync covers {@code offset} (the record at that offset and all
     * before it are on disk). The fsync runs on the flusher thread, shared by every waiter it
     * covers (group commit); never on the caller's thread. Completed at once when already covered.
     */
    public CompletableFuture<Void> awaitDurable(long offset) {
        if (offset < durableOffset) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (waiters) {
            waiters.add(new Waiter(offset, f));
        }
        flusher.request(this);
        return f;
    }

    /** Number of fsync passes done for this log (each covers every waiter queued before it). */
    public long fsyncCount() {
        return fsyncCount.get();
    }

    boolean markFlushQueued() {
        return flushQueued.compareAndSet(false, true);
    }

    /** Called on the flusher thread: flushes everything written so far and completes covered waiters. */
    void runQueuedFlush() throws IOException {
        flushQueued.set(false);
        boolean full = fullFlushRequested;
        fullFlushRequested = false;
        flushUpTo(end.offset, full);
    }

    /**
     * Fsyncs the segments holding offsets below {@code target}; with {@code full} also their
     * indexes, and moves the recovery point. Not on request threads: the flusher and shutdown
     * call it.
     */
    void flushUpTo(long target, boolean full) throws IOException {
        synchronized (flushLock) {
            long from = full ? Math.min(recoveryPoint, durableOffset) : durableOffset;
            if (target > from || full && target > recoveryPoint) {
                Map.Entry<Long, LogSegment> first = segments.floorEntry(from);
                for (LogSegment seg : (first == null ? segments : segments.tailMap(first.getKey())).values()) {
                    if (seg.baseOffset >= target && seg.baseOffset > from) {
                        break;
                    }
                    if (full) {
                        seg.flush();
                    } else {
                        seg.fsyncData();
                    }
                }
                fsyncCount.incrementAndGet();
                if (target > durableOffset) {
                    durableOffset = target;
                }
                if (full && target > recoveryPoint) {
                    recoveryPoint = target;
                }
                lastFlushTimeMs = clock.milliseconds();
            }
            completeWaiters(durableOffset);
        }
    }

    private void completeWaiters(long coveredExclusive) {
        List<CompletableFuture<Void>> done = null;
        synchronized (waiters) {
            while (!waiters.isEmpty() && waiters.peek().offset < coveredExclusive) {
                if (done == null) {
                    done = new ArrayList<>();
                }
                done.add(waiters.poll().future);
            }
        }
        if (done != null) {
            for (CompletableFuture<Void> f : done) {
                f.complete(null);
            }
        }
    }

    void failDurableWaiters(Throwable t) {
        List<Waiter> all;
        synchronized (waiters) {
            all = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter w : all) {
            w.future.completeExceptionally(t);
        }
    }

    /** Asks the flusher for a full flush if flush.ms has passed since the last one. */
    void maybeFlushByTime(long nowMs) {
        if (end.offset > recoveryPoint && nowMs - lastFlushTimeMs >= config.flushMs) {
            fullFlushRequested = true;
            flusher.request(this);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // configuration, listener, lifecycle

    /** Applies a dynamic topic config change; takes effect for the next append, roll and retention run. */
    public void updateConfig(LogConfig newConfig) {
        lock.lock();
        try {
            this.config = newConfig;
        } finally {
            lock.unlock();
        }
    }

    /** Sets the hook called after each successful append (null to remove). */
    public void setAppendListener(AppendListener listener) {
        this.listener = listener;
    }

    /**
     * Clean close: flushes everything (data and indexes), writes a producer snapshot at the log
     * end, appends the final time index entries, trims the indexes and closes the files. Waiters
     * still pending are completed by the final flush.
     */
    void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            flushUpTo(end.offset, true);
            producers.updateMapEndOffset(end.offset);
            producers.takeSnapshot(true);
            closed = true;
            for (LogSegment s : segments.values()) {
                s.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the files without flushing (the directory is being deleted). */
    void closeForDeletion() {
        lock.lock();
        try {
            closed = true;
            for (LogSegment s : segments.values()) {
                try {
                    s.closeAndDeleteFiles();
                } catch (IOException e) {
                    LOG.warn("Closing {} failed", s.logFile(), e);
                }
            }
            segments.clear();
        } finally {
            lock.unlock();
        }
        failDurableWaiters(new IOException("log " + name + " was deleted"));
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "PartitionLog(" + name + ")";
    }
}
