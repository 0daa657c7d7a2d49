package io.skiff.storage;

import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;

/**
 * What the log remembers of one producer id: its epoch and the metadata of its last five
 * batches (first/last sequence, first/last offset, timestamp), enough to answer a retried batch
 * with its original offsets, and its transaction state: the first offset of its open transaction
 * and the epoch of the coordinator that wrote its last marker. Mutable; guarded by the owning
 * log's lock.
 */
final class ProducerStateEntry {
    static final int NUM_BATCHES_TO_RETAIN = 5;

    final long producerId;
    private short producerEpoch;
    private int coordinatorEpoch;
    private long lastTimestamp;
    /** First offset of the producer's ongoing transaction on this partition, -1 when none. */
    private long currentTxnFirstOffset;

    // Ring of the last batches, oldest first: lastSeq, lastOffset, offsetDelta, timestamp.
    private final int[] lastSeqs = new int[NUM_BATCHES_TO_RETAIN];
    private final long[] lastOffsets = new long[NUM_BATCHES_TO_RETAIN];
    private final int[] offsetDeltas = new int[NUM_BATCHES_TO_RETAIN];
    private final long[] timestamps = new long[NUM_BATCHES_TO_RETAIN];
    private int head;
    private int count;

    ProducerStateEntry(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            long lastTimestamp,
            long currentTxnFirstOffset) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.coordinatorEpoch = coordinatorEpoch;
        this.lastTimestamp = lastTimestamp;
        this.currentTxnFirstOffset = currentTxnFirstOffset;
    }

    static ProducerStateEntry empty(long producerId) {
        return new ProducerStateEntry(
                producerId, RecordBatchDescriptor.NO_PRODUCER_EPOCH, -1, RecordBatchDescriptor.NO_TIMESTAMP, -1L);
    }

    short producerEpoch() {
        return producerEpoch;
    }

    int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    long lastTimestamp() {
        return lastTimestamp;
    }

    long currentTxnFirstOffset() {
        return currentTxnFirstOffset;
    }

    /** Whether a transaction of this producer is open on the partition. */
    boolean hasOngoingTransaction() {
        return currentTxnFirstOffset >= 0;
    }

    void setCurrentTxnFirstOffset(long offset) {
        this.currentTxnFirstOffset = offset;
    }

    /**
     * A transaction marker of this producer was written: its epoch is adopted (a new one forgets
     * the batches of the old, as a transaction version 2 marker's bumped epoch does), the
     * coordinator epoch and time recorded, and no transaction is open any more.
     */
    void updateAfterMarker(short epoch, int markerCoordinatorEpoch, long timestamp) {
        if (epoch != producerEpoch) {
            producerEpoch = epoch;
            count = 0;
            head = 0;
        }
        coordinatorEpoch = markerCoordinatorEpoch;
        lastTimestamp = timestamp;
        currentTxnFirstOffset = -1L;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int batchCount() {
        return count;
    }

    private int slot(int i) {
        return (head + i) % NUM_BATCHES_TO_RETAIN;
    }

    int lastSeq() {
        return count == 0 ? RecordBatchDescriptor.NO_SEQUENCE : lastSeqs[slot(count - 1)];
    }

    long lastDataOffset() {
        return count == 0 ? -1L : lastOffsets[slot(count - 1)];
    }

    int lastOffsetDelta() {
        return count == 0 ? 0 : offsetDeltas[slot(count - 1)];
    }

    int firstSeqOf(int i) {
        int s = slot(i);
        return RecordBatch.decrementSequence(lastSeqs[s], offsetDeltas[s]);
    }

    int lastSeqOf(int i) {
        return lastSeqs[slot(i)];
    }

    long firstOffsetOf(int i) {
        int s = slot(i);
        return lastOffsets[s] - offsetDeltas[s];
    }

    long lastOffsetOf(int i) {
        return lastOffsets[slot(i)];
    }

    long timestampOf(int i) {
        return timestamps[slot(i)];
    }

    /** Index (0 = oldest) of a retained batch with exactly this sequence range in this epoch, or -1. */
    int findDuplicate(short epoch, int firstSeq, int lastSeq) {
        if (epoch != producerEpoch) {
            return -1;
        }
        for (int i = 0; i < count; i++) {
            if (firstSeqOf(i) == firstSeq && lastSeqOf(i) == lastSeq) {
                return i;
            }
        }
        return -1;
    }

    /** Records a written batch; a new epoch forgets the batches of the old one. */
    void addBatch(short epoch, int lastSeq, long lastOffset, int offsetDelta, long timestamp) {
        if (epoch != producerEpoch) {
            producerEpoch = epoch;
            count = 0;
            head = 0;
        }
        int s;
        if (count == NUM_BATCHES_TO_RETAIN) {
            s = head;
            head = (head + 1) % NUM_BATCHES_TO_RETAIN;
        } else {
            s = slot(count);
            count++;
        }
        lastSeqs[s] = lastSeq;
        lastOffsets[s] = lastOffset;
        offsetDeltas[s] = offsetDelta;
        timestamps[s] = timestamp;
        lastTimestamp = timestamp;
    }

    @Override
    public String toString() {
        return "ProducerStateEntry(producerId=" + producerId + ", epoch=" + producerEpoch + ", lastSeq=" + lastSeq()
                + ", lastOffset=" + lastDataOffset() + ", batches=" + count + ", currentTxnFirstOffset="
                + currentTxnFirstOffset + ", coordinatorEpoch=" + coordinatorEpoch + ")";
    }
}
