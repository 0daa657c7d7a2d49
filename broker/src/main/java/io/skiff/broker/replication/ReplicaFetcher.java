package io.skiff.broker.replication;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.skiff.broker.metadata.BrokerImage;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.partition.Partition;
import io.skiff.storage.AppendResult;
import io.skiff.storage.CorruptRecordsException;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.storage.UnexpectedAppendOffsetException;
import io.skiff.wire.message.FetchRequest;
import io.skiff.wire.message.FetchResponse;
import io.skiff.wire.message.ListOffsetsRequest;
import io.skiff.wire.message.ListOffsetsResponse;
import io.skiff.wire.message.OffsetForLeaderEpochRequest;
import io.skiff.wire.message.OffsetForLeaderEpochResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.Records;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetcher connection of this broker to one source broker (the leader of the partitions it
 * holds): a loop on one event loop that, for partitions that just started following, first asks the
 * leader where their epochs end (OffsetForLeaderEpoch) and truncates a divergent tail, then sends
 * Fetch requests with this broker's replica id, appends what comes back as it is
 * ({@link Partition#appendAsFollower}) and takes the leader's high watermark. One request in flight
 * at a time; a failed connection or request is retried after {@code replica.fetch.backoff.ms}.
 *
 * <p>Thread-safe: {@link #add} and {@link #remove} come from the metadata thread and are handed
 * to the event loop, which owns every field.
 */
final class ReplicaFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    static final short FETCH_VERSION = 15;
    static final short OFFSET_FOR_LEADER_EPOCH_VERSION = 4;
    static final short LIST_OFFSETS_VERSION = 7;
    private static final long EARLIEST_TIMESTAMP = -2L;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    /** A request not answered this long after its own wait (a hung leader) closes the connection. */
    private static final long REQUEST_TIMEOUT_MS = 30_000;

    /** Where a partition is in its following. */
    private enum Phase {
        /** Its divergent tail (if any) must be found and cut before it fetches. */
        TRUNCATING,
        /** Its log ends below the leader's log start: it starts again there. */
        RESETTING,
        FETCHING
    }

    private static final class State {
        final Partition partition;
        final Uuid topicId;
        final int leaderEpoch;
        Phase phase = Phase.TRUNCATING;
        /** The leader answered OFFSET_OUT_OF_RANGE to the last fetch. */
        boolean outOfRange;
        /** No request for this partition before this time (after an error). */
        long notBeforeNanos;

        State(Partition partition, Uuid topicId, int leaderEpoch) {
            this.partition = partition;
            this.topicId = topicId;
            this.leaderEpoch = leaderEpoch;
        }
    }

    private final int sourceBroker;
    private final ReplicationSettings settings;
    private final EventLoop loop;
    private final Class<? extends Channel> channelType;
    private final Supplier<MetadataImage> image;
    private final Map<TopicPartition, State> partitions = new LinkedHashMap<>();

    private BrokerConnection connection;
    /** Counts requests sent, so that a timeout knows whether its request was answered. */
    private long requestsSent;

    private boolean busy;
    private boolean closed;

    ReplicaFetcher(
            int sourceBroker,
            ReplicationSettings settings,
            EventLoop loop,
            Class<? extends Channel> channelType,
            Supplier<MetadataImage> image) {
        this.sourceBroker = sourceBroker;
        this.settings = settings;
        this.loop = loop;
        this.channelType = channelType;
        this.image = image;
    }

    /** Starts following {@code partition} from this source in {@code leaderEpoch}. */
    void add(Partition partition, Uuid topicId, int leaderEpoch) {
        loop.execute(() -> {
            partitions.put(partition.topicPartition(), new State(partition, topicId, leaderEpoch));
            next();
        });
    }

    void remove(TopicPartition tp) {
        loop.execute(() -> partitions.remove(tp));
    }

    void close() {
        loop.execute(() -> {
            closed = true;
            partitions.clear();
            if (connection != null) {
                connection.close();
            }
        });
    }

    /** Sends the next request if none is in flight; event loop only. */
    private void next() {
        if (busy || closed || partitions.isEmpty()) {
            return;
        }
        if (connection == null || !connection.isActive()) {
            connect();
            return;
        }
        long now = System.nanoTime();
        List<State> truncating = new ArrayList<>();
        List<State> resetting = new ArrayList<>();
        List<State> fetching = new ArrayList<>();
        long wakeAt = Long.MAX_VALUE;
        for (State s : partitions.values()) {
            if (s.notBeforeNanos - now > 0) {
                wakeAt = Math.min(wakeAt, s.notBeforeNanos);
            } else if (s.phase == Phase.TRUNCATING) {
                truncating.add(s);
            } else if (s.phase == Phase.RESETTING) {
                resetting.add(s);
            } else {
                fetching.add(s);
            }
        }
        if (!truncating.isEmpty()) {
            sendOffsetsForLeaderEpoch(truncating);
        } else if (!resetting.isEmpty()) {
            sendListEarliest(resetting);
        } else if (!fetching.isEmpty()) {
            sendFetch(fetching);
        } else if (wakeAt != Long.MAX_VALUE) {
            busy = true;
            loop.schedule(this::afterPause, Math.max(1, wakeAt - now), TimeUnit.NANOSECONDS);
        }
    }

    private void afterPause() {
        busy = false;
        next();
    }

    private void connect() {
        BrokerImage leader = image.get().brokers().get(sourceBroker);
        MetadataRecord.BrokerRegistered.Listener l =
                leader == null ? null : leader.listener(settings.interBrokerListener());
        if (l == null) {
            LOG.warn(
                    "Broker {} has no {} listener registered; its partitions are fetched once it has",
                    sourceBroker,
                    settings.interBrokerListener());
            backOffAll();
            return;
        }
        busy = true;
        BrokerConnection.connect(
                        loop,
                        channelType,
                        l.host(),
                        l.port(),
                        "skiff-replica-fetcher-" + settings.nodeId(),
                        CONNECT_TIMEOUT_MS)
                .whenComplete((c, e) -> loop.execute(() -> {
                    busy = false;
                    if (e != null) {
                        LOG.debug("Cannot connect to broker {}: {}", sourceBroker, e.toString());
                        backOffAll();
                        return;
                    }
                    if (closed) {
                        c.close();
                        return;
                    }
                    connection = c;
                    next();
                }));
    }

    /** Every partition waits replica.fetch.backoff.ms. */
    private void backOffAll() {
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.fetchBackoffMs());
        for (State s : partitions.values()) {
            s.notBeforeNanos = at;
        }
        busy = true;
        loop.schedule(this::afterPause, Math.max(1, settings.fetchBackoffMs()), TimeUnit.MILLISECONDS);
    }

    private void backOff(State s) {
        s.notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.fetchBackoffMs());
    }

    // ---------------------------------------------------------------------------------------------
    // truncation: OffsetForLeaderEpoch

    private void sendOffsetsForLeaderEpoch(List<State> states) {
        Map<String, OffsetForLeaderEpochRequest.OffsetForLeaderTopic> topics = new LinkedHashMap<>();
        for (State s : states) {
            PartitionLog log = s.partition.log();
            int latest = log.latestEpoch();
            if (latest < 0) {
                // Nothing written under any epoch here (an empty log): nothing can diverge.
                s.phase = s.outOfRange ? Phase.RESETTING : Phase.FETCHING;
                continue;
            }
            String topic = s.partition.topicPartition().topic();
            topics.computeIfAbsent(
                            topic,
                            t -> new OffsetForLeaderEpochRequest.OffsetForLeaderTopic()
                                    .setTopic(t)
                                    .setPartitions(new ArrayList<>()))
                    .partitions()
                    .add(new OffsetForLeaderEpochRequest.OffsetForLeaderPartition()
                            .setPartition(s.partition.topicPartition().partition())
                            .setCurrentLeaderEpoch(s.leaderEpoch)
                            .setLeaderEpoch(latest));
        }
        if (topics.isEmpty()) {
            next();
            return;
        }
        OffsetForLeaderEpochRequest request = new OffsetForLeaderEpochRequest()
                .setReplicaId(settings.nodeId())
                .setTopics(new ArrayList<>(topics.values()));
        busy = true;
        armTimeout(0);
        connection
                .<OffsetForLeaderEpochResponse>send(
                        ApiKeys.OFFSET_FOR_LEADER_EPOCH, OFFSET_FOR_LEADER_EPOCH_VERSION, request)
                .whenComplete((response, e) -> loop.execute(() -> {
                    busy = false;
                    if (e != null) {
                        onRequestFailure(e);
                        return;
                    }
                    onEpochEnds(response);
                    next();
                }));
    }

    private void onEpochEnds(OffsetForLeaderEpochResponse response) {
        for (OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult t : response.topics()) {
            for (OffsetForLeaderEpochResponse.EpochEndOffset p : t.partitions()) {
                State s = partitions.get(new TopicPartition(t.topic(), p.partition()));
                if (s == null || s.phase != Phase.TRUNCATING) {
                    continue;
                }
                Errors error = Errors.forCode(p.errorCode());
                if (error != Errors.NONE) {
                    LOG.debug("OffsetForLeaderEpoch of {} from broker {}: {}", s.partition, sourceBroker, error);
                    backOff(s);
                    continue;
                }
                truncate(s, p.leaderEpoch(), p.endOffset());
            }
        }
    }

    /**
     * Cuts the follower's log where it diverges from the leader's, as Kafka's fetcher does: the
     * leader's end of the newest epoch both know, never above the follower's own end of it; the high
     * watermark when the leader knows no such epoch.
     */
    private void truncate(State s, int leaderEpoch, long leaderEndOffset) {
        PartitionLog log = s.partition.log();
        long[] local = leaderEpoch < 0 ? null : log.endOffsetForEpoch(leaderEpoch);
        long to = truncationOffset(
                leaderEpoch,
                leaderEndOffset,
                local != null && local[0] == leaderEpoch ? local[1] : -1,
                log.logEndOffset(),
                s.partition.highWatermark());
        try {
            if (to < log.logEndOffset()) {
                LOG.info(
                        "Truncating {} from {} to {}: the leader {} ends epoch {} at {}",
                        s.partition.topicPartition(),
                        log.logEndOffset(),
                        to,
                        sourceBroker,
                        leaderEpoch,
                        leaderEndOffset);
            }
            boolean nothingCut = to >= log.logEndOffset();
            if (s.partition.truncateTo(to, s.leaderEpoch)) {
                // Out of range with nothing to cut: this log ends below the leader's start.
                s.phase = s.outOfRange && nothingCut ? Phase.RESETTING : Phase.FETCHING;
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot truncate {} to {}", s.partition.topicPartition(), to, e);
            backOff(s);
        }
    }

    /**
     * Where a follower's log is cut: the leader's end of {@code leaderEpoch} (the newest epoch both
     * know), never above the follower's own end of that epoch ({@code localEndOfEpoch}, -1 when the
     * follower has no such epoch: its log end counts) nor its log end; its high watermark when the
     * leader knows no such epoch ({@code leaderEpoch} or {@code leaderEndOffset} -1).
     */
    static long truncationOffset(
            int leaderEpoch, long leaderEndOffset, long localEndOfEpoch, long logEndOffset, long highWatermark) {
        if (leaderEpoch < 0 || leaderEndOffset < 0) {
            return Math.min(highWatermark, logEndOffset);
        }
        long localEnd = localEndOfEpoch >= 0 ? localEndOfEpoch : logEndOffset;
        return Math.min(Math.min(leaderEndOffset, localEnd), logEndOffset);
    }

    // ---------------------------------------------------------------------------------------------
    // fetching

    private void sendFetch(List<State> states) {
        Map<Uuid, FetchRequest.FetchTopic> topics = new LinkedHashMap<>();
        Map<Uuid, String> names = new HashMap<>();
        for (State s : states) {
            PartitionLog log = s.partition.log();
            names.put(s.topicId, s.partition.topicPartition().topic());
            topics.computeIfAbsent(
                            s.topicId,
                            id -> new FetchRequest.FetchTopic().setTopicId(id).setPartitions(new ArrayList<>()))
                    .partitions()
                    .add(new FetchRequest.FetchPartition()
                            .setPartition(s.partition.topicPartition().partition())
                            .setCurrentLeaderEpoch(s.leaderEpoch)
                            .setFetchOffset(log.logEndOffset())
                            .setLastFetchedEpoch(log.latestEpoch())
                            .setLogStartOffset(log.logStartOffset())
                            .setPartitionMaxBytes(settings.fetchMaxBytes()));
        }
        FetchRequest request = new FetchRequest()
                .setReplicaState(new FetchRequest.ReplicaState()
                        .setReplicaId(settings.nodeId())
                        .setReplicaEpoch(-1))
                .setMaxWaitMs(settings.fetchWaitMaxMs())
                .setMinBytes(settings.fetchMinBytes())
                .setMaxBytes(settings.fetchResponseMaxBytes())
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(new ArrayList<>(topics.values()))
                .setForgottenTopicsData(new ArrayList<>())
                .setRackId("");
        busy = true;
        armTimeout(settings.fetchWaitMaxMs());
        connection
                .<FetchResponse>send(ApiKeys.FETCH, FETCH_VERSION, request)
                .whenComplete((response, e) -> loop.execute(() -> {
                    busy = false;
                    if (e != null) {
                        onRequestFailure(e);
                        return;
                    }
                    try {
                        onFetched(response, names);
                    } finally {
                        response.release();
                    }
                    next();
                }));
    }

    private void onFetched(FetchResponse response, Map<Uuid, String> names) {
        Errors top = Errors.forCode(response.errorCode());
        if (top != Errors.NONE) {
            LOG.debug("Fetch from broker {} failed: {}", sourceBroker, top);
            backOffAll();
            return;
        }
        for (FetchResponse.FetchableTopicResponse t : response.responses()) {
            String topic = names.get(t.topicId());
            for (FetchResponse.PartitionData p : t.partitions()) {
                State s = topic == null ? null : partitions.get(new TopicPartition(topic, p.partitionIndex()));
                if (s != null && s.phase == Phase.FETCHING) {
                    onPartition(s, p);
                }
            }
        }
    }

    private void onPartition(State s, FetchResponse.PartitionData p) {
        Errors error = Errors.forCode(p.errorCode());
        if (error == Errors.OFFSET_OUT_OF_RANGE) {
            // The leader's log is shorter (a divergent tail here) or starts later: find out again.
            s.phase = Phase.TRUNCATING;
            s.outOfRange = true;
            backOff(s);
            return;
        }
        if (error != Errors.NONE) {
            // Leadership moved (the metadata will say where) or the leader is not ready yet.
            LOG.debug("Fetch of {} from broker {}: {}", s.partition.topicPartition(), sourceBroker, error);
            backOff(s);
            return;
        }
        Records records = p.records();
        if (records instanceof ByteBufRecords b && b.sizeInBytes() > 0) {
            AppendResult r;
            try {
                r = s.partition.appendAsFollower(b.buffer(), s.leaderEpoch);
            } catch (UnexpectedAppendOffsetException e) {
                // The batches do not start at this log's end: find where the logs agree again.
                LOG.warn(
                        "Fetched batches of {} do not follow its log end: {}",
                        s.partition.topicPartition(),
                        e.getMessage());
                s.phase = Phase.TRUNCATING;
                backOff(s);
                return;
            } catch (CorruptRecordsException e) {
                LOG.error(
                        "Corrupt batches of {} fetched from broker {}", s.partition.topicPartition(), sourceBroker, e);
                backOff(s);
                return;
            }
            if (r == null) {
                return; // no longer following in this epoch: the metadata thread removes it
            }
            if (!r.isSuccess()) {
                LOG.error(
                        "Cannot append the batches of {} fetched from broker {}: {}",
                        s.partition.topicPartition(),
                        sourceBroker,
                        r.diagnostic());
                backOff(s);
                return;
            }
        }
        s.outOfRange = false;
        s.partition.updateFollowerHighWatermark(p.highWatermark());
    }

    // ---------------------------------------------------------------------------------------------
    // a log that ends below the leader's start: ListOffsets (earliest)

    private void sendListEarliest(List<State> states) {
        Map<String, ListOffsetsRequest.ListOffsetsTopic> topics = new LinkedHashMap<>();
        for (State s : states) {
            String topic = s.partition.topicPartition().topic();
            topics.computeIfAbsent(
                            topic,
                            t -> new ListOffsetsRequest.ListOffsetsTopic()
                                    .setName(t)
                                    .setPartitions(new ArrayList<>()))
                    .partitions()
                    .add(new ListOffsetsRequest.ListOffsetsPartition()
                            .setPartitionIndex(s.partition.topicPartition().partition())
                            .setCurrentLeaderEpoch(s.leaderEpoch)
                            .setTimestamp(EARLIEST_TIMESTAMP));
        }
        ListOffsetsRequest request = new ListOffsetsRequest()
                .setReplicaId(settings.nodeId())
                .setIsolationLevel((byte) 0)
                .setTopics(new ArrayList<>(topics.values()));
        busy = true;
        armTimeout(0);
        connection
                .<ListOffsetsResponse>send(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, request)
                .whenComplete((response, e) -> loop.execute(() -> {
                    busy = false;
                    if (e != null) {
                        onRequestFailure(e);
                        return;
                    }
                    onEarliest(response);
                    next();
                }));
    }

    private void onEarliest(ListOffsetsResponse response) {
        for (ListOffsetsResponse.ListOffsetsTopicResponse t : response.topics()) {
            for (ListOffsetsResponse.ListOffsetsPartitionResponse p : t.partitions()) {
                State s = partitions.get(new TopicPartition(t.name(), p.partitionIndex()));
                if (s == null || s.phase != Phase.RESETTING) {
                    continue;
                }
                if (Errors.forCode(p.errorCode()) != Errors.NONE) {
                    backOff(s);
                    continue;
                }
                long leaderStart = p.offset();
                try {
                    PartitionLog log = s.partition.log();
                    if (log.logEndOffset() < leaderStart) {
                        LOG.info(
                                "{} ends at {}, below the start {} of the leader {}: starting again there",
                                s.partition.topicPartition(),
                                log.logEndOffset(),
                                leaderStart,
                                sourceBroker);
                        if (!s.partition.truncateFullyAndStartAt(leaderStart, s.leaderEpoch)) {
                            continue;
                        }
                    } else {
                        backOff(s);
                    }
                    s.outOfRange = false;
                    s.phase = Phase.FETCHING;
                } catch (IOException | RuntimeException e) {
                    LOG.error("Cannot start {} at {}", s.partition.topicPartition(), leaderStart, e);
                    backOff(s);
                }
            }
        }
    }

    /** Closes the connection if the request about to be sent is still unanswered after its wait plus 30 s. */
    private void armTimeout(long waitMs) {
        long sent = ++requestsSent;
        BrokerConnection c = connection;
        loop.schedule(
                () -> {
                    if (busy && requestsSent == sent && connection == c) {
                        LOG.warn("Broker {} did not answer a replica request in time; reconnecting", sourceBroker);
                        c.close();
                    }
                },
                waitMs + REQUEST_TIMEOUT_MS,
                TimeUnit.MILLISECONDS);
    }

    private void onRequestFailure(Throwable e) {
        LOG.debug("Request to broker {} failed: {}", sourceBroker, e.toString());
        if (connection != null) {
            connection.close();
            connection = null;
        }
        backOffAll();
    }
}
