package io.skiff.broker.metadata;

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

/**
 * The cluster metadata at one offset of the metadata log: topics by name and id, dynamic broker
 * configs, client quotas, SCRAM credentials, ACLs and the producer-id allocation point. Immutable;
 * {@link #apply} returns a new image that shares every part the record did not change. Handlers
 * read the current image without locks.
 */
public final class MetadataImage {
    public static final MetadataImage EMPTY = new Builder().build();

    private final Map<String, TopicImage> topicsByName;
    private final Map<Uuid, TopicImage> topicsById;
    /** Dynamic broker configs: key "nodeId/config" ("-1/config" for the cluster default). */
    private final Map<String, String> brokerConfigs;
    /** Ids of the topics this metadata log deleted: only their partition directories may be removed. */
    private final Set<Uuid> deletedTopicIds;

    private final long nextProducerId;
    private final long offset;
    /** Client quotas by entity (entity type to name, null for {@code <default>}), each quota key to its value. */
    private final Map<Map<String, String>, Map<String, Double>> clientQuotas;
    /** SCRAM credentials by user, then by mechanism type. */
    private final Map<String, Map<Byte, MetadataRecord.UserScramCredentialChanged>> scramCredentials;
    /** ACLs by id; the same map object until an ACL record changes it. */
    private final Map<Uuid, MetadataRecord.AclCreated> acls;
    /** Registered brokers by node id (a replicated quorum only). */
    private final Map<Integer, BrokerImage> brokers;
    /** Partition states by topic id, then partition (a cluster's topics only; a single node has none). */
    private final Map<Uuid, Map<Integer, PartitionImage>> partitionStates;

    private MetadataImage(Builder b) {
        this.topicsByName = b.topicsByName;
        this.topicsById = b.topicsById;
        this.brokerConfigs = b.brokerConfigs;
        this.deletedTopicIds = b.deletedTopicIds;
        this.nextProducerId = b.nextProducerId;
        this.offset = b.offset;
        this.clientQuotas = b.clientQuotas;
        this.scramCredentials = b.scramCredentials;
        this.acls = b.acls;
        this.brokers = b.brokers;
        this.partitionStates = b.partitionStates;
    }

    /**
     * The state of partition {@code partition} of the topic with {@code topicId}, or null when the
     * metadata holds none (every partition of a single node, and a cluster's topics created before
     * partition states were recorded: one replica, placed by {@link Placement}).
     */
    public PartitionImage partition(Uuid topicId, int partition) {
        Map<Integer, PartitionImage> m = partitionStates.get(topicId);
        return m == null ? null : m.get(partition);
    }

    /** The partition states of the topic with {@code topicId} by partition; empty when it has none. */
    public Map<Integer, PartitionImage> partitions(Uuid topicId) {
        Map<Integer, PartitionImage> m = partitionStates.get(topicId);
        return m == null ? Map.of() : m;
    }

    /** The registered brokers by node id, in node id order; empty on a single node. */
    public Map<Integer, BrokerImage> brokers() {
        return brokers;
    }

    public TopicImage topic(String name) {
        return topicsByName.get(name);
    }

    public TopicImage topic(Uuid id) {
        return topicsById.get(id);
    }

    public Collection<TopicImage> topics() {
        return topicsByName.values();
    }

    /** Whether the metadata log records the deletion of the topic with {@code id}. */
    public boolean wasDeleted(Uuid id) {
        return id != null && deletedTopicIds.contains(id);
    }

    public Map<String, String> brokerConfigs() {
        return brokerConfigs;
    }

    /** Every client quota entity with its quotas (never an entity without one). */
    public Map<Map<String, String>, Map<String, Double>> clientQuotas() {
        return clientQuotas;
    }

    /** Every user's SCRAM credentials: user to mechanism type to the record that set it. */
    public Map<String, Map<Byte, MetadataRecord.UserScramCredentialChanged>> scramCredentials() {
        return scramCredentials;
    }

    /** The SCRAM credential of {@code user} for mechanism type {@code mechanism}, or null. */
    public MetadataRecord.UserScramCredentialChanged scramCredential(String user, byte mechanism) {
        Map<Byte, MetadataRecord.UserScramCredentialChanged> m = scramCredentials.get(user);
        return m == null ? null : m.get(mechanism);
    }

