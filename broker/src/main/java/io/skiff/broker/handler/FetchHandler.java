package io.skiff.broker.handler;

import io.netty.buffer.Unpooled;
import io.skiff.broker.fetch.FetchPurgatory;
import io.skiff.broker.fetch.FetchSessionCache;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.metrics.BrokerTopicStats;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.storage.AbortedTxn;
import io.skiff.storage.ReadResult;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.message.FetchRequest;
import io.skiff.wire.message.FetchResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.Records;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Fetch (key 1), versions 4-18, for consumers: incremental fetch sessions (KIP-227), topic ids
 * (v13+), {@code max_bytes} and {@code partition_max_bytes} with Kafka's rule that the first
 * batch found is returned whole, long polling ({@code min_bytes}/{@code max_wait_ms}) through
 * the {@link FetchPurgatory}, woken by appends and transaction markers. isolation_level 1
 * (read_committed) reads up to the last stable offset and lists the aborted transactions of the
 * records returned (an empty list when none; null for read_uncommitted and for failed partitions,
 * as Kafka sends); {@code last_stable_offset} is filled for both levels. A client over its
 * consumer byte-rate quota is answered without records (and never gets more than its quota
 * allows in one window). Records go out as file regions of the segment
 * files (see the network layer): the broker never copies them. Every partition of a topic the
 * client may not READ (a replica: CLUSTER_ACTION) answers TOPIC_AUTHORIZATION_FAILED, in every
 * version and whether named or given by id.
 *
 * <p>A fetch with a replica id (a follower's, {@code replica_state} from v15) reads to the log end,
 * not the high watermark, and first tells the partition the follower's log end (its fetch offset,
 * {@link Partition#updateFollowerFetchState}), which may advance the high watermark; a broker that
 * is no replica of the partition gets NOT_LEADER_OR_FOLLOWER, as from Kafka, and changes nothing.
 * It waits in the purgatory for appends to the log end rather than for the high watermark.
 */
public final class FetchHandler extends ApiHandler<FetchRequest> {
    static final byte READ_COMMITTED = 1;
    /** Fetch versions before this cannot carry zstd batches. */
    static final short MIN_VERSION_FOR_ZSTD = 10;

    private static final Records EMPTY = new ByteBufRecords(Unpooled.EMPTY_BUFFER);

    private final MetadataManager metadata;
    private final PartitionManager partitions;
    private final FetchSessionCache sessions;
    private final FetchPurgatory purgatory;
    private final LongSupplier clockMs;
    private final Authorizer authorizer;
    private final BrokerTopicStats topicStats;

    public FetchHandler(
            MetadataManager metadata,
            PartitionManager partitions,
            FetchSessionCache sessions,
            FetchPurgatory purgatory,
            LongSupplier clockMs,
            Authorizer authorizer) {
        this(metadata, partitions, sessions, purgatory, clockMs, authorizer, BrokerTopicStats.NONE);
    }

    /** As above, telling {@code topicStats} of every partition a consumer fetched (Kafka's BrokerTopicMetrics). */
    public FetchHandler(
            MetadataManager metadata,
            PartitionManager partitions,
            FetchSessionCache sessions,
            FetchPurgatory purgatory,
            LongSupplier clockMs,
            Authorizer authorizer,
            BrokerTopicStats topicStats) {
        super(ApiKeys.FETCH, 4, 18);
        this.topicStats = topicStats;
        this.authorizer = authorizer;
        this.metadata = metadata;
        this.partitions = partitions;
        this.sessions = sessions;
        this.purgatory = purgatory;
        this.clockMs = clockMs;
    }

    /**
     * The topics of the session's partitions this fetch may not read, as Kafka decides: READ on
     * each topic for a consumer, CLUSTER_ACTION on the cluster for a replica (all of them when it
     * lacks it). Null when every one may be read. A topic id that names no topic is left to
     * answer UNKNOWN_TOPIC_ID.
     */
    private Set<String> deniedTopics(RequestContext context, FetchRequest request, FetchSessionCache.Context session) {
        if (!authorizer.enabled()) {
            return null;
        }
        int replicaId = context.apiVersion >= 15 ? request.replicaState().replicaId() : request.replicaId();
        boolean replica = replicaId >= 0 && authorizer.authorizeCluster(context, AclOperation.CLUSTER_ACTION);
        if (replicaId >= 0 && replica) {
            return null;
        }
        Set<String> denied = null;
        Set<String> allowed = null;
        for (FetchSessionCache.Partition p : session.partitions) {
            String topic = p.key.topic();
            if (topic == null
                    || (allowed != null && allowed.contains(topic))
                    || (denied != null && denied.contains(topic))) {
                continue;
            }
            if (replicaId < 0 && authorizer.authorize(context, AclOperation.READ, ResourceType.TOPIC, topic)) {
                allowed = allowed == null ? new HashSet<>() : allowed;
                allowed.add(topic);
            } else {
                denied = denied == null ? new HashSet<>() : denied;
                denied.add(topic);
            }
        }
        return denied;
    }

    @Override
    public void handle(RequestContext context, FetchRequest request) {
        short version = context.apiVersion;
        MetadataImage image = metadata.image();
        boolean byId = version >= 13;
        List<FetchSessionCache.Requested> requested = new ArrayList<>();
        for (FetchRequest.FetchTopic t : request.topics()) {
            FetchSessionCache.Key base = key(image, byId, t.topicId(), t.topic(), 0);
            for (FetchRequest.FetchPartition p : t.partitions()) {
                requested.add(new FetchSessionCache.Requested(
                        new FetchSessionCache.Key(base.topicId(), base.topic(), p.partition()),
                        p.fetchOffset(),
                        p.partitionMaxBytes(),
                        p.currentLeaderEpoch(),
                        p.logStartOffset()));
            }
        }
        List<FetchSessionCache.Key> forgotten = new ArrayList<>();
        for (FetchRequest.ForgottenTopic t : request.forgottenTopicsData()) {
            FetchSessionCache.Key base = key(image, byId, t.topicId(), t.topic(), 0);
            for (int p : t.partitions()) {
                forgotten.add(new FetchSessionCache.Key(base.topicId(), base.topic(), p));
            }
        }
        long nowMs = clockMs.getAsLong();
        FetchSessionCache.Context session =
                sessions.newContext(request.sessionId(), request.sessionEpoch(), requested, forgotten, nowMs);
        if (session.error != Errors.NONE) {
            context.respond(new FetchResponse()
                    .setErrorCode(session.error.code)
                    .setSessionId(0)
                    .setResponses(new ArrayList<>()));
            return;
        }
        int replicaId = version >= 15 ? request.replicaState().replicaId() : request.replicaId();
        PendingFetch pending =
                new PendingFetch(context, request, session, deniedTopics(context, request, session), replicaId);
        if (pending.tryComplete()) {
            return;
        }
        if (request.maxWaitMs() <= 0 || session.partitions.isEmpty()) {
            // Nothing to wait for: no wait allowed, or no partitions (e.g. a session being closed).
            pending.expire();
            return;
        }
        List<TopicPartition> watch = new ArrayList<>(session.partitions.size());
        for (FetchSessionCache.Partition p : session.partitions) {
            if (p.key.topic() != null) {
                watch.add(new TopicPartition(p.key.topic(), p.key.partition()));
            }
        }
        if (replicaId >= 0) {
            purgatory.parkReplica(pending, watch, request.maxWaitMs());
        } else {
            purgatory.park(pending, watch, request.maxWaitMs());
        }
    }

    /** The session key of a topic: by id for v13+ (with the name if known), by name before. */
    private static FetchSessionCache.Key key(
            MetadataImage image, boolean byId, Uuid topicId, String name, int partition) {
        if (byId) {
            TopicImage t = image.topic(topicId);
            return new FetchSessionCache.Key(topicId, t == null ? null : t.name(), partition);
        }
        return new FetchSessionCache.Key(null, name, partition);
    }

    /**
     * A fetch that may wait: counts the bytes that become readable in its partitions and, once
     * they may reach min_bytes, re-reads on its connection's event loop; completes when min_bytes
     * are there or time runs out.
     */
    private final class PendingFetch implements FetchPurgatory.Waiter, Runnable {
        private final RequestContext context;
        private final FetchRequest request;
        private final FetchSessionCache.Context session;
        /** Topics this fetch may not read (TOPIC_AUTHORIZATION_FAILED); null when none. */
        private final Set<String> denied;

        private final AtomicBoolean done = new AtomicBoolean();
        /** Bytes readable, as last read plus what appends announced since. */
        private final AtomicLong readable = new AtomicLong();

        private final AtomicBoolean wakeQueued = new AtomicBoolean();
        /** The follower's node id for a replica fetch, else negative. */
        private final int replicaId;

        PendingFetch(
                RequestContext context,
                FetchRequest request,
                FetchSessionCache.Context session,
                Set<String> denied,
                int replicaId) {
            this.replicaId = replicaId;
            this.denied = denied;
            this.context = context;
            this.request = request;
            this.session = session;
        }

        @Override
        public boolean tryComplete() {
            if (done.get()) {
                return true;
            }
            readable.set(0); // what is announced from now on comes on top of this read
            Read read = read();
            if (read.bytes >= request.minBytes() || read.errors) {
                respond(read);
                return true;
            }
            onReadable(read.bytes);
            return false;
        }

        @Override
        public void onReadable(int bytes) {
            if (readable.addAndGet(bytes) >= request.minBytes()
                    && !done.get()
                    && wakeQueued.compareAndSet(false, true)) {
                try {
                    context.executor().execute(this);
                } catch (RejectedExecutionException shuttingDown) {
                    wakeQueued.set(false); // the connection's loop is gone; the timer or shutdown answers
                }
            }
        }

        /** The queued wake: re-read on the connection's event loop. */
        @Override
        public void run() {
            wakeQueued.set(false);
            tryComplete();
        }

        @Override
        public void expire() {
            if (!done.get()) {
                respond(read());
            }
        }

        @Override
        public boolean isDone() {
            return done.get();
        }

        private void respond(Read read) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            int throttleMs = context.throttleFetch(read.bytes);
            context.respond(throttleMs > 0 ? throttled(throttleMs) : build(read));
        }

        /**
         * The answer to a client over its fetch quota, as Apache Kafka's: no partitions, the
         * throttle time, the session id only for an incremental fetch (a new session is not
         * announced).
         */
        private FetchResponse throttled(int throttleMs) {
            return new FetchResponse()
                    .setThrottleTimeMs(throttleMs)
                    .setErrorCode(Errors.NONE.code)
                    .setSessionId(request.sessionEpoch() <= 0 ? 0 : session.responseSessionId)
                    .setResponses(new ArrayList<>());
        }

        private Read read() {
            MetadataImage image = metadata.image();
            boolean replica = replicaId >= 0;
            boolean readCommitted = !replica && request.isolationLevel() == READ_COMMITTED;
            int remaining = Math.min(request.maxBytes(), context.fetchQuotaMaxBytes());
            boolean minOneBatch = true;
            Read out = new Read(session.partitions.size());
            for (FetchSessionCache.Partition p : session.partitions) {
                PartitionRead r = new PartitionRead(p);
                out.partitions.add(r);
                FetchSessionCache.Key k = p.key;
                if (denied != null && k.topic() != null && denied.contains(k.topic())) {
                    r.error = Errors.TOPIC_AUTHORIZATION_FAILED;
                    out.errors = true;
                    continue;
                }
                TopicImage topic = k.topic() == null ? null : image.topic(k.topic());
                if (topic == null || (k.topicId() != null && !k.topicId().equals(topic.id()))) {
                    r.error = k.topicId() != null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    out.errors = true;
                    continue;
                }
                if (k.partition() < 0 || k.partition() >= topic.partitions()) {
                    r.error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    out.errors = true;
                    continue;
                }
                Partition partition = partitions.partition(topic, k.partition());
                r.error = partition == null
                        ? partitions.missing(topic, k.partition())
                        : partition.checkLeaderEpoch(p.currentLeaderEpoch);
                if (r.error == Errors.NONE && replica) {
                    r.error = partition.updateFollowerFetchState(replicaId, p.fetchOffset, clockMs.getAsLong());
                }
                if (r.error != Errors.NONE) {
                    out.errors = true;
                    continue;
                }
                int limit = Math.max(0, Math.min(p.maxBytes, remaining));
                // The stable offset first: the watermark read after it is never below it.
                long lastStableOffset = partition.lastStableOffset();
                long highWatermark = partition.highWatermark();
                ReadResult result = partition
                        .log()
                        .read(
                                p.fetchOffset,
                                limit,
                                replica
                                        ? partition.log().logEndOffset()
                                        : readCommitted ? lastStableOffset : highWatermark,
                                minOneBatch,
                                readCommitted);
                r.error = StorageErrors.of(result.outcome());
                if (r.error != Errors.NONE) {
                    // As in Apache Kafka, a failed read answers no offsets (-1), not the partition's.
                    out.errors = true;
                    continue;
                }
                if (result.records() != null && result.records().sizeInBytes() > 0) {
                    if (context.apiVersion < MIN_VERSION_FOR_ZSTD
                            && result.records().anyBatchCompressedWith(Codecs.ZSTD)) {
                        // Clients this old cannot read zstd batches, as Apache Kafka says.
                        r.error = Errors.UNSUPPORTED_COMPRESSION_TYPE;
                        out.errors = true;
                        continue;
                    }
                    r.records = result.records();
                    int size = r.records.sizeInBytes();
                    remaining -= size;
                    out.bytes += size;
                    minOneBatch = false;
                }
                r.highWatermark = highWatermark;
                r.lastStableOffset = lastStableOffset;
                r.logStartOffset = result.logStartOffset();
                r.aborted = abortedTransactions(result.abortedTransactions());
            }
            return out;
        }

        private FetchResponse build(Read read) {
            boolean byId = context.apiVersion >= 13;
            List<FetchResponse.FetchableTopicResponse> topics = new ArrayList<>();
            FetchResponse.FetchableTopicResponse current = null;
            for (PartitionRead r : read.partitions) {
                FetchSessionCache.Key k = r.partition.key;
                int recordBytes = r.records == null ? 0 : r.records.sizeInBytes();
                if (k.topic() != null && !context.fromFollower() && servedTopic(r.error)) {
                    topicStats.fetched(k.topic(), r.error, recordBytes);
                }
                if (!session.include(
                        r.partition, r.error, r.highWatermark, r.lastStableOffset, r.logStartOffset, recordBytes)) {
                    continue;
                }
                boolean sameTopic = current != null
                        && (byId
                                ? current.topicId().equals(k.topicId())
                                : current.topic().equals(k.topic()));
                if (!sameTopic) {
                    current = new FetchResponse.FetchableTopicResponse().setPartitions(new ArrayList<>());
                    if (byId) {
                        current.setTopicId(k.topicId());
                    } else {
                        current.setTopic(k.topic());
                    }
                    topics.add(current);
                }
                current.partitions()
                        .add(new FetchResponse.PartitionData()
                                .setPartitionIndex(k.partition())
                                .setErrorCode(r.error.code)
                                .setHighWatermark(r.highWatermark)
                                .setLastStableOffset(r.lastStableOffset)
                                .setLogStartOffset(r.logStartOffset)
                                .setAbortedTransactions(r.aborted)
                                .setPreferredReadReplica(-1)
                                .setRecords(r.records == null ? EMPTY : r.records));
            }
            return new FetchResponse()
                    .setErrorCode(Errors.NONE.code)
                    .setSessionId(session.responseSessionId)
                    .setResponses(topics);
        }
    }

    /** Whether a partition answered {@code error} was of a topic that exists and may be read (what BrokerTopicMetrics counts). */
    private static boolean servedTopic(Errors error) {
        return error != Errors.UNKNOWN_TOPIC_OR_PARTITION
                && error != Errors.UNKNOWN_TOPIC_ID
                && error != Errors.TOPIC_AUTHORIZATION_FAILED;
    }

    /** The response form of the aborted transactions a read_committed read found; null for other reads. */
    private static List<FetchResponse.AbortedTransaction> abortedTransactions(List<AbortedTxn> found) {
        if (found == null) {
            return null;
        }
        List<FetchResponse.AbortedTransaction> out = new ArrayList<>(found.size());
        for (AbortedTxn txn : found) {
            out.add(new FetchResponse.AbortedTransaction()
                    .setProducerId(txn.producerId())
                    .setFirstOffset(txn.firstOffset()));
        }
        return out;
    }

    private static final class Read {
        final List<PartitionRead> partitions;
        int bytes;
        boolean errors;

        Read(int n) {
            partitions = new ArrayList<>(n);
        }
    }

    private static final class PartitionRead {
        final FetchSessionCache.Partition partition;
        Errors error = Errors.NONE;
        long highWatermark = -1;
        long lastStableOffset = -1;
        long logStartOffset = -1;
        Records records;
        /** A read_committed read's aborted transactions (empty when none); null otherwise and on errors, as Kafka sends. */
        List<FetchResponse.AbortedTransaction> aborted;

        PartitionRead(FetchSessionCache.Partition partition) {
            this.partition = partition;
        }
    }
}
