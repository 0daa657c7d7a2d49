package io.skiff.coordinator.group;

import static io.skiff.coordinator.testing.GroupTestContext.consumerBeat;
import static io.skiff.coordinator.testing.GroupTestContext.consumerJoin;
import static io.skiff.coordinator.testing.GroupTestContext.owned;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupMember;
import io.skiff.coordinator.group.classic.ClassicGroupState;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.group.consumer.ConsumerGroupMember;
import io.skiff.coordinator.group.offsets.OffsetAndMetadata;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.protocol.Errors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Loading a partition from its log rebuilds the state the operations built. */
class ReplayTest {

    /** A canonical description of the durable state of partition 0. */
    static String dump(GroupTestContext ctx) {
        StringBuilder b = new StringBuilder();
        TreeMap<String, Group> groups = new TreeMap<>();
        for (Group g : ctx.shard().groups().all()) {
            groups.put(g.groupId(), g);
        }
        for (Group g : groups.values()) {
            b.append("group ")
                    .append(g.groupId())
                    .append(' ')
                    .append(g.type())
                    .append(' ')
                    .append(g.stateAsString())
                    .append('\n');
            if (g instanceof ClassicGroup) {
                ClassicGroup c = (ClassicGroup) g;
                b.append("  generation=")
                        .append(c.generationId())
                        .append(" protocol=")
                        .append(c.protocolType())
                        .append('/')
                        .append(c.protocolName())
                        .append(" leader=")
                        .append(c.leaderOrNull())
                        .append('\n');
                TreeMap<String, ClassicGroupMember> members = new TreeMap<>();
                for (ClassicGroupMember m : c.allMembers()) {
                    members.put(m.memberId(), m);
                }
                for (ClassicGroupMember m : members.values()) {
                    b.append("  member ")
                            .append(m.memberId())
                            .append(" instance=")
                            .append(m.groupInstanceId())
                            .append(" client=")
                            .append(m.clientId())
                            .append(m.clientHost())
                            .append(" timeouts=")
                            .append(m.sessionTimeoutMs())
                            .append('/')
                            .append(m.rebalanceTimeoutMs())
                            .append(" metadata=")
                            .append(Arrays.toString(m.metadata(c.protocolName())))
                            .append(" assignment=")
                            .append(Arrays.toString(m.assignment()))
                            .append('\n');
                }
            } else {
                ConsumerGroup c = (ConsumerGroup) g;
                b.append("  epoch=")
                        .append(c.groupEpoch())
                        .append(" hash=")
                        .append(c.metadataHash())
                        .append(" assignmentEpoch=")
                        .append(c.assignmentEpoch())
                        .append('\n');
                for (ConsumerGroupMember m : new TreeMap<>(c.members()).values()) {
                    b.append("  member ")
                            .append(m.memberId())
                            .append(" instance=")
                            .append(m.instanceId())
                            .append(" topics=")
                            .append(m.subscribedTopicNames())
                            .append(" regex=")
                            .append(m.subscribedTopicRegex())
                            .append(" assignor=")
                            .append(m.serverAssignor())
                            .append(" epoch=")
                            .append(m.memberEpoch())
                            .append('/')
                            .append(m.previousMemberEpoch())
                            .append(' ')
                            .append(m.state())
                            .append(" assigned=")
                            .append(m.assignedPartitions())
                            .append(" revoking=")
                            .append(m.partitionsPendingRevocation())
                            .append(" target=")
                            .append(c.targetAssignment(m.memberId()))
                            .append('\n');
                }
                for (Map.Entry<String, ConsumerGroup.ResolvedRegex> r : new TreeMap<>(c.resolvedRegexes()).entrySet()) {
                    b.append("  regex ")
                            .append(r.getKey())
                            .append(" -> ")
                            .append(r.getValue().topics)
                            .append('\n');
                }
            }
            for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t :
                    ctx.shard().offsets().offsets(g.groupId()).entrySet()) {
                for (Map.Entry<Integer, OffsetAndMetadata> p : t.getValue().entrySet()) {
                    b.append("  offset ")
                            .append(t.getKey())
                            .append('-')
                            .append(p.getKey())
                            .append(' ')
                            .append(p.getValue())
                            .append('\n');
                }
            }
        }
        return b.toString();
    }

    @Test
    void loadingThePartitionRebuildsTheSameGroupsAndOffsets() {
        GroupTestContext ctx = new GroupTestContext();
        ctx.topics.put("t", 6);
        ctx.topics.put("regex-a", 2);
        // A stable classic group with offsets.
        List<String> ids = ClassicGroupTest.stableGroupOfThree(ctx);
        ctx.commit(8, GroupTestContext.commitRequest(ClassicGroupTest.GROUP, ids.get(0), 1, "t", 0, 10));
        // A simple group.
        ctx.commit(8, GroupTestContext.commitRequest("simple", "", -1, "t", 5, 55));
        // A consumer group in the middle of a reconciliation, with a regex member.
        ConsumerGroupHeartbeatResponse a =
                ctx.consumerHeartbeat(consumerJoin("cg", "a", List.of("t")).setServerAssignor("range"));
        ctx.consumerHeartbeat(
                consumerJoin("cg", "b", List.of()).setSubscribedTopicNames(null).setSubscribedTopicRegex("regex-.*"));
        ctx.consumerHeartbeat(consumerJoin("cg", "c", List.of("t")).setInstanceId("ic"));
        ctx.consumerHeartbeat(consumerBeat("cg", "a", a.memberEpoch(), owned(a.assignment())));
        ctx.commit(
                9,
                GroupTestContext.commitRequest(
                        "cg", "a", ctx.consumerGroup("cg").member("a").memberEpoch(), "t", 1, 11));
        // An empty classic group whose only member left.
        java.util.concurrent.CompletableFuture<io.skiff.wire.message.JoinGroupResponse> j =
                ctx.joinDynamic("emptied", ClassicGroupTest.META);
        ClassicGroupTest.awaitInitialRebalance(ctx);
        ctx.sync("emptied", j.join().memberId(), 1, Map.of()).join();
        ctx.leave("emptied", j.join().memberId());

        String before = dump(ctx);
        assertThat(before)
                .contains("group cg consumer Reconciling")
                .contains("group emptied classic Empty")
                .contains("regex regex-.* -> [regex-a]")
                .contains("offset t-5");
        ctx.start();
        assertThat(ctx.coordinator.shard(0).loadedRecords()).isEqualTo(ctx.log().size());
        assertThat(dump(ctx)).isEqualTo(before);
    }

    @Test
    void loadedClassicMembersAreExpiredIfTheyNeverHeartbeatAgain() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = ClassicGroupTest.stableGroupOfThree(ctx);
        ctx.start();
        ClassicGroup group = ctx.classicGroup(ClassicGroupTest.GROUP);
        assertThat(group.state()).isEqualTo(ClassicGroupState.STABLE);
        for (int i = 0; i < 3; i++) {
            ctx.advance(4_000);
            assertThat(ctx.heartbeat(ClassicGroupTest.GROUP, ids.get(0), 1).errorCode())
                    .isIn(Errors.NONE.code, Errors.REBALANCE_IN_PROGRESS.code);
        }
        assertThat(group.hasMember(ids.get(1))).isFalse();
        assertThat(group.hasMember(ids.get(0))).isTrue();
    }

    @Test
    void loadedConsumerMembersAreFencedIfTheyNeverHeartbeatAgain() {
        GroupTestContext ctx = new GroupTestContext();
        ctx.topics.put("t", 2);
        ctx.consumerHeartbeat(consumerJoin("cg", "a", List.of("t")));
        ctx.start();
        assertThat(ctx.consumerGroup("cg").hasMember("a")).isTrue();
        ctx.advance(ctx.config.consumerGroupSessionTimeoutMs());
        assertThat(ctx.consumerGroup("cg").hasMember("a")).isFalse();
        assertThat(ctx.consumerGroup("cg").state().toString()).isEqualTo("Empty");
    }
}
