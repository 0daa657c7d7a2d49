package io.skiff.storage;

import io.skiff.wire.record.RecordBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the cleaner knows about transactions while it reads a log in offset order (Kafka's
 * CleanedTransactionMetadata): the aborted transactions of the range (from the
 * aborted-transaction indexes) become "ongoing" once the read reaches their first offset; a
 * transactional data batch of a producer with an ongoing aborted transaction is aborted data (to
 * be removed; the transaction is noted as observed), otherwise its producer has an ongoing
 * committed transaction. A marker ends the producer's transaction and says whether the marker
 * itself may be removed (once its delete horizon passes): an abort marker when none of its
 * transaction's data was read in this pass, a commit marker likewise. An abort marker whose data
 * was read is kept, and its entry goes into the cleaned segment's transaction index.
 *
 * <p>One instance per pass over a log (the map build and the cleaning each have their own), carried
 * across segment groups so that a marker in a later group sees the data of an earlier one. Not
 * thread-safe.
 */
final class CleanerTransactions {
    private final List<AbortedTxn> aborted;
    private int nextAborted;
    /** Producer id to its aborted transaction, with whether a batch of it was read. */
    private final Map<Long, Ongoing> ongoingAborted = new HashMap<>();

    private final Set<Long> ongoingCommitted = new HashSet<>();

    /** The entry for the transaction index of the segment a kept abort marker is written to, or null. */
    private AbortedTxn indexEntry;

    private static final class Ongoing {
        final AbortedTxn txn;
        boolean observed;

        Ongoing(AbortedTxn txn) {
            this.txn = txn;
        }
    }

    CleanerTransactions(List<AbortedTxn> abortedTxns) {
        this.aborted = new ArrayList<>(abortedTxns);
        this.aborted.sort(Comparator.comparingLong(AbortedTxn::firstOffset));
    }

    private void consumeAbortedUpTo(long offset) {
        while (nextAborted < aborted.size() && aborted.get(nextAborted).firstOffset() <= offset) {
            AbortedTxn t = aborted.get(nextAborted++);
            ongoingAborted.put(t.producerId(), new Ongoing(t));
        }
    }

    /** A data batch was read; true when it is aborted data (to be removed). */
    boolean onBatchRead(RecordBatch batch) {
        consumeAbortedUpTo(batch.lastOffset());
        if (!batch.isTransactional()) {
            return false;
        }
        Ongoing o = ongoingAborted.get(batch.producerId());
        if (o != null) {
            o.observed = true;
            return true;
        }
        ongoingCommitted.add(batch.producerId());
        return false;
    }

    /**
     * A control batch of {@code controlType} ({@link TxnMarkers#TYPE_ABORT}, {@link
     * TxnMarkers#TYPE_COMMIT}, or another) was read; true when the marker may be removed once its
     * delete horizon has passed. After a call, {@link #indexEntry()} is the aborted-transaction
     * entry to keep with the marker, or null.
     */
    boolean onControlBatchRead(RecordBatch batch, int controlType) {
        consumeAbortedUpTo(batch.lastOffset());
        indexEntry = null;
        long producerId = batch.producerId();
        if (controlType == TxnMarkers.TYPE_ABORT) {
            Ongoing o = ongoingAborted.remove(producerId);
            if (o != null && o.observed) {
                indexEntry = o.txn;
                return false;
            }
            return true;
        }
        if (controlType == TxnMarkers.TYPE_COMMIT) {
            return !ongoingCommitted.remove(producerId);
        }
        return false;
    }

    /** The aborted-transaction entry the last kept abort marker carries, or null. */
    AbortedTxn indexEntry() {
        return indexEntry;
    }
}
