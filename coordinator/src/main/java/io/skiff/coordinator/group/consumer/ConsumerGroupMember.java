package io.skiff.coordinator.group.consumer;

import io.skiff.coordinator.record.ConsumerGroupCurrentMemberAssignmentValue;
import io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A member of a consumer group: its subscription (from ConsumerGroupMemberMetadata records) and
 * its current assignment (from ConsumerGroupCurrentMemberAssignment records). Immutable; changes
 * go through {@link Builder}. Assigned partitions map topic id -> partition -> the group epoch at
 * which the partition was assigned to the member.
 */
public final class ConsumerGroupMember {
    /** Member epoch of a member that left (or was never assigned). */
    public static final int LEAVE_GROUP_MEMBER_EPOCH = -1;
    /** Member epoch of a static member that left temporarily. */
    public static final int LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

    private final String memberId;
    private final String instanceId;
    private final String rackId;
    private final String clientId;
    private final String clientHost;
    private final List<String> subscribedTopicNames;
    private final String subscribedTopicRegex;
    private final int rebalanceTimeoutMs;
    private final String serverAssignor;
    private final ConsumerGroupMemberMetadataValue.ClassicMemberMetadata classicMemberMetadata;
    private final int memberEpoch;
    private final int previousMemberEpoch;
    private final MemberState state;
    private final Map<Uuid, Map<Integer, Integer>> assignedPartitions;
    private final Map<Uuid, Map<Integer, Integer>> partitionsPendingRevocation;

    private ConsumerGroupMember(Builder b) {
        this.memberId = b.memberId;
        this.instanceId = b.instanceId;
        this.rackId = b.rackId;
        this.clientId = b.clientId;
        this.clientHost = b.clientHost;
        List<String> topics = new ArrayList<>(new TreeSet<>(b.subscribedTopicNames));
        this.subscribedTopicNames = Collections.unmodifiableList(topics);
        this.subscribedTopicRegex = b.subscribedTopicRegex;
        this.rebalanceTimeoutMs = b.rebalanceTimeoutMs;
        this.serverAssignor = b.serverAssignor;
        this.classicMemberMetadata = b.classicMemberMetadata;
        this.memberEpoch = b.memberEpoch;
        this.previousMemberEpoch = b.previousMemberEpoch;
        this.state = b.state;
        this.assignedPartitions = freeze(b.assignedPartitions);
        this.partitionsPendingRevocation = freeze(b.partitionsPendingRevocation);
    }

