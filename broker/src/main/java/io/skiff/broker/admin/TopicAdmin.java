package io.skiff.broker.admin;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.metadata.BrokerImage;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataManager.Decision;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.Placement;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Topic creation, deletion and partition growth with Apache Kafka's validation and error
 * answers, decided against the metadata image on the metadata thread so that checks and
 * changes are atomic. Used by CreateTopics, DeleteTopics, CreatePartitions and topic
 * auto-creation. In a cluster (a replicated quorum) every new partition gets its replicas here,
 * recorded as {@link MetadataRecord.PartitionCreated}: {@link Placement#assign} over the unfenced
 * registered brokers, or the request's replica assignment; the in-sync replicas are the unfenced
 * replicas and the first of them leads. A single node records no partition state. Thread-safe.
 */
public final class TopicAdmin {
    /** Brokers in this cluster: a single node. */
    static final int REGISTERED_BROKERS = 1;

    private final BrokerConfig config;
    private final MetadataManager metadata;
    /** Whether the brokers are a cluster's (partition states recorded) rather than this node alone. */
    private final boolean cluster;

    /** The message of a mutation refused by its controller mutation quota, as Kafka words it. */
    static final String THROTTLED = "The throttling quota has been exceeded.";

    public TopicAdmin(BrokerConfig config, MetadataManager metadata) {
        this.config = config;
        this.metadata = metadata;
        this.cluster = config.quorum().replicated();
    }

    /**
     * The brokers replicas may be placed on: a cluster's unfenced registered brokers not in controlled
     * shutdown, in node id order.
     */
    private static List<Integer> liveBrokers(MetadataImage image) {
        List<Integer> out = new ArrayList<>();
        for (BrokerImage b : image.brokers().values()) {
            if (b.active()) {
                out.add(b.nodeId());
            }
        }
        return out;
    }

    /**
     * The partition records of partitions {@code first} on of a cluster's topic: {@code assigned}
     * replicas (in partition order) or, when null, {@code replication} placed over the live brokers.
     */
    private static List<MetadataRecord> partitionRecords(
            MetadataImage image, Uuid id, int first, int count, short replication, List<List<Integer>> assigned) {
        List<Integer> live = liveBrokers(image);
        List<List<Integer>> replicas =
                assigned != null ? assigned : Placement.assign(id, first, count, replication, live);
        List<MetadataRecord> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            List<Integer> isr = new ArrayList<>();
            for (int b : replicas.get(i)) {
                if (live.contains(b)) {
                    isr.add(b);
                }
            }
            int leader = isr.isEmpty() ? PartitionImage.NO_LEADER : isr.get(0);
            out.add(new MetadataRecord.PartitionCreated(id, first + i, replicas.get(i), isr, leader, 0, 0));
        }
        return out;
    }

    /**
     * A manual assignment as a list in partition order from {@code firstPartition} (the map's own
     * order is not the partitions' order); null when there is none. Its keys were checked to be
     * exactly the partitions from {@code firstPartition} on.
     */
    private static List<List<Integer>> byPartition(Map<Integer, List<Integer>> assignments, int firstPartition) {
        if (assignments == null || assignments.isEmpty()) {
            return null;
        }
        List<List<Integer>> out = new ArrayList<>(assignments.size());
        for (int p = firstPartition; p < firstPartition + assignments.size(); p++) {
            out.add(assignments.get(p));
        }
        return out;
    }

    /** Kafka's complaint when a manual assignment's partition has no unfenced replica, else null. */
    private static String fencedAssignment(MetadataImage image, Map<Integer, List<Integer>> assignments) {
        List<Integer> live = liveBrokers(image);
        for (Map.Entry<Integer, List<Integer>> e : assignments.entrySet()) {
            boolean any = false;
            for (int b : e.getValue()) {
                any |= live.contains(b);
            }
            if (!any) {
                return "All brokers specified in the manual partition assignment for partition " + e.getKey()
                        + " are fenced or in controlled shutdown.";
            }
        }
        return null;
    }

    /** One topic to create; -1 partitions or replication factor mean "the broker default". */
    public record NewTopic(
            String name,
            int numPartitions,
            short replicationFactor,
            Map<Integer, List<Integer>> assignments,
            Map<String, String> configs) {}

    /** The outcome for one topic: an error, or what was (or would be) created. */
    public record Outcome(
            String name,
            Errors error,
            String message,
            Uuid topicId,
            int numPartitions,
            short replicationFactor,
            Map<String, String> configs) {
        static Outcome failed(String name, Errors error, String message) {
            return new Outcome(name, error, message, Uuid.ZERO, -1, (short) -1, null);
        }

        public boolean ok() {
            return error == Errors.NONE;
        }
    }

    /** Creates topics (or only validates them); outcomes are in request order. */
    public CompletableFuture<List<Outcome>> create(List<NewTopic> topics, boolean validateOnly) {
        return create(topics, validateOnly, MutationQuota.UNBOUNDED);
    }

    /**
     * Creates {@code topics}; each valid one is charged its partition count to {@code quota}
     * (unless {@code validateOnly}) and answered THROTTLING_QUOTA_EXCEEDED when the quota refuses it.
     */
    public CompletableFuture<List<Outcome>> create(List<NewTopic> topics, boolean validateOnly, MutationQuota quota) {
        return metadata.write(image -> decideCreate(image, topics, validateOnly, quota));
    }

    /**
     * The most partitions one CreateTopics or CreatePartitions request may make, as in Kafka: a
     * request over it is refused whole, so that no metadata change (and no answer describing it)
     * grows without bound.
     */
    static final int MAX_PARTITIONS_PER_REQUEST = 10_000;

    static final String TOO_MANY_PARTITIONS = "Excessively large number of partitions per request.";

    /** The names that {@code items} hold more than once. */
    private static <T> Set<String> duplicates(List<T> items, Function<T, String> name) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (T item : items) {
            if (!seen.add(name.apply(item))) {
                duplicates.add(name.apply(item));
            }
        }
        return duplicates;
    }

    /** The partitions {@code topics} would create, counted as Kafka counts them (defaults included). */
    private long requestedPartitions(List<NewTopic> topics) {
        long total = 0;
        for (NewTopic t : topics) {
            if (t.assignments() != null && !t.assignments().isEmpty()) {
                total += t.assignments().size();
            } else if (t.numPartitions() == -1) {
                total += config.getInt(BrokerConfig.NUM_PARTITIONS);
            } else if (t.numPartitions() > 0) {
                total += t.numPartitions();
            }
        }
        return total;
    }

    private Decision<List<Outcome>> decideCreate(
            MetadataImage image, List<NewTopic> topics, boolean validateOnly, MutationQuota quota) {
        List<Outcome> outcomes = new ArrayList<>(topics.size());
        if (requestedPartitions(topics) > MAX_PARTITIONS_PER_REQUEST) {
            for (NewTopic t : topics) {
                outcomes.add(Outcome.failed(t.name(), Errors.POLICY_VIOLATION, TOO_MANY_PARTITIONS));
            }
            return new Decision<>(List.of(), outcomes);
        }
        List<MetadataRecord> records = new ArrayList<>();
        Set<String> duplicates = duplicates(topics, NewTopic::name);
        Map<String, String> collisionKeys = new LinkedHashMap<>();
        for (TopicImage existing : image.topics()) {
            collisionKeys.put(TopicNames.unifyCollisionChars(existing.name()), existing.name());
        }
        for (NewTopic t : topics) {
            Outcome o = validateCreate(image, t, duplicates, collisionKeys);
            if (o.ok() && !validateOnly && !quota.tryRecord(o.numPartitions())) {
                o = Outcome.failed(t.name(), Errors.THROTTLING_QUOTA_EXCEEDED, THROTTLED);
            }
            if (o.ok() && !validateOnly) {
                Uuid id = Uuid.random();
                records.add(new MetadataRecord.TopicCreated(id, t.name(), o.numPartitions(), o.replicationFactor()));
                for (Map.Entry<String, String> c : t.configs().entrySet()) {
                    records.add(new MetadataRecord.TopicConfigChanged(id, c.getKey(), c.getValue()));
                }
                if (cluster) {
                    List<List<Integer>> assigned = byPartition(t.assignments(), 0);
                    records.addAll(partitionRecords(image, id, 0, o.numPartitions(), o.replicationFactor(), assigned));
                }
                collisionKeys.put(TopicNames.unifyCollisionChars(t.name()), t.name());
                o = new Outcome(
                        o.name(), o.error(), o.message(), id, o.numPartitions(), o.replicationFactor(), o.configs());
            }
            outcomes.add(o);
        }
        return new Decision<>(records, outcomes);
    }

    private Outcome validateCreate(
            MetadataImage image, NewTopic t, Set<String> duplicates, Map<String, String> collisionKeys) {
        String name = t.name();
        if (duplicates.contains(name)) {
            return Outcome.failed(name, Errors.INVALID_REQUEST, "Found multiple entries for this topic.");
        }
        String invalid = TopicNames.invalidReason(name);
        if (invalid != null) {
            return Outcome.failed(name, Errors.INVALID_TOPIC_EXCEPTION, invalid);
        }
        if (image.topic(name) != null) {
            return Outcome.failed(name, Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        String collides = collisionKeys.get(TopicNames.unifyCollisionChars(name));
        if (collides != null) {
            return Outcome.failed(
                    name,
                    Errors.INVALID_TOPIC_EXCEPTION,
                    "Topic '" + name + "' collides with existing topic: " + collides);
        }
        boolean hasAssignments = t.assignments() != null && !t.assignments().isEmpty();
        int partitions;
        short replication;
        if (hasAssignments) {
            if (t.numPartitions() != -1 || t.replicationFactor() != -1) {
                return Outcome.failed(
                        name,
                        Errors.INVALID_REQUEST,
                        "Both numPartitions or replicationFactor and "
                                + "replicasAssignments were set. Both cannot be used at the same time.");
            }
            String bad = checkAssignments(image, t.assignments(), 0);
            if (bad == null && cluster) {
                bad = fencedAssignment(image, t.assignments());
            }
            if (bad != null) {
                return Outcome.failed(name, Errors.INVALID_REPLICA_ASSIGNMENT, bad);
            }
            partitions = t.assignments().size();
            replication = (short) t.assignments().values().iterator().next().size();
        } else {
            partitions = t.numPartitions() == -1 ? config.getInt(BrokerConfig.NUM_PARTITIONS) : t.numPartitions();
            replication = t.replicationFactor() == -1
                    ? (short) config.getInt(BrokerConfig.DEFAULT_REPLICATION_FACTOR)
                    : t.replicationFactor();
            if (partitions <= 0) {
                return Outcome.failed(
                        name,
                        Errors.INVALID_PARTITIONS,
                        "Number of partitions was set to an invalid non-positive value.");
            }
            if (replication <= 0) {
                return Outcome.failed(
                        name,
                        Errors.INVALID_REPLICATION_FACTOR,
                        "Replication factor must be larger than 0, or -1 to use the default value.");
            }
            int brokers = cluster ? liveBrokers(image).size() : REGISTERED_BROKERS;
            if (replication > brokers) {
                return Outcome.failed(
                        name,
                        Errors.INVALID_REPLICATION_FACTOR,
                        "Unable to replicate the partition "
                                + replication + " time(s): The target replication factor of " + replication
                                + " cannot be reached because only " + brokers
                                + " broker(s) are registered.");
            }
        }
        for (Map.Entry<String, String> c : t.configs().entrySet()) {
            String bad = TopicConfigs.validate(c.getKey(), c.getValue());
            if (bad != null) {
                return Outcome.failed(name, Errors.INVALID_CONFIG, bad);
            }
        }
        return new Outcome(name, Errors.NONE, null, Uuid.ZERO, partitions, replication, t.configs());
    }

    /** Null if the manual assignment names only registered brokers (this node alone on a single node); otherwise Kafka's complaint. */
    private String checkAssignments(MetadataImage image, Map<Integer, List<Integer>> assignments, int firstPartition) {
        int expected = firstPartition;
        int size = -1;
        for (int p = firstPartition; p < firstPartition + assignments.size(); p++) {
            List<Integer> replicas = assignments.get(p);
            if (replicas == null) {
                return "Partitions should be consecutive and start from " + firstPartition + ".";
            }
            if (replicas.isEmpty()) {
                return "The manual partition assignment includes an empty replica list.";
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                return "The manual partition assignment includes duplicate replicas.";
            }
            if (size >= 0 && replicas.size() != size) {
                return "The manual partition assignment includes a partition with " + replicas.size()
                        + " replica(s), but this is not consistent with previous partitions, which have " + size
                        + " replica(s).";
            }
            size = replicas.size();
            for (int b : replicas) {
                if (cluster ? !image.brokers().containsKey(b) : b != config.nodeId()) {
                    return "The manual partition assignment includes broker " + b
                            + ", but no such broker is registered.";
                }
            }
            expected++;
        }
        return null;
    }

    /** A topic to delete, by name or by id (exactly one set). */
    public record TopicRef(String name, Uuid id) {}

    /** The outcome of deleting one topic. */
    public record Deleted(String name, Uuid id, Errors error, String message) {}

    public CompletableFuture<List<Deleted>> delete(List<TopicRef> refs) {
        return delete(refs, MutationQuota.UNBOUNDED);
    }

    /** Deletes topics; each is charged its partition count to {@code quota}, which may refuse it. */
    public CompletableFuture<List<Deleted>> delete(List<TopicRef> refs, MutationQuota quota) {
        return metadata.write(image -> {
            List<Deleted> out = new ArrayList<>(refs.size());
            List<MetadataRecord> records = new ArrayList<>();
            Set<Uuid> deleting = new HashSet<>();
            boolean enabled = config.getBoolean(BrokerConfig.DELETE_TOPIC_ENABLE);
            for (TopicRef r : refs) {
                boolean byId = r.id() != null && !r.id().equals(Uuid.ZERO);
                if (byId && r.name() != null) {
                    out.add(new Deleted(
                            r.name(),
                            r.id(),
                            Errors.INVALID_REQUEST,
                            "You may not specify both topic name and topic id."));
                    continue;
                }
                TopicImage t = byId ? image.topic(r.id()) : r.name() == null ? null : image.topic(r.name());
                if (t == null) {
                    out.add(
                            byId
                                    ? new Deleted(
                                            null, r.id(), Errors.UNKNOWN_TOPIC_ID, "Topic id " + r.id() + " not found.")
                                    : new Deleted(
                                            r.name(),
                                            Uuid.ZERO,
                                            Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                            "This server does not host this topic-partition."));
                    continue;
                }
                if (!enabled) {
                    out.add(new Deleted(
                            t.name(), t.id(), Errors.TOPIC_DELETION_DISABLED, "Topic deletion is disabled."));
                    continue;
                }
                if (!deleting.contains(t.id()) && !quota.tryRecord(t.partitions())) {
                    out.add(new Deleted(t.name(), t.id(), Errors.THROTTLING_QUOTA_EXCEEDED, THROTTLED));
                    continue;
                }
                if (deleting.add(t.id())) {
                    records.add(new MetadataRecord.TopicDeleted(t.id()));
                }
                out.add(new Deleted(t.name(), t.id(), Errors.NONE, null));
            }
            return new Decision<>(records, out);
        });
    }

    /**
     * The answers refusing {@code requests} whole when they would add more than {@link
     * #MAX_PARTITIONS_PER_REQUEST} partitions to the topics of {@code image} (Kafka's controller
     * fails such a request with an unexpected-error code), or null when they would not.
     */
    private static List<Grown> refusedIfTooMany(MetadataImage image, List<NewPartitions> requests) {
        long total = 0;
        for (NewPartitions r : requests) {
            TopicImage t = image.topic(r.name());
            if (t != null && r.count() > t.partitions()) {
                total += r.count() - t.partitions();
            }
        }
        if (total <= MAX_PARTITIONS_PER_REQUEST) {
            return null;
        }
        List<Grown> out = new ArrayList<>(requests.size());
        for (NewPartitions r : requests) {
            out.add(new Grown(r.name(), Errors.UNKNOWN_SERVER_ERROR, TOO_MANY_PARTITIONS));
        }
        return out;
    }

    /** A request to grow a topic to {@code count} partitions; assignments may be null. */
    public record NewPartitions(String name, int count, List<List<Integer>> assignments) {}

    /** Outcome of growing one topic. */
    public record Grown(String name, Errors error, String message) {}

    public CompletableFuture<List<Grown>> createPartitions(List<NewPartitions> requests, boolean validateOnly) {
        return createPartitions(requests, validateOnly, MutationQuota.UNBOUNDED);
    }

    /** Grows topics; each is charged the partitions it adds to {@code quota}, which may refuse it. */
    public CompletableFuture<List<Grown>> createPartitions(
            List<NewPartitions> requests, boolean validateOnly, MutationQuota quota) {
        return metadata.write(image -> {
            List<Grown> refused = refusedIfTooMany(image, requests);
            if (refused != null) {
                return new Decision<>(List.<MetadataRecord>of(), refused);
            }
            List<Grown> out = new ArrayList<>(requests.size());
            List<MetadataRecord> records = new ArrayList<>();
            Set<String> duplicates = duplicates(requests, NewPartitions::name);
            for (NewPartitions r : requests) {
                if (duplicates.contains(r.name())) {
                    out.add(new Grown(r.name(), Errors.INVALID_REQUEST, "Duplicate topic in request."));
                    continue;
                }
                TopicImage t = image.topic(r.name());
                if (t == null) {
                    out.add(new Grown(
                            r.name(),
                            Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            "This server does not host this topic-partition."));
                    continue;
                }
                if (r.count() < t.partitions()) {
                    out.add(new Grown(
                            r.name(),
                            Errors.INVALID_PARTITIONS,
                            "Topic currently has " + t.partitions() + " partitions, which is higher than the requested "
                                    + r.count() + "."));
                    continue;
                }
                if (r.count() == t.partitions()) {
                    out.add(new Grown(
                            r.name(),
                            Errors.INVALID_PARTITIONS,
                            "Topic already has " + t.partitions() + " partition(s)."));
                    continue;
                }
                if (r.assignments() != null) {
                    int added = r.count() - t.partitions();
                    if (r.assignments().size() != added) {
                        out.add(new Grown(
                                r.name(),
                                Errors.INVALID_REPLICA_ASSIGNMENT,
                                "Attempted to add " + added + " additional partition(s), but only "
                                        + r.assignments().size() + " assignment(s) were specified."));
                        continue;
                    }
                    Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
                    for (int i = 0; i < added; i++) {
                        byPartition.put(t.partitions() + i, r.assignments().get(i));
                    }
                    String bad = checkAssignments(image, byPartition, t.partitions());
                    if (bad == null && cluster) {
                        bad = fencedAssignment(image, byPartition);
                    }
                    if (bad != null) {
                        out.add(new Grown(r.name(), Errors.INVALID_REPLICA_ASSIGNMENT, bad));
                        continue;
                    }
                }
                if (!validateOnly && !quota.tryRecord(r.count() - t.partitions())) {
                    out.add(new Grown(r.name(), Errors.THROTTLING_QUOTA_EXCEEDED, THROTTLED));
                    continue;
                }
                boolean states = cluster && !image.partitions(t.id()).isEmpty();
                if (states
                        && r.assignments() == null
                        && t.replicationFactor() > liveBrokers(image).size()) {
                    out.add(new Grown(
                            r.name(),
                            Errors.INVALID_REPLICATION_FACTOR,
                            "Unable to replicate the partition " + t.replicationFactor()
                                    + " time(s): The target replication factor of " + t.replicationFactor()
                                    + " cannot be reached because only "
                                    + liveBrokers(image).size()
                                    + " broker(s) are registered."));
                    continue;
                }
                if (!validateOnly) {
                    records.add(new MetadataRecord.PartitionsAdded(t.id(), r.count()));
                    if (states) {
                        records.addAll(partitionRecords(
                                image,
                                t.id(),
                                t.partitions(),
                                r.count() - t.partitions(),
                                t.replicationFactor(),
                                r.assignments()));
                    }
                }
                out.add(new Grown(r.name(), Errors.NONE, null));
            }
            return new Decision<>(records, out);
        });
    }
}
