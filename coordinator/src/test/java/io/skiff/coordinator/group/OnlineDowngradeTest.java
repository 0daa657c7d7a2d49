package io.skiff.coordinator.group;

import static io.skiff.coordinator.group.MigrationSupport.GROUP;
import static io.skiff.coordinator.group.MigrationSupport.TOPIC;
import static io.skiff.coordinator.group.MigrationSupport.assertNoPartitionOwnedTwice;
import static io.skiff.coordinator.group.MigrationSupport.metadata;
import static io.skiff.coordinator.group.MigrationSupport.partitions;
import static io.skiff.coordinator.group.MigrationSupport.recordTypes;
import static io.skiff.coordinator.group.MigrationSupport.records;
import static io.skiff.coordinator.group.MigrationSupport.stableClassicGroupOfTwo;
import static io.skiff.coordinator.testing.GroupTestContext.assignment;
import static io.skiff.coordinator.testing.GroupTestContext.consumerBeat;
import static io.skiff.coordinator.testing.GroupTestContext.consumerJoin;
import static io.skiff.coordinator.testing.GroupTestContext.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.MigrationSupport.ClassicClient;
import io.skiff.coordinator.group.MigrationSupport.Client;
import io.skiff.coordinator.group.MigrationSupport.ConsumerClient;
import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupMember;
import io.skiff.coordinator.group.classic.ClassicGroupState;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.record.GroupMetadataValue;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Online downgrade: a consumer group left with members using the classic protocol only becomes classic again. */
class OnlineDowngradeTest {

    /** An upgraded group (two classic members, consumer member "c") where everybody owns two partitions. */
    static List<Client> convergedMixedGroup(GroupTestContext ctx) {
        List<ClassicClient> classic = stableClassicGroupOfTwo(ctx);
        ConsumerGroupHeartbeatResponse first = ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        List<Client> clients = new ArrayList<>(classic);
        clients.add(new ConsumerClient("c", first.memberEpoch(), ctx.topics.topicId(TOPIC)));
        for (int round = 0; round < 6; round++) {
            for (Client client : clients) {
                client.poll(ctx);
                assertNoPartitionOwnedTwice(clients);
            }
        }
        for (Client client : clients) {
            assertThat(client.owned).hasSize(2);
        }
        return clients;
    }

    private static GroupTestContext ctx() {
        GroupTestContext ctx = new GroupTestContext();
        ctx.topics.put(TOPIC, 6);
        return ctx;
    }

