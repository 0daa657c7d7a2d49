package io.skiff.coordinator.group;

import static io.skiff.coordinator.group.MigrationSupport.GROUP;
import static io.skiff.coordinator.group.MigrationSupport.TOPIC;
import static io.skiff.coordinator.group.MigrationSupport.assertNoPartitionOwnedTwice;
import static io.skiff.coordinator.group.MigrationSupport.metadata;
import static io.skiff.coordinator.group.MigrationSupport.partitions;
import static io.skiff.coordinator.group.MigrationSupport.recordTypes;
import static io.skiff.coordinator.group.MigrationSupport.records;
import static io.skiff.coordinator.group.MigrationSupport.stableClassicGroupOfTwo;
import static io.skiff.coordinator.testing.GroupTestContext.consumerJoin;
import static io.skiff.coordinator.testing.GroupTestContext.count;
import static io.skiff.coordinator.testing.GroupTestContext.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.MigrationSupport.ClassicClient;
import io.skiff.coordinator.group.MigrationSupport.Client;
import io.skiff.coordinator.group.MigrationSupport.ConsumerClient;
import io.skiff.coordinator.group.classic.ClassicGroupState;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.group.consumer.ConsumerGroupMember;
import io.skiff.coordinator.group.consumer.ConsumerGroupState;
import io.skiff.coordinator.group.consumer.MemberState;
import io.skiff.coordinator.record.ConsumerGroupCurrentMemberAssignmentValue;
import io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue;
import io.skiff.coordinator.record.ConsumerGroupMetadataValue;
import io.skiff.coordinator.record.ConsumerGroupTargetAssignmentMetadataValue;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.ConsumerProtocolAssignment;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Online upgrade: a consumer-protocol member joining a classic group with members. */
class OnlineUpgradeTest {

    private static GroupTestContext ctx() {
        return ctx(b -> {});
    }

    private static GroupTestContext ctx(Consumer<GroupCoordinatorConfig.Builder> customizer) {
        GroupTestContext ctx = new GroupTestContext(customizer);
        ctx.topics.put(TOPIC, 6);
        return ctx;
    }

    @Test
    void consumerMemberJoiningAClassicGroupConvertsItKeepingTheAssignments() {
        GroupTestContext ctx = ctx();
        Uuid t = ctx.topics.topicId(TOPIC);
        List<ClassicClient> classic = stableClassicGroupOfTwo(ctx);
        int logSize = ctx.log().size();

        ConsumerGroupHeartbeatResponse c = ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        assertThat(c.errorCode()).isEqualTo(Errors.NONE.code);
        // Generation 1 became epoch 1; the join bumped it to 2. Every partition is still owned.
        assertThat(c.memberEpoch()).isEqualTo(2);
        assertThat(count(c.assignment())).isZero();
        assertThat(ctx.classicGroup(GROUP)).isNull();
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.groupEpoch()).isEqualTo(2);
        assertThat(group.assignmentEpoch()).isEqualTo(2);
        assertThat(group.state()).isEqualTo(ConsumerGroupState.RECONCILING);
        assertThat(group.member("c").state()).isEqualTo(MemberState.UNRELEASED_PARTITIONS);
        for (ClassicClient m : classic) {
            ConsumerGroupMember cm = group.member(m.id);
            assertThat(cm.useClassicProtocol()).isTrue();
            assertThat(cm.memberEpoch()).isEqualTo(1);
            assertThat(cm.state()).isEqualTo(MemberState.STABLE);
            assertThat(cm.assignedPartitionSets().get(t)).containsExactlyElementsOf(m.owned);
            assertThat(cm.classicSessionTimeoutMs()).isEqualTo(10_000);
            assertThat(cm.rebalanceTimeoutMs()).isEqualTo(60_000);
            assertThat(cm.subscribedTopicNames()).containsExactly(TOPIC);
            assertThat(cm.preferredClassicProtocol().name()).isEqualTo("range");
        }
        // The new target keeps most of each classic member's partitions and gives c two.
        assertThat(group.targetAssignment("c").get(t)).hasSize(2);

