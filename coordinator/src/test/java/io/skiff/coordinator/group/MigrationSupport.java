package io.skiff.coordinator.group;

import static io.skiff.coordinator.testing.GroupTestContext.assignment;
import static io.skiff.coordinator.testing.GroupTestContext.consumerBeat;
import static io.skiff.coordinator.testing.GroupTestContext.joinRequest;
import static io.skiff.coordinator.testing.GroupTestContext.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.classic.ConsumerProtocolCodec;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.ConsumerProtocolAssignment;
import io.skiff.wire.message.HeartbeatResponse;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Clients for the online migration tests: classic members and consumer-protocol members that
 * remember what they own, as real clients do, so that tests can check that no partition is
 * ever owned by two of them.
 */
final class MigrationSupport {
    static final String GROUP = "mg";
    static final String TOPIC = "t";

    private MigrationSupport() {}

    /** A member of any protocol, as its client sees itself. */
    abstract static class Client {
        final String id;
        final Set<Integer> owned = new TreeSet<>();

        Client(String id) {
            this.id = id;
        }

        /** One heartbeat, and a rejoin if the coordinator asks for one. */
        abstract void poll(GroupTestContext ctx);
    }

    /** A classic consumer using cooperative rebalancing: it reports what it owns when it rejoins. */
    static final class ClassicClient extends Client {
        int generation;

        ClassicClient(String id, int generation) {
            super(id);
            this.generation = generation;
        }

        @Override
        void poll(GroupTestContext ctx) {
            HeartbeatResponse hb = ctx.heartbeat(GROUP, id, generation);
            if (hb.errorCode() == Errors.REBALANCE_IN_PROGRESS.code) {
                rejoin(ctx);
            } else {
                assertThat(hb.errorCode()).as("heartbeat of " + id).isEqualTo(Errors.NONE.code);
            }
        }

        /** JoinGroup reporting the owned partitions, then SyncGroup; adopts the assignment. */
        JoinGroupResponse rejoin(GroupTestContext ctx) {
            JoinGroupResponse join =
                    ctx.join(5, joinRequest(GROUP, id, null, metadata(owned))).join();
            assertThat(join.errorCode()).as("join of " + id).isEqualTo(Errors.NONE.code);
            generation = join.generationId();
            SyncGroupResponse sync = ctx.sync(GROUP, id, generation, Map.of()).join();
            if (sync.errorCode() == Errors.NONE.code) {
                owned.clear();
                owned.addAll(partitions(sync.assignment()));
            } else {
                assertThat(sync.errorCode()).as("sync of " + id).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
            }
            return join;
        }
    }

    /** A consumer using the consumer protocol. */
    static final class ConsumerClient extends Client {
        int epoch;
        final Uuid topicId;

        ConsumerClient(String id, int epoch, Uuid topicId) {
            super(id);
            this.epoch = epoch;
            this.topicId = topicId;
        }

        @Override
        void poll(GroupTestContext ctx) {
            List<ConsumerGroupHeartbeatRequest.TopicPartitions> tps = new ArrayList<>();
            if (!owned.isEmpty()) {
                tps.add(new ConsumerGroupHeartbeatRequest.TopicPartitions()
                        .setTopicId(topicId)
                        .setPartitions(new ArrayList<>(owned)));
            }
            ConsumerGroupHeartbeatResponse r = ctx.consumerHeartbeat(consumerBeat(GROUP, id, epoch, tps));
            assertThat(r.errorCode())
                    .as("heartbeat of " + id + ": " + r.errorMessage())
                    .isEqualTo(Errors.NONE.code);
            epoch = r.memberEpoch();
            if (r.assignment() != null) {
                owned.clear();
                for (ConsumerGroupHeartbeatResponse.TopicPartitions tp :
                        r.assignment().topicPartitions()) {
                    owned.addAll(tp.partitions());
                }
            }
        }
    }

    /** The subscription of a classic member to the test topic, owning {@code owned}. */
    static byte[] metadata(Set<Integer> owned) {
        if (owned.isEmpty()) {
            return subscription(List.of(TOPIC));
        }
        return subscription(List.of(TOPIC), List.of(Map.entry(TOPIC, new ArrayList<>(owned))));
    }

    /** The partitions of the test topic in a ConsumerProtocolAssignment. */
    static Set<Integer> partitions(byte[] assignment) {
        Set<Integer> out = new TreeSet<>();
        if (assignment == null || assignment.length == 0) {
            return out;
        }
        ConsumerProtocolAssignment a = ConsumerProtocolCodec.assignment(assignment);
        for (ConsumerProtocolAssignment.TopicPartition tp : a.assignedPartitions()) {
            assertThat(tp.topic()).isEqualTo(TOPIC);
            out.addAll(tp.partitions());
        }
        return out;
    }

    /** Fails if two clients own the same partition. */
    static void assertNoPartitionOwnedTwice(List<? extends Client> clients) {
        Set<Integer> seen = new HashSet<>();
        for (Client c : clients) {
            for (Integer p : c.owned) {
                assertThat(seen.add(p))
                        .as("partition " + p + " owned twice (again by " + c.id + ")")
                        .isTrue();
            }
        }
    }

    /**
     * A Stable classic group of two dynamic members at generation 1: the first owns 0-2, the
     * second 3-5 of the test topic.
     */
    static List<ClassicClient> stableClassicGroupOfTwo(GroupTestContext ctx) {
        CompletableFuture<JoinGroupResponse> f1 = ctx.joinDynamic(GROUP, metadata(Set.of()));
        CompletableFuture<JoinGroupResponse> f2 = ctx.joinDynamic(GROUP, metadata(Set.of()));
        ctx.advance(2L * ctx.config.initialRebalanceDelayMs());
        JoinGroupResponse r1 = f1.join();
        JoinGroupResponse r2 = f2.join();
        assertThat(r1.generationId()).isEqualTo(1);
        ClassicClient a = new ClassicClient(r1.memberId(), 1);
        ClassicClient b = new ClassicClient(r2.memberId(), 1);
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        assignments.put(a.id, assignment(TOPIC, 0, 1, 2));
        assignments.put(b.id, assignment(TOPIC, 3, 4, 5));
        String leader = r1.leader();
        String follower = leader.equals(a.id) ? b.id : a.id;
        CompletableFuture<SyncGroupResponse> fs = ctx.sync(GROUP, follower, 1, Map.of());
        SyncGroupResponse ls = ctx.sync(GROUP, leader, 1, assignments).join();
        assertThat(ls.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(fs.join().errorCode()).isEqualTo(Errors.NONE.code);
        a.owned.addAll(List.of(0, 1, 2));
        b.owned.addAll(List.of(3, 4, 5));
        return List.of(a, b);
    }

    /** The records of partition 0 from index {@code from} on. */
    static List<CoordinatorRecord> records(GroupTestContext ctx, int from) {
        List<CoordinatorRecord> out = new ArrayList<>();
        List<byte[][]> entries = ctx.log().entries();
        for (int i = from; i < entries.size(); i++) {
            byte[][] e = entries.get(i);
            out.add(GroupRecords.SERDE.decode(ByteBuffer.wrap(e[0]), e[1] == null ? null : ByteBuffer.wrap(e[1])));
        }
        return out;
    }

    /** Record types, with a '-' for tombstones: "2-" is a GroupMetadata tombstone. */
    static List<String> recordTypes(List<CoordinatorRecord> records) {
        List<String> out = new ArrayList<>();
        for (CoordinatorRecord r : records) {
            out.add(r.type() + (r.value() == null ? "-" : ""));
        }
        return out;
    }
}