    /** Both classic members rejoin the rebalancing classic group and sync; returns the leader's join. */
    private static JoinGroupResponse rebalanceClassic(GroupTestContext ctx, ClassicClient a, ClassicClient b) {
        CompletableFuture<JoinGroupResponse> ja = ctx.join(5, joinRequest(GROUP, a.id, null, metadata(a.owned)));
        CompletableFuture<JoinGroupResponse> jb = ctx.join(5, joinRequest(GROUP, b.id, null, metadata(b.owned)));
        JoinGroupResponse ra = ja.join();
        JoinGroupResponse rb = jb.join();
        assertThat(ra.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(rb.generationId()).isEqualTo(ra.generationId());
        JoinGroupResponse leader = ra.leader().equals(a.id) ? ra : rb;
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        assignments.put(a.id, assignment(TOPIC, 0, 1, 2));
        assignments.put(b.id, assignment(TOPIC, 3, 4, 5));
        String follower = leader == ra ? b.id : a.id;
        CompletableFuture<SyncGroupResponse> fs = ctx.sync(GROUP, follower, ra.generationId(), Map.of());
        assertThat(ctx.sync(GROUP, leader.memberId(), ra.generationId(), assignments)
                        .join()
                        .errorCode())
                .isEqualTo(Errors.NONE.code);
        assertThat(fs.join().errorCode()).isEqualTo(Errors.NONE.code);
        return leader;
    }

    @Test
    void lastConsumerMemberLeavingTurnsTheGroupIntoARebalancingClassicGroup() {
        GroupTestContext ctx = ctx();
        Uuid t = ctx.topics.topicId(TOPIC);
        List<Client> clients = convergedMixedGroup(ctx);
        ClassicClient a = (ClassicClient) clients.get(0);
        ClassicClient b = (ClassicClient) clients.get(1);
        ConsumerGroup before = ctx.consumerGroup(GROUP);
        int epoch = before.groupEpoch();
        Set<Integer> aTarget = new TreeSet<>(before.targetAssignment(a.id).get(t));
        int logSize = ctx.log().size();

        ConsumerGroupHeartbeatResponse left = ctx.consumerHeartbeat(consumerBeat(GROUP, "c", -1, null));
        assertThat(left.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(left.memberEpoch()).isEqualTo(-1);
        assertThat(ctx.consumerGroup(GROUP)).isNull();
        ClassicGroup group = ctx.classicGroup(GROUP);
        // Generation = the consumer group's epoch; the members keep their targets; a rebalance starts.
        assertThat(group.state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        assertThat(group.generationId()).isEqualTo(epoch);
        assertThat(group.protocolType()).isEqualTo("consumer");
        assertThat(group.protocolName()).isEqualTo("range");
        assertThat(group.allMemberIds()).containsExactlyInAnyOrder(a.id, b.id);
        assertThat(partitions(group.member(a.id).assignment())).isEqualTo(aTarget);
        assertThat(group.member(a.id).sessionTimeoutMs()).isEqualTo(10_000);

        // Kafka 4.3.1's records: tombstones of every member's current assignment, target and
        // subscription (the leaving one's included), of the target epoch, the deprecated
        // partition metadata and the group epoch; then the classic group.
        List<CoordinatorRecord> records = records(ctx, logSize);
        assertThat(recordTypes(records))
                .containsExactly("8-", "8-", "8-", "7-", "7-", "7-", "6-", "5-", "5-", "5-", "4-", "3-", "2");
        GroupMetadataValue value = (GroupMetadataValue) records.get(12).value();
        assertThat(value.generation()).isEqualTo(epoch);
        assertThat(value.protocol()).isEqualTo("range");
        assertThat(value.protocolType()).isEqualTo("consumer");
        assertThat(value.leader()).isIn(a.id, b.id);
        assertThat(value.currentStateTimestamp()).isEqualTo(ctx.clock.milliseconds());
        assertThat(value.members())
                .extracting(GroupMetadataValue.MemberMetadata::sessionTimeout)
                .containsOnly(10_000);

        // The classic members are told to rejoin and form the next generation.
        assertThat(ctx.heartbeat(GROUP, a.id, a.generation).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
        JoinGroupResponse leader = rebalanceClassic(ctx, a, b);
        assertThat(leader.generationId()).isEqualTo(epoch + 1);
        assertThat(leader.members()).hasSize(2);
        assertThat(group.state()).isEqualTo(ClassicGroupState.STABLE);

        // Replay rebuilds the same classic group.
        String dump = ReplayTest.dump(ctx);
        ctx.start();
        assertThat(ReplayTest.dump(ctx)).isEqualTo(dump);
    }

    @Test
    void lastConsumerMemberWhoseSessionExpiresAlsoDowngradesTheGroup() {
        GroupTestContext ctx = ctx();
        List<Client> clients = convergedMixedGroup(ctx);
        // The classic members keep heartbeating; c goes silent for its 45 s session.
        for (int i = 0; i < 10; i++) {
            ctx.advance(5_000);
            if (ctx.consumerGroup(GROUP) == null) {
                break;
            }
            for (Client client : clients.subList(0, 2)) {
                ClassicClient m = (ClassicClient) client;
                assertThat(ctx.heartbeat(GROUP, m.id, m.generation).errorCode()).isEqualTo(Errors.NONE.code);
            }
        }
        ClassicGroup group = ctx.classicGroup(GROUP);
        assertThat(group).isNotNull();
        assertThat(group.state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        ClassicClient a = (ClassicClient) clients.get(0);
        assertThat(ctx.heartbeat(GROUP, a.id, a.generation).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
    }

    @Test
    void classicMembersLeftAloneAfterAClassicMemberLeavesStayInAConsumerGroupWithAConsumerMember() {
        GroupTestContext ctx = ctx();
        List<Client> clients = convergedMixedGroup(ctx);
        // A classic member leaves while c (consumer protocol) stays: no downgrade.
        ctx.leave(GROUP, clients.get(0).id);
        assertThat(ctx.consumerGroup(GROUP)).isNotNull();
        assertThat(ctx.consumerGroup(GROUP).numMembers()).isEqualTo(2);
    }

    @Test
    void staticClassicMemberReplacingTheLastConsumerMemberDowngradesKeepingTheAssignment() {
        GroupTestContext ctx = ctx();
        Uuid t = ctx.topics.topicId(TOPIC);
        List<ClassicClient> classic = stableClassicGroupOfTwo(ctx);
        ConsumerGroupHeartbeatResponse first =
                ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)).setInstanceId("instance-c"));
        List<Client> clients = new ArrayList<>(classic);
        clients.add(new ConsumerClient("c", first.memberEpoch(), t));
        for (int round = 0; round < 6; round++) {
            for (Client client : clients) {
                client.poll(ctx);
            }
        }
        ConsumerGroup consumerGroup = ctx.consumerGroup(GROUP);
        int epoch = consumerGroup.groupEpoch();
        Set<Integer> cTarget = new TreeSet<>(consumerGroup.targetAssignment("c").get(t));
        Set<Integer> cOwned = new TreeSet<>(clients.get(2).owned);

        // The instance restarts as a classic consumer (same subscription): it replaces c, the
        // group becomes classic with c's assignment and no rebalance.
        JoinGroupResponse join = ctx.join(5, joinRequest(GROUP, "", "instance-c", metadata(cOwned)))
                .join();
        assertThat(join.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(join.generationId()).isEqualTo(epoch);
        ClassicGroup group = ctx.classicGroup(GROUP);
        assertThat(group).isNotNull();
        assertThat(group.state()).isEqualTo(ClassicGroupState.STABLE);
        assertThat(group.generationId()).isEqualTo(epoch);
        assertThat(group.staticMemberId("instance-c")).isEqualTo(join.memberId());
        ClassicGroupMember replacing = group.member(join.memberId());
        assertThat(partitions(replacing.assignment())).isEqualTo(cTarget);
        SyncGroupResponse sync =
                ctx.sync(GROUP, join.memberId(), join.generationId(), Map.of()).join();
        assertThat(sync.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(partitions(sync.assignment())).isEqualTo(cTarget);
        for (ClassicClient m : classic) {
            assertThat(ctx.heartbeat(GROUP, m.id, m.generation).errorCode()).isEqualTo(Errors.NONE.code);
        }
        String dump = ReplayTest.dump(ctx);
        ctx.start();
        assertThat(ReplayTest.dump(ctx)).isEqualTo(dump);
    }

    @Test
    void downgradedGroupCanBeUpgradedAgain() {
        GroupTestContext ctx = ctx();
        List<Client> clients = convergedMixedGroup(ctx);
        ClassicClient a = (ClassicClient) clients.get(0);
        ClassicClient b = (ClassicClient) clients.get(1);
        ctx.consumerHeartbeat(consumerBeat(GROUP, "c", -1, null));
        JoinGroupResponse leader = rebalanceClassic(ctx, a, b);
        a.generation = leader.generationId();
        b.generation = leader.generationId();
        ConsumerGroupHeartbeatResponse again = ctx.consumerHeartbeat(consumerJoin(GROUP, "c2", List.of(TOPIC)));
        assertThat(again.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(again.memberEpoch()).isEqualTo(leader.generationId() + 1);
        assertThat(ctx.consumerGroup(GROUP).member(a.id).useClassicProtocol()).isTrue();
        assertThat(ctx.heartbeat(GROUP, a.id, a.generation).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
    }
}
