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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent producer state of one partition.
 *
 * <p>Design note. Each producer id maps to a {@link ProducerStateEntry}: its epoch and its last
 * five batches. A leader append of a batch with a producer id is checked in this order, as Apache
 * Kafka does: (1) a batch of the current epoch whose sequence range equals one of the five
 * retained batches is a duplicate, acknowledged with the original offsets and not written;
 * (2) an epoch below the current one is INVALID_PRODUCER_EPOCH; (3) a new epoch must start at
 * sequence 0 unless the producer is unknown, else OUT_OF_ORDER_SEQUENCE_NUMBER; (4) in the same
 * epoch the first sequence must follow the last one (wrapping past Integer.MAX_VALUE), else
 * OUT_OF_ORDER_SEQUENCE_NUMBER — except that an unknown producer (no entry, or epoch -1, e.g.
 * after its batches were removed by retention) may start at any sequence, which is why Kafka
 * 4.3.1 never answers UNKNOWN_PRODUCER_ID to a produce. After the write the entry records the
 * batch. The state is persisted as snapshots at segment rolls and at clean shutdown (Kafka's
 * format, {@link ProducerSnapshotDescriptor}); a snapshot keeps only each producer's last batch.
 * On load the latest snapshot at or below the log end is read and the log after it replayed
 * (batch headers only). Producers idle for producer.id.expiration.ms are dropped by
 * {@link #removeExpiredProducers}. Transactions will add the ongoing-transaction state here.
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

    private final File dir;
    private final String topicPartition;
    private volatile long producerIdExpirationMs;
    private final LongObjectMap<ProducerStateEntry> producers = new LongObjectHashMap<>();
    private final TreeMap<Long, File> snapshots = new TreeMap<>();
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

    int activeProducerCount() {
        return producers.size();
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
     * Checks a client batch (header readable in {@code batch}, offsets not yet assigned) of a
     * producer; returns {@link #OK}, {@link #DUPLICATE} (then {@link #duplicateFirstOffset()} and
     * friends answer), {@link #INVALID_EPOCH} or {@link #OUT_OF_ORDER} (then {@link #failure()}).
     */
    int check(RecordBatch batch, long appendOffset) {
        long producerId = batch.producerId();
        short epoch = batch.producerEpoch();
        int firstSeq = batch.baseSequence();
        int lastSeq = batch.lastSequence();
        ProducerStateEntry entry = producers.get(producerId);
        checkedEntry = entry;
        failure = null;
        if (entry != null) {
            int dup = entry.findDuplicate(epoch, firstSeq, lastSeq);
            if (dup >= 0) {
                duplicateIndex = dup;
                return DUPLICATE;
            }
        }
        short currentEpoch = entry == null ? RecordBatchDescriptor.NO_PRODUCER_EPOCH : entry.producerEpoch();
        if (epoch < currentEpoch) {
            failure = "Epoch of producer " + producerId + " at offset " + appendOffset + " in " + topicPartition
                    + " is " + epoch + ", which is smaller than the last seen epoch " + currentEpoch;
            return INVALID_EPOCH;
        }
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

    /** The append outcome for a failed check ({@link #INVALID_EPOCH} or {@link #OUT_OF_ORDER}). */
    static AppendOutcome outcomeFor(int checkResult) {
        return checkResult == INVALID_EPOCH
                ? AppendOutcome.INVALID_PRODUCER_EPOCH
                : AppendOutcome.OUT_OF_ORDER_SEQUENCE;
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

    /** Records a written batch (offsets assigned, header readable in {@code batch}). */
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
        deleteSnapshotsAfter(logEndOffset);
        while (!snapshots.isEmpty()) {
            Map.Entry<Long, File> latest = snapshots.lastEntry();
            try {
                LongObjectMap<ProducerStateEntry> loaded = readSnapshot(latest.getValue());
                for (ProducerStateEntry e : loaded.values()) {
                    if (!isExpired(e, nowMs)) {
                        producers.put(e.producerId, e);
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

    /** Applies a batch read back from the log (no validation), as replication would. */
    void replay(RecordBatch header) {
        if (!header.hasProducerId()) {
            return;
        }
        update(header);
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
