package io.skiff.coordinator.group;

import static io.skiff.coordinator.group.MigrationSupport.GROUP;
import static io.skiff.coordinator.group.MigrationSupport.TOPIC;
import static io.skiff.coordinator.group.MigrationSupport.assertNoPartitionOwnedTwice;
import static io.skiff.coordinator.group.MigrationSupport.metadata;
import static io.skiff.coordinator.testing.GroupTestContext.commitRequest;
import static io.skiff.coordinator.testing.GroupTestContext.consumerJoin;
import static io.skiff.coordinator.testing.GroupTestContext.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.MigrationSupport.ClassicClient;
import io.skiff.coordinator.group.MigrationSupport.Client;
import io.skiff.coordinator.group.MigrationSupport.ConsumerClient;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.group.consumer.ConsumerGroupMember;
import io.skiff.coordinator.group.consumer.ConsumerGroupState;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.message.SyncGroupRequest;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Members using the classic protocol inside a consumer group: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, timeouts. */
class ClassicMembersTest {

    /** A consumer group with one consumer-protocol member owning all six partitions. */
    private static GroupTestContext withConsumerMember() {
        GroupTestContext ctx = new GroupTestContext();
        ctx.topics.put(TOPIC, 6);
        ConsumerGroupHeartbeatResponse c = ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        assertThat(c.memberEpoch()).isEqualTo(2);
        return ctx;
    }

    private static ConsumerClient consumerClient(GroupTestContext ctx) {
        ConsumerClient c = new ConsumerClient("c", 2, ctx.topics.topicId(TOPIC));
        c.owned.addAll(List.of(0, 1, 2, 3, 4, 5));
        return c;
    }

    /** A classic member joining with JoinGroup v5 (MEMBER_ID_REQUIRED first), then SyncGroup. */
    private static ClassicClient joinClassic(GroupTestContext ctx) {
        JoinGroupResponse first =
                ctx.join(5, joinRequest(GROUP, "", null, metadata(Set.of()))).join();
        assertThat(first.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code);
        ClassicClient d = new ClassicClient(first.memberId(), -1);
        d.rejoin(ctx);
        return d;
    }

    /** A heartbeat of consumer-protocol member {@code id} that owns nothing (keeps its session alive). */
    private static void beat(GroupTestContext ctx, String id) {
        ConsumerGroupHeartbeatResponse r =
                ctx.consumerHeartbeat(io.skiff.coordinator.testing.GroupTestContext.consumerBeat(
                        GROUP, id, ctx.consumerGroup(GROUP).member(id).memberEpoch(), List.of()));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
    }