    static Map<Uuid, Map<Integer, Integer>> freeze(Map<Uuid, ? extends Map<Integer, Integer>> in) {
        TreeMap<Uuid, Map<Integer, Integer>> out = new TreeMap<>();
        for (Map.Entry<Uuid, ? extends Map<Integer, Integer>> e : in.entrySet()) {
            if (!e.getValue().isEmpty()) {
                out.put(e.getKey(), Collections.unmodifiableMap(new TreeMap<>(e.getValue())));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    public String memberId() {
        return memberId;
    }

    public String instanceId() {
        return instanceId;
    }

    public String rackId() {
        return rackId;
    }

    public String clientId() {
        return clientId;
    }

    public String clientHost() {
        return clientHost;
    }

    /** Sorted, without duplicates. */
    public List<String> subscribedTopicNames() {
        return subscribedTopicNames;
    }

    /** The regular expression subscription, or null. */
    public String subscribedTopicRegex() {
        return subscribedTopicRegex;
    }

    public int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    public String serverAssignor() {
        return serverAssignor;
    }

    public ConsumerGroupMemberMetadataValue.ClassicMemberMetadata classicMemberMetadata() {
        return classicMemberMetadata;
    }

    public boolean useClassicProtocol() {
        return classicMemberMetadata != null;
    }

    /** The session timeout of a member using the classic protocol (from its JoinGroup). */
    public int classicSessionTimeoutMs() {
        return classicMemberMetadata.sessionTimeoutMs();
    }

    /** The protocols a member using the classic protocol supports, in its order of preference. */
    public List<ConsumerGroupMemberMetadataValue.ClassicProtocol> classicProtocols() {
        return classicMemberMetadata.supportedProtocols();
    }

    /** The protocol a classic member is told to use: its most preferred one (Kafka's choice). */
    public ConsumerGroupMemberMetadataValue.ClassicProtocol preferredClassicProtocol() {
        return classicMemberMetadata.supportedProtocols().get(0);
    }

    public int memberEpoch() {
        return memberEpoch;
    }

    public int previousMemberEpoch() {
        return previousMemberEpoch;
    }

    public MemberState state() {
        return state;
    }

    public Map<Uuid, Map<Integer, Integer>> assignedPartitions() {
        return assignedPartitions;
    }

    public Map<Uuid, Map<Integer, Integer>> partitionsPendingRevocation() {
        return partitionsPendingRevocation;
    }

    /** Whether the member owns the target assignment of {@code targetAssignmentEpoch}. */
    public boolean isReconciledTo(int targetAssignmentEpoch) {
        return state == MemberState.STABLE && memberEpoch == targetAssignmentEpoch;
    }

    /** The member's subscription as a ConsumerGroupMemberMetadata record value. */
    public ConsumerGroupMemberMetadataValue toMetadataValue() {
        return new ConsumerGroupMemberMetadataValue()
                .setInstanceId(instanceId)
                .setRackId(rackId)
                .setClientId(clientId)
                .setClientHost(clientHost)
                .setSubscribedTopicNames(new ArrayList<>(subscribedTopicNames))
                // Kafka writes an empty string for "no regular expression".
                .setSubscribedTopicRegex(subscribedTopicRegex == null ? "" : subscribedTopicRegex)
                .setRebalanceTimeoutMs(rebalanceTimeoutMs)
                .setServerAssignor(serverAssignor)
                // Null, as Kafka writes it for consumer-protocol members (a tagged field marked null).
                .setClassicMemberMetadata(classicMemberMetadata);
    }

    /**
     * Null when a record carries no classic metadata: the generated class (like Kafka's) reads
     * an absent tagged field as an empty struct.
     */
    static ConsumerGroupMemberMetadataValue.ClassicMemberMetadata presentOrNull(
            ConsumerGroupMemberMetadataValue.ClassicMemberMetadata m) {
        return m == null || m.equals(new ConsumerGroupMemberMetadataValue.ClassicMemberMetadata()) ? null : m;
    }

    /** Whether the subscription fields (those of the metadata record) equal {@code o}'s. */
    public boolean sameMetadata(ConsumerGroupMember o) {
        return Objects.equals(instanceId, o.instanceId)
                && Objects.equals(rackId, o.rackId)
                && Objects.equals(clientId, o.clientId)
                && Objects.equals(clientHost, o.clientHost)
                && subscribedTopicNames.equals(o.subscribedTopicNames)
                && Objects.equals(subscribedTopicRegex, o.subscribedTopicRegex)
                && rebalanceTimeoutMs == o.rebalanceTimeoutMs
                && Objects.equals(serverAssignor, o.serverAssignor)
                && Objects.equals(classicMemberMetadata, o.classicMemberMetadata);
    }

    /** Whether the assignment fields (those of the current assignment record) equal {@code o}'s. */
    public boolean sameAssignment(ConsumerGroupMember o) {
        return memberEpoch == o.memberEpoch
                && previousMemberEpoch == o.previousMemberEpoch
                && state == o.state
                && assignedPartitions.equals(o.assignedPartitions)
                && partitionsPendingRevocation.equals(o.partitionsPendingRevocation);
    }

    /** Assigned partitions without their epochs. */
    public Map<Uuid, Set<Integer>> assignedPartitionSets() {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        for (Map.Entry<Uuid, Map<Integer, Integer>> e : assignedPartitions.entrySet()) {
            out.put(e.getKey(), new TreeSet<>(e.getValue().keySet()));
        }
        return out;
    }

    @Override
    public String toString() {
        return "ConsumerGroupMember(" + memberId + ", epoch " + memberEpoch + ", " + state + ", assigned "
                + assignedPartitions.keySet() + ")";
    }

    /** Builds members; starts from an existing member or from scratch. */
    public static final class Builder {
        private final String memberId;
        private String instanceId;
        private String rackId;
        private String clientId = "";
        private String clientHost = "";
        private List<String> subscribedTopicNames = List.of();
        private String subscribedTopicRegex;
        private int rebalanceTimeoutMs = -1;
        private String serverAssignor;
        private ConsumerGroupMemberMetadataValue.ClassicMemberMetadata classicMemberMetadata;
        private int memberEpoch;
        private int previousMemberEpoch;
        private MemberState state = MemberState.STABLE;
        private Map<Uuid, ? extends Map<Integer, Integer>> assignedPartitions = Map.of();
        private Map<Uuid, ? extends Map<Integer, Integer>> partitionsPendingRevocation = Map.of();

        public Builder(String memberId) {
            this.memberId = Objects.requireNonNull(memberId);
        }

        public Builder(ConsumerGroupMember m) {
            this(m, m.memberId);
        }

        /** A copy of {@code m} under another member id. */
        public Builder(ConsumerGroupMember m, String newMemberId) {
            this.memberId = newMemberId;
            this.instanceId = m.instanceId;
            this.rackId = m.rackId;
            this.clientId = m.clientId;
            this.clientHost = m.clientHost;
            this.subscribedTopicNames = m.subscribedTopicNames;
            this.subscribedTopicRegex = m.subscribedTopicRegex;
            this.rebalanceTimeoutMs = m.rebalanceTimeoutMs;
            this.serverAssignor = m.serverAssignor;
            this.classicMemberMetadata = m.classicMemberMetadata;
            this.memberEpoch = m.memberEpoch;
            this.previousMemberEpoch = m.previousMemberEpoch;
            this.state = m.state;
            this.assignedPartitions = m.assignedPartitions;
            this.partitionsPendingRevocation = m.partitionsPendingRevocation;
        }

        public Builder instanceId(String v) {
            instanceId = v;
            return this;
        }

        public Builder rackId(String v) {
            rackId = v;
            return this;
        }

        public Builder clientId(String v) {
            clientId = v;
            return this;
        }

        public Builder clientHost(String v) {
            clientHost = v;
            return this;
        }

        public Builder subscribedTopicNames(List<String> v) {
            subscribedTopicNames = v == null ? List.of() : v;
            return this;
        }

        /** Null or empty means no regex subscription. */
        public Builder subscribedTopicRegex(String v) {
            subscribedTopicRegex = v == null || v.isEmpty() ? null : v;
            return this;
        }

        public Builder rebalanceTimeoutMs(int v) {
            rebalanceTimeoutMs = v;
            return this;
        }

        public Builder serverAssignor(String v) {
            serverAssignor = v;
            return this;
        }

        public Builder classicMemberMetadata(ConsumerGroupMemberMetadataValue.ClassicMemberMetadata v) {
            classicMemberMetadata = v;
            return this;
        }

        public Builder memberEpoch(int v) {
            memberEpoch = v;
            return this;
        }

        public Builder previousMemberEpoch(int v) {
            previousMemberEpoch = v;
            return this;
        }

        /** Sets the epoch, remembering the current one as previous. */
        public Builder updateMemberEpoch(int v) {
            previousMemberEpoch = memberEpoch;
            memberEpoch = v;
            return this;
        }

        public Builder state(MemberState v) {
            state = v;
            return this;
        }

        public Builder assignedPartitions(Map<Uuid, ? extends Map<Integer, Integer>> v) {
            assignedPartitions = v;
            return this;
        }

        public Builder partitionsPendingRevocation(Map<Uuid, ? extends Map<Integer, Integer>> v) {
            partitionsPendingRevocation = v;
            return this;
        }

        /** Applies a ConsumerGroupMemberMetadata record value. */
        public Builder updateWith(ConsumerGroupMemberMetadataValue v) {
            instanceId = v.instanceId();
            rackId = v.rackId();
            clientId = v.clientId();
            clientHost = v.clientHost();
            subscribedTopicNames = v.subscribedTopicNames();
            subscribedTopicRegex(v.subscribedTopicRegex());
            rebalanceTimeoutMs = v.rebalanceTimeoutMs();
            serverAssignor = v.serverAssignor();
            classicMemberMetadata = presentOrNull(v.classicMemberMetadata());
            return this;
        }

        /** Applies a ConsumerGroupCurrentMemberAssignment record value. */
        public Builder updateWith(ConsumerGroupCurrentMemberAssignmentValue v) {
            memberEpoch = v.memberEpoch();
            previousMemberEpoch = v.previousMemberEpoch();
            state = MemberState.fromValue(v.state());
            assignedPartitions = fromRecord(v.assignedPartitions(), v.memberEpoch());
            partitionsPendingRevocation = fromRecord(v.partitionsPendingRevocation(), v.memberEpoch());
            return this;
        }

        private static Map<Uuid, Map<Integer, Integer>> fromRecord(
                List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> topics, int defaultEpoch) {
            Map<Uuid, Map<Integer, Integer>> out = new HashMap<>();
            for (ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions t : topics) {
                Map<Integer, Integer> partitions = out.computeIfAbsent(t.topicId(), k -> new TreeMap<>());
                List<Integer> epochs = t.assignmentEpochs();
                for (int i = 0; i < t.partitions().size(); i++) {
                    int epoch = epochs != null && i < epochs.size() ? epochs.get(i) : defaultEpoch;
                    partitions.put(t.partitions().get(i), epoch);
                }
            }
            return out;
        }

        public ConsumerGroupMember build() {
            return new ConsumerGroupMember(this);
        }
    }
}
