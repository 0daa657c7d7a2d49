package io.skiff.broker.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.broker.config.QuorumConfig;
import io.skiff.broker.metadata.MetadataQuorum;
import io.skiff.broker.metadata.QuorumStatus;
import io.skiff.wire.protocol.Uuid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata quorum replicated by Apache Ratis among the nodes of {@code controller.quorum.voters}:
 * one Ratis group (its id derived from the cluster id, peer ids the node ids, addresses the voters'),
 * whose log entries are Skiff's encoded metadata batches and whose {@link MetadataStateMachine}
 * applies them on every node. Appends go through a Ratis client, which finds the leader from any
 * node, so no forwarding of its own is needed. The leader also answers read-only queries: its
 * commit index (how far a starting node must catch up), broker heartbeats (kept here for
 * {@link BrokerFencing}) and DescribeQuorum. Thread-safe.
 */
public final class RatisQuorum implements MetadataQuorum {
    private static final Logger LOG = LoggerFactory.getLogger(RatisQuorum.class);
    /** The directory under the metadata directory that holds the Ratis storage. */
    public static final String STORAGE_DIR = "skiff-ratis";

    private static final byte QUERY_COMMIT_INDEX = 1;
    private static final byte QUERY_HEARTBEAT = 2;
    private static final byte QUERY_DESCRIBE = 3;
    private static final long CATCH_UP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** A broker's last heartbeat as the leader received it. */
    public record Heartbeat(Uuid incarnationId, long nanos) {}

    private final QuorumConfig config;
    private final RaftGroup group;
    private final RaftPeerId self;
    private final long snapshotEvery;
    private final Map<Integer, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    private RaftServer server;
    private RaftClient client;
    private MetadataStateMachine stateMachine;

    /**
     * @param snapshotEvery a snapshot is taken every this many log entries (the Ratis log is purged
     *     up to the snapshot)
     */
    public RatisQuorum(QuorumConfig config, String clusterId, long snapshotEvery) {
        this.config = config;
        this.snapshotEvery = snapshotEvery;
        this.self = peerId(config.nodeId());
        List<RaftPeer> peers = new ArrayList<>();
        for (QuorumConfig.Voter v : config.voters()) {
            peers.add(RaftPeer.newBuilder()
                    .setId(peerId(v.nodeId()))
                    .setAddress(v.address())
                    .build());
        }
        UUID groupUuid = UUID.nameUUIDFromBytes(("skiff-metadata:" + clusterId).getBytes(StandardCharsets.UTF_8));
        this.group = RaftGroup.valueOf(RaftGroupId.valueOf(groupUuid), peers);
    }

    static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    private RaftProperties properties(Path storageDir) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
        QuorumConfig.Voter me = config.self();
        NettyConfigKeys.Server.setHost(p, me.host());
        NettyConfigKeys.Server.setPort(p, me.port());
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotEvery);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return p;
    }

    @Override
    public void open(Committer committer) throws IOException, InterruptedException {
        Path storageDir = config.metadataDir().resolve(STORAGE_DIR);
        RaftProperties p = properties(storageDir);
        stateMachine = new MetadataStateMachine(committer, this::answer);
        server = RaftServer.newBuilder()
                .setServerId(self)
                .setGroup(group)
                .setProperties(p)
                .setStateMachine(stateMachine)
                .setOption(
                        Files.isDirectory(storageDir.resolve(
                                        group.getGroupId().getUuid().toString()))
                                ? RaftStorage.StartupOption.RECOVER
                                : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        client = RaftClient.newBuilder()
                .setProperties(p)
                .setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        300, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
        LOG.info(
                "Metadata quorum {} started on {}: voters {}",
                group.getGroupId(),
                config.self().address(),
                config.voters());
        catchUp(committer);
    }

    /** Waits until this node has applied everything the leader had committed when it was asked. */
    private void catchUp(Committer committer) throws InterruptedException, IOException {
        long started = System.nanoTime();
        long target = -1;
        long lastLog = started;
        while (target < 0) {
            try {
                RaftClientReply reply =
                        client.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(new byte[] {QUERY_COMMIT_INDEX})));
                if (reply.isSuccess()) {
                    target = Unpooled.wrappedBuffer(
                                    reply.getMessage().getContent().toByteArray())
                            .readLong();
                }
            } catch (IOException e) {
                if (System.nanoTime() - lastLog > CATCH_UP_LOG_INTERVAL_NANOS) {
                    LOG.info("Waiting for a leader of the metadata quorum: {}", e.toString());
                    lastLog = System.nanoTime();
                }
                Thread.sleep(100);
            }
        }
        while (stateMachine.getLastAppliedTermIndex() == null
                || stateMachine.getLastAppliedTermIndex().getIndex() < target) {
            Thread.sleep(10);
        }
        committer.state(); // every entry handed over so far is published
        LOG.info(
                "Caught up with the metadata quorum at index {} in {} ms",
                target,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @Override
    public boolean committedOnAppend() {
        return false;
    }

    @Override
    public CompletableFuture<Void> append(Entry entry) {
        return client.async()
                .send(Message.valueOf(ByteString.copyFrom(entry.encode())))
                .thenApply(reply -> {
                    if (!reply.isSuccess()) {
                        throw new IllegalStateException("metadata entry not committed: " + reply.getException());
                    }
                    return null;
                });
    }

    /** Whether this node is the Ratis leader (the active controller). */
    public boolean isLeader() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** The node id of the leader this node knows, or -1. */
    public int leaderId() {
        try {
            RaftPeerId leader = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
            return leader == null ? -1 : Integer.parseInt(leader.toString());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Sends a heartbeat of broker {@code nodeId} to the leader. */
    public CompletableFuture<Void> heartbeat(int nodeId, Uuid incarnationId) {
        ByteBuf b = Unpooled.buffer(21);
        b.writeByte(QUERY_HEARTBEAT).writeInt(nodeId);
        b.writeLong(incarnationId.mostSignificantBits()).writeLong(incarnationId.leastSignificantBits());
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        return client.async()
                .sendReadOnly(Message.valueOf(ByteString.copyFrom(bytes)))
                .thenApply(r -> null);
    }

    /** The heartbeats this node received while leader, by broker node id. */
    public Map<Integer, Heartbeat> heartbeats() {
        return heartbeats;
    }

    /** Answers a read-only query on the leader. */
    private byte[] answer(byte[] query) {
        ByteBuf in = Unpooled.wrappedBuffer(query);
        byte type = in.readByte();
        ByteBuf out = Unpooled.buffer(64);
        try {
            if (type == QUERY_COMMIT_INDEX) {
                out.writeLong(
                        server.getDivision(group.getGroupId()).getRaftLog().getLastCommittedIndex());
            } else if (type == QUERY_HEARTBEAT) {
                int nodeId = in.readInt();
                Uuid incarnation = new Uuid(in.readLong(), in.readLong());
                heartbeats.put(nodeId, new Heartbeat(incarnation, System.nanoTime()));
                out.writeByte(1);
            } else if (type == QUERY_DESCRIBE) {
                writeStatus(status(), out);
            } else {
                throw new IllegalArgumentException("unknown metadata query " + type);
            }
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            out.release();
        }
    }

    @Override
    public QuorumStatus status() {
        try {
            var division = server.getDivision(group.getGroupId());
            var info = division.getInfo();
            long commit = division.getRaftLog().getLastCommittedIndex();
            Map<String, Long> known = new HashMap<>();
            if (info.isLeader()) {
                for (CommitInfoProto c : division.getCommitInfos()) {
                    known.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
                }
            }
            known.put(self.toString(), division.getRaftLog().getNextIndex());
            List<QuorumStatus.Replica> voters = new ArrayList<>();
            for (QuorumConfig.Voter v : config.voters()) {
                voters.add(new QuorumStatus.Replica(
                        v.nodeId(), known.getOrDefault(Integer.toString(v.nodeId()), -1L), -1));
            }
            return new QuorumStatus(leaderId(), info.getCurrentTerm(), commit, voters);
        } catch (IOException e) {
            return new QuorumStatus(-1, -1, -1, List.of());
        }
    }

    @Override
    public CompletableFuture<QuorumStatus> describe() {
        return client.async()
                .sendReadOnly(Message.valueOf(ByteString.copyFrom(new byte[] {QUERY_DESCRIBE})))
                .thenApply(reply -> readStatus(
                        Unpooled.wrappedBuffer(reply.getMessage().getContent().toByteArray())));
    }

    private static void writeStatus(QuorumStatus s, ByteBuf out) {
        out.writeInt(s.leaderId()).writeLong(s.leaderEpoch()).writeLong(s.highWatermark());
        out.writeInt(s.voters().size());
        for (QuorumStatus.Replica r : s.voters()) {
            out.writeInt(r.nodeId()).writeLong(r.logEndOffset()).writeLong(r.lastCaughtUpTimestamp());
        }
    }

    private static QuorumStatus readStatus(ByteBuf in) {
        int leader = in.readInt();
        long epoch = in.readLong();
        long hw = in.readLong();
        int n = in.readInt();
        List<QuorumStatus.Replica> voters = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            voters.add(new QuorumStatus.Replica(in.readInt(), in.readLong(), in.readLong()));
        }
        return new QuorumStatus(leader, epoch, hw, voters);
    }

    @Override
    public void close() {
        try {
            if (client != null) {
                client.close();
            }
        } catch (IOException e) {
            LOG.warn("Closing the metadata quorum client failed", e);
        }
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            LOG.warn("Closing the metadata quorum server failed", e);
        }
    }
}
