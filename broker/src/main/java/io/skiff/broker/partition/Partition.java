package io.skiff.broker.partition;

import io.netty.buffer.ByteBuf;
import io.skiff.storage.AppendResult;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.storage.VerificationGuard;
import io.skiff.wire.protocol.Errors;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One partition this broker hosts, as the broker sees it: what belongs to the broker and not to
 * the file. It owns the leader epoch, the replica set and the in-sync replicas, and decides the
 * high watermark and the last stable offset; its {@link PartitionLog} holds the data.
 *
 * <h2>Design note</h2>
 * <ul>
 *   <li><b>Epoch fencing in one place.</b> Fetch, ListOffsets and OffsetForLeaderEpoch all check
 *       the client's current leader epoch with {@link #checkLeaderEpoch}, and every request that
 *       needs the leader asks {@link #isLeader()}.</li>
 *   <li><b>High watermark.</b> The smallest log end offset of the in-sync replicas. Only the
 *       local replica exists today, so it follows the log end after every append; followers will
 *       report their log end offsets through {@link #onFollowerLogEnd} and the same rule applies.
 *       Each advance is pushed to the log (retention and DeleteRecords stop there, it is what
 *       the high-watermark checkpoint records) and completes the acks=all produces waiting for
 *       it in {@link DelayedProduces}.</li>
 *   <li><b>Offline.</b> When the log dir of the log fails (an I/O error, a full disk; see
 *       {@code LogDir}) the partition is offline: {@link #checkAppend} and
 *       {@link #checkLeaderEpoch} answer KAFKA_STORAGE_ERROR, so produce, fetch, ListOffsets and
 *       OffsetForLeaderEpoch do, and the log itself refuses appends and reads. Only a restart
 *       brings it back.</li>
 *   <li><b>Last stable offset.</b> The log's: the high watermark, or the first offset of the
 *       earliest transaction not yet decided below it ({@link #lastStableOffset()}). A transaction
 *       marker ({@link #appendTxnMarker}) may move it past many bytes at once, so after a marker
 *       every parked fetch of the partition is told to re-read (read_committed ones may now
 *       complete).</li>
 * </ul>
 *
 * <p>Thread-safe: appends and reads come from any thread; leadership and replica changes from
 * the metadata thread. Buffers: {@link #appendAsLeader} borrows the records buffer.
 */
public final class Partition {
    /** Told when the high watermark advances, i.e. when new records become readable. Must not block. */
    @FunctionalInterface
    public interface HighWatermarkListener {
        /** {@code bytes}: about how many record bytes became readable (an estimate for fetch.min.bytes). */
        void onHighWatermark(TopicPartition topicPartition, int bytes);
    }

    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final int localNodeId;
    private final DelayedProduces delayedProduces = new DelayedProduces();
    private final HighWatermarkListener listener;
    /** Bytes appended since the high watermark last advanced (under this object's lock). */
    private long bytesBelowLogEnd;

    private volatile int leaderEpoch;
    private volatile int leaderId;
    private volatile List<Integer> replicas;
    private volatile List<Integer> isr;
    private volatile int minInsyncReplicas;
    private volatile long highWatermark;

    /**
     * A partition over {@code log}, led here in {@code leaderEpoch}. The broker's partitions are made
     * by {@link PartitionManager}; tests of the layers above make their own.
     */
    public Partition(
            PartitionLog log, int localNodeId, int leaderEpoch, int minInsyncReplicas, HighWatermarkListener listener)
            throws IOException {
        this.listener = listener;
        this.topicPartition = log.topicPartition();
        this.log = log;
        this.localNodeId = localNodeId;
        this.minInsyncReplicas = minInsyncReplicas;
        List<Integer> self = List.of(localNodeId);
        this.replicas = self;
        this.isr = self;
        makeLeader(leaderEpoch);
    }

    /**
     * Makes this node the leader at {@code epoch}: the epoch starts at the log end (recorded in the
     * leader epoch checkpoint, as a new leader does), and the high watermark is recomputed.
     */
    void makeLeader(int epoch) throws IOException {
        this.leaderId = localNodeId;
        this.leaderEpoch = epoch;
        log.assignEpochStartOffset(epoch, log.logEndOffset());
        maybeAdvanceHighWatermark(false);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    /** The data of this partition. Handlers read offsets and producer state through it. */
    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public int leaderId() {
        return leaderId;
    }

    public boolean isLeader() {
        return leaderId == localNodeId;
    }

    public List<Integer> replicas() {
        return replicas;
    }

    public List<Integer> inSyncReplicas() {
        return isr;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /**
     * The offset below which every transaction is decided (read_committed readers stop there): the
     * log's last stable offset, never above this partition's high watermark.
     */
    public long lastStableOffset() {
        return Math.min(log.lastStableOffset(), highWatermark);
    }

    /** The highest offset a reader at this isolation level may see (exclusive). */
    public long fetchableOffset(boolean readCommitted) {
        return readCommitted ? lastStableOffset() : highWatermark();
    }

    void updateMinInsyncReplicas(int value) {
        this.minInsyncReplicas = value;
    }

    /**
     * True once the log dir holding this partition's log is offline after an I/O error (a full
     * disk): the partition is offline, as in Kafka, and every request on it answers
     * KAFKA_STORAGE_ERROR until the broker is restarted.
     */
    public boolean isOffline() {
        return log.isOffline();
    }

    /**
     * Checks the leader epoch a client believes current, as Kafka does: -1 means "not known" and
     * passes; an older epoch is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH (this node
     * has not learnt of it yet); a node that does not lead answers NOT_LEADER_OR_FOLLOWER. An
     * offline partition answers KAFKA_STORAGE_ERROR before any of these, as Kafka's does.
     */
    public Errors checkLeaderEpoch(int currentLeaderEpoch) {
        if (isOffline()) {
            return Errors.KAFKA_STORAGE_ERROR;
        }
        int epoch = leaderEpoch;
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch < epoch) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        if (currentLeaderEpoch > epoch) {
            return Errors.UNKNOWN_LEADER_EPOCH;
        }
        if (!isLeader()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        return Errors.NONE;
    }

    /**
     * Whether an append may go ahead: NOT_LEADER_OR_FOLLOWER when this node does not lead; for
     * acks=all, NOT_ENOUGH_REPLICAS when fewer replicas are in sync than the effective
     * {@code min.insync.replicas}, which is capped at the replica count as Apache Kafka 4.x caps it
     * (so a single-replica partition always takes acks=all, whatever the topic asks). An offline
     * partition answers KAFKA_STORAGE_ERROR first.
     */
    public Errors checkAppend(boolean acksAll) {
        if (isOffline()) {
            return Errors.KAFKA_STORAGE_ERROR;
        }
        if (!isLeader()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        if (acksAll && isr.size() < Math.min(minInsyncReplicas, replicas.size())) {
            return Errors.NOT_ENOUGH_REPLICAS;
        }
        return Errors.NONE;
    }

    /**
     * Appends a produce request's records (borrowed) at the current leader epoch, then advances
     * the high watermark as far as the in-sync replicas allow.
     */
    public AppendResult appendAsLeader(ByteBuf records, long nowMs) {
        return appendAsLeader(records, nowMs, VerificationGuard.SENTINEL);
    }

    /**
     * As {@link #appendAsLeader(ByteBuf, long)} for a produce whose transactional batch was
     * verified under {@code guard} ({@link PartitionLog#maybeStartTransactionVerification}).
     */
    public AppendResult appendAsLeader(ByteBuf records, long nowMs, VerificationGuard guard) {
        int size = records.readableBytes();
        return afterAppend(log.appendAsLeader(records, leaderEpoch, nowMs, guard), size, false);
    }

    /**
     * Appends a batch the group coordinator wrote (borrowed; the offsets of a TxnOffsetCommit:
     * transactional, base sequence -1) at the current leader epoch, without sequence checks
     * ({@link PartitionLog#appendAsCoordinator}), then advances the high watermark.
     */
    public AppendResult appendFromCoordinator(ByteBuf records, long nowMs) {
        int size = records.readableBytes();
        return afterAppend(log.appendAsCoordinator(records, leaderEpoch, nowMs), size, false);
    }

    /**
     * Writes a transaction marker at the current leader epoch (see {@link
     * PartitionLog#appendTxnMarker(long, short, int, boolean, int, long)}), then advances the high
     * watermark and wakes every parked fetch of the partition (the last stable offset may have moved).
     */
    public AppendResult appendTxnMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, long nowMs) {
        return appendTxnMarker(producerId, producerEpoch, coordinatorEpoch, commit, (short) 0, nowMs);
    }

    /** As {@link #appendTxnMarker(long, short, int, boolean, long)} with the marker's transaction version. */
    public AppendResult appendTxnMarker(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion,
            long nowMs) {
        AppendResult result = log.appendTxnMarker(
                producerId, producerEpoch, coordinatorEpoch, commit, transactionVersion, leaderEpoch, nowMs);
        return afterAppend(result, 0, true);
    }

    private AppendResult afterAppend(AppendResult result, int size, boolean wakeAll) {
        if (result.isSuccess() && !result.isDuplicate()) {
            synchronized (this) {
                bytesBelowLogEnd += size;
            }
            maybeAdvanceHighWatermark(wakeAll);
        }
        return result;
    }

    /**
     * OffsetForLeaderEpoch: {epoch, endOffset} of {@code requestedEpoch} as this leader knows it
     * ({-1, -1} when unknown).
     */
    public long[] endOffsetForEpoch(int requestedEpoch) {
        return log.endOffsetForEpoch(requestedEpoch);
    }

    /**
     * The delayed-produce path of an acks=all append: null when the high watermark has already
     * reached {@code requiredOffset} (the exclusive end offset of the append; always the case on a
     * single node, where the watermark follows the log end), else a future completed when it
     * does, or failed with {@link NotCommittedException} if this node stops leading first.
     */
    public CompletableFuture<Void> awaitHighWatermark(long requiredOffset) {
        if (highWatermark >= requiredOffset) {
            return null;
        }
        CompletableFuture<Void> f = delayedProduces.add(requiredOffset);
        // The watermark may have moved between the check and the registration.
        delayedProduces.completeUpTo(highWatermark);
        return f;
    }

    /** A follower's log end offset, from its fetch; the high watermark may advance. */
    void onFollowerLogEnd(int replicaId, long logEndOffset) {
        // No follower can be in the ISR yet: the replica set is this node alone.
        maybeAdvanceHighWatermark(false);
    }

    /** Fails every acks=all produce still waiting (leadership lost, partition removed). */
    void failWaiters(Errors error) {
        delayedProduces.failAll(error);
    }

    /**
     * Advances the high watermark to the smallest log end of the in-sync replicas and tells the
     * listener how many bytes became readable; {@code wakeAll} (after a transaction marker) announces
     * {@link Integer#MAX_VALUE} bytes instead, so that every parked fetch re-reads: the bytes of a
     * whole transaction may have become readable to read_committed fetches at once.
     */
    private void maybeAdvanceHighWatermark(boolean wakeAll) {
        // The in-sync replica set is this node alone, so the smallest log end among them is ours.
        long candidate = log.logEndOffset();
        long bytes;
        synchronized (this) {
            if (candidate <= highWatermark) {
                return;
            }
            highWatermark = candidate;
            bytes = bytesBelowLogEnd;
            bytesBelowLogEnd = 0;
        }
        log.updateHighWatermark(candidate);
        delayedProduces.completeUpTo(candidate);
        if (listener != null) {
            listener.onHighWatermark(
                    topicPartition, wakeAll ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, bytes));
        }
    }

    @Override
    public String toString() {
        return "Partition(" + topicPartition + ", epoch " + leaderEpoch + ", hw " + highWatermark + ")";
    }
}
