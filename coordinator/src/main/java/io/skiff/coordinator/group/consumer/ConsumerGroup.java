package io.skiff.coordinator.group.consumer;

import io.skiff.coordinator.group.Group;
import io.skiff.coordinator.group.GroupMetrics;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue;
import io.skiff.wire.message.ConsumerGroupDescribeResponse;
import io.skiff.wire.message.ListGroupsResponse;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer group of the KIP-848 protocol. All of it is durable state, changed only by the
 * replay methods (called by {@link io.skiff.coordinator.group.GroupCoordinatorShard}); the
 * group's state is derived from it after every change. Shard-thread only.
 */
public final class ConsumerGroup implements Group {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroup.class);
    /** The protocol type ListGroups shows for consumer groups. */
    public static final String PROTOCOL_TYPE = "consumer";

    /** A regular expression resolved against the topics: the matching names. */
    public static final class ResolvedRegex {
        public final Set<String> topics;
        public final long version;
        public final long timestampMs;

        public ResolvedRegex(Set<String> topics, long version, long timestampMs) {
            this.topics = Collections.unmodifiableSet(new TreeSet<>(topics));
            this.version = version;
            this.timestampMs = timestampMs;
        }
    }

    private final String groupId;
    private final GroupMetrics metrics;
    /** A new group starts at epoch 1, as in Kafka 4.3: its first member's join writes epoch 2. */
    private int groupEpoch = 1;

    private long metadataHash;
    private int assignmentEpoch;
    private long assignmentTimestampMs;
    private ConsumerGroupState state = ConsumerGroupState.EMPTY;
    private final Map<String, ConsumerGroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Map<String, Map<Uuid, Set<Integer>>> targetAssignment = new HashMap<>();
    private final Map<Uuid, Map<Integer, Integer>> currentPartitionEpoch = new HashMap<>();
    private final Map<String, ResolvedRegex> resolvedRegexes = new HashMap<>();

    public ConsumerGroup(String groupId, GroupMetrics metrics) {
        this.groupId = groupId;
        this.metrics = metrics;
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public Type type() {
        return Type.CONSUMER;
    }

    public ConsumerGroupState state() {
        return state;
    }

    @Override
    public String stateAsString() {
        return state.toString();
    }

    @Override
    public boolean isEmpty() {
        return state == ConsumerGroupState.EMPTY;
    }

    public int groupEpoch() {
        return groupEpoch;
    }

    public long metadataHash() {
        return metadataHash;
    }

    public int assignmentEpoch() {
        return assignmentEpoch;
    }

    /** When the current target assignment was computed (0 if never). */
    public long assignmentTimestampMs() {
        return assignmentTimestampMs;
    }

    public Map<String, ConsumerGroupMember> members() {
        return Collections.unmodifiableMap(members);
    }

    public ConsumerGroupMember member(String memberId) {
        return members.get(memberId);
    }

    public boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    public int numMembers() {
        return members.size();
    }

    public String staticMemberId(String instanceId) {
        return instanceId == null ? null : staticMembers.get(instanceId);
    }

    public ConsumerGroupMember staticMember(String instanceId) {
        String id = staticMemberId(instanceId);
        return id == null ? null : members.get(id);
    }

    /** The target assignment of a member (empty if none). */
    public Map<Uuid, Set<Integer>> targetAssignment(String memberId) {
        Map<Uuid, Set<Integer>> a = targetAssignment.get(memberId);
        return a == null ? Collections.emptyMap() : a;
    }

    public Map<String, Map<Uuid, Set<Integer>>> targetAssignments() {
        return Collections.unmodifiableMap(targetAssignment);
    }

    /** The epoch of the member owning the partition, or -1 if no member owns it. */
    public int currentPartitionEpoch(Uuid topicId, int partition) {
        Map<Integer, Integer> ps = currentPartitionEpoch.get(topicId);
        if (ps == null) {
            return -1;
        }
        Integer e = ps.get(partition);
        return e == null ? -1 : e;
    }

    public Map<String, ResolvedRegex> resolvedRegexes() {
        return Collections.unmodifiableMap(resolvedRegexes);
    }

    public ResolvedRegex resolvedRegex(String regex) {
        return resolvedRegexes.get(regex);
    }

    /** How many members subscribe with {@code regex}. */
    public int numRegexSubscribers(String regex) {
        int n = 0;
        for (ConsumerGroupMember m : members.values()) {
            if (regex.equals(m.subscribedTopicRegex())) {
                n++;
            }
        }
        return n;
    }

    /** The topics of one member's subscription: names plus what its regex resolved to. */
    public Set<String> subscribedTopics(ConsumerGroupMember m) {
        Set<String> out = new TreeSet<>(m.subscribedTopicNames());
        if (m.subscribedTopicRegex() != null) {
            ResolvedRegex r = resolvedRegexes.get(m.subscribedTopicRegex());
            if (r != null) {
                out.addAll(r.topics);
            }
        }
        return out;
    }

    /** Every topic some member subscribes to. */
    public Set<String> subscribedTopicNames() {
        Set<String> out = new TreeSet<>();
        for (ConsumerGroupMember m : members.values()) {
            out.addAll(subscribedTopics(m));
        }
        return out;
    }

    @Override
    public boolean isSubscribedToTopic(String topic) {
        for (ConsumerGroupMember m : members.values()) {
            if (m.subscribedTopicNames().contains(topic)) {
                return true;
            }
            if (m.subscribedTopicRegex() != null) {
                ResolvedRegex r = resolvedRegexes.get(m.subscribedTopicRegex());
                if (r != null && r.topics.contains(topic)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The server assignor most members ask for, or null if none asks. */
    public String preferredServerAssignor() {
        Map<String, Integer> counts = new TreeMap<>();
        for (ConsumerGroupMember m : members.values()) {
            if (m.serverAssignor() != null) {
                counts.merge(m.serverAssignor(), 1, Integer::sum);
            }
        }
        String best = null;
        int bestCount = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    /** How many members use the classic protocol. */
    public int numClassicProtocolMembers() {
        int n = 0;
        for (ConsumerGroupMember m : members.values()) {
            if (m.useClassicProtocol()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether every member left once {@code leaving} are gone uses the classic protocol (true
     * when nobody is left).
     */
    public boolean allMembersUseClassicProtocolExcept(Collection<ConsumerGroupMember> leaving) {
        Set<String> ids = new HashSet<>();
        for (ConsumerGroupMember m : leaving) {
            ids.add(m.memberId());
        }
        for (ConsumerGroupMember m : members.values()) {
            if (!ids.contains(m.memberId()) && !m.useClassicProtocol()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a classic member with these protocols may join: the protocol type must be
     * "consumer" and, unless the group is empty, one of the protocols must be supported by every
     * member that uses the classic protocol.
     */
    public boolean supportsClassicProtocols(String protocolType, Collection<String> protocolNames) {
        if (!PROTOCOL_TYPE.equals(protocolType)) {
            return false;
        }
        if (isEmpty()) {
            return !protocolNames.isEmpty();
        }
        int classicMembers = numClassicProtocolMembers();
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerGroupMember m : members.values()) {
            if (m.useClassicProtocol()) {
                for (ConsumerGroupMemberMetadataValue.ClassicProtocol p : m.classicProtocols()) {
                    counts.merge(p.name(), 1, Integer::sum);
                }
            }
        }
        for (String name : protocolNames) {
            if (counts.getOrDefault(name, 0) == classicMembers) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a member waiting for partitions (UNRELEASED_PARTITIONS) still waits: some
     * partition of its target it does not own is still owned by another member.
     */
    public boolean waitingOnUnreleasedPartition(ConsumerGroupMember member) {
        if (member.state() != MemberState.UNRELEASED_PARTITIONS) {
            return false;
        }
        for (Map.Entry<Uuid, Set<Integer>> e :
                targetAssignment(member.memberId()).entrySet()) {
            Map<Integer, Integer> owned = member.assignedPartitions().getOrDefault(e.getKey(), Map.of());
            for (Integer p : e.getValue()) {
                if (!owned.containsKey(p) && currentPartitionEpoch(e.getKey(), p) != -1) {
                    return true;
                }
            }
        }
        return false;
    }

    // -------------------------------------------------------------------------------------------
    // Replay.

    public void setGroupEpoch(int epoch, long hash) {
        groupEpoch = epoch;
        metadataHash = hash;
        updateState();
    }

    public void setTargetAssignmentEpoch(int epoch, long timestampMs) {
        assignmentEpoch = epoch;
        assignmentTimestampMs = timestampMs;
        updateState();
    }

    /** Adds or replaces a member (subscription or assignment changed). */
    public void updateMember(ConsumerGroupMember member) {
        ConsumerGroupMember old = members.put(member.memberId(), member);
        if (old != null) {
            if (old.instanceId() != null && !old.instanceId().equals(member.instanceId())) {
                staticMembers.remove(old.instanceId(), old.memberId());
            }
            removePartitionEpochs(old.assignedPartitions(), old.memberEpoch());
            removePartitionEpochs(old.partitionsPendingRevocation(), old.memberEpoch());
        }
        if (member.instanceId() != null) {
            staticMembers.put(member.instanceId(), member.memberId());
        }
        addPartitionEpochs(member.assignedPartitions(), member.memberEpoch());
        addPartitionEpochs(member.partitionsPendingRevocation(), member.memberEpoch());
        updateState();
    }

    public void removeMember(String memberId) {
        ConsumerGroupMember old = members.remove(memberId);
        if (old != null) {
            if (old.instanceId() != null) {
                staticMembers.remove(old.instanceId(), memberId);
            }
            removePartitionEpochs(old.assignedPartitions(), old.memberEpoch());
            removePartitionEpochs(old.partitionsPendingRevocation(), old.memberEpoch());
        }
        updateState();
    }

    public void setTargetAssignment(String memberId, Map<Uuid, Set<Integer>> assignment) {
        targetAssignment.put(memberId, assignment);
        updateState();
    }

    public void removeTargetAssignment(String memberId) {
        targetAssignment.remove(memberId);
        updateState();
    }

    public void setResolvedRegex(String regex, ResolvedRegex resolved) {
        if (resolved == null) {
            resolvedRegexes.remove(regex);
        } else {
            resolvedRegexes.put(regex, resolved);
        }
    }

    private void addPartitionEpochs(Map<Uuid, Map<Integer, Integer>> partitions, int epoch) {
        for (Map.Entry<Uuid, Map<Integer, Integer>> e : partitions.entrySet()) {
            Map<Integer, Integer> ps = currentPartitionEpoch.computeIfAbsent(e.getKey(), k -> new HashMap<>());
            for (Integer p : e.getValue().keySet()) {
                Integer previous = ps.put(p, epoch);
                if (previous != null) {
                    // Two members own the same partition: a bug, or records written by a buggy coordinator.
                    LOG.warn(
                            "Group {}: partition {}-{} is owned twice (epochs {} and {})",
                            groupId,
                            e.getKey(),
                            p,
                            previous,
                            epoch);
                }
            }
        }
    }

    private void removePartitionEpochs(Map<Uuid, Map<Integer, Integer>> partitions, int epoch) {
        for (Map.Entry<Uuid, Map<Integer, Integer>> e : partitions.entrySet()) {
            Map<Integer, Integer> ps = currentPartitionEpoch.get(e.getKey());
            if (ps == null) {
                continue;
            }
            for (Integer p : e.getValue().keySet()) {
                ps.remove(p, epoch);
            }
            if (ps.isEmpty()) {
                currentPartitionEpoch.remove(e.getKey());
            }
        }
    }

    private void updateState() {
        ConsumerGroupState next;
        if (members.isEmpty()) {
            next = ConsumerGroupState.EMPTY;
        } else if (groupEpoch > assignmentEpoch) {
            next = ConsumerGroupState.ASSIGNING;
        } else {
            next = ConsumerGroupState.STABLE;
            for (ConsumerGroupMember m : members.values()) {
                if (!m.isReconciledTo(assignmentEpoch)) {
                    next = ConsumerGroupState.RECONCILING;
                    break;
                }
            }
        }
        if (next != state) {
            metrics.increment(GroupMetrics.transition(state, next));
            LOG.debug("Consumer group {}: {} -> {}", groupId, state, next);
            state = next;
        }
    }

    // -------------------------------------------------------------------------------------------
    // Views.

    @Override
    public ListGroupsResponse.ListedGroup asListedGroup() {
        return new ListGroupsResponse.ListedGroup()
                .setGroupId(groupId)
                .setProtocolType(PROTOCOL_TYPE)
                .setGroupState(state.toString())
                .setGroupType(Type.CONSUMER.toString());
    }

    /** The ConsumerGroupDescribe entry of the group. */
    public ConsumerGroupDescribeResponse.DescribedGroup describe(String defaultAssignor, TopicsView topics) {
        String assignor = preferredServerAssignor();
        List<ConsumerGroupDescribeResponse.Member> described = new ArrayList<>();
        for (ConsumerGroupMember m : members.values()) {
            described.add(new ConsumerGroupDescribeResponse.Member()
                    .setMemberId(m.memberId())
                    .setInstanceId(m.instanceId())
                    .setRackId(m.rackId())
                    .setMemberEpoch(m.memberEpoch())
                    .setClientId(m.clientId())
                    .setClientHost(m.clientHost())
                    .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames()))
                    .setSubscribedTopicRegex(m.subscribedTopicRegex() == null ? "" : m.subscribedTopicRegex())
                    .setAssignment(describeAssignment(m.assignedPartitionSets(), topics))
                    .setTargetAssignment(describeAssignment(targetAssignment(m.memberId()), topics))
                    .setMemberType((byte) (m.useClassicProtocol() ? 0 : 1)));
        }
        return new ConsumerGroupDescribeResponse.DescribedGroup()
                .setGroupId(groupId)
                .setGroupState(state.toString())
                .setGroupEpoch(groupEpoch)
                .setAssignmentEpoch(assignmentEpoch)
                .setAssignorName(assignor != null ? assignor : defaultAssignor)
                .setMembers(described);
    }

    private static ConsumerGroupDescribeResponse.Assignment describeAssignment(
            Map<Uuid, Set<Integer>> partitions, TopicsView topics) {
        List<ConsumerGroupDescribeResponse.TopicPartitions> out = new ArrayList<>();
        for (Map.Entry<Uuid, Set<Integer>> e : new TreeMap<>(partitions).entrySet()) {
            String name = topics.topicName(e.getKey());
            if (name == null) {
                continue;
            }
            out.add(new ConsumerGroupDescribeResponse.TopicPartitions()
                    .setTopicId(e.getKey())
                    .setTopicName(name)
                    .setPartitions(new ArrayList<>(new TreeSet<>(e.getValue()))));
        }
        return new ConsumerGroupDescribeResponse.Assignment().setTopicPartitions(out);
    }

    /** Topic ids of the partitions currently owned by some member (for tests and checks). */
    public Set<Uuid> ownedTopicIds() {
        return new HashSet<>(currentPartitionEpoch.keySet());
    }

    @Override
    public String toString() {
        return "ConsumerGroup(" + groupId + ", epoch " + groupEpoch + ", assignment epoch " + assignmentEpoch + ", "
                + state + ", members " + members.keySet() + ")";
    }
}
