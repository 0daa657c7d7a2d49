package io.skiff.coordinator.group;

import static io.skiff.coordinator.testing.GroupTestContext.consumerBeat;
import static io.skiff.coordinator.testing.GroupTestContext.consumerJoin;
import static io.skiff.coordinator.testing.GroupTestContext.count;
import static io.skiff.coordinator.testing.GroupTestContext.owned;
import static io.skiff.coordinator.testing.GroupTestContext.rc;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.group.consumer.ConsumerGroupMember;
import io.skiff.coordinator.group.consumer.ConsumerGroupState;
import io.skiff.coordinator.group.consumer.MemberState;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.ConsumerGroupDescribeRequest;
import io.skiff.wire.message.ConsumerGroupDescribeResponse;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The consumer group protocol (KIP-848): join, assignment, revocation, leave, timeouts, regexes, offsets. */
class ConsumerGroupTest {
    static final String GROUP = "cg";

    private static GroupTestContext ctxWithTopic(int partitions) {
        GroupTestContext ctx = new GroupTestContext();
        ctx.topics.put("t", partitions);
        return ctx;
    }

    private static Set<Integer> partitionsOf(ConsumerGroupHeartbeatResponse r) {
        Set<Integer> out = new HashSet<>();
        for (ConsumerGroupHeartbeatResponse.TopicPartitions tp : r.assignment().topicPartitions()) {
            out.addAll(tp.partitions());
        }
        return out;
    }

    @Test
    void firstMemberGetsEveryPartition() {
        GroupTestContext ctx = ctxWithTopic(6);
        ConsumerGroupHeartbeatResponse r = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(r.memberId()).isEqualTo("a");
        assertThat(r.memberEpoch()).isEqualTo(2);
        assertThat(r.heartbeatIntervalMs()).isEqualTo(5000);
        assertThat(partitionsOf(r)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.groupEpoch()).isEqualTo(2);
        assertThat(group.assignmentEpoch()).isEqualTo(2);
        assertThat(group.state()).isEqualTo(ConsumerGroupState.STABLE);
        assertThat(group.metadataHash()).isNotZero();
    }

    /** The record types of the log from {@code from} on, as DumpLogSegments shows them. */
    private static List<Integer> recordTypes(GroupTestContext ctx, int from) {
        List<Integer> types = new ArrayList<>();
        List<byte[][]> entries = ctx.log().entries();
        for (int i = from; i < entries.size(); i++) {
            types.add(((entries.get(i)[0][0] & 0xff) << 8) | (entries.get(i)[0][1] & 0xff));
        }
        return types;
    }