    @Test
    void classicMemberJoinsAConsumerGroupAndGetsItsShareWhenReleased() {
        GroupTestContext ctx = withConsumerMember();
        ConsumerClient c = consumerClient(ctx);
        JoinGroupResponse first =
                ctx.join(5, joinRequest(GROUP, "", null, metadata(Set.of()))).join();
        assertThat(first.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code);
        // Kafka gives a classic member of a consumer group a random UUID as member id.
        assertThat(first.memberId()).hasSize(22);
        assertThat(ctx.consumerGroup(GROUP).hasMember(first.memberId())).isFalse();

        ClassicClient d = new ClassicClient(first.memberId(), -1);
        JoinGroupResponse join = d.rejoin(ctx);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(join.generationId()).isEqualTo(3);
        assertThat(group.groupEpoch()).isEqualTo(3);
        ConsumerGroupMember member = group.member(d.id);
        assertThat(member.useClassicProtocol()).isTrue();
        assertThat(member.classicSessionTimeoutMs()).isEqualTo(10_000);
        assertThat(member.clientId()).isEqualTo("client");
        // Its partitions are still c's: it gets nothing yet.
        assertThat(d.owned).isEmpty();
        assertThat(ctx.heartbeat(GROUP, d.id, 3).errorCode()).isEqualTo(Errors.NONE.code);

        List<Client> clients = List.of(c, d);
        for (int round = 0; round < 5; round++) {
            for (Client client : clients) {
                client.poll(ctx);
                assertNoPartitionOwnedTwice(clients);
            }
        }
        assertThat(group.state()).isEqualTo(ConsumerGroupState.STABLE);
        assertThat(c.owned).hasSize(3);
        assertThat(d.owned).hasSize(3);
        assertThat(d.generation).isEqualTo(3);
        // A classic member commits with its member epoch as generation.
        assertThat(ctx.commitError(
                        8,
                        commitRequest(GROUP, d.id, 3, TOPIC, d.owned.iterator().next(), 10)))
                .isEqualTo(Errors.NONE.code);
        assertThat(ctx.commitError(8, commitRequest(GROUP, d.id, 2, TOPIC, 0, 10)))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code);
    }

    @Test
    void classicRequestsAreCheckedAgainstTheConsumerGroupMember() {
        GroupTestContext ctx = withConsumerMember();
        ClassicClient d = joinClassic(ctx);
        assertThat(ctx.heartbeat(GROUP, "nobody", 3).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        // c uses the consumer protocol: classic requests do not know it.
        assertThat(ctx.heartbeat(GROUP, "c", 2).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        assertThat(ctx.sync(GROUP, "c", 2, Map.of()).join().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        assertThat(ctx.heartbeat(GROUP, d.id, 2).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code);
        assertThat(ctx.sync(GROUP, d.id, 4, Map.of()).join().errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code);
        SyncGroupResponse wrongProtocol = ctx.coordinator
                .syncGroup(
                        GroupTestContext.rc(5),
                        new SyncGroupRequest()
                                .setGroupId(GROUP)
                                .setMemberId(d.id)
                                .setGenerationId(3)
                                .setProtocolType("consumer")
                                .setProtocolName("roundrobin"))
                .join();
        assertThat(wrongProtocol.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
        // SyncGroup v3 carries no protocol: the assignment comes back all the same.
        SyncGroupResponse v3 = ctx.coordinator
                .syncGroup(
                        GroupTestContext.rc(3),
                        new SyncGroupRequest()
                                .setGroupId(GROUP)
                                .setMemberId(d.id)
                                .setGenerationId(3))
                .join();
        assertThat(v3.errorCode()).isEqualTo(Errors.NONE.code);

        // A joiner must speak the consumer protocol and one protocol every classic member supports.
        JoinGroupRequest otherType =
                joinRequest(GROUP, "", null, metadata(Set.of())).setProtocolType("connect");
        assertThat(ctx.join(5, otherType).join().errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
        JoinGroupRequest otherProtocol = joinRequest(GROUP, "", null, metadata(Set.of()));
        otherProtocol.protocols().get(0).setName("roundrobin");
        JoinGroupResponse refused = ctx.join(5, otherProtocol).join();
        assertThat(refused.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
        assertThat(refused.memberId()).isEmpty();
        // An unknown static member with a member id is unknown.
        JoinGroupResponse unknownStatic = ctx.join(5, joinRequest(GROUP, "m", "instance", metadata(Set.of())))
                .join();
        assertThat(unknownStatic.errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
    }

    @Test
    void leaveGroupFencesTheClassicMemberAndBumpsTheEpoch() {
        GroupTestContext ctx = withConsumerMember();
        ClassicClient d = joinClassic(ctx);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        int epoch = group.groupEpoch();
        List<LeaveGroupRequest.MemberIdentity> leaving = new ArrayList<>();
        leaving.add(new LeaveGroupRequest.MemberIdentity().setMemberId(d.id));
        leaving.add(new LeaveGroupRequest.MemberIdentity().setMemberId("nobody"));
        leaving.add(new LeaveGroupRequest.MemberIdentity().setMemberId("").setGroupInstanceId("nowhere"));
        LeaveGroupResponse r = ctx.coordinator
                .leaveGroup(
                        GroupTestContext.rc(5),
                        new LeaveGroupRequest().setGroupId(GROUP).setMembers(leaving))
                .join();
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(r.members())
                .extracting(LeaveGroupResponse.MemberResponse::errorCode)
                .containsExactly(Errors.NONE.code, Errors.UNKNOWN_MEMBER_ID.code, Errors.UNKNOWN_MEMBER_ID.code);
        assertThat(group.hasMember(d.id)).isFalse();
        assertThat(group.groupEpoch()).isEqualTo(epoch + 1);
        assertThat(ctx.consumerGroup(GROUP)).isSameAs(group);
    }

    @Test
    void classicMemberIsFencedWhenItDoesNotRejoinWithinItsRebalanceTimeout() {
        GroupTestContext ctx = withConsumerMember();
        ClassicClient d = joinClassic(ctx);
        // A second consumer member joins: d must rejoin. It keeps heartbeating but never rejoins.
        ctx.consumerHeartbeat(consumerJoin(GROUP, "e", List.of(TOPIC)));
        for (int i = 0; i < 11; i++) {
            ConsumerGroupMember m = ctx.consumerGroup(GROUP).member(d.id);
            if (m == null) {
                break;
            }
            assertThat(ctx.heartbeat(GROUP, d.id, d.generation).errorCode())
                    .isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
            beat(ctx, "c");
            beat(ctx, "e");
            ctx.advance(6_000);
        }
        // 60 s, its rebalance timeout, after it was first told to rejoin.
        assertThat(ctx.consumerGroup(GROUP).hasMember(d.id)).isFalse();
    }

    @Test
    void classicMemberIsFencedWhenItDoesNotSyncOrHeartbeatInTime() {
        GroupTestContext ctx = withConsumerMember();
        JoinGroupResponse first =
                ctx.join(5, joinRequest(GROUP, "", null, metadata(Set.of()))).join();
        JoinGroupResponse joined = ctx.join(5, joinRequest(GROUP, first.memberId(), null, metadata(Set.of())))
                .join();
        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code);
        // Heartbeats keep the session alive, but without a SyncGroup the member goes after its rebalance timeout.
        for (int i = 0; i < 10; i++) {
            ctx.advance(6_000);
            ctx.heartbeat(GROUP, first.memberId(), joined.generationId());
            beat(ctx, "c");
        }
        assertThat(ctx.consumerGroup(GROUP).hasMember(first.memberId())).isFalse();

        // A member that syncs but stops heartbeating goes after its own session timeout (10 s, not 45 s).
        ClassicClient d = joinClassic(ctx);
        ctx.advance(9_000);
        assertThat(ctx.consumerGroup(GROUP).hasMember(d.id)).isTrue();
        beat(ctx, "c");
        ctx.advance(1_000);
        assertThat(ctx.consumerGroup(GROUP).hasMember(d.id)).isFalse();
        assertThat(ctx.consumerGroup(GROUP).hasMember("c")).isTrue();
    }

    @Test
    void staticClassicMemberRejoiningWithANewMemberIdReplacesItselfAndKeepsItsPartitions() {
        GroupTestContext ctx = withConsumerMember();
        ConsumerClient c = consumerClient(ctx);
        JoinGroupResponse join = ctx.join(5, joinRequest(GROUP, "", "static-1", metadata(Set.of())))
                .join();
        assertThat(join.errorCode()).isEqualTo(Errors.NONE.code);
        ClassicClient s = new ClassicClient(join.memberId(), join.generationId());
        for (int round = 0; round < 4; round++) {
            c.poll(ctx);
            s.poll(ctx);
        }
        assertThat(s.owned).hasSize(3);
        Set<Integer> owned = new TreeSet<>(s.owned);
        // The instance restarts: a JoinGroup without member id replaces the old member, no rebalance.
        JoinGroupResponse again =
                ctx.join(5, joinRequest(GROUP, "", "static-1", metadata(owned))).join();
        assertThat(again.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(again.memberId()).isNotEqualTo(s.id);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.hasMember(s.id)).isFalse();
        assertThat(group.member(again.memberId()).instanceId()).isEqualTo("static-1");
        assertThat(again.generationId()).isEqualTo(group.groupEpoch());
        SyncGroupResponse sync = ctx.sync(GROUP, again.memberId(), again.generationId(), Map.of())
                .join();
        assertThat(MigrationSupport.partitions(sync.assignment())).isEqualTo(owned);
        // The old member id is fenced.
        assertThat(ctx.coordinator
                        .heartbeat(
                                GroupTestContext.rc(4),
                                new io.skiff.wire.message.HeartbeatRequest()
                                        .setGroupId(GROUP)
                                        .setMemberId(s.id)
                                        .setGroupInstanceId("static-1")
                                        .setGenerationId(s.generation))
                        .join()
                        .errorCode())
                .isEqualTo(Errors.FENCED_INSTANCE_ID.code);
    }
}
