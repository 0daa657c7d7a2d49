package io.skiff.broker.metadata.kraft;

import io.netty.buffer.ByteBuf;
import io.skiff.broker.metadata.kraft.record.AccessControlEntryRecord;
import io.skiff.broker.metadata.kraft.record.ClientQuotaRecord;
import io.skiff.broker.metadata.kraft.record.ConfigRecord;
import io.skiff.broker.metadata.kraft.record.DelegationTokenRecord;
import io.skiff.broker.metadata.kraft.record.FeatureLevelRecord;
import io.skiff.broker.metadata.kraft.record.PartitionChangeRecord;
import io.skiff.broker.metadata.kraft.record.PartitionRecord;
import io.skiff.broker.metadata.kraft.record.ProducerIdsRecord;
import io.skiff.broker.metadata.kraft.record.RemoveAccessControlEntryRecord;
import io.skiff.broker.metadata.kraft.record.RemoveDelegationTokenRecord;
import io.skiff.broker.metadata.kraft.record.RemoveTopicRecord;
import io.skiff.broker.metadata.kraft.record.RemoveUserScramCredentialRecord;
import io.skiff.broker.metadata.kraft.record.TopicRecord;
import io.skiff.broker.metadata.kraft.record.UserScramCredentialRecord;
import io.skiff.wire.protocol.Message;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.protocol.Wire;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster metadata of an Apache Kafka (KRaft) cluster as its metadata log describes it:
 * the state reached by replaying the latest snapshot and the log after it, as Kafka's own
 * metadata image would hold it. Topics (name, id, partitions with replicas, leader and leader
 * epoch), configs by resource, finalized features, the producer-id allocation point, and the
 * number of live entries of the kinds Skiff does not import (client quotas, SCRAM credentials,
 * ACLs, delegation tokens). Records inside a metadata transaction (KIP-868) count only once
 * its end record is read; an aborted or unfinished transaction changes nothing.
 *
 * <p>Built once by {@link #load} and then read; not thread-safe while it is being built.
 */
public final class KraftImage {
    /** ConfigRecord resource types (Kafka's ConfigResource.Type). */
    static final byte TOPIC_RESOURCE = 2;

    static final byte BROKER_RESOURCE = 4;

    /** One partition: its replicas, leader and leader epoch. */
    static final class Partition {
        final int id;
        List<Integer> replicas;
        int leader;
        int leaderEpoch;

        Partition(int id, List<Integer> replicas, int leader, int leaderEpoch) {
            this.id = id;
            this.replicas = List.copyOf(replicas);
            this.leader = leader;
            this.leaderEpoch = leaderEpoch;
        }
    }

    /** One topic and its partitions by id. */
    static final class Topic {
        final Uuid id;
        final String name;
        final TreeMap<Integer, Partition> partitions = new TreeMap<>();

        Topic(Uuid id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    private final Map<Uuid, Topic> topics = new LinkedHashMap<>();
    /** Configs by resource type, then resource name, then key. */
    private final Map<Byte, Map<String, Map<String, String>>> configs = new TreeMap<>();

    private final Map<String, Short> features = new TreeMap<>();
    private final Set<String> quotas = new HashSet<>();
    private final Set<String> scramCredentials = new HashSet<>();
    private final Set<Uuid> acls = new HashSet<>();
    private final Set<String> delegationTokens = new HashSet<>();
    private final Map<String, Long> ignored = new TreeMap<>();
    private long nextProducerId;
    private long recordsRead;
    private long abortedRecords;
    /** Records of the open metadata transaction, applied at its end; null outside one. */
    private List<Message> transaction;

    private KraftMetadataLog.ReadSummary source;

    KraftImage() {}

    /** Replays the snapshot and log of the KRaft metadata directory {@code metadataDir}. */
    public static KraftImage load(Path metadataDir) throws IOException {
        KraftImage image = new KraftImage();
        image.source = KraftMetadataLog.read(metadataDir, image::replay);
        image.finish();
        return image;
    }

    /** Replays one metadata record frame (a record's value); {@code offset} -1 in a snapshot. */
    void replay(long offset, ByteBuf frame) throws KraftMigrationException {
        recordsRead++;
        KraftRecordType type;
        short version;
        try {
            int frameVersion = Wire.readUnsignedVarint(frame);
            if (frameVersion != 1) {
                throw new KraftMigrationException(
                        "metadata record frame version " + frameVersion + " is not known" + where(offset));
            }
            int apiKey = Wire.readUnsignedVarint(frame);
            int rawVersion = Wire.readUnsignedVarint(frame);
            if (rawVersion > Short.MAX_VALUE) {
                throw new KraftMigrationException(
                        "metadata record version " + rawVersion + " is too large" + where(offset));
            }
            version = (short) rawVersion;
            type = KraftRecordType.of(apiKey);
            if (type == null) {
                throw new KraftMigrationException(
                        "metadata record type " + apiKey + " is not one of Apache Kafka 4.3.1's" + where(offset));
            }
        } catch (RuntimeException e) {
            throw new KraftMigrationException(
                    "unreadable metadata record frame" + where(offset) + ": " + e.getMessage(), e);
        }
        switch (type.handling) {
            case IGNORED:
                ignored.merge(type.recordName, 1L, Long::sum);
                return;
            case BEGIN_TRANSACTION:
                if (transaction != null) {
                    throw new KraftMigrationException("a metadata transaction begins inside another" + where(offset));
                }
                transaction = new ArrayList<>();
                return;
            case END_TRANSACTION:
                List<Message> done = transaction;
                transaction = null;
                if (done != null) {
                    for (Message m : done) {
                        apply(m);
                    }
                }
                return;
            case ABORT_TRANSACTION:
                if (transaction != null) {
                    abortedRecords += transaction.size();
                }
                transaction = null;
                return;
            default:
                break;
        }
        Message message = decode(type, version, frame, offset);
        if (transaction != null) {
            transaction.add(message);
        } else {
            apply(message);
        }
    }

    private static Message decode(KraftRecordType type, short version, ByteBuf body, long offset)
            throws KraftMigrationException {
        Message m;
        try {
            m = type.decode(body, version);
        } catch (RuntimeException e) {
            throw new KraftMigrationException(
                    "unreadable " + type.recordName + " version " + version + where(offset) + ": " + e.getMessage(), e);
        }
        if (body.isReadable()) {
            throw new KraftMigrationException(
                    body.readableBytes() + " bytes after a " + type.recordName + where(offset));
        }
        return m;
    }

    private static String where(long offset) {
        return offset < 0 ? " in the snapshot" : " at offset " + offset;
    }

    private void finish() {
        if (transaction != null) {
            abortedRecords += transaction.size();
            transaction = null;
        }
    }

    private void apply(Message m) {
        if (m instanceof TopicRecord r) {
            topics.put(r.topicId(), new Topic(r.topicId(), r.name()));
        } else if (m instanceof PartitionRecord r) {
            Topic t = topics.get(r.topicId());
            if (t != null) {
                t.partitions.put(
                        r.partitionId(), new Partition(r.partitionId(), r.replicas(), r.leader(), r.leaderEpoch()));
            }
        } else if (m instanceof PartitionChangeRecord r) {
            applyPartitionChange(r);
        } else if (m instanceof RemoveTopicRecord r) {
            Topic t = topics.remove(r.topicId());
            if (t != null) {
                // Kafka drops a deleted topic's configs with it.
                configs.getOrDefault(TOPIC_RESOURCE, Map.of()).remove(t.name);
            }
        } else if (m instanceof ConfigRecord r) {
            Map<String, String> resource = configs.computeIfAbsent(r.resourceType(), k -> new TreeMap<>())
                    .computeIfAbsent(r.resourceName(), k -> new TreeMap<>());
            if (r.value() == null) {
                resource.remove(r.name());
            } else {
                resource.put(r.name(), r.value());
            }
        } else if (m instanceof FeatureLevelRecord r) {
            features.put(r.name(), r.featureLevel());
        } else if (m instanceof ProducerIdsRecord r) {
            nextProducerId = Math.max(nextProducerId, r.nextProducerId());
        } else {
            applyNotImported(m);
        }
    }

    private void applyPartitionChange(PartitionChangeRecord r) {
        Topic t = topics.get(r.topicId());
        Partition p = t == null ? null : t.partitions.get(r.partitionId());
        if (p == null) {
            return;
        }
        if (r.replicas() != null) {
            p.replicas = List.copyOf(r.replicas());
        }
        if (r.leader() != -2) {
            // As in Kafka: every leader change, to a broker or to none, bumps the leader epoch.
            p.leader = r.leader();
            p.leaderEpoch++;
        }
    }

    private void applyNotImported(Message m) {
        if (m instanceof ClientQuotaRecord r) {
            StringBuilder key = new StringBuilder();
            for (ClientQuotaRecord.EntityData e : r.entity()) {
                key.append(e.entityType()).append('=').append(e.entityName()).append(',');
            }
            key.append(r.key());
            if (r.remove()) {
                quotas.remove(key.toString());
            } else {
                quotas.add(key.toString());
            }
        } else if (m instanceof UserScramCredentialRecord r) {
            scramCredentials.add(r.name() + "/" + r.mechanism());
        } else if (m instanceof RemoveUserScramCredentialRecord r) {
            scramCredentials.remove(r.name() + "/" + r.mechanism());
        } else if (m instanceof AccessControlEntryRecord r) {
            acls.add(r.id());
        } else if (m instanceof RemoveAccessControlEntryRecord r) {
            acls.remove(r.id());
        } else if (m instanceof DelegationTokenRecord r) {
            delegationTokens.add(r.tokenId());
        } else if (m instanceof RemoveDelegationTokenRecord r) {
            delegationTokens.remove(r.tokenId());
        }
    }

    /** Topics in the order the metadata created them. */
    Collection<Topic> topics() {
        return topics.values();
    }

    /** Configs of one resource type by resource name (topic name; broker id or "" for the cluster default). */
    Map<String, Map<String, String>> configs(byte resourceType) {
        return configs.getOrDefault(resourceType, Map.of());
    }

    /** The resource types that have configs. */
    Set<Byte> configResourceTypes() {
        return configs.keySet();
    }

    Map<String, Short> features() {
        return features;
    }

    /** The first producer id Kafka has not handed out a block of; 0 when it handed out none. */
    long nextProducerId() {
        return nextProducerId;
    }

    int clientQuotas() {
        return quotas.size();
    }

    int scramCredentials() {
        return scramCredentials.size();
    }

    int acls() {
        return acls.size();
    }

    int delegationTokens() {
        return delegationTokens.size();
    }

    /** Records Skiff has no use for, by record type name. */
    Map<String, Long> ignored() {
        return ignored;
    }

    long recordsRead() {
        return recordsRead;
    }

    /** Records dropped because their metadata transaction was aborted or never ended. */
    long abortedRecords() {
        return abortedRecords;
    }

    /** Which files were read; null for an image built without {@link #load}. */
    KraftMetadataLog.ReadSummary source() {
        return source;
    }
}