    @Test
    void targetAssignmentIsRecomputedAtMostOncePerAssignmentIntervalAndRecordsFollowKafka() {
        GroupTestContext ctx = new GroupTestContext(b -> b.consumerGroupAssignmentIntervalMs(1000));
        ctx.topics.put("t", 6);
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        // Kafka 4.3.1 starts a group at epoch 1, so the first join writes epoch 2; it wrote these
        // record types: member metadata, group epoch, target member, target epoch, current assignment.
        assertThat(a.memberEpoch()).isEqualTo(2);
        assertThat(recordTypes(ctx, 0)).containsExactly(5, 3, 7, 6, 8);
        int logSize = ctx.log().size();
        ConsumerGroupHeartbeatResponse b = ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        // Within the interval: no new target; b reconciles to the current one (nothing), the group is Assigning.
        assertThat(b.memberEpoch()).isEqualTo(2);
        assertThat(count(b.assignment())).isZero();
        assertThat(recordTypes(ctx, logSize)).containsExactly(5, 3, 8);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.groupEpoch()).isEqualTo(3);
        assertThat(group.assignmentEpoch()).isEqualTo(2);
        assertThat(group.state()).isEqualTo(ConsumerGroupState.ASSIGNING);
        ConsumerGroupHeartbeatResponse a2 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a.assignment())));
        assertThat(a2.assignment()).isNull();
        assertThat(group.assignmentEpoch()).isEqualTo(2);
        // Once the interval has passed the next heartbeat computes the target of epoch 3.
        ctx.advance(1000);
        ConsumerGroupHeartbeatResponse a3 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a.assignment())));
        assertThat(group.assignmentEpoch()).isEqualTo(3);
        assertThat(count(a3.assignment())).isEqualTo(3);
        assertThat(group.member("a").state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        // b leaves: Kafka writes current, target and member tombstones, then a new epoch.
        logSize = ctx.log().size();
        ctx.consumerHeartbeat(consumerBeat(GROUP, "b", -1, null));
        assertThat(recordTypes(ctx, logSize)).containsExactly(8, 7, 5, 3);
        List<byte[][]> entries = ctx.log().entries();
        for (int i = logSize; i < logSize + 3; i++) {
            assertThat(entries.get(i)[1]).isNull();
        }
    }

    @Test
    void partitionMovesToNewMemberOnlyAfterTheOldOwnerRevokedIt() {
        GroupTestContext ctx = ctxWithTopic(6);
        Uuid t = ctx.topics.topicId("t");
        ConsumerGroupHeartbeatResponse a1 = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        assertThat(count(a1.assignment())).isEqualTo(6);

        // b joins: epoch 3, the target gives it 3 partitions, but a still owns them.
        ConsumerGroupHeartbeatResponse b1 = ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        assertThat(b1.memberEpoch()).isEqualTo(3);
        assertThat(count(b1.assignment())).isZero();
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.member("b").state()).isEqualTo(MemberState.UNRELEASED_PARTITIONS);
        assertThat(group.state()).isEqualTo(ConsumerGroupState.RECONCILING);

        // a heartbeats: it must revoke 3 partitions and stays at epoch 2 until it does.
        ConsumerGroupHeartbeatResponse a2 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a1.assignment())));
        assertThat(a2.memberEpoch()).isEqualTo(2);
        assertThat(count(a2.assignment())).isEqualTo(3);
        assertThat(group.member("a").state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        Set<Integer> kept = partitionsOf(a2);

        // b heartbeats again before the revocation: still nothing.
        ConsumerGroupHeartbeatResponse b2 = ctx.consumerHeartbeat(consumerBeat(GROUP, "b", 3, owned(t)));
        assertThat(b2.memberEpoch()).isEqualTo(3);
        assertThat(b2.assignment()).isNull();

        // a acknowledges the revocation by reporting only what it kept: it moves to epoch 3.
        ConsumerGroupHeartbeatResponse a3 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a2.assignment())));
        assertThat(a3.memberEpoch()).isEqualTo(3);
        assertThat(group.member("a").state()).isEqualTo(MemberState.STABLE);

        // Now b gets the released partitions.
        ConsumerGroupHeartbeatResponse b3 = ctx.consumerHeartbeat(consumerBeat(GROUP, "b", 3, owned(t)));
        assertThat(count(b3.assignment())).isEqualTo(3);
        Set<Integer> all = new HashSet<>(kept);
        all.addAll(partitionsOf(b3));
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        assertThat(group.state()).isEqualTo(ConsumerGroupState.STABLE);
    }

    /** Three members converge to two partitions each with either server assignor. */
    private static void threeMembersConverge(String assignor) {
        GroupTestContext ctx = ctxWithTopic(6);
        List<String> members = List.of("m1", "m2", "m3");
        List<ConsumerGroupHeartbeatResponse> last = new ArrayList<>();
        for (String m : members) {
            last.add(ctx.consumerHeartbeat(consumerJoin(GROUP, m, List.of("t")).setServerAssignor(assignor)));
        }
        List<List<ConsumerGroupHeartbeatRequest.TopicPartitions>> ownedBy = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        for (ConsumerGroupHeartbeatResponse r : last) {
            ownedBy.add(owned(r.assignment()));
            epochs.add(r.memberEpoch());
        }
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 3; i++) {
                ConsumerGroupHeartbeatResponse r =
                        ctx.consumerHeartbeat(consumerBeat(GROUP, members.get(i), epochs.get(i), ownedBy.get(i)));
                assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
                epochs.set(i, r.memberEpoch());
                if (r.assignment() != null) {
                    ownedBy.set(i, owned(r.assignment()));
                }
            }
        }
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.state()).isEqualTo(ConsumerGroupState.STABLE);
        Set<Integer> all = new HashSet<>();
        for (String m : members) {
            ConsumerGroupMember member = group.member(m);
            assertThat(member.memberEpoch()).isEqualTo(group.groupEpoch());
            Set<Integer> ps = member.assignedPartitionSets().get(ctx.topics.topicId("t"));
            assertThat(ps).hasSize(2);
            assertThat(all).doesNotContainAnyElementsOf(ps);
            all.addAll(ps);
        }
        assertThat(all).hasSize(6);
        if (assignor.equals("range")) {
            assertThat(group.member("m1").assignedPartitionSets().get(ctx.topics.topicId("t")))
                    .containsExactly(0, 1);
            assertThat(group.member("m3").assignedPartitionSets().get(ctx.topics.topicId("t")))
                    .containsExactly(4, 5);
        }
        ConsumerGroupDescribeResponse d = ctx.coordinator
                .consumerGroupDescribe(
                        rc(1), new ConsumerGroupDescribeRequest().setGroupIds(new ArrayList<>(List.of(GROUP))))
                .join();
        assertThat(d.groups().get(0).assignorName()).isEqualTo(assignor);
    }

    @Test
    void threeMembersShareSixPartitionsWithUniformAssignor() {
        threeMembersConverge("uniform");
    }

    @Test
    void threeMembersShareSixPartitionsWithRangeAssignor() {
        threeMembersConverge("range");
    }

    @Test
    void leavingMemberLosesItsPartitionsToTheOthers() {
        GroupTestContext ctx = ctxWithTopic(4);
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        ConsumerGroupHeartbeatResponse a2 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a.assignment())));
        ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        ConsumerGroupHeartbeatResponse a3 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a.assignment())));
        ctx.consumerHeartbeat(consumerBeat(GROUP, "a", a3.memberEpoch(), owned(a3.assignment())));
        // b leaves with epoch -1.
        ConsumerGroupHeartbeatResponse left = ctx.consumerHeartbeat(consumerBeat(GROUP, "b", -1, null));
        assertThat(left.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(left.memberEpoch()).isEqualTo(-1);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.hasMember("b")).isFalse();
        ConsumerGroupHeartbeatResponse a4 = ctx.consumerHeartbeat(
                consumerBeat(GROUP, "a", group.member("a").memberEpoch(), owned(a3.assignment())));
        assertThat(count(a4.assignment())).isEqualTo(4);
        assertThat(a2.errorCode()).isEqualTo(Errors.NONE.code);
    }

    @Test
    void silentMemberIsFencedAfterSessionTimeout() {
        GroupTestContext ctx = ctxWithTopic(2);
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        ConsumerGroupHeartbeatResponse b = ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        List<ConsumerGroupHeartbeatRequest.TopicPartitions> aOwns = owned(a.assignment());
        for (int i = 0; i < 10; i++) {
            ctx.advance(5_000);
            ConsumerGroupHeartbeatResponse r = ctx.consumerHeartbeat(consumerBeat(
                    GROUP, "a", ctx.consumerGroup(GROUP).member("a").memberEpoch(), aOwns));
            if (r.assignment() != null) {
                aOwns = owned(r.assignment());
            }
        }
        assertThat(ctx.consumerGroup(GROUP).hasMember("b")).isFalse();
        ConsumerGroupHeartbeatResponse late = ctx.consumerHeartbeat(consumerBeat(GROUP, "b", b.memberEpoch(), null));
        assertThat(late.errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        assertThat(late.errorMessage()).isEqualTo("Member b is not a member of group cg.");
        assertThat(ctx.consumerGroup(GROUP).member("a").assignedPartitionSets().get(ctx.topics.topicId("t")))
                .containsExactly(0, 1);
    }

    @Test
    void memberThatDoesNotRevokeWithinRebalanceTimeoutIsFenced() {
        GroupTestContext ctx = ctxWithTopic(2);
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        // a is asked to revoke one partition but keeps reporting both.
        ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a.assignment())));
        assertThat(ctx.consumerGroup(GROUP).member("a").state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        for (int i = 0; i < 7; i++) {
            ctx.advance(5_000);
            ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a.assignment())));
            ctx.consumerHeartbeat(consumerBeat(GROUP, "b", 3, List.of()));
        }
        assertThat(ctx.consumerGroup(GROUP).hasMember("a")).isFalse();
    }

    @Test
    void staleOrFutureMemberEpochsAreFenced() {
        GroupTestContext ctx = ctxWithTopic(2);
        ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        ConsumerGroupHeartbeatResponse ahead = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 5, null));
        assertThat(ahead.errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code);
        assertThat(ahead.errorMessage()).contains("greater member epoch (5)");
        // b's join bumps the epoch; a at epoch 2 is moved to 3 on its next heartbeat.
        ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        ConsumerGroupHeartbeatResponse a2 =
                ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(ctx.topics.topicId("t"), 0)));
        assertThat(a2.errorCode()).isEqualTo(Errors.NONE.code);
        ConsumerGroupHeartbeatResponse behind = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 0, null)
                .setMemberEpoch(2)
                .setTopicPartitions(owned(ctx.topics.topicId("t"), 0, 1)));
        // a gave partition 1 up without being asked to wait (it reported owning only 0): it is at epoch 3.
        assertThat(a2.memberEpoch()).isEqualTo(3);
        // Epoch 2 is a's previous epoch, which is accepted only if it owns no more than its assignment.
        assertThat(behind.errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code);
        ConsumerGroupHeartbeatResponse lostResponse =
                ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(ctx.topics.topicId("t"), 0)));
        assertThat(lostResponse.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(lostResponse.memberEpoch()).isEqualTo(3);
        assertThat(ctx.consumerHeartbeat(consumerBeat("unknown-group", "x", 3, null))
                        .errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
    }

    @Test
    void invalidHeartbeatsAreRejectedWithKafkasErrors() {
        GroupTestContext ctx = ctxWithTopic(2);
        ConsumerGroupHeartbeatResponse noTimeout =
                ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")).setRebalanceTimeoutMs(-1));
        assertThat(noTimeout.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code);
        assertThat(noTimeout.errorMessage()).isEqualTo("RebalanceTimeoutMs must be provided in first request.");
        ConsumerGroupHeartbeatResponse noTopics = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of()));
        assertThat(noTopics.errorMessage())
                .isEqualTo("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
        ConsumerGroupHeartbeatResponse noId = ctx.consumerHeartbeat(consumerJoin(GROUP, "", List.of("t")));
        assertThat(noId.errorMessage()).isEqualTo("MemberId can't be empty.");
        ConsumerGroupHeartbeatResponse assignor =
                ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")).setServerAssignor("sticky"));
        assertThat(assignor.errorCode()).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR.code);
        ConsumerGroupHeartbeatResponse regex = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of())
                .setSubscribedTopicNames(null)
                .setSubscribedTopicRegex("t["));
        assertThat(regex.errorCode()).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code);
        ConsumerGroupHeartbeatResponse epoch = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", -3, null));
        assertThat(epoch.errorMessage()).isEqualTo("MemberEpoch is invalid.");
        assertThat(ctx.consumerGroup(GROUP)).isNull();
    }

    @Test
    void groupMaxSizeRefusesExtraMembers() {
        GroupTestContext ctx = new GroupTestContext(b -> b.consumerGroupMaxSize(1));
        ctx.topics.put("t", 1);
        ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        ConsumerGroupHeartbeatResponse b = ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        assertThat(b.errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code);
    }

    @Test
    void staticMemberRejoiningAfterTemporaryLeaveKeepsItsPartitionsWithoutRebalance() {
        GroupTestContext ctx = ctxWithTopic(2);
        ConsumerGroupHeartbeatResponse a =
                ctx.consumerHeartbeat(consumerJoin(GROUP, "a1", List.of("t")).setInstanceId("ia"));
        ConsumerGroupHeartbeatResponse b = ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        ConsumerGroupHeartbeatResponse a2 = ctx.consumerHeartbeat(
                consumerBeat(GROUP, "a1", 2, owned(a.assignment())).setInstanceId("ia"));
        ConsumerGroupHeartbeatResponse a3 =
                ctx.consumerHeartbeat(consumerBeat(GROUP, "a1", a2.memberEpoch(), owned(a2.assignment()))
                        .setInstanceId("ia"));
        ctx.consumerHeartbeat(consumerBeat(GROUP, "b", b.memberEpoch(), List.of()));
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        Set<Integer> aPartitions = group.member("a1").assignedPartitionSets().get(ctx.topics.topicId("t"));
        assertThat(aPartitions).hasSize(1);
        int epochBefore = group.groupEpoch();

        // Temporary leave (epoch -2): the member keeps its partitions.
        ConsumerGroupHeartbeatResponse leave =
                ctx.consumerHeartbeat(consumerBeat(GROUP, "a1", -2, null).setInstanceId("ia"));
        assertThat(leave.memberEpoch()).isEqualTo(-2);
        // Another process with the same instance id but a new member id cannot join while it is held...
        // ...but the restarted instance can: it takes over the member and its partitions.
        ConsumerGroupHeartbeatResponse back =
                ctx.consumerHeartbeat(consumerJoin(GROUP, "a2", List.of("t")).setInstanceId("ia"));
        assertThat(back.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(partitionsOf(back)).isEqualTo(aPartitions);
        assertThat(group.groupEpoch()).isEqualTo(epochBefore);
        assertThat(group.hasMember("a1")).isFalse();
        assertThat(group.member("a2").memberEpoch()).isEqualTo(epochBefore);
        // The old member id is fenced.
        ConsumerGroupHeartbeatResponse zombie = ctx.consumerHeartbeat(
                consumerBeat(GROUP, "a1", a3.memberEpoch(), null).setInstanceId("ia"));
        assertThat(zombie.errorCode()).isEqualTo(Errors.FENCED_INSTANCE_ID.code);
    }

    @Test
    void staticInstanceIdHeldByALiveMemberIsUnreleased() {
        GroupTestContext ctx = ctxWithTopic(2);
        ctx.consumerHeartbeat(consumerJoin(GROUP, "a1", List.of("t")).setInstanceId("ia"));
        ConsumerGroupHeartbeatResponse dup =
                ctx.consumerHeartbeat(consumerJoin(GROUP, "a2", List.of("t")).setInstanceId("ia"));
        assertThat(dup.errorCode()).isEqualTo(Errors.UNRELEASED_INSTANCE_ID.code);
    }

    @Test
    void regexSubscriptionFollowsTopicsAsTheyAreCreated() {
        GroupTestContext ctx = ctxWithTopic(2);
        ctx.topics.put("orders-eu", 1);
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of())
                .setSubscribedTopicNames(null)
                .setSubscribedTopicRegex("orders-.*"));
        assertThat(a.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(count(a.assignment())).isEqualTo(1);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        assertThat(group.resolvedRegex("orders-.*").topics).containsExactly("orders-eu");
        int epoch = group.groupEpoch();

        ctx.topics.put("orders-us", 2);
        ctx.coordinator.onTopicsChanged().join();
        assertThat(group.groupEpoch()).isEqualTo(epoch + 1);
        assertThat(group.resolvedRegex("orders-.*").topics).containsExactly("orders-eu", "orders-us");
        ConsumerGroupHeartbeatResponse a2 =
                ctx.consumerHeartbeat(consumerBeat(GROUP, "a", a.memberEpoch(), owned(a.assignment())));
        assertThat(count(a2.assignment())).isEqualTo(3);
        assertThat(a2.memberEpoch()).isEqualTo(epoch + 1);
    }

    @Test
    void addedPartitionsAreAssigned() {
        GroupTestContext ctx = ctxWithTopic(2);
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        ctx.topics.put("t", 4);
        ctx.coordinator.onTopicsChanged().join();
        ConsumerGroupHeartbeatResponse a2 =
                ctx.consumerHeartbeat(consumerBeat(GROUP, "a", a.memberEpoch(), owned(a.assignment())));
        assertThat(count(a2.assignment())).isEqualTo(4);
    }

    @Test
    void subscribingToATopicThatAppearsLaterGetsItsPartitionsOnTheNextHeartbeat() {
        GroupTestContext ctx = new GroupTestContext();
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("later")));
        assertThat(count(a.assignment())).isZero();
        ctx.topics.put("later", 3);
        // Even without onTopicsChanged the next heartbeat notices the new metadata.
        ConsumerGroupHeartbeatResponse a2 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", a.memberEpoch(), List.of()));
        assertThat(count(a2.assignment())).isEqualTo(3);
    }

    @Test
    void offsetCommitsOfConsumerMembersAreCheckedAgainstTheirEpoch() {
        GroupTestContext ctx = ctxWithTopic(2);
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        assertThat(ctx.commitError(9, GroupTestContext.commitRequest(GROUP, "a", 2, "t", 0, 10)))
                .isEqualTo(Errors.NONE.code);
        assertThat(ctx.commitError(9, GroupTestContext.commitRequest(GROUP, "a", 3, "t", 0, 10)))
                .isEqualTo(Errors.STALE_MEMBER_EPOCH.code);
        assertThat(ctx.commitError(8, GroupTestContext.commitRequest(GROUP, "a", 2, "t", 0, 10)))
                .isEqualTo(Errors.UNSUPPORTED_VERSION.code);
        assertThat(ctx.commitError(9, GroupTestContext.commitRequest(GROUP, "x", 2, "t", 0, 10)))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        // After b joins and a moves to epoch 3, a commit with epoch 2 is still accepted for the
        // partition a held since epoch 2, but not for the one it gave away (KIP-1251).
        ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        ConsumerGroupHeartbeatResponse a2 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a.assignment())));
        ConsumerGroupHeartbeatResponse a3 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a2.assignment())));
        assertThat(a3.memberEpoch()).isEqualTo(3);
        int keptPartition = partitionsOf(a2).iterator().next();
        int gonePartition = 1 - keptPartition;
        OffsetCommitRequest old = GroupTestContext.commitRequest(GROUP, "a", 2, "t", keptPartition, 20);
        old.topics()
                .get(0)
                .partitions()
                .add(new OffsetCommitRequest.OffsetCommitRequestPartition()
                        .setPartitionIndex(gonePartition)
                        .setCommittedOffset(20));
        assertThat(ctx.commit(9, old).topics().get(0).partitions())
                .extracting(io.skiff.wire.message.OffsetCommitResponse.OffsetCommitResponsePartition::errorCode)
                .containsExactly(Errors.NONE.code, Errors.STALE_MEMBER_EPOCH.code);

        // OffsetFetch with a member epoch is checked too.
        OffsetFetchResponse f = ctx.fetch(
                9,
                new OffsetFetchRequest()
                        .setGroups(new ArrayList<>(List.of(new OffsetFetchRequest.OffsetFetchRequestGroup()
                                .setGroupId(GROUP)
                                .setMemberId("a")
                                .setMemberEpoch(2)
                                .setTopics(null)))));
        assertThat(f.groups().get(0).errorCode()).isEqualTo(Errors.STALE_MEMBER_EPOCH.code);
        OffsetFetchResponse ok = ctx.fetch(
                9,
                new OffsetFetchRequest()
                        .setGroups(new ArrayList<>(List.of(new OffsetFetchRequest.OffsetFetchRequestGroup()
                                .setGroupId(GROUP)
                                .setMemberId("a")
                                .setMemberEpoch(3)
                                .setTopics(null)))));
        assertThat(ok.groups().get(0).errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ok.groups().get(0).topics().get(0).partitions()).hasSize(1);
    }

    @Test
    void describeShowsMembersAssignmentsAndTargets() {
        GroupTestContext ctx = ctxWithTopic(2);
        ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        ConsumerGroupDescribeResponse d = ctx.coordinator
                .consumerGroupDescribe(
                        rc(1), new ConsumerGroupDescribeRequest().setGroupIds(new ArrayList<>(List.of(GROUP, "none"))))
                .join();
        ConsumerGroupDescribeResponse.DescribedGroup g = d.groups().get(0);
        assertThat(g.groupState()).isEqualTo("Stable");
        assertThat(g.groupEpoch()).isEqualTo(2);
        assertThat(g.assignmentEpoch()).isEqualTo(2);
        assertThat(g.assignorName()).isEqualTo("uniform");
        ConsumerGroupDescribeResponse.Member m = g.members().get(0);
        assertThat(m.memberId()).isEqualTo("a");
        assertThat(m.clientHost()).isEqualTo(GroupTestContext.CLIENT_HOST);
        assertThat(m.memberType()).isEqualTo((byte) 1);
        assertThat(m.assignment().topicPartitions().get(0).topicName()).isEqualTo("t");
        assertThat(m.targetAssignment().topicPartitions().get(0).partitions()).containsExactly(0, 1);
        assertThat(d.groups().get(1).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
        assertThat(d.groups().get(1).errorMessage()).isEqualTo("Group none not found.");
    }

    @Test
    void emptyClassicGroupWithOffsetsBecomesAConsumerGroupAndBack() {
        GroupTestContext ctx = ctxWithTopic(1);
        ctx.commit(8, GroupTestContext.commitRequest(GROUP, "", -1, "t", 0, 7));
        assertThat(ctx.classicGroup(GROUP)).isNotNull();
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        assertThat(a.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.consumerGroup(GROUP)).isNotNull();
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(7L);
        ctx.consumerHeartbeat(consumerBeat(GROUP, "a", -1, null));
        assertThat(ctx.consumerGroup(GROUP).isEmpty()).isTrue();

        // The empty consumer group becomes a classic group when a classic member joins.
        CompletableFuture<JoinGroupResponse> j = ctx.joinDynamic(GROUP, ClassicGroupTest.META);
        ClassicGroupTest.awaitInitialRebalance(ctx);
        assertThat(j.join().errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.classicGroup(GROUP)).isNotNull();
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(7L);
        // A consumer member joining the classic group with its member converts it online.
        ConsumerGroupHeartbeatResponse upgraded = ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        assertThat(upgraded.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.consumerGroup(GROUP).member(j.join().memberId()).useClassicProtocol())
                .isTrue();
        // The conversions survive a restart.
        ctx.start();
        assertThat(ctx.consumerGroup(GROUP).member(j.join().memberId()).useClassicProtocol())
                .isTrue();
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(7L);
    }

    @Test
    void classicJoinToANonEmptyConsumerGroupIsInconsistentWhenMigrationIsDisabled() {
        GroupTestContext ctx = new GroupTestContext(b -> b.migrationPolicy("disabled"));
        ctx.topics.put("t", 1);
        ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        JoinGroupResponse r = ctx.join(5, GroupTestContext.joinRequest(GROUP, "", null, ClassicGroupTest.META))
                .join();
        assertThat(r.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
    }
}