    /**
     * The ACLs by id, in the order they were added. The same map object from image to image until
     * an ACL record changes it, so listeners can tell a change by identity.
     */
    public Map<Uuid, MetadataRecord.AclCreated> acls() {
        return acls;
    }

    public long nextProducerId() {
        return nextProducerId;
    }

    /** The number of metadata records this image reflects. */
    public long offset() {
        return offset;
    }

    /** This image with {@code record} applied. */
    public MetadataImage apply(MetadataRecord record) {
        Builder b = new Builder(this);
        b.offset = offset + 1;
        if (record instanceof MetadataRecord.TopicCreated r) {
            b.putTopic(null, new TopicImage(r.topicId(), r.name(), r.partitions(), r.replicationFactor(), Map.of()));
        } else if (record instanceof MetadataRecord.PartitionsAdded r) {
            TopicImage old = require(r.topicId());
            b.putTopic(
                    old, new TopicImage(old.id(), old.name(), r.partitions(), old.replicationFactor(), old.configs()));
        } else if (record instanceof MetadataRecord.TopicDeleted r) {
            b.removeTopic(require(r.topicId()));
            if (partitionStates.containsKey(r.topicId())) {
                b.partitionStates = withEntry(new HashMap<>(partitionStates), r.topicId(), null);
            }
        } else if (record instanceof MetadataRecord.PartitionCreated r) {
            b.partitionStates = withPartition(r.topicId(), r.partition(), created(r));
        } else if (record instanceof MetadataRecord.PartitionChanged r) {
            b.partitionStates = withPartition(r.topicId(), r.partition(), changed(r));
        } else if (record instanceof MetadataRecord.TopicConfigChanged r) {
            TopicImage old = require(r.topicId());
            Map<String, String> configs = withEntry(new LinkedHashMap<>(old.configs()), r.key(), r.value());
            b.putTopic(old, new TopicImage(old.id(), old.name(), old.partitions(), old.replicationFactor(), configs));
        } else if (record instanceof MetadataRecord.BrokerConfigChanged r) {
            b.brokerConfigs = withEntry(new LinkedHashMap<>(brokerConfigs), r.nodeId() + "/" + r.key(), r.value());
        } else if (record instanceof MetadataRecord.ProducerIdsAllocated r) {
            b.nextProducerId = r.nextProducerId();
        } else if (record instanceof MetadataRecord.ClientQuotaChanged r) {
            Map<String, Double> quotas = new TreeMap<>(clientQuotas.getOrDefault(r.entity(), Map.of()));
            b.clientQuotas =
                    withEntry(new LinkedHashMap<>(clientQuotas), r.entity(), withEntry(quotas, r.key(), r.value()));
        } else if (record instanceof MetadataRecord.UserScramCredentialChanged r) {
            Map<Byte, MetadataRecord.UserScramCredentialChanged> mine =
                    new TreeMap<>(scramCredentials.getOrDefault(r.user(), Map.of()));
            Map<Byte, MetadataRecord.UserScramCredentialChanged> changed =
                    withEntry(mine, r.mechanism(), r.isRemoval() ? null : r);
            b.scramCredentials = withEntry(new TreeMap<>(scramCredentials), r.user(), changed);
        } else if (record instanceof MetadataRecord.AclCreated r) {
            b.acls = withEntry(new LinkedHashMap<>(acls), r.id(), r);
        } else if (record instanceof MetadataRecord.BrokerRegistered r) {
            b.brokers = withEntry(new TreeMap<>(brokers), r.nodeId(), new BrokerImage(r, false));
        } else if (record instanceof MetadataRecord.BrokerFenced r) {
            b.brokers = withEntry(
                    new TreeMap<>(brokers),
                    r.nodeId(),
                    new BrokerImage(requireBroker(r.nodeId()), true, inControlledShutdown(r.nodeId())));
        } else if (record instanceof MetadataRecord.BrokerUnfenced r) {
            b.brokers = withEntry(
                    new TreeMap<>(brokers),
                    r.nodeId(),
                    new BrokerImage(requireBroker(r.nodeId()), false, inControlledShutdown(r.nodeId())));
        } else if (record instanceof MetadataRecord.BrokerControlledShutdown r) {
            BrokerImage was = brokers.get(r.nodeId());
            b.brokers = withEntry(
                    new TreeMap<>(brokers), r.nodeId(), new BrokerImage(requireBroker(r.nodeId()), was.fenced(), true));
        } else if (record instanceof MetadataRecord.AclRemoved r) {
            if (!acls.containsKey(r.id())) {
                throw new IllegalStateException("metadata record removes unknown ACL id " + r.id());
            }
            b.acls = withEntry(new LinkedHashMap<>(acls), r.id(), null);
        } else {
            throw new IllegalArgumentException("unknown record " + record);
        }
        return b.build();
    }

