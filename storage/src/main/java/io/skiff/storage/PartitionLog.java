package io.skiff.storage;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.BatchRecompressor;
import io.skiff.wire.record.BatchValidator;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;
import io.skiff.wire.record.RecordError;
import io.skiff.wire.record.TimestampType;
import io.skiff.wire.record.ValidationOutcome;
import io.skiff.wire.record.ValidationResult;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: segments in Apache Kafka's on-disk format, appended as leader, read
 * by fetches, trimmed by retention and DeleteRecords. The entry point other modules use; it owns
 * the hot paths (append and read) and the lock, and delegates the other concerns to one class
 * each: {@link LogLoader} (opening and recovery), {@link LogSegments} (the segment list and the
 * published log end), {@link LogRetention} (the log start offset, retention, DeleteRecords),
 * {@link LogDurability} (fsyncs, recovery point, {@link #awaitDurable} waiters),
 * {@link ProducerStateManager} (idempotence and transactions) and {@link LeaderEpochCache}.
 *
 * <p>Design note. Appends, rolls, retention, DeleteRecords and config changes hold {@link #lock};
 * reads hold nothing. An append validates the batch on the caller's thread (no lock: CRC and
 * record scan), then under the lock checks producer state, maybe rolls, assigns offsets in place
 * in the caller's buffer (base offset and leader epoch lie outside the CRC; LogAppendTime rewrites
 * the max timestamp and the CRC), writes the batch with a gathering write, updates the indexes
 * and producer state, and finally publishes the new {@link LogEnd} (log end offset, active
 * segment, file position) with one volatile write. A reader takes that snapshot first and never
 * reads past its position, so it sees only whole, indexed batches; it then looks up positions in
 * the indexes and batch headers and returns a {@link FileRecords} slice of one segment without
 * reading batch data. Flushing is never done on the caller's thread ({@link LogDurability}). The high
 * watermark is the broker's to decide ({@link #updateHighWatermark}; retention and DeleteRecords
 * stop there); the last stable offset ({@link #lastStableOffset}) is the high watermark or the
 * first offset of the earliest transaction not yet stable, whichever is lower. Transaction markers
 * ({@link #appendTxnMarker}) end transactions and record aborted ones in the segment's
 * {@link TransactionIndex}, which read_committed reads consult ({@link #abortedTransactions}).
 * Outcomes are storage's own enums
 * ({@link AppendOutcome}, {@link ReadOutcome}, {@link DeleteRecordsOutcome}); the broker maps them
 * to protocol errors.
 *
 * <p>I/O errors. The log lives in one {@link LogDir}. Any IOException while writing (a batch at
 * ENOSPC, an index entry, a roll, an fsync, a checkpoint) takes that directory offline; from then
 * on this log writes nothing, appends and reads answer STORAGE_ERROR, durable waiters fail, and
 * close only closes the files. A failed append leaves no partial batch behind
 * ({@link LogSegment#append}) and never publishes a log end past the last whole batch, so what was
 * acknowledged before the failure stays readable after a restart (recovery checks the rest).
 *
 * <p>Thread-safe. Buffers passed in are borrowed; the {@link FileRecords} returned by reads are
 * views of segment files, not buffers.
 */
public final class PartitionLog {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private static final ThreadLocal<BatchValidator> VALIDATOR = ThreadLocal.withInitial(BatchValidator::new);
    private static final ThreadLocal<RecordBatch> PEEK = ThreadLocal.withInitial(RecordBatch::new);
    private static final ThreadLocal<ValidationResult> VALIDATION = ThreadLocal.withInitial(ValidationResult::new);

    private final File dir;
    private final TopicPartition topicPartition;
    private final String name;
    private final Uuid topicId;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final LogSegments segments;
    private final ProducerStateManager producers;
    private final LeaderEpochCache epochs;
    private final LogDurability durability;
    private final LogRetention retention;
    private final LogTruncation truncation;
    private final LogDir logDir;
    private final FileDeleter deleter;
    private final RecordBatch scratch = new RecordBatch();
    /** Reads that met corrupt bytes (logged at 1, 2, 4, 8, ...). */
    private final AtomicLong corruptReads = new AtomicLong();

    private volatile LogConfig config;
    private volatile long highWatermark;
    /** The first offset of the earliest transaction not yet stable, -1 when none (published under the lock). */
    private volatile long firstUnstableOffset = -1L;

    private volatile long lastAppendTimeMs = -1L;
    private volatile AppendListener listener;
    /** Told after each truncation, outside the lock (the log manager writes its checkpoints then); null for none. */
    private volatile Runnable truncationListener;

    private volatile boolean closed;

    private PartitionLog(
            File dir,
            LogDir logDir,
            TopicPartition topicPartition,
            String name,
            LogConfig config,
            Clock clock,
            LogFlusher flusher,
            FileDeleter deleter,
            LogSegments segments,
            ProducerStateManager producers,
            LeaderEpochCache epochs,
            LogLoader.Loaded loaded) {
        this.dir = dir;
        this.logDir = logDir;
        this.deleter = deleter;
        this.topicPartition = topicPartition;
        this.name = name;
        this.topicId = loaded.topicId();
        this.config = config;
        this.clock = clock;
        this.segments = segments;
        this.producers = producers;
        this.epochs = epochs;
        this.durability =
                new LogDurability(name, logDir, segments, flusher, clock, loaded.recoveryPoint(), loaded.loadTimeMs());
        this.retention =
                new LogRetention(name, segments, producers, epochs, deleter, this::roll, loaded.logStartOffset());
        this.truncation = new LogTruncation(dir, name, segments, producers, epochs, retention, durability, deleter);
        this.highWatermark = segments.end().offset;
        producers.onHighWatermarkUpdated(highWatermark);
        refreshFirstUnstableOffset();
    }

    /**
     * Opens (or creates) the partition log in {@code dir} (see {@link LogLoader}). Without
     * {@code hadCleanShutdown} every segment from the one holding {@code recoveryPoint} on is
     * scanned and a torn or corrupt tail truncated; missing or corrupt indexes are rebuilt in any
     * case. {@code topicId} is written to partition.metadata when given (else read from it).
     */
    static PartitionLog open(
            File dir,
            TopicPartition topicPartition,
            Uuid topicId,
            LogConfig config,
            Clock clock,
            LogFlusher flusher,
            FileDeleter deleter,
            long producerIdExpirationMs,
            boolean hadCleanShutdown,
            long recoveryPoint,
            long checkpointedLogStartOffset)
            throws IOException {
        return open(
                dir,
                new LogDir(dir.getAbsoluteFile().getParentFile()),
                topicPartition,
                topicId,
                config,
                clock,
                flusher,
                deleter,
                producerIdExpirationMs,
                hadCleanShutdown,
                recoveryPoint,
                checkpointedLogStartOffset);
    }

    /** As {@link #open(File, TopicPartition, Uuid, LogConfig, Clock, LogFlusher, FileDeleter, long, boolean, long, long)}, in {@code logDir}. */
    static PartitionLog open(
            File dir,
            LogDir logDir,
            TopicPartition topicPartition,
            Uuid topicId,
            LogConfig config,
            Clock clock,
            LogFlusher flusher,
            FileDeleter deleter,
            long producerIdExpirationMs,
            boolean hadCleanShutdown,
            long recoveryPoint,
            long checkpointedLogStartOffset)
            throws IOException {
        if (!dir.exists() && !dir.mkdirs()) {
            throw new IOException("cannot create " + dir);
        }
        String name = topicPartition.toString();
        LogSegments segments = new LogSegments();
        ProducerStateManager producers = new ProducerStateManager(dir, name, producerIdExpirationMs);
        LeaderEpochCache epochs = new LeaderEpochCache(new File(dir, LogFiles.LEADER_EPOCH_CHECKPOINT));
        LogLoader.Loaded loaded = new LogLoader(dir, name, config, clock)
                .load(
                        segments,
                        producers,
                        epochs,
                        topicId,
                        hadCleanShutdown,
                        recoveryPoint,
                        checkpointedLogStartOffset);
        return new PartitionLog(
                dir,
                logDir,
                topicPartition,
                name,
                config,
                clock,
                flusher,
                deleter,
                segments,
                producers,
                epochs,
                loaded);
    }

    // ---------------------------------------------------------------------------------------------
    // append

    /**
     * Appends the records of one Produce partition as leader. {@code records} is borrowed: its
     * readable bytes are validated (see {@link BatchValidator}), then patched in place (base
     * offset, leader epoch, max timestamp and CRC) and written; the caller keeps ownership and may
     * release it when this returns. A rejected batch writes nothing. Safe to call from any thread;
     * appends to one log are serialized. A transactional batch that opens a transaction is refused
     * (INVALID_TXN_STATE) unless transaction verification is off: use the overload with the guard.
     */
    public AppendResult appendAsLeader(ByteBuf records, int leaderEpoch, long nowMs) {
        return appendAsLeader(records, leaderEpoch, nowMs, VerificationGuard.SENTINEL);
    }

    /**
     * As {@link #appendAsLeader(ByteBuf, int, long)}, for a produce whose transactional batch was
     * verified with the transaction coordinator under {@code guard} (from {@link
     * #maybeStartTransactionVerification}); {@link VerificationGuard#SENTINEL} when none was needed.
     */
    public AppendResult appendAsLeader(ByteBuf records, int leaderEpoch, long nowMs, VerificationGuard guard) {
        if (!logDir.isOnline()) {
            return offline();
        }
        ValidationResult v = VALIDATION.get();
        LogConfig cfg = config;
        if (!VALIDATOR.get().validate(records, cfg.validationRules(), name, nowMs, v)) {
            return rejected(v);
        }
        int batchIndex = v.batchOffset();
        int batchSize = v.batchSize();
        int targetCodec = cfg.targetCodec;
        if (targetCodec >= 0 && targetCodec != scratchFor(records, batchIndex).compressionCodecId()) {
            // The topic stores another codec than the producer used: rewrite the batch first.
            ByteBuf rewritten;
            try {
                rewritten = BatchRecompressor.recompress(
                        scratchFor(records, batchIndex),
                        targetCodec,
                        cfg.compressionLevel(targetCodec),
                        records.alloc());
            } catch (IOException | RuntimeException e) {
                return AppendResult.failure(AppendOutcome.CORRUPT_BATCH, null, "cannot recompress: " + e, null, -1L);
            }
            try {
                if (rewritten.readableBytes() > cfg.maxMessageBytes) {
                    return AppendResult.failure(
                            AppendOutcome.BATCH_TOO_LARGE,
                            null,
                            "The recompressed batch size is " + rewritten.readableBytes()
                                    + " bytes, above max.message.bytes",
                            null,
                            -1L);
                }
                return appendValidated(
                        rewritten,
                        0,
                        rewritten.readableBytes(),
                        v.maxTimestamp(),
                        v.recordsChecked(),
                        leaderEpoch,
                        nowMs,
                        true,
                        guard);
            } finally {
                rewritten.release();
            }
        }
        return appendValidated(
                records, batchIndex, batchSize, v.maxTimestamp(), v.recordsChecked(), leaderEpoch, nowMs, true, guard);
    }

    /**
     * Appends a batch the group coordinator wrote itself (the offsets of a TxnOffsetCommit:
     * transactional, producer id and epoch set, base sequence -1). {@code records} is borrowed and
     * patched in place as for {@link #appendAsLeader(ByteBuf, int, long)}. Only framing, CRC and
     * size are checked (the coordinator built the batch); producer state checks the epoch and the
     * transaction state but not sequences and asks for no verification guard (the coordinator
     * checked the transaction), as Kafka's coordinator-origin appends skip sequence checks.
     */
    public AppendResult appendAsCoordinator(ByteBuf records, int leaderEpoch, long nowMs) {
        if (!logDir.isOnline()) {
            return offline();
        }
        int index = records.readerIndex();
        int size = records.readableBytes();
        LogConfig cfg = config;
        if (size < RecordBatchDescriptor.HEADER_SIZE) {
            return AppendResult.failure(
                    AppendOutcome.CORRUPT_BATCH, null, "a coordinator batch of " + size + " bytes", null, -1L);
        }
        RecordBatch batch = scratchFor(records, index);
        if (batch.magic() != RecordBatchDescriptor.MAGIC_V2 || batch.sizeInBytes() != size || !batch.isValid()) {
            return AppendResult.failure(AppendOutcome.CORRUPT_BATCH, null, "a corrupt coordinator batch", null, -1L);
        }
        if (batch.isControl() || batch.lastOffsetDelta() < 0 || batch.recordsCount() != batch.lastOffsetDelta() + 1) {
            return AppendResult.failure(AppendOutcome.INVALID_RECORD, null, "an invalid coordinator batch", null, -1L);
        }
        if (size > cfg.maxMessageBytes) {
            return AppendResult.failure(
                    AppendOutcome.BATCH_TOO_LARGE, null, "a coordinator batch above max.message.bytes", null, -1L);
        }
        return appendValidated(records, index, size, batch.maxTimestamp(), false, leaderEpoch, nowMs, false, null);
    }

    /**
     * Writes the commit or abort marker of {@code producerId}'s transaction (a control batch in
     * Kafka's format, see {@link TxnMarkers}) with transaction version 0/1 epoch rules: a marker
     * epoch below the producer's is INVALID_PRODUCER_EPOCH (a transaction version 2 marker carries
     * the bumped epoch, which passes and is adopted); a coordinator epoch below the recorded one is
     * TRANSACTION_COORDINATOR_FENCED. A marker for a producer without an open transaction is written
     * too and changes nothing else. An abort is recorded in the segment's aborted-transaction index.
     */
    public AppendResult appendTxnMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, int leaderEpoch, long nowMs) {
        return appendTxnMarker(producerId, producerEpoch, coordinatorEpoch, commit, (short) 0, leaderEpoch, nowMs);
    }

    /**
     * As {@link #appendTxnMarker(long, short, int, boolean, int, long)} for the marker's
     * {@code transactionVersion} (WriteTxnMarkers v2): from version 2 on the marker epoch must be
     * above the producer's, or equal to it when no transaction is open (a retried marker), as Kafka
     * 4.3.1 checks.
     */
    public AppendResult appendTxnMarker(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion,
            int leaderEpoch,
            long nowMs) {
        if (!logDir.isOnline()) {
            return offline();
        }
        ByteBuf marker = TxnMarkers.build(
                PooledByteBufAllocator.DEFAULT, producerId, producerEpoch, coordinatorEpoch, commit, nowMs);
        try {
            return appendMarker(
                    marker,
                    producerId,
                    producerEpoch,
                    coordinatorEpoch,
                    commit,
                    transactionVersion,
                    leaderEpoch,
                    nowMs);
        } finally {
            marker.release();
        }
    }

    private AppendResult appendMarker(
            ByteBuf marker,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion,
            int leaderEpoch,
            long nowMs) {
        AppendResult result;
        long offset;
        lock.lock();
        try {
            AppendResult unavailable = unavailable();
            if (unavailable != null) {
                return unavailable;
            }
            LogConfig cfg = config;
            offset = segments.end().offset;
            int check = producers.checkMarker(producerId, producerEpoch, coordinatorEpoch, transactionVersion, offset);
            if (check != ProducerStateManager.OK) {
                return AppendResult.failure(
                        ProducerStateManager.outcomeFor(check),
                        null,
                        producers.failure(),
                        null,
                        retention.logStartOffset());
            }
            boolean logAppendTime = cfg.timestampType == TimestampType.LOG_APPEND_TIME;
            LogSegment active = writeAtEnd(
                    marker, 0, marker.readableBytes(), offset, nowMs, logAppendTime, false, cfg, leaderEpoch, nowMs);
            CompletedTxn completed =
                    producers.applyMarker(producerId, producerEpoch, coordinatorEpoch, offset, nowMs, !commit);
            if (completed != null) {
                active.updateTxnIndex(completed, producers.lastStableOffset(completed));
                producers.completeTxn(completed);
            }
            publishEnd(active, offset, nowMs, cfg);
            result = new AppendResult(
                    AppendOutcome.APPENDED,
                    null,
                    null,
                    null,
                    offset,
                    offset,
                    logAppendTime ? nowMs : -1L,
                    retention.logStartOffset());
        } catch (IOException e) {
            logDir.markOffline("a transaction marker append to " + name, e);
            return AppendResult.failure(AppendOutcome.STORAGE_ERROR, null, e.toString(), null, -1L);
        } finally {
            lock.unlock();
        }
        AppendListener l = listener;
        if (l != null) {
            l.onAppend(this, offset);
        }
        return result;
    }

    // ---------------------------------------------------------------------------------------------
    // follower append

    /**
     * Appends, as a follower, the records of a leader's fetch response as they are: offsets,
     * partition leader epochs, timestamps, producer fields, compression and CRCs are kept, nothing
     * is re-assigned or recompressed. {@code records} is borrowed (its readable bytes are read, its
     * indexes not moved; the caller keeps ownership). Safe to call from any thread; appends to one
     * log are serialized.
     *
     * <p>Checked first, on the caller's thread ({@link FollowerBatches}): whole batches with a
     * plausible size, magic 2 and a valid CRC, else {@link CorruptRecordsException}; offsets
     * increasing from batch to batch, else {@link UnexpectedAppendOffsetException}. A trailing
     * partial batch (a fetch response cut at its byte limit) is left out; records holding no whole
     * batch append nothing (an {@link AppendOutcome#APPENDED} result with offsets -1). Then, under
     * the lock, the first batch must start at the log end offset, else {@link
     * UnexpectedAppendOffsetException} (an overlap; or a gap, except on a log whose cleanup.policy
     * includes compact, where a compacted leader legitimately skips offsets, as Kafka's follower
     * accepts). Either exception means nothing was written.
     *
     * <p>Each batch is then written as a leader append writes one: the segment rolled by the same
     * rules (a roll after a gap starts the new segment at the batch's base offset), the offset and
     * time indexes, the producer state updated as a leader append updates it (sequences, epochs,
     * transactions opened by transactional batches and ended by markers, aborted ones in the
     * segment's transaction index), but with no sequence, epoch or verification check (the leader
     * made them); a batch whose partition leader epoch is above the latest known one starts that
     * epoch at its base offset in {@code leader-epoch-checkpoint}. The flush policy applies as to a
     * leader append ({@link #awaitDurable} for the fsync durability mode), the append listener fires
     * once with the last offset written. The high watermark is not moved: the follower sets it
     * from the leader's response with {@link #updateHighWatermark}.
     *
     * <p>Outcomes: {@link AppendOutcome#APPENDED} with the first and last offsets written; {@link
     * AppendOutcome#BATCH_LARGER_THAN_SEGMENT} (nothing written) for a batch above segment.bytes;
     * {@link AppendOutcome#STORAGE_ERROR} when the log is closed or its dir offline, or a write
     * failed (which takes the dir offline; the batches before the failing one may be in the log).
     */
    public AppendResult appendAsFollower(ByteBuf records)
            throws CorruptRecordsException, UnexpectedAppendOffsetException {
        if (!logDir.isOnline()) {
            return offline();
        }
        int start = records.readerIndex();
        int length = FollowerBatches.wholeBatchesLength(records, PEEK.get(), config.compact, name);
        if (length == 0) {
            return new AppendResult(
                    AppendOutcome.APPENDED, null, null, null, -1L, -1L, -1L, retention.logStartOffset());
        }
        long lastOffset;
        AppendResult result;
        lock.lock();
        try {
            AppendResult unavailable = unavailable();
            if (unavailable != null) {
                return unavailable;
            }
            LogConfig cfg = config;
            AppendResult refused = checkFollowerAppend(records, start, length, cfg);
            if (refused != null) {
                return refused;
            }
            long firstOffset = scratch.wrap(records, start).baseOffset();
            lastOffset = writeFollowerBatches(records, start, length, cfg, clock.milliseconds());
            result = new AppendResult(
                    AppendOutcome.APPENDED, null, null, null, firstOffset, lastOffset, -1L, retention.logStartOffset());
        } catch (IOException e) {
            logDir.markOffline("a follower append to " + name, e);
            return AppendResult.failure(AppendOutcome.STORAGE_ERROR, null, e.toString(), null, -1L);
        } finally {
            lock.unlock();
        }
        AppendListener l = listener;
        if (l != null) {
            l.onAppend(this, lastOffset);
        }
        return result;
    }

    /**
     * Under the lock: the first batch against the log end, and each batch's size against
     * segment.bytes; null when the batches may be written.
     */
    private AppendResult checkFollowerAppend(ByteBuf records, int start, int length, LogConfig cfg)
            throws UnexpectedAppendOffsetException {
        long logEndOffset = segments.end().offset;
        long firstOffset = scratch.wrap(records, start).baseOffset();
        if (firstOffset < logEndOffset || (firstOffset > logEndOffset && !cfg.compact)) {
            throw new UnexpectedAppendOffsetException(
                    "A follower append to " + name + " starting at offset " + firstOffset + " while the log ends at "
                            + logEndOffset + (firstOffset < logEndOffset ? " (an overlap)" : " (a gap)"),
                    firstOffset,
                    logEndOffset);
        }
        for (int at = start; at < start + length; ) {
            int size = scratch.wrap(records, at).sizeInBytes();
            if (size > cfg.segmentBytes) {
                return AppendResult.failure(
                        AppendOutcome.BATCH_LARGER_THAN_SEGMENT,
                        null,
                        "A follower batch of " + size + " bytes in " + name + " exceeds segment.bytes "
                                + cfg.segmentBytes,
                        null,
                        -1L);
            }
            at += size;
        }
        return null;
    }

    /** Under the lock: writes each batch as a leader append would, publishing the log end after each. Returns the last offset. */
    private long writeFollowerBatches(ByteBuf records, int start, int length, LogConfig cfg, long nowMs)
            throws IOException {
        long lastOffset = -1L;
        for (int at = start; at < start + length; ) {
            RecordBatch batch = scratch.wrap(records, at);
            int size = batch.sizeInBytes();
            long baseOffset = batch.baseOffset();
            int leaderEpoch = batch.partitionLeaderEpoch();
            lastOffset = batch.lastOffset();
            if (segments.end().segment.shouldRoll(size, batch.maxTimestamp(), lastOffset, nowMs, cfg)) {
                roll(nowMs, Math.max(baseOffset, segments.end().offset));
            }
            LogSegment active = segments.end().segment;
            active.append(records, at, size, scratch);
            if (leaderEpoch >= 0 && leaderEpoch > epochs.latestEpoch()) {
                epochs.assign(leaderEpoch, baseOffset);
            }
            batch = scratch.wrap(records, at);
            if (batch.hasProducerId()) {
                applyFollowerBatch(batch, active);
            }
            publishEnd(active, lastOffset, nowMs, cfg);
            at += size;
        }
        return lastOffset;
    }

    /** Under the lock: the producer state of a written follower batch (a data batch, or a marker ending a transaction). */
    private void applyFollowerBatch(RecordBatch batch, LogSegment active) throws IOException {
        if (!batch.isControl()) {
            producers.update(batch);
            return;
        }
        int type = TxnMarkers.controlType(batch);
        if (type == TxnMarkers.NOT_A_MARKER) {
            return;
        }
        long[] lastStable = new long[1];
        CompletedTxn txn = producers.replayMarker(
                batch.producerId(),
                batch.producerEpoch(),
                TxnMarkers.coordinatorEpoch(batch),
                batch.baseOffset(),
                batch.maxTimestamp(),
                type == TxnMarkers.TYPE_ABORT,
                lastStable);
        if (txn != null) {
            active.updateTxnIndex(txn, lastStable[0]);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // follower truncation (see LogTruncation)

    /**
     * Removes every record at and above {@code offset} (a divergent tail, on a leader change):
     * the segments above it are deleted (renamed {@code .deleted}, closed after
     * file.delete.delay.ms, as retention deletes), the segment holding it is cut, its offset, time
     * and transaction index entries with it; producer state is rebuilt from the latest snapshot at
     * or below the new end plus a re-read of the batches after it (later snapshots deleted); leader
     * epochs starting at or above the new end are removed ({@code leader-epoch-checkpoint}
     * rewritten); the high watermark, the recovery point, the durable offset and (if above) the log
     * start offset come down to the new end, and {@link #awaitDurable} waiters at or above it fail.
     *
     * <p>Only at batch boundaries: when {@code offset} falls inside a batch, the whole batch goes and
     * the log ends at that batch's base offset ({@link #logEndOffset} says where it now ends; the
     * caller fetches from there and asks again if the leader disagrees). An offset at or above the
     * log end changes nothing; one below the first segment's base offset truncates fully ({@link
     * #truncateFullyAndStartAt}). Crash-safe as {@link LogTruncation} describes. Reads running
     * meanwhile may see the end move back; a slice already handed out of the cut segment may come
     * out short (consumers read below the high watermark, which a truncation does not cross unless
     * an unclean election lost committed records). An IOException (a corrupt batch header in
     * the segment to cut included) takes the log dir offline.
     */
    public void truncateTo(long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("cannot truncate " + name + " to offset " + offset);
        }
        lock.lock();
        try {
            checkWritable();
            if (offset >= segments.end().offset) {
                return;
            }
            if (offset < segments.firstBaseOffset()) {
                truncation.truncateFullyAndStartAt(offset, config, clock.milliseconds());
            } else {
                truncation.truncateTo(offset, config, clock.milliseconds());
            }
            afterTruncation();
        } catch (IOException e) {
            logDir.markOffline("truncating " + name, e);
            throw e;
        } finally {
            lock.unlock();
        }
        notifyTruncated();
    }

    /**
     * Removes every segment and starts the log again at {@code offset} (a follower whose log is
     * wholly below the leader's log start): one new empty active segment there, log start = log
     * end = high watermark = recovery point = {@code offset}; producer state, producer snapshots
     * and leader epochs cleared; every {@link #awaitDurable} waiter fails. Crash-safe as {@link
     * LogTruncation} describes: a crash in the middle leaves a prefix of the old log (or an empty
     * one), which the follower finds out of range again. An IOException takes the log dir offline.
     */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("cannot start " + name + " at offset " + offset);
        }
        lock.lock();
        try {
            checkWritable();
            truncation.truncateFullyAndStartAt(offset, config, clock.milliseconds());
            afterTruncation();
        } catch (IOException e) {
            logDir.markOffline("truncating " + name + " fully", e);
            throw e;
        } finally {
            lock.unlock();
        }
        notifyTruncated();
    }

    /** Sets what runs after each truncation, outside the lock (the {@link LogManager}'s checkpoints). */
    void setTruncationListener(Runnable listener) {
        this.truncationListener = listener;
    }

    private void notifyTruncated() {
        Runnable l = truncationListener;
        if (l != null) {
            l.run();
        }
    }

    /** Tests: told after each file step of a truncation (see {@link LogTruncation.StepListener}). */
    void setTruncationStepListener(LogTruncation.StepListener listener) {
        truncation.setStepListener(listener);
    }

    /** Under the lock: IOException when the log is closed or its dir offline. */
    private void checkWritable() throws IOException {
        if (closed) {
            throw new IOException("log " + name + " is closed");
        }
        if (!logDir.isOnline()) {
            throw new IOException("log dir " + logDir.path() + " is offline");
        }
    }

    /** Under the lock, after a truncation: the high watermark within the log, the first unstable offset again. */
    private void afterTruncation() {
        long end = segments.end().offset;
        long hw = Math.max(retention.logStartOffset(), Math.min(highWatermark, end));
        highWatermark = hw;
        producers.onHighWatermarkUpdated(hw);
        refreshFirstUnstableOffset();
    }

    /**
     * Whether appending {@code records} (borrowed; a produce request's records) would probably do
     * work that may block a thread for long: roll the segment (file creation, index allocation,
     * producer-state snapshot) or recompress to the topic's codec. An estimate read without the
     * lock, so that the broker can move such appends off a network thread; false for input it
     * cannot read (the append itself will reject it).
     */
    public boolean appendMayBlock(ByteBuf records, long nowMs) {
        int index = records.readerIndex();
        if (records.readableBytes() < RecordBatchDescriptor.HEADER_SIZE) {
            return false;
        }
        LogConfig cfg = config;
        RecordBatch batch = scratchFor(records, index);
        if (cfg.targetCodec >= 0 && cfg.targetCodec != batch.compressionCodecId()) {
            return true;
        }
        return segments.end().segment.mayRoll(records.readableBytes(), batch.maxTimestamp(), nowMs, cfg);
    }

    /** The answer for a batch the validator rejected (the cold path: it copies the record errors). */
    private AppendResult rejected(ValidationResult v) {
        ValidationOutcome o = v.outcome();
        long lso = v.isRequestLevel() || o == ValidationOutcome.CORRUPT_BATCH || o == ValidationOutcome.BATCH_TOO_LARGE
                ? -1L
                : retention.logStartOffset();
        List<RecordError> recordErrors = v.recordErrors().isEmpty() ? null : new ArrayList<>(v.recordErrors());
        return AppendResult.failure(AppendOutcome.of(o), v.errorMessage(), v.diagnostic(), recordErrors, lso);
    }

    /** The answer to an append while the log dir is offline (as Kafka answers for an offline partition). */
    private AppendResult offline() {
        return AppendResult.failure(
                AppendOutcome.STORAGE_ERROR, null, "log dir " + logDir.path() + " is offline", null, -1L);
    }

    /** Under the lock: the answer when the log is closed or offline, else null. */
    private AppendResult unavailable() {
        if (closed) {
            return AppendResult.failure(AppendOutcome.STORAGE_ERROR, null, "log " + name + " is closed", null, -1L);
        }
        return logDir.isOnline() ? null : offline();
    }

    private RecordBatch scratchFor(ByteBuf records, int index) {
        return PEEK.get().wrap(records, index);
    }

    /**
     * The append after validation (and any recompression): under the lock, producer state, offsets,
     * write. {@code fromClient} batches get duplicate and sequence checks; {@code guard} is the
     * transaction verification the append carries (null: none asked for).
     */
    private AppendResult appendValidated(
            ByteBuf records,
            int batchIndex,
            int batchSize,
            long validatedMaxTimestamp,
            boolean recordsChecked,
            int leaderEpoch,
            long nowMs,
            boolean fromClient,
            VerificationGuard guard) {
        AppendResult result;
        long lastOffset;
        lock.lock();
        try {
            AppendResult unavailable = unavailable();
            if (unavailable != null) {
                return unavailable;
            }
            LogConfig cfg = config;
            boolean logAppendTime = cfg.timestampType == TimestampType.LOG_APPEND_TIME;
            long maxTimestamp = logAppendTime ? nowMs : validatedMaxTimestamp;
            RecordBatch batch = scratch.wrap(records, batchIndex);
            if (batchSize > cfg.segmentBytes) {
                return AppendResult.failure(
                        AppendOutcome.BATCH_LARGER_THAN_SEGMENT,
                        null,
                        "Message batch size is "
                                + batchSize + " bytes in append to partition " + name
                                + ", which exceeds the maximum configured segment size of " + cfg.segmentBytes + ".",
                        null,
                        -1L);
            }
            long baseOffset = segments.end().offset;
            if (batch.hasProducerId()) {
                AppendResult refused = checkProducer(batch, baseOffset, fromClient, guard);
                if (refused != null) {
                    return refused;
                }
            }
            lastOffset = baseOffset + batch.lastOffsetDelta();
            boolean setCreateTimeMax = !logAppendTime && recordsChecked;
            LogSegment active = writeAtEnd(
                    records,
                    batchIndex,
                    batchSize,
                    baseOffset,
                    maxTimestamp,
                    logAppendTime,
                    setCreateTimeMax,
                    cfg,
                    leaderEpoch,
                    nowMs);
            batch = scratch.wrap(records, batchIndex);
            if (batch.hasProducerId()) {
                producers.update(batch);
            }
            publishEnd(active, lastOffset, nowMs, cfg);
            result = new AppendResult(
                    AppendOutcome.APPENDED,
                    null,
                    null,
                    null,
                    baseOffset,
                    lastOffset,
                    logAppendTime ? nowMs : -1L,
                    retention.logStartOffset());
        } catch (IOException e) {
            logDir.markOffline("an append to " + name, e);
            return AppendResult.failure(AppendOutcome.STORAGE_ERROR, null, e.toString(), null, -1L);
        } finally {
            lock.unlock();
        }
        AppendListener l = listener;
        if (l != null) {
            l.onAppend(this, lastOffset);
        }
        return result;
    }

    /** Under the lock: the producer-state answer for a batch with a producer id, null when it may be written. */
    private AppendResult checkProducer(
            RecordBatch batch, long baseOffset, boolean fromClient, VerificationGuard guard) {
        int check = producers.check(batch, baseOffset, fromClient, guard);
        if (check == ProducerStateManager.DUPLICATE) {
            return new AppendResult(
                    AppendOutcome.DUPLICATE,
                    null,
                    null,
                    null,
                    producers.duplicateFirstOffset(),
                    producers.duplicateLastOffset(),
                    producers.duplicateTimestamp(),
                    retention.logStartOffset());
        }
        if (check != ProducerStateManager.OK) {
            return AppendResult.failure(
                    ProducerStateManager.outcomeFor(check),
                    null,
                    producers.failure(),
                    null,
                    retention.logStartOffset());
        }
        return null;
    }

    /**
     * Under the lock: rolls the segment if due, assigns the offsets, leader epoch and (LogAppendTime
     * or checked CreateTime) max timestamp in place, writes the batch and records a new leader epoch.
     * Returns the segment written to.
     */
    private LogSegment writeAtEnd(
            ByteBuf records,
            int batchIndex,
            int batchSize,
            long baseOffset,
            long maxTimestamp,
            boolean logAppendTime,
            boolean setCreateTimeMax,
            LogConfig cfg,
            int leaderEpoch,
            long nowMs)
            throws IOException {
        long lastOffset = baseOffset + scratch.wrap(records, batchIndex).lastOffsetDelta();
        maybeRoll(batchSize, maxTimestamp, lastOffset, nowMs, cfg);
        RecordBatch batch = scratch.wrap(records, batchIndex);
        batch.setBaseOffset(baseOffset);
        batch.setPartitionLeaderEpoch(leaderEpoch);
        if (logAppendTime) {
            batch.setMaxTimestampAndType(TimestampType.LOG_APPEND_TIME, nowMs);
        } else if (setCreateTimeMax) {
            batch.setMaxTimestampAndType(TimestampType.CREATE_TIME, maxTimestamp);
        }
        LogSegment active = segments.end().segment;
        active.append(records, batchIndex, batchSize, scratch);
        if (leaderEpoch >= 0 && leaderEpoch > epochs.latestEpoch()) {
            epochs.assign(leaderEpoch, baseOffset);
        }
        return active;
    }

    /** Under the lock, once producer state has the batch: publishes the new log end (one volatile write). */
    private void publishEnd(LogSegment active, long lastOffset, long nowMs, LogConfig cfg) {
        producers.updateMapEndOffset(lastOffset + 1);
        segments.publish(new LogEnd(lastOffset + 1, active, active.size()));
        refreshFirstUnstableOffset();
        lastAppendTimeMs = nowMs;
        if (lastOffset + 1 - durability.recoveryPoint() >= cfg.flushMessages) {
            durability.requestFullFlush();
        }
    }

    /** Under the lock: republishes the first unstable offset (never below the log start offset). */
    private void refreshFirstUnstableOffset() {
        long first = producers.firstUnstableOffset();
        firstUnstableOffset = first < 0 ? -1L : Math.max(first, retention.logStartOffset());
    }

    private void maybeRoll(int messagesSize, long maxTimestamp, long maxOffset, long nowMs, LogConfig cfg)
            throws IOException {
        LogSegment active = segments.end().segment;
        if (active.shouldRoll(messagesSize, maxTimestamp, maxOffset, nowMs, cfg)) {
            roll(nowMs);
        }
    }

    /** Starts a new active segment at the log end offset. Caller holds the lock. */
    private void roll(long nowMs) throws IOException {
        roll(nowMs, segments.end().offset);
    }

    /**
     * Starts a new active segment at {@code baseOffset} (the log end offset, or above it for a
     * follower's batch after a gap of a compacted leader). Caller holds the lock.
     */
    private void roll(long nowMs, long baseOffset) throws IOException {
        LogEnd e = segments.end();
        LogSegment old = e.segment;
        if (old.size() == 0 && old.baseOffset == baseOffset) {
            return;
        }
        LogConfig cfg = config;
        if (old.size() == 0) {
            // An empty active segment below a gap: replaced by one at the batch's offset.
            segments.remove(old);
            old.renameToDeleted();
            deleter.schedule(old, nowMs + cfg.fileDeleteDelayMs);
        } else {
            old.onBecomeInactive();
        }
        LogSegment fresh = LogSegment.open(dir, baseOffset, cfg, LogSegment.randomRollJitterMs(cfg), nowMs);
        segments.add(fresh);
        segments.publish(new LogEnd(e.offset, fresh, 0));
        producers.updateMapEndOffset(e.offset);
        producers.takeSnapshot(false);
        producers.deleteSnapshotsBefore(Long.MAX_VALUE, 2);
        durability.requestFullFlush();
        LOG.info("Rolled new log segment for {} at offset {}", name, baseOffset);
    }

    /** Rolls the active segment now if it holds any batch (used by tests and admin paths). */
    public void roll() throws IOException {
        lock.lock();
        try {
            if (!logDir.isOnline()) {
                throw new IOException("log dir " + logDir.path() + " is offline");
            }
            roll(clock.milliseconds());
        } catch (IOException e) {
            logDir.markOffline("rolling " + name, e);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // read

    /**
     * Reads from {@code fetchOffset}: at most {@code maxBytes} (but, with {@code minOneBatch}, at
     * least the whole first batch), never at or past {@code maxOffsetExclusive} (the high
     * watermark for consumers, the last stable offset for read_committed ones), from one segment.
     * OFFSET_OUT_OF_RANGE when {@code fetchOffset} is below the log start offset or above the log
     * end offset. Reads only index entries and batch headers; never blocks on appends. Safe from
     * any thread.
     */
    public ReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        return read(fetchOffset, maxBytes, maxOffsetExclusive, minOneBatch, false);
    }

    /**
     * As {@link #read(long, int, long, boolean)}; with {@code withAbortedTransactions} (a
     * read_committed fetch) the result also lists the aborted transactions that overlap the
     * records returned, from the aborted-transaction indexes (an empty list when none or when
     * nothing is returned), as Kafka's read does.
     */
    public ReadResult read(
            long fetchOffset,
            int maxBytes,
            long maxOffsetExclusive,
            boolean minOneBatch,
            boolean withAbortedTransactions) {
        LogEnd e = segments.end();
        long lso = retention.logStartOffset();
        long hw = highWatermark;
        long stable = lastStableOffset();
        if (!logDir.isOnline()) {
            // As Kafka: an offline partition serves nothing, not even what was written before.
            return new ReadResult(ReadOutcome.STORAGE_ERROR, null, hw, lso, e.offset, stable);
        }
        if (fetchOffset < lso || fetchOffset > e.offset) {
            return new ReadResult(ReadOutcome.OFFSET_OUT_OF_RANGE, null, hw, lso, e.offset, stable);
        }
        long limit = Math.min(maxOffsetExclusive, e.offset);
        List<AbortedTxn> aborted = withAbortedTransactions ? new ArrayList<>(0) : null;
        try {
            if (fetchOffset >= limit) {
                return new ReadResult(
                        ReadOutcome.SUCCESS,
                        new FileRecords(e.segment.channel(), e.position, 0),
                        hw,
                        lso,
                        e.offset,
                        stable,
                        aborted);
            }
            Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
            while (entry != null) {
                LogSegment seg = entry.getValue();
                Map.Entry<Long, LogSegment> next = segments.higherEntry(entry.getKey());
                long maxPosition = maxPositionFor(seg, next, limit, e);
                FileRecords records = seg.read(fetchOffset, maxBytes, maxPosition, minOneBatch);
                if (records != null) {
                    if (aborted != null && records.sizeInBytes() > 0) {
                        long upper = seg.fetchUpperBoundOffset((int) records.position(), records.sizeInBytes());
                        if (upper < 0) {
                            upper = next != null ? next.getKey() : e.offset;
                        }
                        collectAbortedTransactions(fetchOffset, upper, seg, aborted);
                    }
                    return new ReadResult(ReadOutcome.SUCCESS, records, hw, lso, e.offset, stable, aborted);
                }
                if (next == null || next.getKey() >= limit) {
                    break;
                }
                entry = next;
            }
            return new ReadResult(
                    ReadOutcome.SUCCESS,
                    new FileRecords(e.segment.channel(), e.position, 0),
                    hw,
                    lso,
                    e.offset,
                    stable,
                    aborted);
        } catch (CorruptRecordsException ex) {
            long n = corruptReads.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.error(
                        "Read of {} at offset {} failed ({} corrupt reads so far): {}",
                        name,
                        fetchOffset,
                        n,
                        ex.getMessage());
            }
            return new ReadResult(ReadOutcome.CORRUPT_MESSAGE, null, hw, lso, e.offset, stable);
        } catch (IOException ex) {
            logDir.markOffline("a read from " + name, ex);
            return new ReadResult(ReadOutcome.STORAGE_ERROR, null, hw, lso, e.offset, stable);
        }
    }

    /**
     * The aborted transactions that overlap [{@code fromOffset}, {@code upperBoundOffset}): each
     * one's marker at or after {@code fromOffset} and its first offset below the bound, from the
     * aborted-transaction index of the segment holding {@code fromOffset} and the later ones, in
     * marker order. Safe from any thread; an I/O error takes the log dir offline and answers what
     * was found.
     */
    public List<AbortedTxn> abortedTransactions(long fromOffset, long upperBoundOffset) {
        List<AbortedTxn> out = new ArrayList<>();
        Map.Entry<Long, LogSegment> first = segments.floorEntry(fromOffset);
        LogSegment start = first != null ? first.getValue() : null;
        if (start == null && !segments.isEmpty()) {
            start = segments.all().iterator().next();
        }
        if (start == null) {
            return out;
        }
        try {
            collectAbortedTransactions(fromOffset, upperBoundOffset, start, out);
        } catch (IOException ex) {
            logDir.markOffline("reading the aborted transactions of " + name, ex);
        }
        return out;
    }

    private void collectAbortedTransactions(
            long fromOffset, long upperBoundOffset, LogSegment start, List<AbortedTxn> out) throws IOException {
        for (LogSegment seg : segments.from(start.baseOffset)) {
            if (seg.collectAbortedTxns(fromOffset, upperBoundOffset, out)) {
                return;
            }
        }
    }

    private static long maxPositionFor(LogSegment seg, Map.Entry<Long, LogSegment> next, long limit, LogEnd e)
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
                long lso = retention.logStartOffset();
                long[] earliest = epochs.earliestEntry();
                int epoch = earliest != null && earliest[1] <= lso ? (int) earliest[0] : -1;
                return new TimestampAndOffset(-1L, lso, epoch);
            }
            if (timestampMs == -1L) {
                return new TimestampAndOffset(-1L, segments.end().offset, epochs.latestEpoch());
            }
            if (timestampMs == -5L || timestampMs == -6L) {
                return new TimestampAndOffset(-1L, -1L, -1);
            }
            if (timestampMs == -3L) {
                LogSegment best = null;
                for (LogSegment s : segments.all()) {
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
            long lso = retention.logStartOffset();
            for (LogSegment s : segments.all()) {
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
    // offsets and state

    public long logStartOffset() {
        return retention.logStartOffset();
    }

    public long logEndOffset() {
        return segments.end().offset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /**
     * Sets the high watermark, which the broker's partition layer decides (on a single node: the
     * log end after each append), clamped to [log start, log end]. Retention and DeleteRecords
     * never go past it, and it is what {@code replication-offset-checkpoint} records. Transactions
     * whose marker it passes become stable (the last stable offset may move).
     */
    public void updateHighWatermark(long offset) {
        lock.lock();
        try {
            long hw = Math.max(retention.logStartOffset(), Math.min(offset, segments.end().offset));
            highWatermark = hw;
            producers.onHighWatermarkUpdated(hw);
            refreshFirstUnstableOffset();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that {@code leaderEpoch} starts at {@code startOffset} in {@code leader-epoch-checkpoint}
     * when it is newer than the latest epoch there (a partition becoming leader does this at its
     * log end, so OffsetForLeaderEpoch knows the epoch before anything is appended in it).
     */
    public void assignEpochStartOffset(int leaderEpoch, long startOffset) throws IOException {
        if (!logDir.isOnline()) {
            throw new IOException("log dir " + logDir.path() + " is offline");
        }
        try {
            epochs.assign(leaderEpoch, startOffset);
        } catch (IOException e) {
            logDir.markOffline("writing the leader epochs of " + name, e);
            throw e;
        }
    }

    /**
     * OffsetForLeaderEpoch: {epoch, endOffset} for {@code requestedEpoch} from the leader epoch
     * checkpoint, {-1, -1} when unknown.
     */
    public long[] endOffsetForEpoch(int requestedEpoch) {
        return epochs.endOffsetFor(requestedEpoch, segments.end().offset);
    }

    /**
     * The last stable offset: the high watermark, or the first offset of the earliest transaction
     * not yet stable when that is below it (an open transaction, or one whose marker is not yet
     * below the high watermark). read_committed readers stop here. Lock-free.
     */
    public long lastStableOffset() {
        long hw = highWatermark; // the watermark first: a first unstable offset published before it is seen with it
        long firstUnstable = firstUnstableOffset;
        return firstUnstable >= 0 && firstUnstable < hw ? firstUnstable : hw;
    }

    /** The first offset of the earliest transaction not yet stable, -1 when every transaction is. */
    public long firstUnstableOffset() {
        return firstUnstableOffset;
    }

    /** The offset below which everything is flushed and indexes are on disk (recovery skips it). */
    public long recoveryPoint() {
        return durability.recoveryPoint();
    }

    /** The offset below which every record has been fsynced. */
    public long flushedOffset() {
        return durability.durableOffset();
    }

    public long sizeInBytes() {
        return segments.sizeInBytes();
    }

    public int numberOfSegments() {
        return segments.count();
    }

    /** Base offsets of the segments, oldest first. */
    public long[] segmentBaseOffsets() {
        return segments.baseOffsets();
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

    // ---------------------------------------------------------------------------------------------
    // deletion: DeleteRecords and retention (see LogRetention)

    /**
     * DeleteRecords: moves the log start offset to {@code offset} (-1 means the high watermark)
     * and removes the segments wholly below it. {@link DeleteRecordsOutcome#POLICY_VIOLATION}
     * unless cleanup.policy includes delete; {@link DeleteRecordsOutcome#OFFSET_OUT_OF_RANGE} for
     * a negative offset or one beyond the high watermark.
     */
    public DeleteRecordsResult deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            if (!logDir.isOnline()) {
                return new DeleteRecordsResult(DeleteRecordsOutcome.STORAGE_ERROR, -1L);
            }
            return retention.deleteRecordsBefore(offset, highWatermark, config, clock.milliseconds());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retention: deletes the oldest segments that breach retention.bytes or retention.ms (by
     * each segment's largest timestamp), or lie below the log start offset, as Kafka does: whole
     * segments, only below the high watermark, the active one only when it is non-empty and
     * itself breaches (it is rolled first). Returns the number of segments deleted.
     */
    public int deleteRetentionBreachedSegments() {
        lock.lock();
        try {
            if (closed || !logDir.isOnline()) {
                return 0;
            }
            return retention.deleteRetentionBreachedSegments(highWatermark, config, clock.milliseconds());
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // compaction (see LogCleaner): what the cleaner reads, and the swap

    /** The segments now, oldest first (the last is the active one). */
    List<LogSegment> segmentsSnapshot() {
        return new ArrayList<>(segments.all());
    }

    /** The active segment. */
    LogSegment activeSegment() {
        return segments.end().segment;
    }

    /** Each producer's last data offset (the batches the cleaner keeps, if only as empty batches). */
    Map<Long, Long> lastDataOffsetsOfProducers() {
        lock.lock();
        try {
            return producers.lastDataOffsets();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Swaps {@code cleaned} (written as {@code .cleaned} files, flushed, its indexes trimmed) in for
     * {@code oldSegments} (consecutive, the first with the same base offset), under the lock so
     * that no retention, roll or deletion runs at the same time; appends and reads go on (the
     * active segment is never among the old ones, and readers of an old segment keep its open
     * files until file.delete.delay.ms). Crash-safe (see {@link SwapRecovery}): the cleaned files
     * are renamed {@code .swap} (log file last), the old segments {@code .deleted} and handed to the
     * {@link FileDeleter}, then the {@code .swap} files get their plain names (log file last).
     * Returns false, changing nothing, when an old segment is no longer in the log (retention or
     * DeleteRecords removed it meanwhile) or the log is closed; the caller then deletes the cleaned
     * files. An IOException takes the log dir offline.
     */
    boolean replaceSegments(List<LogSegment> oldSegments, LogSegment cleaned) throws IOException {
        lock.lock();
        try {
            if (closed || !logDir.isOnline()) {
                return false;
            }
            for (LogSegment old : oldSegments) {
                Map.Entry<Long, LogSegment> e = segments.floorEntry(old.baseOffset);
                if (e == null || e.getValue() != old || old == segments.end().segment) {
                    return false;
                }
            }
            long nowMs = clock.milliseconds();
            try {
                cleaned.changeSuffix(LogFiles.CLEANED_SUFFIX, LogFiles.SWAP_SUFFIX);
                LogFiles.fsyncDir(dir);
                for (LogSegment old : oldSegments) {
                    old.renameToDeleted();
                }
                LogFiles.fsyncDir(dir);
                cleaned.changeSuffix(LogFiles.SWAP_SUFFIX, "");
                LogFiles.fsyncDir(dir);
            } catch (IOException e) {
                logDir.markOffline("swapping cleaned segments into " + name, e);
                throw e;
            }
            segments.add(cleaned);
            for (LogSegment old : oldSegments) {
                if (old.baseOffset != cleaned.baseOffset) {
                    segments.remove(old);
                }
                deleter.schedule(old, nowMs + config.fileDeleteDelayMs);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // producer state

    /** The producers this partition keeps state for (DescribeProducers). */
    public List<ActiveProducer> activeProducers() {
        lock.lock();
        try {
            return producers.activeProducers();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts (or joins) the verification a transactional produce of {@code producerId} needs before
     * its batch may open a transaction here: the guard to append with once the transaction
     * coordinator has confirmed the partition, or {@link VerificationGuard#SENTINEL} when the
     * producer's transaction is already open in {@code producerEpoch} (no verification needed).
     * {@code supportsEpochBump}: a transaction version 2 producer (Produce v12+).
     */
    public VerificationGuard maybeStartTransactionVerification(
            long producerId, int baseSequence, short producerEpoch, boolean supportsEpochBump) {
        lock.lock();
        try {
            return producers.maybeStartTransactionVerification(
                    producerId, baseSequence, producerEpoch, supportsEpochBump, clock.milliseconds());
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code producerId} has a transaction open on this partition in {@code producerEpoch}. */
    public boolean hasOngoingTransaction(long producerId, short producerEpoch) {
        lock.lock();
        try {
            return producers.hasOngoingTransaction(producerId, producerEpoch);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether transactional client batches must carry a verification guard
     * (transaction.partition.verification.enable, default true).
     */
    public void setTransactionVerificationEnabled(boolean enabled) {
        producers.setTransactionVerificationEnabled(enabled);
    }

    /** transaction.partition.verification.enable as this log applies it. */
    public boolean transactionVerificationEnabled() {
        return producers.transactionVerificationEnabled();
    }

    /** Number of transactions open on this partition. */
    public int ongoingTransactionCount() {
        lock.lock();
        try {
            return producers.ongoingTransactionCount();
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
    // durability (see LogDurability)

    /**
     * A future completed once an fsync covers {@code offset} (the record at that offset and all
     * before it are on disk). The fsync runs on the flusher thread, shared by every waiter it
     * covers (group commit); never on the caller's thread. Completed at once when already covered.
     */
    public CompletableFuture<Void> awaitDurable(long offset) {
        return durability.awaitDurable(offset);
    }

    /** Number of fsync passes done for this log (each covers every waiter queued before it). */
    public long fsyncCount() {
        return durability.fsyncCount();
    }

    /** Asks the flusher for a full flush if flush.ms has passed since the last one. */
    void maybeFlushByTime(long nowMs) {
        if (!logDir.isOnline()) {
            return;
        }
        durability.maybeFlushByTime(nowMs, config.flushMs);
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

    /** True once this log's directory is offline after an I/O error: it serves and writes nothing more. */
    public boolean isOffline() {
        return !logDir.isOnline();
    }

    /** The log directory this log lives in. */
    public LogDir logDir() {
        return logDir;
    }

    /** Sets the hook called after each successful append (null to remove). */
    public void setAppendListener(AppendListener listener) {
        this.listener = listener;
    }

    /**
     * Clean close: flushes everything (data and indexes), writes a producer snapshot at the log
     * end, appends the final time index entries, trims the indexes and closes the files. Waiters
     * still pending are completed by the final flush. In an offline log dir (or when one of those
     * writes fails, which takes the dir offline) the files are only closed, pending waiters fail,
     * and the IOException is thrown (none when the dir was already offline).
     */
    void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (!logDir.isOnline()) {
                closeWithoutWriting();
                return;
            }
            try {
                long logEndOffset = segments.end().offset;
                durability.flushUpTo(logEndOffset, true);
                producers.updateMapEndOffset(logEndOffset);
                producers.takeSnapshot(true);
                for (LogSegment s : segments.all()) {
                    s.close();
                }
                closed = true;
            } catch (IOException e) {
                logDir.markOffline("closing " + name, e);
                closeWithoutWriting();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the segment files without writing to them; pending waiters fail. Caller holds the lock. */
    private void closeWithoutWriting() {
        closed = true;
        for (LogSegment s : segments.all()) {
            s.closeWithoutWriting();
        }
        IOException cause = logDir.failure();
        durability.failWaiters(cause != null ? cause : new IOException("log " + name + " is closed"));
    }

    /** Closes the files without flushing (the directory is being deleted); pending waiters fail. */
    void closeForDeletion() {
        lock.lock();
        try {
            closed = true;
            for (LogSegment s : segments.all()) {
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
        durability.failWaiters(new IOException("log " + name + " was deleted"));
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "PartitionLog(" + name + ")";
    }
}
