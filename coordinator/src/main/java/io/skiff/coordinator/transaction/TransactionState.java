package io.skiff.coordinator.transaction;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of a transactional id's transaction, as Apache Kafka's transaction coordinator keeps it
 * (the ids and names are Kafka's: they are written in {@code __transaction_state} and shown by
 * DescribeTransactions and ListTransactions). Each state lists the states it may follow; an
 * operation checks every change with {@link #transitionTo} before it writes the record that makes
 * it. Replay does not check: compaction leaves only the latest record of a transactional id.
 *
 * <p>Immutable, thread-safe (the refusal counter is atomic).
 */
public enum TransactionState {
    /**
     * No transaction open (a new producer id or epoch was just handed out). AddPartitionsToTxn and
     * AddOffsetsToTxn (and, with transaction version 2, a produce) open one: Ongoing. EndTxn: abort
     * with transaction version 2 goes to PrepareAbort (the client may not know there is nothing to
     * abort), anything else is INVALID_TXN_STATE. InitProducerId bumps the epoch and stays here.
     * May expire (Dead).
     */
    EMPTY((byte) 0, "Empty", true),
    /**
     * A transaction is open on some partitions. AddPartitionsToTxn adds more; EndTxn goes to
     * PrepareCommit or PrepareAbort; InitProducerId and the transaction timeout fence the producer
     * (PrepareEpochFence) and abort.
     */
    ONGOING((byte) 1, "Ongoing", false),
    /**
     * The commit is decided and durable; markers are being written. Requests get
     * CONCURRENT_TRANSACTIONS until every marker is written: then CompleteCommit.
     */
    PREPARE_COMMIT((byte) 2, "PrepareCommit", false),
    /** The abort is decided and durable; markers are being written, then CompleteAbort. */
    PREPARE_ABORT((byte) 3, "PrepareAbort", false),
    /**
     * The last transaction committed. A retried commit is answered NONE; AddPartitionsToTxn opens the
     * next one; InitProducerId bumps the epoch (Empty). May expire (Dead).
     */
    COMPLETE_COMMIT((byte) 4, "CompleteCommit", true),
    /** The last transaction aborted; as CompleteCommit, for aborts. May expire (Dead). */
    COMPLETE_ABORT((byte) 5, "CompleteAbort", true),
    /** The transactional id expired and is being removed (its tombstone is being written). */
    DEAD((byte) 6, "Dead", false),
    /**
     * An ongoing transaction whose producer is being fenced (InitProducerId by a new instance, or
     * the timeout): the epoch is bumped and the transaction aborted (PrepareAbort). Never written:
     * the abort is written in the same operation.
     */
    PREPARE_EPOCH_FENCE((byte) 7, "PrepareEpochFence", false);

    private static final Logger LOG = LoggerFactory.getLogger(TransactionState.class);
    private static final AtomicLong REFUSED_TRANSITIONS = new AtomicLong();

    static {
        EMPTY.previous = EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
        ONGOING.previous = EnumSet.of(ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
        PREPARE_COMMIT.previous = EnumSet.of(ONGOING);
        PREPARE_ABORT.previous = EnumSet.of(ONGOING, PREPARE_EPOCH_FENCE, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
        COMPLETE_COMMIT.previous = EnumSet.of(PREPARE_COMMIT);
        COMPLETE_ABORT.previous = EnumSet.of(PREPARE_ABORT);
        DEAD.previous = EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
        PREPARE_EPOCH_FENCE.previous = EnumSet.of(ONGOING);
    }

    /** The id written in the TransactionStatus field of a record. */
    public final byte id;
    /** The name DescribeTransactions and ListTransactions use. */
    public final String displayName;
    /** Whether a transactional id idle in this state may expire. */
    public final boolean expirationAllowed;

    private Set<TransactionState> previous;

    TransactionState(byte id, String displayName, boolean expirationAllowed) {
        this.id = id;
        this.displayName = displayName;
        this.expirationAllowed = expirationAllowed;
    }

    /** Whether a transaction in {@code from} may move to this state. */
    public boolean canFollow(TransactionState from) {
        return previous.contains(from);
    }

    /**
     * Checks that a transaction of {@code transactionalId} in {@code from} may move to {@code to}:
     * returns {@code to}, or logs, counts and throws {@link IllegalStateException} (a refused
     * transition is a bug of the coordinator, never a client's error).
     */
    public static TransactionState transitionTo(String transactionalId, TransactionState from, TransactionState to) {
        if (!to.canFollow(from)) {
            REFUSED_TRANSITIONS.incrementAndGet();
            LOG.error("Transactional id {}: refused transition from {} to {}", transactionalId, from, to);
            throw new IllegalStateException(
                    "transactional id " + transactionalId + " cannot move from " + from + " to " + to);
        }
        LOG.debug("Transactional id {}: {} -> {}", transactionalId, from, to);
        return to;
    }

    /** How many transitions were refused since start-up (a non-zero count means a bug). */
    public static long refusedTransitions() {
        return REFUSED_TRANSITIONS.get();
    }

    /** Whether markers are being written: the transaction is decided but not complete. */
    public boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** The state with this record id. */
    public static TransactionState fromId(byte id) {
        for (TransactionState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown transaction state id " + id);
    }

    /** The state with this display name, or null. */
    public static TransactionState fromDisplayName(String name) {
        for (TransactionState s : values()) {
            if (s.displayName.equals(name)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