    /**
     * {@code copy} (a fresh map the caller made) with {@code key} set to {@code value}, or removed
     * when {@code value} is null or an empty map, made unmodifiable.
     */
    private static <K, V> Map<K, V> withEntry(Map<K, V> copy, K key, V value) {
        if (value == null || (value instanceof Map<?, ?> m && m.isEmpty())) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return Collections.unmodifiableMap(copy);
    }

    private PartitionImage created(MetadataRecord.PartitionCreated r) {
        TopicImage t = require(r.topicId());
        if (r.partition() < 0 || r.partition() >= t.partitions() || partition(r.topicId(), r.partition()) != null) {
            throw new IllegalStateException("metadata record creates partition " + r.partition() + " of " + t.name()
                    + ", which has " + t.partitions() + " partitions");
        }
        PartitionImage p = new PartitionImage(r.replicas(), r.isr(), r.leader(), r.leaderEpoch(), r.partitionEpoch());
        checkPartition(p, t.name(), r.partition());
        return p;
    }

    private PartitionImage changed(MetadataRecord.PartitionChanged r) {
        TopicImage t = require(r.topicId());
        PartitionImage old = partition(r.topicId(), r.partition());
        if (old == null) {
            throw new IllegalStateException(
                    "metadata record changes unknown partition " + r.partition() + " of " + t.name());
        }
        if (r.partitionEpoch() <= old.partitionEpoch() || r.leaderEpoch() < old.leaderEpoch()) {
            throw new IllegalStateException("metadata record changes partition " + t.name() + "-" + r.partition()
                    + " from partition epoch " + old.partitionEpoch() + " to " + r.partitionEpoch()
                    + " and leader epoch " + old.leaderEpoch() + " to " + r.leaderEpoch());
        }
        PartitionImage p = old.with(r);
        checkPartition(p, t.name(), r.partition());
        return p;
    }

    /** In-sync replicas are replicas, and the leader (if any) is in sync. */
    private static void checkPartition(PartitionImage p, String topic, int partition) {
        if (!p.replicas().containsAll(p.isr()) || (p.hasLeader() && !p.isr().contains(p.leader()))) {
            throw new IllegalStateException("metadata record gives " + topic + "-" + partition + " replicas "
                    + p.replicas() + ", ISR " + p.isr() + " and leader " + p.leader());
        }
    }

    private Map<Uuid, Map<Integer, PartitionImage>> withPartition(Uuid topicId, int partition, PartitionImage state) {
        Map<Integer, PartitionImage> mine = withEntry(new TreeMap<>(partitions(topicId)), partition, state);
        return withEntry(new HashMap<>(partitionStates), topicId, mine);
    }

    private boolean inControlledShutdown(int nodeId) {
        BrokerImage b = brokers.get(nodeId);
        return b != null && b.inControlledShutdown();
    }

    private MetadataRecord.BrokerRegistered requireBroker(int nodeId) {
        BrokerImage b = brokers.get(nodeId);
        if (b == null) {
            throw new IllegalStateException("metadata record for unregistered broker " + nodeId);
        }
        return b.registration();
    }

    /** This image with {@link #offset()} set to {@code newOffset} (a snapshot restores its offset). */
    MetadataImage withOffset(long newOffset) {
        Builder b = new Builder(this);
        b.offset = newOffset;
        return b.build();
    }

