package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Static membership (group.instance.id): a static member whose consumer is closed and started
 * again within its session timeout gets its partitions back with no rebalance: the other members
 * keep their generation and their partitions and see no rebalance callback. One that does not come
 * back in time loses its partitions.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GroupStaticMembershipCompatTest {
    /** Long enough for a consumer to be closed and started again; consumer-protocol members get it from the broker. */
    private static final int SESSION_TIMEOUT_MS = 10_000;

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = Groups.broker(SESSION_TIMEOUT_MS);

    private static Properties staticMember(String protocol, String group, String instanceId, int sessionTimeoutMs) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        }
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void staticMemberRestartedWithinItsSessionTimeoutKeepsItsPartitionsWithoutARebalance(String protocol)
            throws Exception {
        String topic = Groups.newTopic(BROKER, "static");
        String group = "static-" + protocol;
        List<GroupMember> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(GroupMember.start(
                    "static-" + i,
                    BROKER.bootstrapServers(),
                    topic,
                    staticMember(protocol, group, "instance-" + i, SESSION_TIMEOUT_MS),
                    GroupMember.CommitMode.SYNC));
        }
        try {
            GroupMember.await(
                    () -> "three static members owning two partitions each: " + members,
                    60,
                    () -> Groups.disjointCover(members, 2));
            Map<String, Set<Integer>> partitionsBefore = new HashMap<>();
            Map<String, Integer> generationBefore = new HashMap<>();
            Map<String, Integer> callbacksBefore = new HashMap<>();
            for (GroupMember m : members) {
                partitionsBefore.put(m.name(), m.partitions());
                generationBefore.put(m.name(), m.generation());
                callbacksBefore.put(m.name(), m.assignedCallbacks() + m.revokedCallbacks() + m.lostCallbacks());
            }
            int groupEpochBefore = describe(group).groupEpoch().orElse(-1);

            GroupMember restarted = members.remove(1);
            restarted.close();
            GroupMember again = GroupMember.start(
                    "static-1-again",
                    BROKER.bootstrapServers(),
                    topic,
                    staticMember(protocol, group, "instance-1", SESSION_TIMEOUT_MS),
                    GroupMember.CommitMode.SYNC);
            members.add(again);
            GroupMember.await(
                    () -> "the restarted static member to get partitions: " + again,
                    30,
                    () -> !again.partitions().isEmpty());
            assertThat(again.partitions())
                    .as("the restarted member's partitions")
                    .isEqualTo(partitionsBefore.get(restarted.name()));
            assertThat(again.memberId())
                    .as("a new member id for the same instance")
                    .isNotEqualTo(restarted.memberId());
            if (protocol.equals("classic")) {
                assertThat(again.generation())
                        .as("the generation it joins")
                        .isEqualTo(generationBefore.get(restarted.name()));
            }

            // Let the members read a round of records, then check that nobody saw a rebalance meanwhile.
            Groups.produce(BROKER.bootstrapServers(), topic, 10);
            Groups.awaitEachReadsOnlyItsOwn(members, 0, 10);
            for (GroupMember m : members.subList(0, 2)) {
                assertThat(m.partitions()).as("%s's partitions", m.name()).isEqualTo(partitionsBefore.get(m.name()));
                assertThat(m.generation()).as("%s's generation", m.name()).isEqualTo(generationBefore.get(m.name()));
                assertThat(m.assignedCallbacks() + m.revokedCallbacks() + m.lostCallbacks())
                        .as("%s's rebalance callbacks since the static member left", m.name())
                        .isEqualTo(callbacksBefore.get(m.name()));
            }
            ConsumerGroupDescription d = describe(group);
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.groupEpoch().orElse(-1)).as("group epoch").isEqualTo(groupEpochBefore);
            List<String> instances = new ArrayList<>();
            for (MemberDescription md : d.members()) {
                instances.add(md.groupInstanceId().orElse(null));
                if (md.groupInstanceId().orElse("").equals("instance-1")) {
                    assertThat(md.consumerId()).isEqualTo(again.memberId());
                }
            }
            assertThat(instances).containsExactlyInAnyOrder("instance-0", "instance-1", "instance-2");
        } finally {
            Groups.closeAll(members);
        }
    }

    @Test
    void staticMemberThatDoesNotComeBackWithinItsSessionTimeoutLosesItsPartitions() throws Exception {
        String topic = Groups.newTopic(BROKER, "static-gone");
        String group = "static-gone";
        List<GroupMember> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(GroupMember.start(
                    "gone-" + i,
                    BROKER.bootstrapServers(),
                    topic,
                    staticMember("classic", group, "gone-" + i, 3000),
                    GroupMember.CommitMode.SYNC));
        }
        try {
            GroupMember.await(
                    () -> "three static members owning two partitions each: " + members,
                    60,
                    () -> Groups.disjointCover(members, 2));
            GroupMember gone = members.remove(2);
            Set<Integer> itsPartitions = gone.partitions();
            gone.close();
            GroupMember.await(
                    () -> "the two others to take over: " + members, 60, () -> Groups.disjointCover(members, 3));
            assertThat(members.get(0).partitions().size()
                            + members.get(1).partitions().size())
                    .isEqualTo(6);
            Set<Integer> union = new java.util.HashSet<>(members.get(0).partitions());
            union.addAll(members.get(1).partitions());
            assertThat(union).containsAll(itsPartitions);
        } finally {
            Groups.closeAll(members);
        }
    }

    private static ConsumerGroupDescription describe(String group) throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            return admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get();
        }
    }
}
