package io.skiff.broker.metadata;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where metadata records are made durable and put in one order that every node applies. Two
 * kinds: {@link LocalQuorum}, a single node's fsynced file, whose appends are committed as soon as
 * they return; and a replicated quorum (Apache Ratis, in {@code io.skiff.broker.cluster}), whose
 * appends are committed later, possibly after other nodes' entries, and reach every node's
 * {@link Committer} in log order. Implementations are used by one {@link MetadataManager}; the
 * manager calls {@link #append} on its metadata thread.
 */
public interface MetadataQuorum extends AutoCloseable {
    /**
     * One replicated entry: records decided by node {@code origin} on the state whose last accepted
     * entry had index {@code basedOn}; {@code requestId} lets the origin find its waiting writer.
     */
    record Entry(long basedOn, int origin, long requestId, List<MetadataRecord> records) {
        public byte[] encode() {
            return MetadataEntries.encode(this);
        }

        public static Entry decode(byte[] bytes) {
            return MetadataEntries.decode(bytes);
        }
    }

    /**
     * The state a replicated quorum snapshots and restores: the image, the index of the last entry
     * that changed it (what decisions are checked against) and the index of the last entry applied.
     */
    record State(MetadataImage image, long lastChange, long applied) {
        public byte[] encode() {
            return MetadataEntries.encodeState(this);
        }

        public static State decode(byte[] bytes) {
            return MetadataEntries.decodeState(bytes);
        }
    }

    /** What a quorum hands committed entries to: the {@link MetadataManager}. Thread-safe. */
    interface Committer {
        /** Replaces the state (at start-up, or when a snapshot is installed); returns once it is published. */
        void load(State state);

        /**
         * Applies the committed entry at {@code index} if it was decided on the current state, in
         * log order; the future completes, on the metadata thread, once the change is published,
         * with whether the entry was accepted.
         */
        CompletableFuture<Boolean> apply(long index, Entry entry);

        /** The current state, as after every entry handed to {@link #apply} so far. */
        State state();
    }

    /**
     * Opens the stored metadata and gives it to {@code committer}; for a replicated quorum, returns
     * once this node has applied everything committed when it started.
     */
    void open(Committer committer) throws IOException, InterruptedException;

    /** Whether {@link #append} commits at once (the manager then applies the entry itself, in place). */
    boolean committedOnAppend();

    /**
     * Makes the entry durable (committed on return when {@link #committedOnAppend}) or submits it
     * for replication; the future fails when it cannot be.
     */
    CompletableFuture<Void> append(Entry entry);

    /** This node's view of the quorum, for DescribeQuorum and DescribeCluster. */
    QuorumStatus status();

    /** The quorum as its leader sees it (every voter's progress); this node's view where it is the leader. */
    default CompletableFuture<QuorumStatus> describe() {
        return CompletableFuture.completedFuture(status());
    }

    @Override
    void close();
}