    /**
     * Records that rebuild this image when applied to {@link #EMPTY} (all but {@link #offset()}): how
     * a snapshot stores an image. A deleted topic's id is kept as a creation and a deletion under a
     * name of its own.
     */
    List<MetadataRecord> asRecords() {
        List<MetadataRecord> out = new ArrayList<>();
        for (Uuid id : deletedTopicIds) {
            out.add(new MetadataRecord.TopicCreated(id, "__deleted-" + id, 1, (short) 1));
            out.add(new MetadataRecord.TopicDeleted(id));
        }
        for (TopicImage t : topicsByName.values()) {
            out.add(new MetadataRecord.TopicCreated(t.id(), t.name(), t.partitions(), t.replicationFactor()));
            for (Map.Entry<String, String> c : t.configs().entrySet()) {
                out.add(new MetadataRecord.TopicConfigChanged(t.id(), c.getKey(), c.getValue()));
            }
            for (Map.Entry<Integer, PartitionImage> e : partitions(t.id()).entrySet()) {
                PartitionImage p = e.getValue();
                out.add(new MetadataRecord.PartitionCreated(
                        t.id(), e.getKey(), p.replicas(), p.isr(), p.leader(), p.leaderEpoch(), p.partitionEpoch()));
            }
        }
        for (Map.Entry<String, String> c : brokerConfigs.entrySet()) {
            int slash = c.getKey().indexOf('/');
            out.add(new MetadataRecord.BrokerConfigChanged(
                    Integer.parseInt(c.getKey().substring(0, slash)), c.getKey().substring(slash + 1), c.getValue()));
        }
        if (nextProducerId != 0) {
            out.add(new MetadataRecord.ProducerIdsAllocated(nextProducerId));
        }
        for (Map.Entry<Map<String, String>, Map<String, Double>> q : clientQuotas.entrySet()) {
            for (Map.Entry<String, Double> v : q.getValue().entrySet()) {
                out.add(new MetadataRecord.ClientQuotaChanged(q.getKey(), v.getKey(), v.getValue()));
            }
        }
        for (Map<Byte, MetadataRecord.UserScramCredentialChanged> m : scramCredentials.values()) {
            out.addAll(m.values());
        }
        out.addAll(acls.values());
        for (BrokerImage b : brokers.values()) {
            out.add(b.registration());
            if (b.fenced()) {
                out.add(new MetadataRecord.BrokerFenced(b.nodeId()));
            }
            if (b.inControlledShutdown()) {
                out.add(new MetadataRecord.BrokerControlledShutdown(b.nodeId()));
            }
        }
        return out;
    }

    /**
     * Records that say how this image differs from {@code previous}, for listeners that react to
     * records when a whole image replaces another (a snapshot installed from the leader): topics
     * deleted, created, grown and reconfigured, partitions whose state changed, and every client
     * quota when they changed. Other
     * parts (ACLs, brokers) are told apart by identity.
     */
    List<MetadataRecord> changesFrom(MetadataImage previous) {
        List<MetadataRecord> out = new ArrayList<>();
        for (TopicImage old : previous.topicsById.values()) {
            if (!topicsById.containsKey(old.id())) {
                out.add(new MetadataRecord.TopicDeleted(old.id()));
            }
        }
        for (TopicImage t : topicsByName.values()) {
            TopicImage old = previous.topicsById.get(t.id());
            if (old == null) {
                out.add(new MetadataRecord.TopicCreated(t.id(), t.name(), t.partitions(), t.replicationFactor()));
                partitionChangesFrom(previous, t, out);
                continue;
            }
            if (t.partitions() > old.partitions()) {
                out.add(new MetadataRecord.PartitionsAdded(t.id(), t.partitions()));
            }
            for (Map.Entry<String, String> c : t.configs().entrySet()) {
                if (!c.getValue().equals(old.configs().get(c.getKey()))) {
                    out.add(new MetadataRecord.TopicConfigChanged(t.id(), c.getKey(), c.getValue()));
                }
            }
            for (String key : old.configs().keySet()) {
                if (!t.configs().containsKey(key)) {
                    out.add(new MetadataRecord.TopicConfigChanged(t.id(), key, null));
                }
            }
            partitionChangesFrom(previous, t, out);
        }
        if (!clientQuotas.equals(previous.clientQuotas)) {
            for (Map.Entry<Map<String, String>, Map<String, Double>> q : previous.clientQuotas.entrySet()) {
                for (String key : q.getValue().keySet()) {
                    if (!clientQuotas.getOrDefault(q.getKey(), Map.of()).containsKey(key)) {
                        out.add(new MetadataRecord.ClientQuotaChanged(q.getKey(), key, null));
                    }
                }
            }
            for (Map.Entry<Map<String, String>, Map<String, Double>> q : clientQuotas.entrySet()) {
                for (Map.Entry<String, Double> v : q.getValue().entrySet()) {
                    out.add(new MetadataRecord.ClientQuotaChanged(q.getKey(), v.getKey(), v.getValue()));
                }
            }
        }
        return out;
    }

