package io.skiff.broker.metadata;

import io.skiff.wire.protocol.Uuid;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster metadata at one offset of the metadata log: topics by name and id, dynamic
 * broker configs, client quotas, and the producer-id allocation point. Immutable; {@link #apply} returns a
 * new image. Handlers read the current image without locks.
 */
public final class MetadataImage {
    public static final MetadataImage EMPTY =
            new MetadataImage(Map.of(), Map.of(), Map.of(), Set.of(), 0L, 0L, Map.of());

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

    private MetadataImage(
            Map<String, TopicImage> byName,
            Map<Uuid, TopicImage> byId,
            Map<String, String> brokerConfigs,
            Set<Uuid> deletedTopicIds,
            long nextProducerId,
            long offset,
            Map<Map<String, String>, Map<String, Double>> clientQuotas) {
        this(byName, byId, brokerConfigs, deletedTopicIds, nextProducerId, offset, clientQuotas, Map.of());
    }

    private MetadataImage(
            Map<String, TopicImage> byName,
            Map<Uuid, TopicImage> byId,
            Map<String, String> brokerConfigs,
            Set<Uuid> deletedTopicIds,
            long nextProducerId,
            long offset,
            Map<Map<String, String>, Map<String, Double>> clientQuotas,
            Map<String, Map<Byte, MetadataRecord.UserScramCredentialChanged>> scramCredentials) {
        this.scramCredentials = scramCredentials;
        this.clientQuotas = clientQuotas;
        this.topicsByName = byName;
        this.topicsById = byId;
        this.brokerConfigs = brokerConfigs;
        this.deletedTopicIds = deletedTopicIds;
        this.nextProducerId = nextProducerId;
        this.offset = offset;
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

    public long nextProducerId() {
        return nextProducerId;
    }

    /** The number of metadata records this image reflects. */
    public long offset() {
        return offset;
    }

    /** This image with {@code record} applied. */
    public MetadataImage apply(MetadataRecord record) {
        long next = offset + 1;
        if (record instanceof MetadataRecord.TopicCreated r) {
            TopicImage t = new TopicImage(r.topicId(), r.name(), r.partitions(), r.replicationFactor(), Map.of());
            return withTopic(null, t, next);
        }
        if (record instanceof MetadataRecord.PartitionsAdded r) {
            TopicImage old = require(r.topicId());
            return withTopic(
                    old,
                    new TopicImage(old.id(), old.name(), r.partitions(), old.replicationFactor(), old.configs()),
                    next);
        }
        if (record instanceof MetadataRecord.TopicDeleted r) {
            TopicImage old = require(r.topicId());
            Map<String, TopicImage> byName = new LinkedHashMap<>(topicsByName);
            Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
            byName.remove(old.name());
            byId.remove(old.id());
            Set<Uuid> deleted = new HashSet<>(deletedTopicIds);
            deleted.add(old.id());
            return new MetadataImage(
                    Collections.unmodifiableMap(byName),
                    Collections.unmodifiableMap(byId),
                    brokerConfigs,
                    Collections.unmodifiableSet(deleted),
                    nextProducerId,
                    next,
                    clientQuotas,
                    scramCredentials);
        }
        if (record instanceof MetadataRecord.TopicConfigChanged r) {
            TopicImage old = require(r.topicId());
            Map<String, String> configs = new LinkedHashMap<>(old.configs());
            if (r.value() == null) {
                configs.remove(r.key());
            } else {
                configs.put(r.key(), r.value());
            }
            return withTopic(
                    old,
                    new TopicImage(old.id(), old.name(), old.partitions(), old.replicationFactor(), configs),
                    next);
        }
        if (record instanceof MetadataRecord.BrokerConfigChanged r) {
            Map<String, String> configs = new LinkedHashMap<>(brokerConfigs);
            String k = r.nodeId() + "/" + r.key();
            if (r.value() == null) {
                configs.remove(k);
            } else {
                configs.put(k, r.value());
            }
            return new MetadataImage(
                    topicsByName,
                    topicsById,
                    Collections.unmodifiableMap(configs),
                    deletedTopicIds,
                    nextProducerId,
                    next,
                    clientQuotas,
                    scramCredentials);
        }
        if (record instanceof MetadataRecord.ProducerIdsAllocated r) {
            return new MetadataImage(
                    topicsByName,
                    topicsById,
                    brokerConfigs,
                    deletedTopicIds,
                    r.nextProducerId(),
                    next,
                    clientQuotas,
                    scramCredentials);
        }
        if (record instanceof MetadataRecord.ClientQuotaChanged r) {
            return withClientQuota(r, next);
        }
        if (record instanceof MetadataRecord.UserScramCredentialChanged r) {
            return withScramCredential(r, next);
        }
        throw new IllegalArgumentException("unknown record " + record);
    }

    private MetadataImage withClientQuota(MetadataRecord.ClientQuotaChanged r, long next) {
        Map<Map<String, String>, Map<String, Double>> all = new LinkedHashMap<>(clientQuotas);
        Map<String, Double> quotas = new TreeMap<>(all.getOrDefault(r.entity(), Map.of()));
        if (r.value() == null) {
            quotas.remove(r.key());
        } else {
            quotas.put(r.key(), r.value());
        }
        if (quotas.isEmpty()) {
            all.remove(r.entity());
        } else {
            all.put(r.entity(), Collections.unmodifiableMap(quotas));
        }
        return new MetadataImage(
                topicsByName,
                topicsById,
                brokerConfigs,
                deletedTopicIds,
                nextProducerId,
                next,
                Collections.unmodifiableMap(all),
                scramCredentials);
    }

    private MetadataImage withScramCredential(MetadataRecord.UserScramCredentialChanged r, long next) {
        Map<String, Map<Byte, MetadataRecord.UserScramCredentialChanged>> all = new TreeMap<>(scramCredentials);
        Map<Byte, MetadataRecord.UserScramCredentialChanged> mine = new TreeMap<>(all.getOrDefault(r.user(), Map.of()));
        if (r.isRemoval()) {
            mine.remove(r.mechanism());
        } else {
            mine.put(r.mechanism(), r);
        }
        if (mine.isEmpty()) {
            all.remove(r.user());
        } else {
            all.put(r.user(), Collections.unmodifiableMap(mine));
        }
        return new MetadataImage(
                topicsByName,
                topicsById,
                brokerConfigs,
                deletedTopicIds,
                nextProducerId,
                next,
                clientQuotas,
                Collections.unmodifiableMap(all));
    }

    private TopicImage require(Uuid id) {
        TopicImage t = topicsById.get(id);
        if (t == null) {
            throw new IllegalStateException("metadata record for unknown topic id " + id);
        }
        return t;
    }

    private MetadataImage withTopic(TopicImage old, TopicImage t, long next) {
        Map<String, TopicImage> byName = new LinkedHashMap<>(topicsByName);
        Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
        if (old != null) {
            byName.remove(old.name());
            byId.remove(old.id());
        }
        byName.put(t.name(), t);
        byId.put(t.id(), t);
        return new MetadataImage(
                Collections.unmodifiableMap(byName),
                Collections.unmodifiableMap(byId),
                brokerConfigs,
                deletedTopicIds,
                nextProducerId,
                next,
                clientQuotas,
                scramCredentials);
    }
}
