package io.skiff.coordinator.group.consumer;

import io.skiff.coordinator.group.GroupMetrics;
import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupMember;
import io.skiff.coordinator.group.classic.ConsumerProtocolCodec;
import io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.wire.message.ConsumerProtocolAssignment;
import io.skiff.wire.message.ConsumerProtocolSubscription;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The two conversions of Kafka's online migration, as pure functions of a group: a classic group
 * whose members use the consumer embedded protocol becomes a consumer group (upgrade), and a
 * consumer group whose members all use the classic protocol becomes a classic group (downgrade).
 * Each returns a detached group plus the records that create it in a shard; nothing here
 * touches a shard's state. Stateless.
 *
 * <p>Upgrade: every classic member becomes a member at the group's generation, Stable, owning
 * the partitions of its last assignment (also its target), with its JoinGroup's session timeout
 * and protocols kept as ClassicMemberMetadata; the group epoch and the target assignment epoch
 * are the generation. Downgrade: the members become classic members of a Stable group whose
 * generation is the group epoch; each gets its target assignment, serialized as a
 * ConsumerProtocolAssignment of the version of its subscription.
 */
public final class GroupConversion {
    /** A throwaway sink for the state-transition counters of detached groups. */
    private static final GroupMetrics DETACHED = new GroupMetrics();

    private GroupConversion() {}

    /**
     * The consumer group {@code classic} becomes (detached: built with its own replay methods,
     * registered nowhere).
     *
     * @throws CoordinatorException GROUP_ID_NOT_FOUND when a member's embedded protocol cannot be
     *                              read or an assignment carries user data (a custom assignor's,
     *                              which the consumer protocol would lose)
     */
    public static ConsumerGroup toConsumerGroup(ClassicGroup classic, TopicsView topics, MetadataHash metadataHash) {
        String groupId = classic.groupId();
        String protocol = classic.protocolName();
        if (protocol == null) {
            // Members joined but no generation was formed yet: Kafka fails the same way (no protocol to read).
            throw new CoordinatorException(
                    Errors.UNKNOWN_SERVER_ERROR, "Classic group " + groupId + " has no protocol yet.");
        }
        int generation = classic.generationId();
        ConsumerGroup group = new ConsumerGroup(groupId, DETACHED);
        for (ClassicGroupMember cm : classic.allMembers()) {
            Map<Uuid, Set<Integer>> assigned = new TreeMap<>();
            if (!Arrays.equals(cm.assignment(), ClassicGroupMember.EMPTY_ASSIGNMENT)) {
                ConsumerProtocolAssignment assignment = ConsumerProtocolCodec.assignment(cm.assignment());
                if (assignment == null) {
                    throw malformed(groupId);
                }
                if (assignment.userData() != null && assignment.userData().length > 0) {
                    throw new CoordinatorException(
                            Errors.GROUP_ID_NOT_FOUND,
                            "Cannot upgrade classic group " + groupId
                                    + " to consumer group because an unsupported custom assignor is in use. Please refer to the "
                                    + "documentation or switch to a default assignor before re-attempting the upgrade.");
                }
                for (ConsumerProtocolAssignment.TopicPartition tp : assignment.assignedPartitions()) {
                    Uuid id = topics.topicId(tp.topic());
                    if (id != null) {
                        assigned.put(id, new TreeSet<>(tp.partitions()));
                    }
                }
            }
            ConsumerProtocolSubscription subscription =
                    ConsumerProtocolCodec.subscription(cm.metadata(protocol), false);
            if (subscription == null) {
                throw malformed(groupId);
            }
            List<ConsumerGroupMemberMetadataValue.ClassicProtocol> protocols = new ArrayList<>();
            for (ClassicGroupMember.Protocol p : cm.supportedProtocols()) {
                protocols.add(new ConsumerGroupMemberMetadataValue.ClassicProtocol()
                        .setName(p.name())
                        .setMetadata(p.metadata()));
            }
            ConsumerGroupMember member = new ConsumerGroupMember.Builder(cm.memberId())
                    .memberEpoch(generation)
                    .previousMemberEpoch(generation)
                    .state(MemberState.STABLE)
                    .instanceId(cm.groupInstanceId())
                    .rackId(subscription.rackId())
                    .rebalanceTimeoutMs(cm.rebalanceTimeoutMs())
                    .clientId(cm.clientId())
                    .clientHost(cm.clientHost())
                    .subscribedTopicNames(subscription.topics())
                    .assignedPartitions(withEpoch(assigned, generation))
                    .classicMemberMetadata(new ConsumerGroupMemberMetadataValue.ClassicMemberMetadata()
                            .setSessionTimeoutMs(cm.sessionTimeoutMs())
                            .setSupportedProtocols(protocols))
                    .build();
            group.setTargetAssignment(member.memberId(), assigned);
            group.updateMember(member);
        }
        group.setGroupEpoch(generation, metadataHash.groupHash(group.subscribedTopicNames(), topics));
        // Kafka records no assignment time: the next target assignment may be computed at once.
        group.setTargetAssignmentEpoch(generation, 0L);
        return group;
    }

    private static CoordinatorException malformed(String groupId) {
        return new CoordinatorException(
                Errors.GROUP_ID_NOT_FOUND,
                "Cannot upgrade classic group " + groupId
                        + " to consumer group because the embedded consumer protocol is malformed.");
    }

