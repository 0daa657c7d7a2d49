package io.skiff.coordinator.group;

import io.skiff.coordinator.group.assignor.PartitionAssignor;
import io.skiff.coordinator.group.assignor.RangeAssignor;
import io.skiff.coordinator.group.assignor.UniformAssignor;
import io.skiff.coordinator.group.offsets.OffsetAndMetadata;
import io.skiff.coordinator.group.offsets.OffsetStore;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.CoordinatorLog;
import io.skiff.coordinator.runtime.CoordinatorShard;
import io.skiff.coordinator.runtime.CoordinatorShards;
import io.skiff.coordinator.runtime.CoordinatorTimer;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.coordinator.runtime.ShardExecutors;
import io.skiff.coordinator.runtime.ShardedCoordinator;
import io.skiff.wire.message.ConsumerGroupDescribeRequest;
import io.skiff.wire.message.ConsumerGroupDescribeResponse;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.DeleteGroupsRequest;
import io.skiff.wire.message.DeleteGroupsResponse;
import io.skiff.wire.message.DescribeGroupsRequest;
import io.skiff.wire.message.DescribeGroupsResponse;
import io.skiff.wire.message.HeartbeatRequest;
import io.skiff.wire.message.HeartbeatResponse;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.message.ListGroupsRequest;
import io.skiff.wire.message.ListGroupsResponse;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.message.OffsetDeleteRequest;
import io.skiff.wire.message.OffsetDeleteResponse;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.message.SyncGroupRequest;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * The group coordinator: the entry points the broker's request handlers call, one per API, each
 * taking the decoded request message (and a {@link RequestContext} with the request version and
 * client) and returning a future of the complete response message for that version (throttle
 * time left at zero for the broker to set). Handlers are thin adapters: authorization and
 * throttling stay in the broker.
 *
 * <p><b>Threading.</b> Every {@code __consumer_offsets} partition hosted here is a
 * {@link CoordinatorShard} running a {@link GroupCoordinatorShard} on one of
 * {@code group.coordinator.threads} threads, kept in a {@link CoordinatorShards}; all methods here
 * are thread-safe and never block:
 * they route to the shard of {@link #partitionFor(String)} (or fan out to several) and return at
 * once. Futures complete on a shard thread, after the records an operation wrote (and all records
 * written before) are durable in the partition's log. Responses never fail exceptionally: errors
 * are in the response, as Kafka gives them.
 *
 * <p><b>Buffers.</b> Nothing here holds a request's {@code ByteBuf}: request messages are read
 * while the call runs or copied by the operation (byte arrays of generated messages are owned by
 * the messages), so the broker may release the request buffer as soon as the call returns.
 * Response messages are fresh objects owned by the caller.
 *
 * <p><b>Partitions.</b> The broker calls {@link #onElection} when it becomes leader of a
 * partition of {@code __consumer_offsets} (the shard loads it; requests get
 * COORDINATOR_LOAD_IN_PROGRESS meanwhile) and {@link #onResignation} when it stops, both fenced by
 * leader epoch (see {@link ShardedCoordinator}); groups of other partitions get NOT_COORDINATOR.
 */
public final class GroupCoordinator implements ShardedCoordinator {
    /** The topic whose partitions hold the groups. */
    public static final String OFFSETS_TOPIC = "__consumer_offsets";

    private final GroupCoordinatorConfig config;
    private final TopicsView topics;
    private final Clock clock;
    private final CoordinatorTimer timer;
    private final GroupMetrics metrics = new GroupMetrics();
    private final Map<String, PartitionAssignor> assignors = new LinkedHashMap<>();
    private final CoordinatorShards<GroupCoordinatorShard> shards;
    private volatile boolean active = true;

    /**
     * @param executorForPartition the executor of each partition's shard: it must run a shard's
     *                             tasks one at a time, in order; null for
     *                             {@code group.coordinator.threads} threads owned by the coordinator
     */
    public GroupCoordinator(
            GroupCoordinatorConfig config,
            TopicsView topics,
            Clock clock,
            CoordinatorTimer timer,
            IntFunction<Executor> executorForPartition) {
        this.config = config;
        this.topics = topics;
        this.clock = clock;
        this.timer = timer;
        for (String name : config.consumerGroupAssignors()) {
            assignors.put(name, name.equals(RangeAssignor.NAME) ? new RangeAssignor() : new UniformAssignor());
        }
        ShardExecutors executors = executorForPartition != null
                ? ShardExecutors.of(executorForPartition)
                : ShardExecutors.owned(config.threads(), "skiff-group-coordinator-");
        this.shards = new CoordinatorShards<>(
                OFFSETS_TOPIC,
                GroupRecords.SERDE,
                p -> new GroupCoordinatorShard(p, config, topics, metrics, assignors, clock),
                executors,
                clock,
                timer,
                config.maxMessageBytes());
    }

    public GroupCoordinatorConfig config() {
        return config;
    }

    public GroupMetrics metrics() {
        return metrics;
    }

    /** The {@code __consumer_offsets} partition of a group: Kafka's {@code abs(hashCode) % partitions}. */
    @Override
    public int partitionFor(String groupId) {
        int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % config.offsetsTopicPartitions();
    }

    // -------------------------------------------------------------------------------------------
    // Partition life cycle.

    /**
     * This broker leads {@code partition} in {@code leaderEpoch} now: its shard loads the log and
     * then serves the partition's groups. The future completes when the load is done.
     */
    @Override
    public CompletableFuture<Void> onElection(int partition, int leaderEpoch, CoordinatorLog log) {
        return shards.elect(partition, leaderEpoch, log);
    }

    /** This broker no longer leads {@code partition}: pending requests get NOT_COORDINATOR. */
    @Override
    public CompletableFuture<Void> onResignation(int partition, int leaderEpoch) {
        return shards.resign(partition, leaderEpoch);
    }

    @Override
    public boolean hosts(int partition) {
        return shards.hosts(partition);
    }

    /** The shard of a partition, or null (for tests and diagnostics). */
    public CoordinatorShard<GroupCoordinatorShard> shard(int partition) {
        return shards.shard(partition);
    }

    /**
     * Topics were created, deleted or got partitions: consumer groups that subscribe to them get
     * a new epoch and their members a new assignment; regular expressions are resolved again.
     */
    public CompletableFuture<Void> onTopicsChanged() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (CoordinatorShard<GroupCoordinatorShard> shard : shards.all()) {
            all.add(shard.submit("topics-changed", ctx -> shard.state().onTopicsChanged(ctx))
                    .exceptionally(t -> null));
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }

    /** Topics were deleted: their committed offsets are deleted in every group. */
    public CompletableFuture<Void> onTopicsDeleted(Collection<String> topicNames) {
        List<String> names = new ArrayList<>(topicNames);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (CoordinatorShard<GroupCoordinatorShard> shard : shards.all()) {
            all.add(shard.submit("topics-deleted", ctx -> shard.state().onTopicsDeleted(ctx, names))
                    .exceptionally(t -> null));
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }

    /** One committed offset of a group: what consumer lag is measured from. */
    public record CommittedOffset(String groupId, String topic, int partition, long offset) {}

    /**
     * Every committed offset of the groups this node coordinates (transactional offsets once
     * their transaction committed), read on each shard's own thread; a shard that cannot answer
     * (loading, closing) is left out. For metrics, not for the request path.
     */
    public CompletableFuture<List<CommittedOffset>> committedOffsets() {
        List<CompletableFuture<List<CommittedOffset>>> futures = new ArrayList<>();
        for (CoordinatorShard<GroupCoordinatorShard> shard : shards.all()) {
            futures.add(shard.submit(
                            "committed-offsets",
                            ctx -> committedOffsets(shard.state().offsets()))
                    .exceptionally(t -> List.of()));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    List<CommittedOffset> all = new ArrayList<>();
                    for (CompletableFuture<List<CommittedOffset>> f : futures) {
                        all.addAll(f.join());
                    }
                    return all;
                });
    }

    private static List<CommittedOffset> committedOffsets(OffsetStore store) {
        List<CommittedOffset> out = new ArrayList<>();
        for (String groupId : store.groupIds()) {
            for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t :
                    store.offsets(groupId).entrySet()) {
                for (Map.Entry<Integer, OffsetAndMetadata> p : t.getValue().entrySet()) {
                    out.add(new CommittedOffset(groupId, t.getKey(), p.getKey(), p.getValue().committedOffset));
                }
            }
        }
        return out;
    }

    /** Stops every shard (pending requests get NOT_COORDINATOR) and the owned threads. */
    @Override
    public void close() {
        active = false;
        shards.close();
    }

    // -------------------------------------------------------------------------------------------
    // Routing.

    private Errors unavailable(String groupId) {
        if (!active) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        return shards.hosts(partitionFor(groupId)) ? null : Errors.NOT_COORDINATOR;
    }

    private <R> CompletableFuture<R> run(
            String name, String groupId, BiFunction<GroupCoordinatorShard, OperationContext, R> op) {
        if (!active) {
            return CompletableFuture.failedFuture(new CoordinatorException(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        CoordinatorShard<GroupCoordinatorShard> shard = shards.shard(partitionFor(groupId));
        if (shard == null) {
            return CompletableFuture.failedFuture(new CoordinatorException(Errors.NOT_COORDINATOR));
        }
        return shard.submit(name, ctx -> op.apply(shard.state(), ctx));
    }

    private static boolean invalidGroupId(String groupId) {
        return groupId == null || groupId.isEmpty();
    }

    // -------------------------------------------------------------------------------------------
    // Classic protocol.

    /** JoinGroup, versions 0-9. */
    public CompletableFuture<JoinGroupResponse> joinGroup(RequestContext rc, JoinGroupRequest request) {
        short version = rc.apiVersion();
        if (invalidGroupId(request.groupId())) {
            return done(joinError(request.memberId(), Errors.INVALID_GROUP_ID, version));
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return done(joinError(request.memberId(), Errors.INVALID_SESSION_TIMEOUT, version));
        }
        Errors unavailable = unavailable(request.groupId());
        if (unavailable != null) {
            return done(joinError(request.memberId(), unavailable, version));
        }
        CompletableFuture<JoinGroupResponse> response = new CompletableFuture<>();
        run("join-group", request.groupId(), (s, ctx) -> s.joinGroup(ctx, rc, request, response))
                .whenComplete((ignored, error) -> {
                    if (error != null) {
                        response.complete(joinError("", CoordinatorException.errorOf(error), version));
                    }
                });
        return response.handle((r, error) ->
                fixJoin(error == null ? r : joinError("", CoordinatorException.errorOf(error), version), version));
    }

    private static JoinGroupResponse joinError(String memberId, Errors error, short version) {
        return fixJoin(
                new JoinGroupResponse()
                        .setMemberId(memberId == null ? "" : memberId)
                        .setErrorCode(error.code),
                version);
    }

    private static JoinGroupResponse fixJoin(JoinGroupResponse r, short version) {
        // Before version 7 the protocol name cannot be null; from 7 on Kafka sends null, not "",
        // when no protocol was selected (every error response).
        if (version < 7 && r.protocolName() == null) {
            r.setProtocolName("");
        } else if (version >= 7 && r.protocolName() != null && r.protocolName().isEmpty()) {
            r.setProtocolName(null);
        }
        if (r.leader() == null) {
            r.setLeader("");
        }
        return r;
    }

    /** SyncGroup, versions 0-5. */
    public CompletableFuture<SyncGroupResponse> syncGroup(RequestContext rc, SyncGroupRequest request) {
        if (rc.apiVersion() >= 5 && (request.protocolType() == null || request.protocolName() == null)) {
            // Mandatory since version 5 (Kafka checks this before anything else).
            return done(new SyncGroupResponse().setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code));
        }
        if (invalidGroupId(request.groupId())) {
            return done(new SyncGroupResponse().setErrorCode(Errors.INVALID_GROUP_ID.code));
        }
        Errors unavailable = unavailable(request.groupId());
        if (unavailable != null) {
            return done(new SyncGroupResponse().setErrorCode(unavailable.code));
        }
        CompletableFuture<SyncGroupResponse> response = new CompletableFuture<>();
        run("sync-group", request.groupId(), (s, ctx) -> s.syncGroup(ctx, request, response))
                .whenComplete((ignored, error) -> {
                    if (error != null) {
                        response.complete(
                                new SyncGroupResponse().setErrorCode(CoordinatorException.errorOf(error).code));
                    }
                });
        return response.handle((r, error) ->
                error == null ? r : new SyncGroupResponse().setErrorCode(CoordinatorException.errorOf(error).code));
    }

    /** Heartbeat, versions 0-4. */
    public CompletableFuture<HeartbeatResponse> heartbeat(RequestContext rc, HeartbeatRequest request) {
        if (invalidGroupId(request.groupId())) {
            return done(new HeartbeatResponse().setErrorCode(Errors.INVALID_GROUP_ID.code));
        }
        return run("heartbeat", request.groupId(), (s, ctx) -> s.heartbeat(ctx, request))
                .handle((r, error) -> {
                    if (error == null) {
                        return r;
                    }
                    Errors e = CoordinatorException.errorOf(error);
                    // While the group loads, heartbeats are answered blindly, as Kafka does.
                    return new HeartbeatResponse()
                            .setErrorCode(e == Errors.COORDINATOR_LOAD_IN_PROGRESS ? Errors.NONE.code : e.code);
                });
    }

    /** LeaveGroup, versions 0-5 (batched from version 3). */
    public CompletableFuture<LeaveGroupResponse> leaveGroup(RequestContext rc, LeaveGroupRequest request) {
        short version = rc.apiVersion();
        List<LeaveGroupRequest.MemberIdentity> members;
        if (version < 3) {
            members = List.of(new LeaveGroupRequest.MemberIdentity().setMemberId(request.memberId()));
        } else {
            members = request.members();
        }
        if (invalidGroupId(request.groupId())) {
            return done(new LeaveGroupResponse().setErrorCode(Errors.INVALID_GROUP_ID.code));
        }
        return run("leave-group", request.groupId(), (s, ctx) -> s.leaveGroup(ctx, request.groupId(), members))
                .handle((r, error) -> {
                    LeaveGroupResponse out = r;
                    if (error != null) {
                        Errors e = CoordinatorException.errorOf(error);
                        if (e == Errors.UNKNOWN_MEMBER_ID) {
                            List<LeaveGroupResponse.MemberResponse> ms = new ArrayList<>();
                            for (LeaveGroupRequest.MemberIdentity m : members) {
                                ms.add(new LeaveGroupResponse.MemberResponse()
                                        .setMemberId(m.memberId())
                                        .setGroupInstanceId(m.groupInstanceId())
                                        .setErrorCode(e.code));
                            }
                            out = new LeaveGroupResponse().setMembers(ms);
                        } else {
                            out = new LeaveGroupResponse().setErrorCode(e.code);
                        }
                    }
                    if (version < 3) {
                        // Versions 0-2 leave one member and report its error at the top level.
                        short code = out.errorCode();
                        if (code == Errors.NONE.code && !out.members().isEmpty()) {
                            code = out.members().get(0).errorCode();
                        }
                        out = new LeaveGroupResponse().setErrorCode(code);
                    }
                    return out;
                });
    }

    // -------------------------------------------------------------------------------------------
    // Offsets.

    /**
     * OffsetCommit, versions 2-10. As Kafka's handler does, partitions of unknown topics (or
     * unknown partitions) are answered UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID for unknown ids
     * in v10) without consulting the group, and listed first; the others go to the group's shard.
     */
    public CompletableFuture<OffsetCommitResponse> commitOffsets(RequestContext rc, OffsetCommitRequest request) {
        short version = rc.apiVersion();
        CommitResponses.Plain response = new CommitResponses.Plain(version);
        OffsetCommitRequest valid = new OffsetCommitRequest()
                .setGroupId(request.groupId())
                .setGenerationIdOrMemberEpoch(request.generationIdOrMemberEpoch())
                .setMemberId(request.memberId())
                .setGroupInstanceId(request.groupInstanceId())
                .setRetentionTimeMs(request.retentionTimeMs());
        for (OffsetCommitRequest.OffsetCommitRequestTopic t : request.topics()) {
            String name = version >= 10 ? topics.topicName(t.topicId()) : t.name();
            int numPartitions = name == null ? -1 : topics.numPartitions(name);
            OffsetCommitRequest.OffsetCommitRequestTopic validTopic = new OffsetCommitRequest.OffsetCommitRequestTopic()
                    .setName(name)
                    .setTopicId(t.topicId());
            for (OffsetCommitRequest.OffsetCommitRequestPartition p : t.partitions()) {
                if (name == null) {
                    response.add(
                            t,
                            p.partitionIndex(),
                            version >= 10 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (numPartitions < 0 || p.partitionIndex() < 0 || p.partitionIndex() >= numPartitions) {
                    response.add(t, p.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    validTopic.partitions().add(p);
                }
            }
            if (!validTopic.partitions().isEmpty()) {
                valid.topics().add(validTopic);
            }
        }
        if (valid.topics().isEmpty()) {
            return done(response.build());
        }
        if (request.groupId() == null) {
            response.addAll(valid, Errors.INVALID_GROUP_ID);
            return done(response.build());
        }
        return run("commit-offsets", request.groupId(), (s, ctx) -> s.commitOffsets(ctx, rc, valid))
                .handle((r, error) -> {
                    if (error == null) {
                        response.merge(r);
                    } else {
                        response.addAll(valid, CoordinatorException.errorOf(error));
                    }
                    return response.build();
                });
    }

    /**
     * TxnOffsetCommit, versions 0-5. As Kafka's handler does, partitions of unknown topics (or
     * unknown partitions) are answered UNKNOWN_TOPIC_OR_PARTITION without consulting the group,
     * and listed first; the others go to the group's shard, which appends them as records of the
     * producer's transaction: they become the group's committed offsets when the commit marker of
     * the transaction is written to the partition ({@link #completeTransaction}) and are dropped by
     * an abort marker. Group errors (INVALID_GROUP_ID, NOT_COORDINATOR, ILLEGAL_GENERATION,
     * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ...) go to every partition that exists.
     */
    public CompletableFuture<TxnOffsetCommitResponse> commitTransactionalOffsets(
            RequestContext rc, TxnOffsetCommitRequest request) {
        CommitResponses.Transactional response = new CommitResponses.Transactional();
        TxnOffsetCommitRequest valid = new TxnOffsetCommitRequest()
                .setTransactionalId(request.transactionalId())
                .setGroupId(request.groupId())
                .setProducerId(request.producerId())
                .setProducerEpoch(request.producerEpoch())
                .setGenerationId(request.generationId())
                .setMemberId(request.memberId() == null ? "" : request.memberId())
                .setGroupInstanceId(request.groupInstanceId());
        for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic t : request.topics()) {
            int numPartitions = t.name() == null ? -1 : topics.numPartitions(t.name());
            TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic validTopic =
                    new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic().setName(t.name());
            for (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition p : t.partitions()) {
                if (numPartitions < 0 || p.partitionIndex() < 0 || p.partitionIndex() >= numPartitions) {
                    response.add(t.name(), p.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    validTopic.partitions().add(p);
                }
            }
            if (!validTopic.partitions().isEmpty()) {
                valid.topics().add(validTopic);
            }
        }
        if (valid.topics().isEmpty()) {
            return done(response.build());
        }
        if (!active) {
            response.addAll(valid, Errors.COORDINATOR_NOT_AVAILABLE);
            return done(response.build());
        }
        if (invalidGroupId(request.groupId())) {
            response.addAll(valid, Errors.INVALID_GROUP_ID);
            return done(response.build());
        }
        return run("txn-commit-offsets", request.groupId(), (s, ctx) -> s.commitTransactionalOffsets(ctx, valid))
                .handle((r, error) -> {
                    if (error == null) {
                        response.merge(r);
                    } else {
                        response.addAll(valid, CoordinatorException.errorOf(error));
                    }
                    return response.build();
                });
    }

    /**
     * Ends a producer's transaction in {@code __consumer_offsets} partition {@code partition}:
     * writes the commit ({@code commit}) or abort marker, with {@code coordinatorEpoch}, through
     * the partition's shard, whose replay of it commits or drops the producer's pending
     * transactional offsets. Completes with NONE once the marker is durable, or with the error:
     * NOT_COORDINATOR when the partition is not hosted here (or stops being led),
     * COORDINATOR_LOAD_IN_PROGRESS while it loads, COORDINATOR_NOT_AVAILABLE after
     * {@link #close}, or the mapped write error. Never fails exceptionally. Kafka's WriteTxnMarkers
     * handler answers the first three as NOT_LEADER_OR_FOLLOWER to the transaction coordinator.
     */
    public CompletableFuture<Errors> completeTransaction(
            int partition, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
        if (!active) {
            return done(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        CoordinatorShard<GroupCoordinatorShard> shard = shards.shard(partition);
        if (shard == null) {
            return done(Errors.NOT_COORDINATOR);
        }
        return shard.submit(
                        "write-txn-marker",
                        ctx -> shard.state()
                                .completeTransaction(ctx, producerId, producerEpoch, coordinatorEpoch, commit))
                .handle((r, error) -> error == null ? r : CoordinatorException.errorOf(error));
    }

    /**
     * OffsetFetch, versions 1-10: one group (versions 1-7) or several (8+), each answered by its
     * own shard once all earlier writes of the shard are durable. With {@code require_stable}
     * (version 7+), partitions with pending transactional offsets are answered
     * UNSTABLE_OFFSET_COMMIT; without it they show their committed offset.
     */
    public CompletableFuture<OffsetFetchResponse> fetchOffsets(RequestContext rc, OffsetFetchRequest request) {
        short version = rc.apiVersion();
        boolean requireStable = version >= 7 && request.requireStable();
        List<OffsetFetchRequest.OffsetFetchRequestGroup> groups = new ArrayList<>();
        if (version < 8) {
            List<OffsetFetchRequest.OffsetFetchRequestTopics> ts = null;
            if (request.topics() != null) {
                ts = new ArrayList<>();
                for (OffsetFetchRequest.OffsetFetchRequestTopic t : request.topics()) {
                    ts.add(new OffsetFetchRequest.OffsetFetchRequestTopics()
                            .setName(t.name())
                            .setPartitionIndexes(new ArrayList<>(t.partitionIndexes())));
                }
            }
            groups.add(new OffsetFetchRequest.OffsetFetchRequestGroup()
                    .setGroupId(request.groupId())
                    .setTopics(ts));
        } else {
            groups.addAll(request.groups());
        }
        List<CompletableFuture<OffsetFetchResponse.OffsetFetchResponseGroup>> futures = new ArrayList<>();
        for (OffsetFetchRequest.OffsetFetchRequestGroup g : groups) {
            if (g.groupId() == null) {
                futures.add(done(new OffsetFetchResponse.OffsetFetchResponseGroup()
                        .setGroupId(null)
                        .setErrorCode(Errors.INVALID_GROUP_ID.code)));
                continue;
            }
            futures.add(run("fetch-offsets", g.groupId(), (s, ctx) -> s.fetchOffsets(rc, g, requireStable))
                    .handle((r, error) -> error == null
                            ? r
                            : new OffsetFetchResponse.OffsetFetchResponseGroup()
                                    .setGroupId(g.groupId())
                                    .setErrorCode(CoordinatorException.errorOf(error).code)));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    List<OffsetFetchResponse.OffsetFetchResponseGroup> results = new ArrayList<>();
                    for (CompletableFuture<OffsetFetchResponse.OffsetFetchResponseGroup> f : futures) {
                        results.add(f.join());
                    }
                    return version >= 8
                            ? new OffsetFetchResponse().setGroups(results)
                            : singleGroupFetch(results.get(0), version);
                });
    }

    private static OffsetFetchResponse singleGroupFetch(OffsetFetchResponse.OffsetFetchResponseGroup g, short version) {
        List<OffsetFetchResponse.OffsetFetchResponseTopic> ts = new ArrayList<>();
        for (OffsetFetchResponse.OffsetFetchResponseTopics t : g.topics()) {
            OffsetFetchResponse.OffsetFetchResponseTopic rt =
                    new OffsetFetchResponse.OffsetFetchResponseTopic().setName(t.name());
            for (OffsetFetchResponse.OffsetFetchResponsePartitions p : t.partitions()) {
                short code = p.errorCode();
                if (version < 2 && code == Errors.NONE.code) {
                    // Versions 0-1 have no top-level error: the group's error goes to every partition.
                    code = g.errorCode();
                }
                rt.partitions()
                        .add(new OffsetFetchResponse.OffsetFetchResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setCommittedOffset(p.committedOffset())
                                .setCommittedLeaderEpoch(p.committedLeaderEpoch())
                                .setMetadata(p.metadata())
                                .setErrorCode(code));
            }
            ts.add(rt);
        }
        OffsetFetchResponse out = new OffsetFetchResponse().setTopics(ts);
        if (version >= 2) {
            out.setErrorCode(g.errorCode());
        }
        return out;
    }

    /** OffsetDelete, version 0. */
    public CompletableFuture<OffsetDeleteResponse> deleteOffsets(RequestContext rc, OffsetDeleteRequest request) {
        if (invalidGroupId(request.groupId())) {
            return done(new OffsetDeleteResponse().setErrorCode(Errors.INVALID_GROUP_ID.code));
        }
        return run("delete-offsets", request.groupId(), (s, ctx) -> s.deleteOffsets(ctx, request))
                .handle((r, error) -> error == null
                        ? r
                        : new OffsetDeleteResponse().setErrorCode(CoordinatorException.errorOf(error).code));
    }

    // -------------------------------------------------------------------------------------------
    // Group administration.

    /**
     * ListGroups, versions 0-5: every shard hosted here; shards still loading make the whole
     * answer COORDINATOR_LOAD_IN_PROGRESS, as Kafka's does.
     */
    public CompletableFuture<ListGroupsResponse> listGroups(RequestContext rc, ListGroupsRequest request) {
        if (!active) {
            return done(new ListGroupsResponse().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code));
        }
        List<String> states = rc.apiVersion() >= 4 ? request.statesFilter() : List.of();
        List<String> types = rc.apiVersion() >= 5 ? request.typesFilter() : List.of();
        List<CompletableFuture<List<ListGroupsResponse.ListedGroup>>> futures = new ArrayList<>();
        for (CoordinatorShard<GroupCoordinatorShard> shard : shards.all()) {
            futures.add(shard.submit("list-groups", ctx -> shard.state().listGroups(states, types)));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .handle((ignored, e) -> {
                    List<ListGroupsResponse.ListedGroup> all = new ArrayList<>();
                    Errors error = Errors.NONE;
                    for (CompletableFuture<List<ListGroupsResponse.ListedGroup>> f : futures) {
                        try {
                            all.addAll(f.join());
                        } catch (RuntimeException ex) {
                            Errors shardError = CoordinatorException.errorOf(ex);
                            if (shardError != Errors.NOT_COORDINATOR) {
                                error = shardError;
                            }
                        }
                    }
                    return error == Errors.NONE
                            ? new ListGroupsResponse().setGroups(all)
                            : new ListGroupsResponse().setErrorCode(error.code);
                });
    }

    /** DescribeGroups, versions 0-6 (classic groups; others are described as Dead). */
    public CompletableFuture<DescribeGroupsResponse> describeGroups(RequestContext rc, DescribeGroupsRequest request) {
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        for (String groupId : request.groups()) {
            byPartition
                    .computeIfAbsent(partitionFor(groupId), p -> new ArrayList<>())
                    .add(groupId);
        }
        List<CompletableFuture<List<DescribeGroupsResponse.DescribedGroup>>> futures = new ArrayList<>();
        for (List<String> groupIds : byPartition.values()) {
            futures.add(run("describe-groups", groupIds.get(0), (s, ctx) -> s.describeGroups(rc.apiVersion(), groupIds))
                    .handle((r, error) -> {
                        if (error == null) {
                            return r;
                        }
                        List<DescribeGroupsResponse.DescribedGroup> failed = new ArrayList<>();
                        for (String id : groupIds) {
                            failed.add(new DescribeGroupsResponse.DescribedGroup()
                                    .setGroupId(id)
                                    .setErrorCode(CoordinatorException.errorOf(error).code));
                        }
                        return failed;
                    }));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    Map<String, DescribeGroupsResponse.DescribedGroup> byId = new LinkedHashMap<>();
                    for (CompletableFuture<List<DescribeGroupsResponse.DescribedGroup>> f : futures) {
                        for (DescribeGroupsResponse.DescribedGroup g : f.join()) {
                            byId.put(g.groupId(), g);
                        }
                    }
                    List<DescribeGroupsResponse.DescribedGroup> ordered = new ArrayList<>();
                    for (String groupId : request.groups()) {
                        ordered.add(byId.get(groupId));
                    }
                    return new DescribeGroupsResponse().setGroups(ordered);
                });
    }

    /** DeleteGroups, versions 0-2. */
    public CompletableFuture<DeleteGroupsResponse> deleteGroups(RequestContext rc, DeleteGroupsRequest request) {
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        for (String groupId : request.groupsNames()) {
            byPartition
                    .computeIfAbsent(partitionFor(groupId), p -> new ArrayList<>())
                    .add(groupId);
        }
        List<CompletableFuture<List<DeleteGroupsResponse.DeletableGroupResult>>> futures = new ArrayList<>();
        for (List<String> groupIds : byPartition.values()) {
            futures.add(run("delete-groups", groupIds.get(0), (s, ctx) -> s.deleteGroups(ctx, groupIds))
                    .handle((r, error) -> {
                        if (error == null) {
                            return r;
                        }
                        List<DeleteGroupsResponse.DeletableGroupResult> failed = new ArrayList<>();
                        for (String id : groupIds) {
                            failed.add(new DeleteGroupsResponse.DeletableGroupResult()
                                    .setGroupId(id)
                                    .setErrorCode(CoordinatorException.errorOf(error).code));
                        }
                        return failed;
                    }));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    List<DeleteGroupsResponse.DeletableGroupResult> all = new ArrayList<>();
                    for (CompletableFuture<List<DeleteGroupsResponse.DeletableGroupResult>> f : futures) {
                        all.addAll(f.join());
                    }
                    return new DeleteGroupsResponse().setResults(all);
                });
    }

    // -------------------------------------------------------------------------------------------
    // Consumer protocol (KIP-848).

    /** ConsumerGroupHeartbeat, versions 0-1. */
    public CompletableFuture<ConsumerGroupHeartbeatResponse> consumerGroupHeartbeat(
            RequestContext rc, ConsumerGroupHeartbeatRequest request) {
        if (request.groupId() == null || request.groupId().trim().isEmpty()) {
            return done(new ConsumerGroupHeartbeatResponse()
                    .setErrorCode(Errors.INVALID_REQUEST.code)
                    .setErrorMessage("GroupId can't be empty."));
        }
        return run(
                        "consumer-group-heartbeat",
                        request.groupId(),
                        (s, ctx) -> s.consumerGroupHeartbeat(ctx, rc, request))
                .handle((r, error) -> error == null
                        ? r
                        : new ConsumerGroupHeartbeatResponse()
                                .setErrorCode(CoordinatorException.errorOf(error).code)
                                .setErrorMessage(CoordinatorException.messageOf(error)));
    }

    /** ConsumerGroupDescribe, versions 0-1. */
    public CompletableFuture<ConsumerGroupDescribeResponse> consumerGroupDescribe(
            RequestContext rc, ConsumerGroupDescribeRequest request) {
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        List<ConsumerGroupDescribeResponse.DescribedGroup> invalid = new ArrayList<>();
        for (String groupId : request.groupIds()) {
            if (invalidGroupId(groupId)) {
                invalid.add(new ConsumerGroupDescribeResponse.DescribedGroup()
                        .setGroupId(groupId)
                        .setErrorCode(Errors.INVALID_GROUP_ID.code));
            } else {
                byPartition
                        .computeIfAbsent(partitionFor(groupId), p -> new ArrayList<>())
                        .add(groupId);
            }
        }
        List<CompletableFuture<List<ConsumerGroupDescribeResponse.DescribedGroup>>> futures = new ArrayList<>();
        for (List<String> groupIds : byPartition.values()) {
            futures.add(run("consumer-group-describe", groupIds.get(0), (s, ctx) -> s.consumerGroupDescribe(groupIds))
                    .handle((r, error) -> {
                        if (error == null) {
                            return r;
                        }
                        List<ConsumerGroupDescribeResponse.DescribedGroup> failed = new ArrayList<>();
                        for (String id : groupIds) {
                            failed.add(new ConsumerGroupDescribeResponse.DescribedGroup()
                                    .setGroupId(id)
                                    .setErrorCode(CoordinatorException.errorOf(error).code));
                        }
                        return failed;
                    }));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    List<ConsumerGroupDescribeResponse.DescribedGroup> all = new ArrayList<>(invalid);
                    for (CompletableFuture<List<ConsumerGroupDescribeResponse.DescribedGroup>> f : futures) {
                        all.addAll(f.join());
                    }
                    return new ConsumerGroupDescribeResponse().setGroups(all);
                });
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
