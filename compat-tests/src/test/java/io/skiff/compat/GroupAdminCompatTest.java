package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kafka-clients' AdminClient on consumer groups: listing with state and type filters,
 * describing members and assignments of classic and consumer-protocol groups, listing, altering
 * and deleting committed offsets, deleting groups, with the errors Apache Kafka 4.3.1 gives for
 * what it refuses.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GroupAdminCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = Groups.broker(6000);

    private static Properties member(String protocol, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        }
        return p;
    }

    private static List<GroupMember> startGroup(String protocol, String group, String topic, int count)
            throws InterruptedException {
        List<GroupMember> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(GroupMember.start(
                    group + "-" + i,
                    BROKER.bootstrapServers(),
                    topic,
                    member(protocol, group),
                    GroupMember.CommitMode.SYNC));
        }
        Groups.awaitDisjointCover(members, Groups.PARTITIONS / count);
        return members;
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(String topic, long... perPartition) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (int p = 0; p < perPartition.length; p++) {
            out.put(new TopicPartition(topic, p), new OffsetAndMetadata(perPartition[p], "meta-" + p));
        }
        return out;
    }

    private static Throwable cause(ThrowingCall call) {
        try {
            call.run();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("expected the call to fail");
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void listConsumerGroupsGivesEachGroupWithItsStateAndTypeAndFilters() throws Exception {
        String topic = Groups.newTopic(BROKER, "list");
        List<GroupMember> classic = startGroup("classic", "list-classic", topic, 1);
        List<GroupMember> consumer = startGroup("consumer", "list-consumer", topic, 1);
        try (Admin admin = Clients.admin(BROKER)) {
            admin.alterConsumerGroupOffsets("list-offsets-only", offsets(topic, 1, 2, 3, 4, 5, 6))
                    .all()
                    .get();
            Map<String, ConsumerGroupListing> all = new HashMap<>();
            for (ConsumerGroupListing l : admin.listConsumerGroups().all().get()) {
                all.put(l.groupId(), l);
            }
            assertThat(all.get("list-classic").groupState()).contains(GroupState.STABLE);
            assertThat(all.get("list-classic").type()).contains(GroupType.CLASSIC);
            assertThat(all.get("list-classic").isSimpleConsumerGroup()).isFalse();
            assertThat(all.get("list-consumer").groupState()).contains(GroupState.STABLE);
            assertThat(all.get("list-consumer").type()).contains(GroupType.CONSUMER);
            assertThat(all.get("list-offsets-only").groupState()).contains(GroupState.EMPTY);
            assertThat(all.get("list-offsets-only").type()).contains(GroupType.CLASSIC);
            assertThat(all.get("list-offsets-only").isSimpleConsumerGroup()).isTrue();
            assertThat(all.keySet()).noneMatch(g -> g.startsWith("__"));

            Set<String> empty = new HashSet<>();
            for (ConsumerGroupListing l : admin.listConsumerGroups(
                            new ListConsumerGroupsOptions().inGroupStates(Set.of(GroupState.EMPTY)))
                    .all()
                    .get()) {
                empty.add(l.groupId());
            }
            assertThat(empty).contains("list-offsets-only").doesNotContain("list-classic", "list-consumer");
            Set<String> consumerType = new HashSet<>();
            for (ConsumerGroupListing l : admin.listConsumerGroups(
                            new ListConsumerGroupsOptions().withTypes(Set.of(GroupType.CONSUMER)))
                    .all()
                    .get()) {
                consumerType.add(l.groupId());
            }
            assertThat(consumerType).contains("list-consumer").doesNotContain("list-classic", "list-offsets-only");
        } finally {
            Groups.closeAll(classic);
            Groups.closeAll(consumer);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void describeConsumerGroupsGivesStateMembersAndTheirAssignments(String protocol) throws Exception {
        String topic = Groups.newTopic(BROKER, "describe");
        String group = "describe-" + protocol;
        List<GroupMember> members = startGroup(protocol, group, topic, 2);
        try (Admin admin = Clients.admin(BROKER)) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get();
            assertThat(d.groupId()).isEqualTo(group);
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.isSimpleConsumerGroup()).isFalse();
            assertThat(d.coordinator().port()).isEqualTo(BROKER.port());
            assertThat(d.members()).hasSize(2);
            Map<String, Set<TopicPartition>> byMember = new HashMap<>();
            for (GroupMember m : members) {
                byMember.put(m.memberId(), m.assignment());
            }
            for (MemberDescription md : d.members()) {
                assertThat(byMember).containsKey(md.consumerId());
                assertThat(md.assignment().topicPartitions()).isEqualTo(byMember.get(md.consumerId()));
                assertThat(md.clientId()).startsWith(group + "-");
                assertThat(md.host()).isEqualTo("/127.0.0.1");
                assertThat(md.groupInstanceId()).isEmpty();
            }
            if (protocol.equals("classic")) {
                assertThat(d.type()).isEqualTo(GroupType.CLASSIC);
                assertThat(d.partitionAssignor()).isEqualTo("range");
                assertThat(d.groupEpoch()).isEmpty();
                for (MemberDescription md : d.members()) {
                    assertThat(md.memberEpoch()).isEmpty();
                    assertThat(md.targetAssignment()).isEmpty();
                }
            } else {
                assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
                assertThat(d.partitionAssignor()).isEqualTo("uniform");
                assertThat(d.groupEpoch()).isPresent();
                assertThat(d.targetAssignmentEpoch()).isEqualTo(d.groupEpoch());
                for (MemberDescription md : d.members()) {
                    assertThat(md.memberEpoch()).isEqualTo(d.groupEpoch());
                    assertThat(md.targetAssignment()).contains(md.assignment());
                    assertThat(md.upgraded())
                            .as("a member of the consumer protocol")
                            .contains(true);
                }
            }
        } finally {
            Groups.closeAll(members);
        }
        try (Admin admin = Clients.admin(BROKER)) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get();
            assertThat(d.groupState()).as("after every member left").isEqualTo(GroupState.EMPTY);
            assertThat(d.members()).isEmpty();
        }
    }

    @Test
    void describeConsumerGroupsOfAnUnknownGroupIsGroupIdNotFound() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            assertThat(cause(() -> admin.describeConsumerGroups(List.of("never-existed"))
                            .all()
                            .get()))
                    .isInstanceOf(GroupIdNotFoundException.class);
        }
    }

    @Test
    void listConsumerGroupOffsetsGivesOffsetsWithMetadataForAllOrSomePartitions() throws Exception {
        String topic = Groups.newTopic(BROKER, "list-offsets");
        String group = "list-offsets";
        try (Admin admin = Clients.admin(BROKER)) {
            Map<TopicPartition, OffsetAndMetadata> committed = offsets(topic, 10, 0, 30, 40, 50, 60);
            committed.put(new TopicPartition(topic, 1), new OffsetAndMetadata(20, Optional.of(0), "with epoch"));
            admin.alterConsumerGroupOffsets(group, committed).all().get();
            Map<TopicPartition, OffsetAndMetadata> all = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            assertThat(all).isEqualTo(committed);
            TopicPartition p3 = new TopicPartition(topic, 3);
            TopicPartition p5 = new TopicPartition(topic, 5);
            Map<TopicPartition, OffsetAndMetadata> some = admin.listConsumerGroupOffsets(
                            Map.of(group, new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(p3, p5))))
                    .partitionsToOffsetAndMetadata(group)
                    .get();
            assertThat(some).isEqualTo(Map.of(p3, committed.get(p3), p5, committed.get(p5)));
            assertThat(admin.listConsumerGroupOffsets("no-offsets-here")
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void alterConsumerGroupOffsetsFailsWhileTheGroupHasMembersAndWorksOnceItIsEmpty(String protocol) throws Exception {
        String topic = Groups.newTopic(BROKER, "alter");
        String group = "alter-" + protocol;
        List<GroupMember> members = startGroup(protocol, group, topic, 1);
        try (Admin admin = Clients.admin(BROKER)) {
            Groups.produce(BROKER.bootstrapServers(), topic, 5);
            Groups.awaitEachReadsOnlyItsOwn(members, 0, 5);
            Map<TopicPartition, Long> fives = new HashMap<>();
            for (int p = 0; p < Groups.PARTITIONS; p++) {
                fives.put(new TopicPartition(topic, p), 5L);
            }
            GroupMember.await(
                    () -> "the member's commits",
                    30,
                    () -> members.get(0).committed().equals(fives));
            Map<TopicPartition, OffsetAndMetadata> byMember = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : byMember.entrySet()) {
                assertThat(e.getValue().offset()).isEqualTo(5L);
                assertThat(e.getValue().leaderEpoch())
                        .as("the consumer commits the leader epoch")
                        .contains(0);
            }
            assertThat(cause(() -> admin.alterConsumerGroupOffsets(group, offsets(topic, 1, 1, 1, 1, 1, 1))
                            .all()
                            .get()))
                    .isInstanceOf(UnknownMemberIdException.class);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .as("the refused alteration changed nothing")
                    .isEqualTo(byMember);

            Groups.closeAll(members);
            Map<TopicPartition, OffsetAndMetadata> altered = offsets(topic, 1, 2, 3, 4, 5, 0);
            admin.alterConsumerGroupOffsets(group, altered).all().get();
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .isEqualTo(altered);
        } finally {
            Groups.closeAll(members);
        }
        // The group reads from the altered offsets.
        List<GroupMember> again = startGroup(protocol, group, topic, 1);
        try {
            GroupMember.await(
                    () -> "the member to read from the altered offsets",
                    30,
                    () -> again.get(0).reads().size() >= 15);
            Map<Integer, Long> first = new HashMap<>();
            for (GroupMember.Read r : again.get(0).reads()) {
                first.putIfAbsent(r.partition().partition(), r.offset());
            }
            // Partition 4 was set to its end (5): nothing to read there.
            assertThat(first).isEqualTo(Map.of(0, 1L, 1, 2L, 2, 3L, 3, 4L, 5, 0L));
        } finally {
            Groups.closeAll(again);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void deleteConsumerGroupsRefusesANonEmptyGroupAndDeletesAnEmptyOneWithItsOffsets(String protocol) throws Exception {
        String topic = Groups.newTopic(BROKER, "delete");
        String group = "delete-" + protocol;
        List<GroupMember> members = startGroup(protocol, group, topic, 1);
        try (Admin admin = Clients.admin(BROKER)) {
            Groups.produce(BROKER.bootstrapServers(), topic, 3);
            GroupMember.await(
                    () -> "the member's commits",
                    30,
                    () -> members.get(0).committed().size() == 6);
            assertThat(cause(() ->
                            admin.deleteConsumerGroups(List.of(group)).all().get()))
                    .isInstanceOf(GroupNotEmptyException.class);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .hasSize(6);

            Groups.closeAll(members);
            admin.deleteConsumerGroups(List.of(group)).all().get();
            Set<String> listed = new HashSet<>();
            for (ConsumerGroupListing l : admin.listConsumerGroups().all().get()) {
                listed.add(l.groupId());
            }
            assertThat(listed).doesNotContain(group);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .isEmpty();
            assertThat(cause(() ->
                            admin.deleteConsumerGroups(List.of(group)).all().get()))
                    .as("deleting it again")
                    .isInstanceOf(GroupIdNotFoundException.class);
        } finally {
            Groups.closeAll(members);
        }
    }

    @Test
    void deleteConsumerGroupOffsetsRefusesTopicsTheGroupSubscribesToAndDeletesOthers() throws Exception {
        String subscribed = Groups.newTopic(BROKER, "subscribed");
        String other = Groups.newTopic(BROKER, "other");
        String group = "delete-offsets";
        List<GroupMember> members = startGroup("classic", group, subscribed, 1);
        try (Admin admin = Clients.admin(BROKER)) {
            Groups.produce(BROKER.bootstrapServers(), subscribed, 2);
            GroupMember.await(
                    () -> "the member's commits",
                    30,
                    () -> members.get(0).committed().size() == 6);
            TopicPartition sub0 = new TopicPartition(subscribed, 0);
            TopicPartition other0 = new TopicPartition(other, 0);
            assertThat(cause(() -> admin.deleteConsumerGroupOffsets(group, Set.of(sub0))
                            .all()
                            .get()))
                    .isInstanceOf(GroupSubscribedToTopicException.class);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .containsKey(sub0);
            Groups.closeAll(members);

            admin.alterConsumerGroupOffsets(group, Map.of(other0, new OffsetAndMetadata(7)))
                    .all()
                    .get();
            admin.deleteConsumerGroupOffsets(group, Set.of(other0)).all().get();
            Map<TopicPartition, OffsetAndMetadata> left = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            assertThat(left).doesNotContainKey(other0).containsKey(sub0).hasSize(6);
            // Once nobody subscribes, the subscribed topic's offsets can go too.
            admin.deleteConsumerGroupOffsets(group, Set.of(sub0)).all().get();
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .doesNotContainKey(sub0)
                    .hasSize(5);
            assertThat(cause(() -> admin.deleteConsumerGroupOffsets("never-existed", Set.of(sub0))
                            .all()
                            .get()))
                    .isInstanceOf(GroupIdNotFoundException.class);
        } finally {
            Groups.closeAll(members);
        }
    }
}
