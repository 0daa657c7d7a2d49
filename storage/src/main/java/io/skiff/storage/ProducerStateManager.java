package io.skiff.storage;

import static io.skiff.storage.ProducerSnapshotDescriptor.COORDINATOR_EPOCH_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.CRC_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.CURRENT_TXN_FIRST_OFFSET_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.ENTRIES_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.ENTRY_COUNT_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.ENTRY_SIZE;
import static io.skiff.storage.ProducerSnapshotDescriptor.EPOCH_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.LAST_OFFSET_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.LAST_SEQUENCE_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.OFFSET_DELTA_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.PRODUCER_ID_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.TIMESTAMP_OFFSET;
import static io.skiff.storage.ProducerSnapshotDescriptor.VERSION;
import static io.skiff.storage.ProducerSnapshotDescriptor.VERSION_OFFSET;

import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent and transactional producer state of one partition.
 *
 * <p>Design note. Each producer id maps to a {@link ProducerStateEntry}: its epoch, its last
 * five batches and its open transaction. A leader append of a batch with a producer id is checked
 * in this order, as Apache Kafka does: (1) a client batch of the current epoch whose sequence range
 * equals one of the five retained batches is a duplicate, acknowledged with the original offsets
 * and not written; (2) a transactional batch of a producer without an open transaction in its
 * epoch must carry the {@link VerificationGuard} of a verification that is still pending (unless
 * {@code transaction.partition.verification.enable} is off), else INVALID_TXN_STATE, an older
 * epoch being INVALID_PRODUCER_EPOCH first; (3) an epoch below the current one is
 * INVALID_PRODUCER_EPOCH; (4, client batches only) a new epoch must start at sequence 0 unless the
 * producer is unknown, in the same epoch the first sequence must follow the last one (wrapping past
 * Integer.MAX_VALUE), and a pending verification bounds the sequence, else
 * OUT_OF_ORDER_SEQUENCE_NUMBER — an unknown producer (no entry, or epoch -1, e.g. after its batches
 * were removed by retention) may start at any sequence, which is why Kafka 4.3.1 never answers
 * UNKNOWN_PRODUCER_ID to a produce; (5) a non-transactional batch of a producer with an open
 * transaction is INVALID_TXN_STATE. After the write the entry records the batch; a transactional
 * one opens the producer's transaction at its base offset when none is open.
 *
 * <p>Transactions. Open transactions are kept ordered by first offset ({@link #ongoingTxns}), so
 * the first unstable offset is the first key. A marker ({@link #checkMarker}, {@link
 * #applyMarker}) ends the producer's transaction; the transaction then stays unstable until the
 * high watermark passes its marker ({@link #unreplicatedTxns}, {@link #onHighWatermarkUpdated}),
 * as in Kafka, so the last stable offset never runs ahead of what is committed. A marker whose
 * epoch is older than the producer's is INVALID_PRODUCER_EPOCH (for transaction version 2, whose
 * markers carry the bumped epoch, the same epoch too, unless no transaction is open: a retried
 * marker), one whose coordinator epoch is below the recorded one TRANSACTION_COORDINATOR_FENCED.
 *
 * <p>The state is persisted as snapshots at segment rolls and at clean shutdown (Kafka's format,
 * {@link ProducerSnapshotDescriptor}, with the open transaction's first offset and the coordinator
 * epoch); a snapshot keeps only each producer's last batch. On load the latest snapshot at or below
 * a given offset is read (its open transactions with it) and the log after it replayed (batch
 * headers, and the record of each marker). Producers idle for producer.id.expiration.ms are dropped
 * by {@link #removeExpiredProducers}, never one with an open transaction; pending verifications
 * expire after the same time.
 *
 * <p>Not thread-safe: the owning {@link PartitionLog} calls it under its lock.
 */
final class ProducerStateManager {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);

    /** Outcome of {@link #check}. */
    static final int OK = 0;

    static final int DUPLICATE = 1;
    static final int INVALID_EPOCH = 2;
    static final int OUT_OF_ORDER = 3;
    static final int INVALID_TXN_STATE = 4;
    static final int COORDINATOR_FENCED = 5;

    private final File dir;
    private final String topicPartition;
    private volatile long producerIdExpirationMs;
    private final LongObjectMap<ProducerStateEntry> producers = new LongObjectHashMap<>();
    private final TreeMap<Long, File> snapshots = new TreeMap<>();
    /** Open transactions: first offset -> producer id, in offset order. */
    private final TreeMap<Long, Long> ongoingTxns = new TreeMap<>();
    /** Ended transactions whose marker is not yet below the high watermark: first offset -> marker offset. */
    private final TreeMap<Long, Long> unreplicatedTxns = new TreeMap<>();
    /** Pending transaction verifications by producer id. */
    private final LongObjectMap<VerificationStateEntry> verificationStates = new LongObjectHashMap<>();

    private volatile boolean transactionVerificationEnabled = true;
    private long lastMapOffset;
    private long lastSnapOffset;

    // Details of the last check.
    private ProducerStateEntry checkedEntry;
    private int duplicateIndex;
    private String failure;

    ProducerStateManager(File dir, String topicPartition, long producerIdExpirationMs) {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.producerIdExpirationMs = producerIdExpirationMs;
        File[] files = dir.listFiles();
        if (files != null) {
            for (File f : files) {
                if (f.getName().endsWith(LogFiles.SNAPSHOT_SUFFIX)) {
                    long offset = LogFiles.offsetFromName(f.getName());
                    if (offset >= 0) {
                        snapshots.put(offset, f);
                    }
                }
            }
        }
    }

    void setProducerIdExpirationMs(long ms) {
        this.producerIdExpirationMs = ms;
    }

    boolean transactionVerificationEnabled() {
        return transactionVerificationEnabled;
    }

    /** transaction.partition.verification.enable: whether transactional client batches need a verification guard. */
    void setTransactionVerificationEnabled(boolean enabled) {
        this.transactionVerificationEnabled = enabled;
    }

    int activeProducerCount() {
        return producers.size();
    }

    /** Each producer's last data offset (producers without a batch are left out). */
    Map<Long, Long> lastDataOffsets() {
        Map<Long, Long> out = new HashMap<>();
        for (ProducerStateEntry e : producers.values()) {
            long last = e.lastDataOffset();
            if (last >= 0) {
                out.put(e.producerId, last);
            }
        }
        return out;
    }

    /** Every producer with state, ordered by producer id. */
    List<ActiveProducer> activeProducers() {
        List<ActiveProducer> out = new ArrayList<>(producers.size());
        for (ProducerStateEntry e : producers.values()) {
            out.add(new ActiveProducer(
                    e.producerId,
                    e.producerEpoch(),
                    e.lastSeq(),
                    e.lastTimestamp(),
                    e.coordinatorEpoch(),
                    e.currentTxnFirstOffset()));
        }
        out.sort(Comparator.comparingLong(ActiveProducer::producerId));
        return out;
    }

    ProducerStateEntry entry(long producerId) {
        return producers.get(producerId);
    }

    long mapEndOffset() {
        return lastMapOffset;
    }

    void updateMapEndOffset(long offset) {
        lastMapOffset = offset;
    }

    /**
     * Checks a batch (header readable in {@code batch}, offsets not yet assigned) of a producer;
     * returns {@link #OK}, {@link #DUPLICATE} (then {@link #duplicateFirstOffset()} and friends
     * answer), {@link #INVALID_EPOCH}, {@link #OUT_OF_ORDER} or {@link #INVALID_TXN_STATE} (then
     * {@link #failure()}). A client batch ({@code fromClient}) gets the duplicate and sequence
     * checks; a transactional batch that opens a transaction must carry the pending verification's
     * {@code guard} unless {@code guard} is null (the group coordinator's own writes).
     */
    int check(RecordBatch batch, long appendOffset, boolean fromClient, VerificationGuard guard) {
        long producerId = batch.producerId();
        short epoch = batch.producerEpoch();
        ProducerStateEntry entry = producers.get(producerId);
        checkedEntry = entry;
        failure = null;
        if (fromClient && entry != null) {
            int dup = entry.findDuplicate(epoch, batch.baseSequence(), batch.lastSequence());
            if (dup >= 0) {
                duplicateIndex = dup;
                return DUPLICATE;
            }
        }
        short currentEpoch = entry == null ? RecordBatchDescriptor.NO_PRODUCER_EPOCH : entry.producerEpoch();
        if (batch.isTransactional() && guard != null && !hasOngoingTransaction(producerId, epoch)) {
            if (epoch < currentEpoch) {
                failure = "Epoch of producer " + producerId + " is " + epoch
                        + ", which is smaller than the last seen epoch " + currentEpoch;
                return INVALID_EPOCH;
            }
            if (transactionVerificationEnabled && !guardMatches(producerId, guard)) {
                failure = "Record was not part of an ongoing transaction";
                return INVALID_TXN_STATE;
            }
        }
        if (epoch < currentEpoch) {
            failure = "Epoch of producer " + producerId + " at offset " + appendOffset + " in " + topicPartition
                    + " is " + epoch + ", which is smaller than the last seen epoch " + currentEpoch;
            return INVALID_EPOCH;
        }
        if (fromClient) {
            int sequenceCheck = checkSequence(batch, entry, appendOffset);
            if (sequenceCheck != OK) {
                return sequenceCheck;
            }
        }
        if (entry != null && entry.hasOngoingTransaction() && !batch.isTransactional()) {
            failure = "Expected transactional write from producer " + producerId + " at offset " + appendOffset
                    + " in partition " + topicPartition;
            return INVALID_TXN_STATE;
        }
        return OK;
    }

    private boolean guardMatches(long producerId, VerificationGuard guard) {
        VerificationStateEntry v = verificationStates.get(producerId);
        return v != null && v.guard.verify(guard);
    }

    /** The sequence checks of a client batch (steps 4 of the design note). */
    private int checkSequence(RecordBatch batch, ProducerStateEntry entry, long appendOffset) {
        long producerId = batch.producerId();
        short epoch = batch.producerEpoch();
        int firstSeq = batch.baseSequence();
        VerificationStateEntry verification = verificationStates.get(producerId);
        if (verification != null) {
            if (verification.supportsEpochBump && firstSeq != 0 && (entry == null || entry.isEmpty())) {
                failure = "Invalid sequence number for producer " + producerId + " at offset " + appendOffset
                        + " in partition " + topicPartition + ": " + firstSeq
                        + " (incoming seq. number). Expected sequence 0 for transactions v2 idempotent producer"
                        + " with no existing state.";
                return OUT_OF_ORDER;
            }
            if (firstSeq > verification.lowestSequence()) {
                failure = "Out of order sequence number for producer " + producerId + " at offset " + appendOffset
                        + " in partition " + topicPartition + ": " + firstSeq + " (incoming seq. number), "
                        + verification.lowestSequence() + " (earliest seen sequence)";
                return OUT_OF_ORDER;
            }
        }
        short currentEpoch = entry == null ? RecordBatchDescriptor.NO_PRODUCER_EPOCH : entry.producerEpoch();
        if (epoch != currentEpoch) {
            if (firstSeq != 0 && currentEpoch != RecordBatchDescriptor.NO_PRODUCER_EPOCH) {
                failure =
                        "Invalid sequence number for new epoch of producer " + producerId + " at offset " + appendOffset
                                + " in partition " + topicPartition + ": " + epoch + " (request epoch), " + firstSeq
                                + " (seq. number), " + currentEpoch + " (current producer epoch)";
                return OUT_OF_ORDER;
            }
        } else {
            int currentLastSeq = entry.lastSeq();
            boolean inSequence =
                    firstSeq == currentLastSeq + 1L || (firstSeq == 0 && currentLastSeq == Integer.MAX_VALUE);
            if (!inSequence) {
                failure = "Out of order sequence number for producer " + producerId + " at offset " + appendOffset
                        + " in partition " + topicPartition + ": " + firstSeq + " (incoming seq. number), "
                        + currentLastSeq
                        + " (current end sequence number)";
                return OUT_OF_ORDER;
            }
        }
        return OK;
    }

    /** The append outcome for a failed check or marker check. */
    static AppendOutcome outcomeFor(int checkResult) {
        return switch (checkResult) {
            case INVALID_EPOCH -> AppendOutcome.INVALID_PRODUCER_EPOCH;
            case INVALID_TXN_STATE -> AppendOutcome.INVALID_TXN_STATE;
            case COORDINATOR_FENCED -> AppendOutcome.TRANSACTION_COORDINATOR_FENCED;
            default -> AppendOutcome.OUT_OF_ORDER_SEQUENCE;
        };
    }

    String failure() {
        return failure;
    }

    long duplicateFirstOffset() {
        return checkedEntry.firstOffsetOf(duplicateIndex);
    }

    long duplicateLastOffset() {
        return checkedEntry.lastOffsetOf(duplicateIndex);
    }

    long duplicateTimestamp() {
        return checkedEntry.timestampOf(duplicateIndex);
    }

    /**
     * Records a written data batch (offsets assigned, header readable in {@code batch}): a
     * transactional one opens the producer's transaction at its base offset when none is open and
     * ends any pending verification. Control batches are applied by {@link #applyMarker}.
     */
    void update(RecordBatch batch) {
        long producerId = batch.producerId();
        ProducerStateEntry entry = producers.get(producerId);
        if (entry == null) {
            entry = ProducerStateEntry.empty(producerId);
            producers.put(producerId, entry);
        }
        if (batch.isControl()) {
            return;
        }
        entry.addBatch(
                batch.producerEpoch(),
                batch.lastSequence(),
                batch.lastOffset(),
                batch.lastOffsetDelta(),
                batch.maxTimestamp());
        if (batch.isTransactional()) {
            if (!entry.hasOngoingTransaction()) {
                entry.setCurrentTxnFirstOffset(batch.baseOffset());
                ongoingTxns.put(batch.baseOffset(), producerId);
            }
            verificationStates.remove(producerId);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // transactions

    /** Whether {@code producerId} has a transaction open here in {@code epoch}. */
    boolean hasOngoingTransaction(long producerId, short epoch) {
        ProducerStateEntry e = producers.get(producerId);
        return e != null && e.hasOngoingTransaction() && e.producerEpoch() == epoch;
    }

    /**
     * The guard a transactional produce of a producer without an open transaction must carry:
     * the pending verification's (made now, or the one already pending, whose lowest sequence and
     * epoch it updates), or {@link VerificationGuard#SENTINEL} when the producer's transaction is
     * already open in that epoch (no verification needed).
     */
    VerificationGuard maybeStartTransactionVerification(
            long producerId, int sequence, short epoch, boolean supportsEpochBump, long nowMs) {
        if (hasOngoingTransaction(producerId, epoch)) {
            return VerificationGuard.SENTINEL;
        }
        VerificationStateEntry v = verificationStates.get(producerId);
        if (v == null) {
            v = new VerificationStateEntry(nowMs, sequence, epoch, supportsEpochBump);
            verificationStates.put(producerId, v);
        } else {
            v.maybeUpdateLowestSequenceAndEpoch(sequence, epoch);
        }
        return v.guard;
    }

    /** The pending verification of {@code producerId}, or null (tests). */
    VerificationStateEntry verificationState(long producerId) {
        return verificationStates.get(producerId);
    }

    /**
     * Checks a marker of {@code producerId} before it is written: {@link #OK}, {@link
     * #INVALID_EPOCH} or {@link #COORDINATOR_FENCED} (then {@link #failure()}).
     * {@code transactionVersion} 2 and above require an epoch above the producer's, as the
     * coordinator bumps it before writing the marker; the same epoch passes only when no
     * transaction is open (a retry of a marker already written).
     */
    int checkMarker(long producerId, short epoch, int coordinatorEpoch, short transactionVersion, long offset) {
        ProducerStateEntry entry = producers.get(producerId);
        failure = null;
        short current = entry == null ? RecordBatchDescriptor.NO_PRODUCER_EPOCH : entry.producerEpoch();
        boolean strict = transactionVersion >= 2;
        boolean invalidEpoch = strict ? epoch <= current : epoch < current;
        if (invalidEpoch && !(strict && epoch == current && (entry == null || !entry.hasOngoingTransaction()))) {
            failure = "Epoch of producer " + producerId + " at offset " + offset + " in " + topicPartition + " is "
                    + epoch + ", which is " + (strict ? "<=" : "<") + " the last seen epoch " + current + " (TV"
                    + transactionVersion + ")";
            return INVALID_EPOCH;
        }
        int recordedCoordinatorEpoch = entry == null ? -1 : entry.coordinatorEpoch();
        if (recordedCoordinatorEpoch > coordinatorEpoch) {
            failure = "Invalid coordinator epoch for producerId " + producerId + " at offset " + offset
                    + " in partition " + topicPartition + ": " + coordinatorEpoch + " (zombie), "
                    + recordedCoordinatorEpoch + " (current)";
            return COORDINATOR_FENCED;
        }
        return OK;
    }

    /**
     * Applies a written marker at {@code offset}: the producer's open transaction ends (returned,
     * null when it had none here: such a marker changes nothing but the producer's epoch, coordinator
     * epoch and time), its epoch and coordinator epoch are adopted, and its pending verification
     * ends — except a transaction version 2 verification already made in the marker's epoch, which
     * belongs to the producer's next transaction. The caller then indexes an aborted transaction
     * and calls {@link #completeTxn}.
     */
    CompletedTxn applyMarker(
            long producerId, short epoch, int coordinatorEpoch, long offset, long timestampMs, boolean abort) {
        ProducerStateEntry entry = producers.get(producerId);
        if (entry == null) {
            entry = ProducerStateEntry.empty(producerId);
            producers.put(producerId, entry);
        }
        CompletedTxn completed = entry.hasOngoingTransaction()
                ? new CompletedTxn(producerId, entry.currentTxnFirstOffset(), offset, abort)
                : null;
        entry.updateAfterMarker(epoch, coordinatorEpoch, timestampMs);
        VerificationStateEntry v = verificationStates.get(producerId);
        boolean nextTransactionStarted = v != null && v.supportsEpochBump && v.epoch() == epoch;
        if (!nextTransactionStarted) {
            verificationStates.remove(producerId);
        }
        return completed;
    }

    /**
     * The last stable offset just after {@code txn} ended: the first offset of the earliest open
     * transaction of another producer, else the offset after the marker. Recorded with an aborted
     * transaction in the index.
     */
    long lastStableOffset(CompletedTxn txn) {
        for (Map.Entry<Long, Long> open : ongoingTxns.entrySet()) {
            if (open.getValue() != txn.producerId()) {
                return open.getKey();
            }
        }
        return txn.lastOffset() + 1;
    }

    /** Moves an ended transaction from the open ones to those waiting for the high watermark. */
    void completeTxn(CompletedTxn txn) {
        ongoingTxns.remove(txn.firstOffset());
        unreplicatedTxns.put(txn.firstOffset(), txn.lastOffset());
    }

    /** The high watermark reached {@code highWatermark}: ended transactions whose marker is below it are stable. */
    void onHighWatermarkUpdated(long highWatermark) {
        unreplicatedTxns.values().removeIf(markerOffset -> markerOffset < highWatermark);
    }

    /** The first offset of the earliest transaction not yet stable (open, or ended above the high watermark), or -1. */
    long firstUnstableOffset() {
        long open = ongoingTxns.isEmpty() ? Long.MAX_VALUE : ongoingTxns.firstKey();
        long ended = unreplicatedTxns.isEmpty() ? Long.MAX_VALUE : unreplicatedTxns.firstKey();
        long first = Math.min(open, ended);
        return first == Long.MAX_VALUE ? -1L : first;
    }

    /** Number of open transactions (tests and metrics). */
    int ongoingTransactionCount() {
        return ongoingTxns.size();
    }

    /** Drops producers whose last batch is older than producer.id.expiration.ms. */
    int removeExpiredProducers(long nowMs) {
        int removed = 0;
        Iterator<LongObjectMap.PrimitiveEntry<ProducerStateEntry>> it =
                producers.entries().iterator();
        while (it.hasNext()) {
            ProducerStateEntry e = it.next().value();
            if (isExpired(e, nowMs)) {
                it.remove();
                removed++;
            }
        }
        Iterator<LongObjectMap.PrimitiveEntry<VerificationStateEntry>> pending =
                verificationStates.entries().iterator();
        while (pending.hasNext()) {
            if (nowMs - pending.next().value().timestampMs >= producerIdExpirationMs) {
                pending.remove();
            }
        }
        return removed;
    }

    private boolean isExpired(ProducerStateEntry e, long nowMs) {
        return e.currentTxnFirstOffset() < 0 && nowMs - e.lastTimestamp() >= producerIdExpirationMs;
    }

    // ---------------------------------------------------------------------------------------------
    // snapshots

    /** Writes a snapshot at the map end offset unless one exists there; returns its file or null. */
    File takeSnapshot(boolean sync) throws IOException {
        if (lastMapOffset <= lastSnapOffset) {
            return null;
        }
        File file = LogFiles.file(dir, lastMapOffset, LogFiles.SNAPSHOT_SUFFIX);
        writeSnapshot(file, producers, sync);
        snapshots.put(lastMapOffset, file);
        lastSnapOffset = lastMapOffset;
        return file;
    }

    static void writeSnapshot(File file, LongObjectMap<ProducerStateEntry> entries, boolean sync) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ENTRIES_OFFSET + entries.size() * ENTRY_SIZE);
        buf.putShort(VERSION_OFFSET, VERSION);
        buf.putInt(ENTRY_COUNT_OFFSET, entries.size());
        int at = ENTRIES_OFFSET;
        for (ProducerStateEntry e : entries.values()) {
            buf.putLong(at + PRODUCER_ID_OFFSET, e.producerId);
            buf.putShort(at + EPOCH_OFFSET, e.producerEpoch());
            buf.putInt(at + LAST_SEQUENCE_OFFSET, e.lastSeq());
            buf.putLong(at + LAST_OFFSET_OFFSET, e.lastDataOffset());
            buf.putInt(at + OFFSET_DELTA_OFFSET, e.lastOffsetDelta());
            buf.putLong(at + TIMESTAMP_OFFSET, e.lastTimestamp());
            buf.putInt(at + COORDINATOR_EPOCH_OFFSET, e.coordinatorEpoch());
            buf.putLong(at + CURRENT_TXN_FIRST_OFFSET_OFFSET, e.currentTxnFirstOffset());
            at += ENTRY_SIZE;
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), ENTRY_COUNT_OFFSET, buf.capacity() - ENTRY_COUNT_OFFSET);
        buf.putInt(CRC_OFFSET, (int) crc.getValue());
        try (FileChannel ch = FileChannel.open(
                file.toPath(),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (sync) {
                ch.force(true);
            }
        }
    }

    /** Reads a snapshot file; throws IOException when it is not a valid snapshot. */
    static LongObjectMap<ProducerStateEntry> readSnapshot(File file) throws IOException {
        byte[] bytes = Files.readAllBytes(file.toPath());
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (bytes.length < ENTRIES_OFFSET) {
            throw new IOException("Snapshot " + file + " is too short");
        }
        short version = buf.getShort(VERSION_OFFSET);
        if (version != VERSION) {
            throw new IOException("Snapshot contained an unknown file version " + version);
        }
        long stored = buf.getInt(CRC_OFFSET) & 0xffffffffL;
        CRC32C crc = new CRC32C();
        crc.update(bytes, ENTRY_COUNT_OFFSET, bytes.length - ENTRY_COUNT_OFFSET);
        if (crc.getValue() != stored) {
            throw new IOException("Snapshot is corrupt (CRC is no longer valid). Stored crc: " + stored
                    + ". Computed crc: " + crc.getValue());
        }
        int count = buf.getInt(ENTRY_COUNT_OFFSET);
        if (count < 0 || (long) count * ENTRY_SIZE != bytes.length - ENTRIES_OFFSET) {
            throw new IOException("Snapshot " + file + " has " + count + " entries but " + bytes.length + " bytes");
        }
        LongObjectMap<ProducerStateEntry> out = new LongObjectHashMap<>(Math.max(4, count));
        int at = ENTRIES_OFFSET;
        for (int i = 0; i < count; i++) {
            long producerId = buf.getLong(at + PRODUCER_ID_OFFSET);
            short epoch = buf.getShort(at + EPOCH_OFFSET);
            int lastSeq = buf.getInt(at + LAST_SEQUENCE_OFFSET);
            long lastOffset = buf.getLong(at + LAST_OFFSET_OFFSET);
            int offsetDelta = buf.getInt(at + OFFSET_DELTA_OFFSET);
            long timestamp = buf.getLong(at + TIMESTAMP_OFFSET);
            int coordinatorEpoch = buf.getInt(at + COORDINATOR_EPOCH_OFFSET);
            long txnFirst = buf.getLong(at + CURRENT_TXN_FIRST_OFFSET_OFFSET);
            ProducerStateEntry e = new ProducerStateEntry(
                    producerId, epoch, coordinatorEpoch, timestamp, txnFirst >= 0 ? txnFirst : -1L);
            if (lastOffset >= 0) {
                e.addBatch(epoch, lastSeq, lastOffset, offsetDelta, timestamp);
            }
            out.put(producerId, e);
            at += ENTRY_SIZE;
        }
        return out;
    }

    /**
     * Forgets all state and loads the latest valid snapshot at or below {@code logEndOffset}
     * (deleting snapshots above it and corrupt ones), skipping producers already expired at
     * {@code nowMs}. Returns the offset from which the log must be replayed.
     */
    long loadFromSnapshot(long logStartOffset, long logEndOffset, long nowMs) throws IOException {
        producers.clear();
        ongoingTxns.clear();
        unreplicatedTxns.clear();
        verificationStates.clear();
        deleteSnapshotsAfter(logEndOffset);
        while (!snapshots.isEmpty()) {
            Map.Entry<Long, File> latest = snapshots.lastEntry();
            try {
                LongObjectMap<ProducerStateEntry> loaded = readSnapshot(latest.getValue());
                for (ProducerStateEntry e : loaded.values()) {
                    if (!isExpired(e, nowMs)) {
                        producers.put(e.producerId, e);
                        if (e.hasOngoingTransaction()) {
                            ongoingTxns.put(e.currentTxnFirstOffset(), e.producerId);
                        }
                    }
                }
                lastSnapOffset = latest.getKey();
                lastMapOffset = lastSnapOffset;
                return lastSnapOffset;
            } catch (IOException e) {
                LOG.warn("Failed to load producer snapshot from '{}': {}", latest.getValue(), e.getMessage());
                snapshots.remove(latest.getKey());
                Files.deleteIfExists(latest.getValue().toPath());
            }
        }
        lastSnapOffset = logStartOffset;
        lastMapOffset = logStartOffset;
        return logStartOffset;
    }

    /**
     * Applies a data batch read back from the log (header only, no validation), as replication
     * would. Markers are replayed by {@link #replayMarker}.
     */
    void replay(RecordBatch header) {
        if (!header.hasProducerId() || header.isControl()) {
            return;
        }
        update(header);
    }

    /**
     * Applies a marker read back from the log (no checks); returns the transaction it ended
     * (already moved to the ended ones, see {@link #completeTxn}) and, in {@code lastStable}, the
     * last stable offset to index an aborted one with; null when it ended none.
     */
    CompletedTxn replayMarker(
            long producerId,
            short epoch,
            int coordinatorEpoch,
            long offset,
            long timestampMs,
            boolean abort,
            long[] lastStable) {
        CompletedTxn txn = applyMarker(producerId, epoch, coordinatorEpoch, offset, timestampMs, abort);
        if (txn != null) {
            lastStable[0] = lastStableOffset(txn);
            completeTxn(txn);
        }
        return txn;
    }

    void deleteSnapshotsAfter(long offset) throws IOException {
        while (!snapshots.isEmpty() && snapshots.lastKey() > offset) {
            File f = snapshots.pollLastEntry().getValue();
            Files.deleteIfExists(f.toPath());
        }
    }

    /** Deletes snapshots below {@code offset}, keeping the newest {@code keepAtLeast}. */
    void deleteSnapshotsBefore(long offset, int keepAtLeast) throws IOException {
        while (snapshots.size() > keepAtLeast && snapshots.firstKey() < offset) {
            File f = snapshots.pollFirstEntry().getValue();
            Files.deleteIfExists(f.toPath());
        }
    }

    /** Offsets of the snapshot files, oldest first. */
    long[] snapshotOffsets() {
        long[] out = new long[snapshots.size()];
        int i = 0;
        for (Long o : snapshots.keySet()) {
            out[i++] = o;
        }
        return out;
    }
}
