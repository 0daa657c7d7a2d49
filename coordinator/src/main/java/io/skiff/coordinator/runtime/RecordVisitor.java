package io.skiff.coordinator.runtime;

import java.nio.ByteBuffer;

/**
 * Receives the content of a coordinator partition while it is loaded, in offset order: every
 * data record, with the producer of the batch it was written in, and every transaction marker
 * (the control record that commits or aborts a producer's transactional records before it).
 * Called on the loading shard's thread.
 */
public interface RecordVisitor {
    /**
     * One data record. {@code key} and {@code value} are borrowed for the duration of the call
     * only (the visitor copies what it keeps); {@code value} is null for a tombstone.
     * {@code producerId} and {@code producerEpoch} are those of the record's batch
     * ({@code -1} for a batch written without a producer, as coordinators write theirs).
     */
    void visit(long offset, long producerId, short producerEpoch, ByteBuffer key, ByteBuffer value);

    /**
     * One end-transaction marker at {@code offset}: {@code producerId}'s open transaction in
     * {@code producerEpoch} is committed ({@code commit}) or aborted.
     */
    void visitEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit);
}