    private static Map<Uuid, Map<Integer, Integer>> withEpoch(Map<Uuid, Set<Integer>> partitions, int epoch) {
        Map<Uuid, Map<Integer, Integer>> out = new HashMap<>();
        for (Map.Entry<Uuid, Set<Integer>> e : partitions.entrySet()) {
            Map<Integer, Integer> ps = new TreeMap<>();
            for (Integer p : e.getValue()) {
                ps.put(p, epoch);
            }
            out.put(e.getKey(), ps);
        }
        return out;
    }

    /**
     * The records that create {@code group} (from {@link #toConsumerGroup}), in Kafka's order:
     * the members' subscriptions, the group epoch, the target assignment and its epoch, the
     * members' current assignments. The classic group's tombstone must come first.
     */
    public static List<CoordinatorRecord> consumerGroupRecords(ConsumerGroup group) {
        List<CoordinatorRecord> records = new ArrayList<>();
        String groupId = group.groupId();
        for (ConsumerGroupMember m : group.members().values()) {
            records.add(GroupRecords.consumerGroupMember(groupId, m.memberId(), m.toMetadataValue()));
        }
        records.add(GroupRecords.consumerGroupEpoch(groupId, group.groupEpoch(), group.metadataHash()));
        for (ConsumerGroupMember m : group.members().values()) {
            records.add(GroupRecords.targetAssignment(groupId, m.memberId(), group.targetAssignment(m.memberId())));
        }
        records.add(
                GroupRecords.targetAssignmentEpoch(groupId, group.assignmentEpoch(), group.assignmentTimestampMs()));
        for (ConsumerGroupMember m : group.members().values()) {
            records.add(GroupRecords.currentAssignment(
                    groupId,
                    m.memberId(),
                    m.memberEpoch(),
                    m.previousMemberEpoch(),
                    m.state().value(),
                    m.assignedPartitions(),
                    m.partitionsPendingRevocation()));
        }
        return records;
    }

    /**
     * The classic group {@code group} becomes once the members in {@code leaving} are gone
     * (detached). Its generation is {@code generation}; {@code lastMemberId}, if not null, is
     * listed last (a static member that just joined with the classic protocol).
     *
     * @throws CoordinatorException GROUP_ID_NOT_FOUND if a member's subscription has no version
     */
    public static ClassicGroup toClassicGroup(
            ConsumerGroup group,
            Set<String> leaving,
            String lastMemberId,
            int generation,
            long nowMs,
            TopicsView topics,
            GroupMetrics metrics) {
        List<ConsumerGroupMember> kept = new ArrayList<>();
        ConsumerGroupMember last = null;
        for (ConsumerGroupMember m : group.members().values()) {
            if (leaving.contains(m.memberId())) {
                continue;
            }
            if (m.memberId().equals(lastMemberId)) {
                last = m;
            } else {
                kept.add(m);
            }
        }
        if (last != null) {
            kept.add(last);
        }
        List<ClassicGroupMember> members = new ArrayList<>();
        for (ConsumerGroupMember m : kept) {
            List<ClassicGroupMember.Protocol> protocols = new ArrayList<>();
            for (ConsumerGroupMemberMetadataValue.ClassicProtocol p : m.classicProtocols()) {
                protocols.add(new ClassicGroupMember.Protocol(p.name(), p.metadata()));
            }
            members.add(new ClassicGroupMember(
                    m.memberId(),
                    m.instanceId(),
                    m.clientId(),
                    m.clientHost(),
                    m.rebalanceTimeoutMs(),
                    m.classicSessionTimeoutMs(),
                    ConsumerGroup.PROTOCOL_TYPE,
                    protocols));
        }
        ClassicGroup classic = ClassicGroup.ofConvertedMembers(group.groupId(), generation, members, nowMs, metrics);
        for (ClassicGroupMember cm : classic.allMembers()) {
            short version = ConsumerProtocolCodec.version(cm.metadata(classic.protocolName()));
            if (version < 0) {
                throw new CoordinatorException(
                        Errors.GROUP_ID_NOT_FOUND,
                        "Cannot downgrade the classic group " + group.groupId() + ": the subscription of member "
                                + cm.memberId() + " has no version.");
            }
            cm.setAssignment(serializeAssignment(group.targetAssignment(cm.memberId()), version, topics));
        }
        return classic;
    }

    /** Partitions as a ConsumerProtocolAssignment of {@code version}; unknown topics are left out. */
    public static byte[] serializeAssignment(
            Map<Uuid, ? extends Iterable<Integer>> partitions, short version, TopicsView topics) {
        List<ConsumerProtocolAssignment.TopicPartition> tps = new ArrayList<>();
        for (Map.Entry<Uuid, ? extends Iterable<Integer>> e : new TreeMap<>(partitions).entrySet()) {
            String name = topics.topicName(e.getKey());
            if (name == null) {
                continue;
            }
            List<Integer> ps = new ArrayList<>();
            for (Integer p : e.getValue()) {
                ps.add(p);
            }
            ps.sort(null);
            tps.add(new ConsumerProtocolAssignment.TopicPartition()
                    .setTopic(name)
                    .setPartitions(ps));
        }
        return ConsumerProtocolCodec.serializeAssignment(
                new ConsumerProtocolAssignment().setAssignedPartitions(tps), version);
    }
}
