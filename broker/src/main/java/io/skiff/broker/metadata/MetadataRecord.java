package io.skiff.broker.metadata;

import io.skiff.wire.protocol.Uuid;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records of the cluster metadata log. Each changes the {@link MetadataImage} in one
 * small step; replaying them in order rebuilds the image. Immutable values.
 */
public sealed interface MetadataRecord {
    /** A new topic with its partitions. */
    record TopicCreated(Uuid topicId, String name, int partitions, short replicationFactor) implements MetadataRecord {}

    /** A topic now has {@code partitions} partitions (more than before). */
    record PartitionsAdded(Uuid topicId, int partitions) implements MetadataRecord {}

    /**
     * The first state of one partition of a cluster's topic, as Kafka's PartitionRecord: its replicas
     * (the first is the preferred leader), the in-sync replicas, the leader (-1 for none), the leader
     * epoch and the partition epoch (bumped by every change of the partition). Written after the
     * {@link TopicCreated} or {@link PartitionsAdded} that makes the partition; a single node writes
     * none (its one replica of every partition is derived).
     */
    record PartitionCreated(
            Uuid topicId,
            int partition,
            List<Integer> replicas,
            List<Integer> isr,
            int leader,
            int leaderEpoch,
            int partitionEpoch)
            implements MetadataRecord {
        public PartitionCreated {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
        }
    }

    /**
     * A partition's new state, as Kafka's PartitionChangeRecord but whole: the in-sync replicas, the
     * leader (-1 for none) and its epoch, and the partition epoch, which is one above the one before.
     * The replica set does not change in this version (no reassignment).
     */
    record PartitionChanged(
            Uuid topicId, int partition, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch)
            implements MetadataRecord {
        public PartitionChanged {
            isr = List.copyOf(isr);
        }
    }

    /** A topic is gone. */
    record TopicDeleted(Uuid topicId) implements MetadataRecord {}

    /** A topic config override set ({@code value} non-null) or removed (null). */
    record TopicConfigChanged(Uuid topicId, String key, String value) implements MetadataRecord {}

    /** A dynamic broker config set or removed; {@code nodeId} -1 for the cluster-wide default. */
    record BrokerConfigChanged(int nodeId, String key, String value) implements MetadataRecord {}

    /**
     * A client quota of one entity set ({@code value} non-null) or removed (null), as Kafka's
     * ClientQuotaRecord: the entity maps entity types ("user", "client-id", "ip") to names, a
     * null name being that type's {@code <default>}; {@code key} is the quota
     * ({@code producer_byte_rate}, ...).
     */
    record ClientQuotaChanged(Map<String, String> entity, String key, Double value) implements MetadataRecord {
        public ClientQuotaChanged {
            entity = Collections.unmodifiableMap(new TreeMap<>(entity));
        }
    }

    /**
     * The SCRAM credential of a user for one mechanism set, or removed ({@code salt} null), as
     * Kafka's UserScramCredentialRecord: salt, StoredKey, ServerKey and iteration count, never the
     * password. {@code mechanism} is the protocol's type (1 SCRAM-SHA-256, 2 SCRAM-SHA-512).
     */
    record UserScramCredentialChanged(
            String user, byte mechanism, byte[] salt, byte[] storedKey, byte[] serverKey, int iterations)
            implements MetadataRecord {
        /** A removal of {@code user}'s credential for {@code mechanism}. */
        public static UserScramCredentialChanged removal(String user, byte mechanism) {
            return new UserScramCredentialChanged(user, mechanism, null, null, null, 0);
        }

        public boolean isRemoval() {
            return salt == null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UserScramCredentialChanged r
                    && user.equals(r.user)
                    && mechanism == r.mechanism
                    && iterations == r.iterations
                    && Arrays.equals(salt, r.salt)
                    && Arrays.equals(storedKey, r.storedKey)
                    && Arrays.equals(serverKey, r.serverKey);
        }

        @Override
        public int hashCode() {
            return user.hashCode() * 31 + mechanism;
        }

        @Override
        public String toString() {
            return "UserScramCredentialChanged(" + user + ", mechanism " + mechanism
                    + (isRemoval() ? ", removed)" : ", iterations " + iterations + ")");
        }
    }

    /** Producer ids below {@code nextProducerId} are handed out; allocation continues from there. */
    record ProducerIdsAllocated(long nextProducerId) implements MetadataRecord {}

    /**
     * An ACL added under {@code id}, as Kafka's AccessControlEntryRecord: the resource pattern
     * (resource type, name, pattern type) and the entry (principal, host, operation, permission
     * type), each type as Kafka's protocol code.
     */
    record AclCreated(
            Uuid id,
            byte resourceType,
            String resourceName,
            byte patternType,
            String principal,
            String host,
            byte operation,
            byte permissionType)
            implements MetadataRecord {}

    /** The ACL added under {@code id} is gone, as Kafka's RemoveAccessControlEntryRecord. */
    record AclRemoved(Uuid id) implements MetadataRecord {}

    /**
     * A broker registered with the quorum, as Kafka's RegisterBrokerRecord: its node id, the id of
     * this run of the process (a new one at every start), its rack (null for none) and its
     * listeners. A registered broker is unfenced until a {@link BrokerFenced}.
     */
    record BrokerRegistered(int nodeId, Uuid incarnationId, String rack, List<Listener> listeners)
            implements MetadataRecord {
        public BrokerRegistered {
            listeners = List.copyOf(listeners);
        }

        /** One advertised listener: name, host, port and security protocol id (0 PLAINTEXT ... 3 SASL_SSL). */
        public record Listener(String name, String host, int port, short securityProtocol) {}
    }

    /** The active controller fenced the broker: no heartbeat within broker.session.timeout.ms. */
    record BrokerFenced(int nodeId) implements MetadataRecord {}

    /** A fenced broker heartbeats again and is unfenced. */
    record BrokerUnfenced(int nodeId) implements MetadataRecord {}

    /**
     * The broker is shutting down and asked for a controlled shutdown (Kafka's heartbeat with
     * wantShutDown): until it registers anew it is no leader candidate, joins no ISR and is not
     * unfenced. Written with the partition changes that move its leaderships and ISR places away.
     */
    record BrokerControlledShutdown(int nodeId) implements MetadataRecord {}
}
