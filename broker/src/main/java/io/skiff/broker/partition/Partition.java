package io.skiff.broker.partition;

import io.netty.buffer.ByteBuf;
import io.skiff.storage.AppendResult;
import io.skiff.storage.CorruptRecordsException;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.storage.UnexpectedAppendOffsetException;
import io.skiff.storage.VerificationGuard;
import io.skiff.wire.protocol.Errors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

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
 *   <li><b>High watermark.</b> On the leader, the smallest log end offset of the in-sync
 *       replicas: its own, and each follower's as its fetches report it
 *       ({@link #updateFollowerFetchState}); an in-sync follower that has not fetched since this
 *       node became leader holds it where it is. With one replica it follows the log end after
 *       every append. Each advance is pushed to the log (retention and DeleteRecords stop there,
 *       it is what the high-watermark checkpoint records) and completes the acks=all produces
 *       waiting for it in {@link DelayedProduces} (NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR
 *       has fallen below the effective min.insync.replicas by then). A follower takes the leader's
 *       ({@link #updateFollowerHighWatermark}), never above its own log end.</li>
 *   <li><b>Leader or follower.</b> {@link #makeLeader} and {@link #makeFollower} follow the
 *       metadata's partition state; a follower's log takes the leader's batches as they are
 *       ({@link #appendAsFollower}), and losing leadership fails every acks=all produce still
 *       waiting with NOT_LEADER_OR_FOLLOWER.</li>
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

    /** Told when a leader's log end advances, so that parked replica fetches re-read. Must not block. */
    @FunctionalInterface
    public interface LogEndListener {
        void onLogEnd(TopicPartition topicPartition, int bytes);
    }

    /** What the leader knows of one follower, from its fetches. Guarded by the partition's lock. */
    private static final class FollowerState {
        /** The follower's log end offset (its last fetch offset); -1 until it fetches from this leader. */
        long logEndOffset = -1;
        /** When the follower was last known to be caught up with this leader's log end. */
        long lastCaughtUpTimeMs;
        /** This leader's log end and the time at the follower's previous fetch. */
        long lastFetchLeaderLogEndOffset = -1;

        long lastFetchTimeMs;

        FollowerState(long lastCaughtUpTimeMs) {
            this.lastCaughtUpTimeMs = lastCaughtUpTimeMs;
        }
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
    /** The metadata's partition epoch of the state this partition follows (0 on a single node). */
    private volatile int partitionEpoch;
    /** Followers by node id while this node leads; guarded by this object's lock. */
    private final Map<Integer, FollowerState> followers = new ConcurrentHashMap<>();
    /** The log end offset at which the current leader epoch started here. */
    private volatile long leaderEpochStartOffset;

    private volatile LogEndListener logEndListener;

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
        this.leaderId = -1;
        makeLeader(leaderEpoch);
    }

    /**
     * A partition of a cluster over {@code log} in the metadata's state: led here when {@code
     * leaderId} is this node, else a follower of {@code leaderId} (-1: no leader yet). The high
     * watermark starts at the log's (its checkpoint).
     */
    Partition(
            PartitionLog log,
            int localNodeId,
            int minInsyncReplicas,
            HighWatermarkListener listener,
            int leaderId,
            int leaderEpoch,
            List<Integer> replicas,
            List<Integer> isr,
            int partitionEpoch,
            long nowMs)
            throws IOException {
        this.listener = listener;
        this.topicPartition = log.topicPartition();
        this.log = log;
        this.localNodeId = localNodeId;
        this.minInsyncReplicas = minInsyncReplicas;
        this.highWatermark = log.highWatermark();
        this.replicas = List.copyOf(replicas);
        this.isr = List.copyOf(isr);
        this.leaderId = -1;
        if (leaderId == localNodeId) {
            makeLeader(leaderEpoch, replicas, isr, partitionEpoch, nowMs);
        } else {
            makeFollower(leaderId, leaderEpoch, replicas, isr, partitionEpoch);
        }
    }

    /**
     * Makes this node the leader at {@code epoch}: the epoch starts at the log end (recorded in the
     * leader epoch checkpoint, as a new leader does), and the high watermark is recomputed.
     */
    void makeLeader(int epoch) throws IOException {
        makeLeader(epoch, replicas, isr, partitionEpoch, 0);
    }

    /**
     * Makes this node the leader at {@code epoch} with the metadata's replicas, ISR and partition
     * epoch. A new epoch starts at the log end; every follower is unknown until it fetches (an
     * in-sync one counts as caught up now, as Kafka's new leader counts it).
     */
    void makeLeader(int epoch, List<Integer> replicas, List<Integer> isr, int partitionEpoch, long nowMs)
            throws IOException {
        takeLeaderState(epoch, replicas, isr, partitionEpoch, nowMs);
        // Outside the lock: completing acks=all produces runs their callbacks.
        maybeAdvanceHighWatermark(false);
    }

    private synchronized void takeLeaderState(
            int epoch, List<Integer> replicas, List<Integer> isr, int partitionEpoch, long nowMs) throws IOException {
        boolean newEpoch = leaderId != localNodeId || epoch != leaderEpoch;
        this.replicas = List.copyOf(replicas);
        this.isr = List.copyOf(isr);
        this.partitionEpoch = partitionEpoch;
        if (newEpoch) {
            followers.clear();
            this.leaderEpochStartOffset = log.logEndOffset();
            log.assignEpochStartOffset(epoch, leaderEpochStartOffset);
            this.leaderEpoch = epoch;
            this.leaderId = localNodeId;
        }
        for (int r : replicas) {
            if (r != localNodeId) {
                followers.computeIfAbsent(r, k -> new FollowerState(nowMs));
            }
        }
        followers.keySet().retainAll(replicas);
    }

    /**
     * Makes this node a follower of {@code leader} (-1: none yet) at {@code epoch}: acks=all
     * produces still waiting fail with NOT_LEADER_OR_FOLLOWER, and what is known of followers is
     * dropped. Returns whether the leader or the epoch changed (the replica fetcher must restart).
     */
    boolean makeFollower(int leader, int epoch, List<Integer> replicas, List<Integer> isr, int partitionEpoch) {
        boolean changed;
        synchronized (this) {
            changed = leader != leaderId || epoch != leaderEpoch;
            this.replicas = List.copyOf(replicas);
            this.isr = List.copyOf(isr);
            this.partitionEpoch = partitionEpoch;
            this.leaderEpoch = epoch;
            this.leaderId = leader;
            followers.clear();
        }
        if (changed) {
            // Outside the lock: failing acks=all produces runs their callbacks.
            delayedProduces.failAll(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return changed;
    }

    /** The partition epoch of the metadata state this partition follows. */
    public int partitionEpoch() {
        return partitionEpoch;
    }

    void setLogEndListener(LogEndListener listener) {
        this.logEndListener = listener;
    }

    /**
     * Appends batches fetched from the leader (borrowed) as they are: offsets, leader epochs and
     * producer state taken from the batches. Null, and nothing appended, unless this node still
     * follows in {@code leaderEpoch} (leadership may have moved since the fetch was sent). The high
     * watermark does not move here: the leader's comes with the fetch response
     * ({@link #updateFollowerHighWatermark}). Throws as {@link PartitionLog#appendAsFollower} does
     * (nothing written): a batch that fails its integrity check, or batches that do not start at
     * the log end.
     */
    public synchronized AppendResult appendAsFollower(ByteBuf records, int leaderEpoch)
            throws CorruptRecordsException, UnexpectedAppendOffsetException {
        if (!followsIn(leaderEpoch)) {
            return null;
        }
        return log.appendAsFollower(records);
    }

    /**
     * Cuts this follower's log back to {@code offset} (a divergent tail, found by
     * OffsetForLeaderEpoch); false, and nothing done, unless it still follows in {@code leaderEpoch}.
     */
    public synchronized boolean truncateTo(long offset, int leaderEpoch) throws IOException {
        if (!followsIn(leaderEpoch)) {
            return false;
        }
        if (offset < log.logEndOffset()) {
            log.truncateTo(offset);
            afterTruncation();
        }
        return true;
    }

    /**
     * Empties this follower's log and starts it at {@code offset} (the leader's log start, when this
     * follower's log end is below it); false unless it still follows in {@code leaderEpoch}.
     */
    public synchronized boolean truncateFullyAndStartAt(long offset, int leaderEpoch) throws IOException {
        if (!followsIn(leaderEpoch)) {
            return false;
        }
        log.truncateFullyAndStartAt(offset);
        highWatermark = offset;
        return true;
    }

    /** Whether this node follows a leader in {@code leaderEpoch}. */
    public boolean followsIn(int leaderEpoch) {
        int leader = leaderId;
        return leader != localNodeId && leader >= 0 && this.leaderEpoch == leaderEpoch;
    }

    /** A follower takes the leader's high watermark, never above its own log end. */
    public void updateFollowerHighWatermark(long leaderHighWatermark) {
        long hw = Math.min(leaderHighWatermark, log.logEndOffset());
        synchronized (this) {
            if (isLeader() || hw <= highWatermark) {
                return;
            }
            highWatermark = hw;
        }
        log.updateHighWatermark(hw);
    }

    /** After a truncation: the high watermark stays at or below the new log end. */
    private synchronized void afterTruncation() {
        long end = log.logEndOffset();
        if (highWatermark > end) {
            highWatermark = end;
        }
    }

    /**
     * The leader's side of a replica fetch from {@code replicaId} at {@code fetchOffset}: its log end
     * is now that offset, and it is caught up when it reaches this leader's log end (or the log end
     * at its previous fetch, since then); the high watermark may advance. NOT_LEADER_OR_FOLLOWER
     * when {@code replicaId} is no replica of this partition (Kafka's answer), or this node does not
     * lead it; OFFSET_OUT_OF_RANGE, recording nothing, for an offset beyond this log's end. Returns
     * NONE otherwise.
     */
    public Errors updateFollowerFetchState(int replicaId, long fetchOffset, long nowMs) {
        synchronized (this) {
            FollowerState f = followers.get(replicaId);
            if (!isLeader() || f == null) {
                return Errors.NOT_LEADER_OR_FOLLOWER;
            }
            long leaderEnd = log.logEndOffset();
            if (fetchOffset > leaderEnd) {
                // Beyond this leader's log: a tail the follower has not cut yet, so not its log end here.
                return Errors.OFFSET_OUT_OF_RANGE;
            }
            if (fetchOffset >= leaderEnd) {
                f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, nowMs);
            } else if (f.lastFetchLeaderLogEndOffset >= 0 && fetchOffset >= f.lastFetchLeaderLogEndOffset) {
                f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
            }
            f.logEndOffset = fetchOffset;
            f.lastFetchLeaderLogEndOffset = leaderEnd;
            f.lastFetchTimeMs = nowMs;
        }
        maybeAdvanceHighWatermark(false);
        return Errors.NONE;
    }

    /**
     * The in-sync followers not caught up within {@code lagTimeMaxMs} of {@code nowMs}: the ones the
     * leader asks the metadata to drop from the ISR. Empty when this node does not lead.
     */
    public synchronized List<Integer> laggingFollowers(long nowMs, long lagTimeMaxMs) {
        List<Integer> out = new ArrayList<>();
        if (!isLeader()) {
            return out;
        }
        for (int r : isr) {
            FollowerState f = followers.get(r);
            if (f != null && nowMs - f.lastCaughtUpTimeMs > lagTimeMaxMs) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The followers outside the ISR that have caught up (log end at least the high watermark and the
     * start of the current leader epoch): the ones the leader asks the metadata to add back.
     */
    public synchronized List<Integer> caughtUpFollowers() {
        List<Integer> out = new ArrayList<>();
        if (!isLeader()) {
            return out;
        }
        for (Map.Entry<Integer, FollowerState> e : followers.entrySet()) {
            long end = e.getValue().logEndOffset;
            if (!isr.contains(e.getKey()) && end >= highWatermark && end >= leaderEpochStartOffset) {
                out.add(e.getKey());
            }
        }
        return out;
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
        if (acksAll && isr.size() < effectiveMinIsr()) {
            return Errors.NOT_ENOUGH_REPLICAS;
        }
        return Errors.NONE;
    }

    /** min.insync.replicas capped at the replica count, as Kafka 4.x caps it. */
    private int effectiveMinIsr() {
        return Math.min(minInsyncReplicas, replicas.size());
    }

    /** What an acks=all produce whose offsets the high watermark passed gets: null (success) or NOT_ENOUGH_REPLICAS_AFTER_APPEND. */
    private Errors afterAppendError() {
        return isr.size() < effectiveMinIsr() ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND : null;
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
            LogEndListener l = logEndListener;
            if (l != null && !followers.isEmpty()) {
                l.onLogEnd(topicPartition, Math.max(1, size));
            }
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
            Errors e = afterAppendError();
            return e == null ? null : CompletableFuture.failedFuture(new NotCommittedException(e));
        }
        CompletableFuture<Void> f = delayedProduces.add(requiredOffset);
        // The watermark may have moved between the check and the registration.
        delayedProduces.completeUpTo(highWatermark, afterAppendError());
        return f;
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
        long bytes;
        long candidate;
        synchronized (this) {
            if (!isLeader()) {
                return;
            }
            candidate = log.logEndOffset();
            for (int r : isr) {
                if (r != localNodeId) {
                    FollowerState f = followers.get(r);
                    candidate = Math.min(candidate, f == null ? -1 : f.logEndOffset);
                }
            }
            if (candidate <= highWatermark) {
                return;
            }
            highWatermark = candidate;
            bytes = bytesBelowLogEnd;
            bytesBelowLogEnd = 0;
        }
        log.updateHighWatermark(candidate);
        delayedProduces.completeUpTo(candidate, afterAppendError());
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