        // Kafka 4.3.1's records: the classic group's tombstone, the consumer group it becomes
        // (members, epoch, target assignment, target epoch without a timestamp, current
        // assignments), then c's join (member, epoch, changed targets, target epoch, c's assignment).
        List<CoordinatorRecord> records = records(ctx, logSize);
        List<String> types = recordTypes(records);
        assertThat(types.subList(0, 11)).containsExactly("2-", "5", "5", "3", "7", "7", "6", "8", "8", "5", "3");
        assertThat(types.subList(11, types.size() - 2)).containsOnly("7");
        assertThat(types.subList(types.size() - 2, types.size())).containsExactly("6", "8");
        ConsumerGroupMemberMetadataValue converted =
                (ConsumerGroupMemberMetadataValue) records.get(1).value();
        assertThat(converted.classicMemberMetadata().sessionTimeoutMs()).isEqualTo(10_000);
        assertThat(converted.classicMemberMetadata().supportedProtocols()).hasSize(1);
        assertThat(converted.subscribedTopicRegex()).isEmpty();
        assertThat(((ConsumerGroupMetadataValue) records.get(3).value()).epoch())
                .isEqualTo(1);
        ConsumerGroupTargetAssignmentMetadataValue targetEpoch =
                (ConsumerGroupTargetAssignmentMetadataValue) records.get(6).value();
        assertThat(targetEpoch.assignmentEpoch()).isEqualTo(1);
        assertThat(targetEpoch.assignmentTimestamp()).isZero();
        ConsumerGroupCurrentMemberAssignmentValue current =
                (ConsumerGroupCurrentMemberAssignmentValue) records.get(7).value();
        assertThat(current.memberEpoch()).isEqualTo(1);
        assertThat(current.previousMemberEpoch()).isEqualTo(1);
        assertThat(current.assignedPartitions().get(0).assignmentEpochs()).containsOnly(1);
        assertThat(((ConsumerGroupMemberMetadataValue) records.get(9).value()).classicMemberMetadata())
                .isNull();
    }

    @Test
    void classicMembersOfTheUpgradedGroupFollowItsEpochAsKafkaDoes() {
        GroupTestContext ctx = ctx();
        List<ClassicClient> classic = stableClassicGroupOfTwo(ctx);
        ClassicClient a = classic.get(0);
        ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        Set<Integer> aTarget = group.targetAssignment(a.id).get(ctx.topics.topicId(TOPIC));

        // As on Kafka 4.3.1: heartbeats and syncs of the old generation are told to rejoin, older ones are illegal.
        assertThat(ctx.heartbeat(GROUP, a.id, 1).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
        assertThat(ctx.heartbeat(GROUP, a.id, 0).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code);
        assertThat(ctx.sync(GROUP, a.id, 1, Map.of()).join().errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);

        // a rejoins still owning its three partitions: it must first give one up, so it stays at
        // generation 1 and SyncGroup hands it only the partitions it keeps.
        JoinGroupResponse join =
                ctx.join(5, joinRequest(GROUP, a.id, null, metadata(a.owned))).join();
        assertThat(join.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(join.generationId()).isEqualTo(1);
        assertThat(join.memberId()).isEqualTo(a.id);
        assertThat(join.protocolName()).isEqualTo("range");
        assertThat(join.protocolType()).isEqualTo("consumer");
        assertThat(join.leader()).isEmpty();
        assertThat(join.members()).isEmpty();
        assertThat(group.member(a.id).state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        SyncGroupResponse sync = ctx.sync(GROUP, a.id, 1, Map.of()).join();
        assertThat(sync.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(sync.protocolName()).isEqualTo("range");
        assertThat(partitions(sync.assignment())).containsExactlyElementsOf(aTarget);
        a.owned.retainAll(aTarget);
        // The revocation is acknowledged by the next join, which moves a to epoch 2.
        assertThat(ctx.heartbeat(GROUP, a.id, 1).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
        JoinGroupResponse rejoin = a.rejoin(ctx);
        assertThat(rejoin.generationId()).isEqualTo(2);
        assertThat(a.owned).containsExactlyElementsOf(aTarget);
        assertThat(ctx.heartbeat(GROUP, a.id, 2).errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(group.member(a.id).memberEpoch()).isEqualTo(2);
        // The assignment is serialized with the version of the member's subscription.
        ConsumerProtocolAssignment decoded = io.skiff.coordinator.group.classic.ConsumerProtocolCodec.assignment(
                ctx.sync(GROUP, a.id, 2, Map.of()).join().assignment());
        assertThat(decoded.assignedPartitions()).hasSize(1);
    }

    @Test
    void upgradedGroupRebalancesWithoutOwningAPartitionTwice() {
        GroupTestContext ctx = ctx();
        List<ClassicClient> classic = stableClassicGroupOfTwo(ctx);
        ConsumerGroupHeartbeatResponse first = ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        ConsumerClient c = new ConsumerClient("c", first.memberEpoch(), ctx.topics.topicId(TOPIC));
        List<Client> clients = new ArrayList<>(classic);
        clients.add(c);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        for (int round = 0; round < 10 && group.state() != ConsumerGroupState.STABLE; round++) {
            for (Client client : clients) {
                client.poll(ctx);
                assertNoPartitionOwnedTwice(clients);
            }
        }
        assertThat(group.state()).isEqualTo(ConsumerGroupState.STABLE);
        // One more round: everybody is up to date and owns two partitions.
        for (Client client : clients) {
            client.poll(ctx);
        }
        Set<Integer> all = new java.util.TreeSet<>();
        for (Client client : clients) {
            assertThat(client.owned).hasSize(2);
            all.addAll(client.owned);
            assertThat(group.member(client.id).memberEpoch()).isEqualTo(group.groupEpoch());
        }
        assertThat(all).containsExactly(0, 1, 2, 3, 4, 5);
        for (ClassicClient m : classic) {
            assertThat(m.generation).isEqualTo(group.groupEpoch());
        }
    }

    @Test
    void parkedClassicRequestsAreToldToRejoinTheConsumerGroup() {
        GroupTestContext ctx = ctx();
        List<ClassicClient> classic = stableClassicGroupOfTwo(ctx);
        // A third classic member starts a rebalance: its join is parked until the others rejoin.
        JoinGroupResponse first =
                ctx.join(5, joinRequest(GROUP, "", null, metadata(Set.of()))).join();
        CompletableFuture<JoinGroupResponse> parked =
                ctx.join(5, joinRequest(GROUP, first.memberId(), null, metadata(Set.of())));
        assertThat(parked).isNotDone();
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);

        ConsumerGroupHeartbeatResponse c = ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        assertThat(c.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(parked.join().errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.members()).containsKeys(classic.get(0).id, classic.get(1).id, first.memberId(), "c");
        assertThat(group.member(first.memberId()).assignedPartitions()).isEmpty();
        // It rejoins, now served by the consumer group.
        ClassicClient d = new ClassicClient(first.memberId(), 1);
        JoinGroupResponse rejoined = d.rejoin(ctx);
        assertThat(rejoined.generationId()).isEqualTo(group.groupEpoch());
    }

    @Test
    void upgradeIsRefusedWhenTheClassicGroupDoesNotUseTheConsumerProtocol() {
        GroupTestContext ctx = ctx();
        JoinGroupRequest connect =
                joinRequest(GROUP, "", null, new byte[] {1, 2, 3}).setProtocolType("connect");
        JoinGroupResponse first = ctx.join(5, connect).join();
        CompletableFuture<JoinGroupResponse> f = ctx.join(
                5,
                joinRequest(GROUP, first.memberId(), null, new byte[] {1, 2, 3}).setProtocolType("connect"));
        ctx.advance(2L * ctx.config.initialRebalanceDelayMs());
        assertThat(f.join().errorCode()).isEqualTo(Errors.NONE.code);
        int logSize = ctx.log().size();
        ConsumerGroupHeartbeatResponse r = ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        assertThat(r.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
        assertThat(r.errorMessage())
                .isEqualTo("Cannot upgrade classic group mg to consumer group because the group does "
                        + "not use the consumer embedded protocol.");
        assertThat(ctx.log().size()).isEqualTo(logSize);
        assertThat(ctx.classicGroup(GROUP)).isNotNull();
        // A heartbeat that is not a join does not upgrade either.
        ConsumerGroupHeartbeatResponse beat =
                ctx.consumerHeartbeat(io.skiff.coordinator.testing.GroupTestContext.consumerBeat(GROUP, "c", 3, null));
        assertThat(beat.errorMessage()).isEqualTo("Group mg is not a consumer group.");
    }

    @Test
    void upgradeIsRefusedWhenTheGroupIsTooLargeOrUsesACustomAssignor() {
        GroupTestContext small = ctx(b -> b.consumerGroupMaxSize(1));
        stableClassicGroupOfTwo(small);
        ConsumerGroupHeartbeatResponse tooLarge = small.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        assertThat(tooLarge.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
        assertThat(tooLarge.errorMessage())
                .isEqualTo("Cannot upgrade classic group mg to consumer group because the group "
                        + "size exceeds the consumer group maximum size.");

        // Exactly full: the conversion is allowed but the new member does not fit.
        GroupTestContext full = ctx(b -> b.consumerGroupMaxSize(2));
        stableClassicGroupOfTwo(full);
        int logSize = full.log().size();
        ConsumerGroupHeartbeatResponse noRoom = full.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        assertThat(noRoom.errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code);
        assertThat(full.log().size()).isEqualTo(logSize);
        assertThat(full.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);

        // An assignment carrying user data comes from a custom assignor whose data would be lost.
        GroupTestContext custom = ctx();
        JoinGroupResponse first =
                custom.join(5, joinRequest(GROUP, "", null, metadata(Set.of()))).join();
        CompletableFuture<JoinGroupResponse> joined =
                custom.join(5, joinRequest(GROUP, first.memberId(), null, metadata(Set.of())));
        custom.advance(2L * custom.config.initialRebalanceDelayMs());
        ConsumerProtocolAssignment withUserData = new ConsumerProtocolAssignment()
                .setAssignedPartitions(new ArrayList<>(List.of(new ConsumerProtocolAssignment.TopicPartition()
                        .setTopic(TOPIC)
                        .setPartitions(new ArrayList<>(List.of(0))))))
                .setUserData(new byte[] {7});
        byte[] bytes =
                io.skiff.coordinator.group.classic.ConsumerProtocolCodec.serializeAssignment(withUserData, (short) 1);
        custom.sync(GROUP, first.memberId(), joined.join().generationId(), Map.of(first.memberId(), bytes))
                .join();
        ConsumerGroupHeartbeatResponse refused = custom.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
        assertThat(refused.errorMessage())
                .isEqualTo("Cannot upgrade classic group mg to consumer group because an "
                        + "unsupported custom assignor is in use. Please refer to the documentation or switch to a default assignor "
                        + "before re-attempting the upgrade.");
    }

    @Test
    void replayAfterTheUpgradeRebuildsTheSameConsumerGroup() {
        GroupTestContext ctx = ctx();
        List<ClassicClient> classic = stableClassicGroupOfTwo(ctx);
        ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        classic.get(0).poll(ctx);
        String before = ReplayTest.dump(ctx);
        assertThat(before).startsWith("group mg consumer ");
        ctx.start();
        assertThat(ReplayTest.dump(ctx)).isEqualTo(before);
        ConsumerGroupMember reloaded = ctx.consumerGroup(GROUP).member(classic.get(1).id);
        assertThat(reloaded.useClassicProtocol()).isTrue();
        assertThat(reloaded.classicSessionTimeoutMs()).isEqualTo(10_000);
        // The reloaded group keeps serving the classic members.
        assertThat(ctx.heartbeat(GROUP, classic.get(1).id, 1).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
    }
}