    /** The partition records of {@code t} whose state differs from {@code previous}'s. */
    private void partitionChangesFrom(MetadataImage previous, TopicImage t, List<MetadataRecord> out) {
        for (Map.Entry<Integer, PartitionImage> e : partitions(t.id()).entrySet()) {
            PartitionImage p = e.getValue();
            PartitionImage old = previous.partition(t.id(), e.getKey());
            if (old == null) {
                out.add(new MetadataRecord.PartitionCreated(
                        t.id(), e.getKey(), p.replicas(), p.isr(), p.leader(), p.leaderEpoch(), p.partitionEpoch()));
            } else if (!old.equals(p)) {
                out.add(new MetadataRecord.PartitionChanged(
                        t.id(), e.getKey(), p.isr(), p.leader(), p.leaderEpoch(), p.partitionEpoch()));
            }
        }
    }

    private TopicImage require(Uuid id) {
        TopicImage t = topicsById.get(id);
        if (t == null) {
            throw new IllegalStateException("metadata record for unknown topic id " + id);
        }
        return t;
    }

    /** The parts of the next image; starts as the current image's, replaced where a record changes one. */
    private static final class Builder {
        Map<String, TopicImage> topicsByName = Map.of();
        Map<Uuid, TopicImage> topicsById = Map.of();
        Map<String, String> brokerConfigs = Map.of();
        Set<Uuid> deletedTopicIds = Set.of();
        long nextProducerId;
        long offset;
        Map<Map<String, String>, Map<String, Double>> clientQuotas = Map.of();
        Map<String, Map<Byte, MetadataRecord.UserScramCredentialChanged>> scramCredentials = Map.of();
        Map<Uuid, MetadataRecord.AclCreated> acls = Map.of();
        Map<Integer, BrokerImage> brokers = Map.of();
        Map<Uuid, Map<Integer, PartitionImage>> partitionStates = Map.of();

        Builder() {}

        Builder(MetadataImage image) {
            topicsByName = image.topicsByName;
            topicsById = image.topicsById;
            brokerConfigs = image.brokerConfigs;
            deletedTopicIds = image.deletedTopicIds;
            nextProducerId = image.nextProducerId;
            offset = image.offset;
            clientQuotas = image.clientQuotas;
            scramCredentials = image.scramCredentials;
            acls = image.acls;
            brokers = image.brokers;
            partitionStates = image.partitionStates;
        }

        void putTopic(TopicImage old, TopicImage t) {
            Map<String, TopicImage> byName = new LinkedHashMap<>(topicsByName);
            Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
            if (old != null) {
                byName.remove(old.name());
                byId.remove(old.id());
            }
            byName.put(t.name(), t);
            byId.put(t.id(), t);
            topicsByName = Collections.unmodifiableMap(byName);
            topicsById = Collections.unmodifiableMap(byId);
        }

        void removeTopic(TopicImage old) {
            Map<String, TopicImage> byName = new LinkedHashMap<>(topicsByName);
            Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
            byName.remove(old.name());
            byId.remove(old.id());
            Set<Uuid> deleted = new HashSet<>(deletedTopicIds);
            deleted.add(old.id());
            topicsByName = Collections.unmodifiableMap(byName);
            topicsById = Collections.unmodifiableMap(byId);
            deletedTopicIds = Collections.unmodifiableSet(deleted);
        }

        MetadataImage build() {
            return new MetadataImage(this);
        }
    }
}
