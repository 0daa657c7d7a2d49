package io.skiff.broker.metadata;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.MessageParseException;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.protocol.Wire;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary form of {@link MetadataRecord}s: a type byte, a version byte, then the fields.
 * Strings use the protocol's classic nullable int16-length encoding. Stateless.
 */
final class MetadataRecordCodec {
    private static final byte TOPIC_CREATED = 1;
    private static final byte PARTITIONS_ADDED = 2;
    private static final byte TOPIC_DELETED = 3;
    private static final byte TOPIC_CONFIG_CHANGED = 4;
    private static final byte BROKER_CONFIG_CHANGED = 5;
    private static final byte PRODUCER_IDS_ALLOCATED = 6;
    private static final byte CLIENT_QUOTA_CHANGED = 7;
    private static final byte ACL_CREATED = 8;
    private static final byte ACL_REMOVED = 9;
    private static final byte PARTITION_CREATED = 10;
    private static final byte PARTITION_CHANGED = 11;
    /** Replicas of one partition. */
    private static final int MAX_REPLICAS = 1024;

    private static final byte USER_SCRAM_CREDENTIAL_CHANGED = 16;
    private static final byte BROKER_REGISTERED = 20;
    private static final byte BROKER_FENCED = 21;
    private static final byte BROKER_UNFENCED = 22;
    private static final byte BROKER_CONTROLLED_SHUTDOWN = 23;
    /** Listeners per broker registration. */
    private static final int MAX_LISTENERS = 64;
    /** Entity types per quota entity: user, client-id, ip. */
    private static final int MAX_ENTITY_TYPES = 3;

    private static final byte VERSION = 0;

    private MetadataRecordCodec() {}

    static void write(MetadataRecord record, ByteBuf out) {
        if (record instanceof MetadataRecord.TopicCreated r) {
            header(out, TOPIC_CREATED);
            Wire.writeUuid(out, r.topicId());
            Wire.writeString(out, r.name(), false, false, "name");
            out.writeInt(r.partitions());
            out.writeShort(r.replicationFactor());
        } else if (record instanceof MetadataRecord.PartitionsAdded r) {
            header(out, PARTITIONS_ADDED);
            Wire.writeUuid(out, r.topicId());
            out.writeInt(r.partitions());
        } else if (record instanceof MetadataRecord.TopicDeleted r) {
            header(out, TOPIC_DELETED);
            Wire.writeUuid(out, r.topicId());
        } else if (record instanceof MetadataRecord.TopicConfigChanged r) {
            header(out, TOPIC_CONFIG_CHANGED);
            Wire.writeUuid(out, r.topicId());
            Wire.writeString(out, r.key(), false, false, "key");
            Wire.writeString(out, r.value(), false, true, "value");
        } else if (record instanceof MetadataRecord.BrokerConfigChanged r) {
            header(out, BROKER_CONFIG_CHANGED);
            out.writeInt(r.nodeId());
            Wire.writeString(out, r.key(), false, false, "key");
            Wire.writeString(out, r.value(), false, true, "value");
        } else if (record instanceof MetadataRecord.ProducerIdsAllocated r) {
            header(out, PRODUCER_IDS_ALLOCATED);
            out.writeLong(r.nextProducerId());
        } else if (record instanceof MetadataRecord.ClientQuotaChanged r) {
            header(out, CLIENT_QUOTA_CHANGED);
            out.writeByte(r.entity().size());
            for (Map.Entry<String, String> e : r.entity().entrySet()) {
                Wire.writeString(out, e.getKey(), false, false, "entityType");
                Wire.writeString(out, e.getValue(), false, true, "entityName");
            }
            Wire.writeString(out, r.key(), false, false, "key");
            out.writeBoolean(r.value() == null);
            out.writeDouble(r.value() == null ? 0.0 : r.value());
        } else if (record instanceof MetadataRecord.AclCreated r) {
            header(out, ACL_CREATED);
            Wire.writeUuid(out, r.id());
            out.writeByte(r.resourceType());
            Wire.writeString(out, r.resourceName(), false, false, "resourceName");
            out.writeByte(r.patternType());
            Wire.writeString(out, r.principal(), false, false, "principal");
            Wire.writeString(out, r.host(), false, false, "host");
            out.writeByte(r.operation());
            out.writeByte(r.permissionType());
        } else if (record instanceof MetadataRecord.AclRemoved r) {
            header(out, ACL_REMOVED);
            Wire.writeUuid(out, r.id());
        } else if (record instanceof MetadataRecord.UserScramCredentialChanged r) {
            header(out, USER_SCRAM_CREDENTIAL_CHANGED);
            Wire.writeString(out, r.user(), false, false, "user");
            out.writeByte(r.mechanism());
            Wire.writeBytes(out, r.salt(), false, true, "salt");
            Wire.writeBytes(out, r.storedKey(), false, true, "storedKey");
            Wire.writeBytes(out, r.serverKey(), false, true, "serverKey");
            out.writeInt(r.iterations());
        } else if (record instanceof MetadataRecord.PartitionCreated r) {
            header(out, PARTITION_CREATED);
            Wire.writeUuid(out, r.topicId());
            out.writeInt(r.partition());
            writeIds(out, r.replicas());
            writeIds(out, r.isr());
            out.writeInt(r.leader());
            out.writeInt(r.leaderEpoch());
            out.writeInt(r.partitionEpoch());
        } else if (record instanceof MetadataRecord.PartitionChanged r) {
            header(out, PARTITION_CHANGED);
            Wire.writeUuid(out, r.topicId());
            out.writeInt(r.partition());
            writeIds(out, r.isr());
            out.writeInt(r.leader());
            out.writeInt(r.leaderEpoch());
            out.writeInt(r.partitionEpoch());
        } else if (!writeBroker(record, out)) {
            throw new IllegalArgumentException("unknown record " + record);
        }
    }

    private static void writeIds(ByteBuf out, List<Integer> ids) {
        out.writeShort(ids.size());
        for (int id : ids) {
            out.writeInt(id);
        }
    }

    private static List<Integer> readIds(ByteBuf in) {
        int n = in.readUnsignedShort();
        if (n > MAX_REPLICAS || n * 4 > in.readableBytes()) {
            throw new MessageParseException("partition record with " + n + " replica ids");
        }
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(in.readInt());
        }
        return ids;
    }

    private static boolean writeBroker(MetadataRecord record, ByteBuf out) {
        if (record instanceof MetadataRecord.BrokerRegistered r) {
            header(out, BROKER_REGISTERED);
            out.writeInt(r.nodeId());
            Wire.writeUuid(out, r.incarnationId());
            Wire.writeString(out, r.rack(), false, true, "rack");
            out.writeByte(r.listeners().size());
            for (MetadataRecord.BrokerRegistered.Listener l : r.listeners()) {
                Wire.writeString(out, l.name(), false, false, "listener");
                Wire.writeString(out, l.host(), false, false, "host");
                out.writeInt(l.port());
                out.writeShort(l.securityProtocol());
            }
        } else if (record instanceof MetadataRecord.BrokerFenced r) {
            header(out, BROKER_FENCED);
            out.writeInt(r.nodeId());
        } else if (record instanceof MetadataRecord.BrokerUnfenced r) {
            header(out, BROKER_UNFENCED);
            out.writeInt(r.nodeId());
        } else if (record instanceof MetadataRecord.BrokerControlledShutdown r) {
            header(out, BROKER_CONTROLLED_SHUTDOWN);
            out.writeInt(r.nodeId());
        } else {
            return false;
        }
        return true;
    }

    private static MetadataRecord.BrokerRegistered readBrokerRegistered(ByteBuf in) {
        int nodeId = in.readInt();
        Uuid incarnation = Wire.readUuid(in);
        String rack = Wire.readString(in, false, true, "rack");
        int n = in.readUnsignedByte();
        if (n > MAX_LISTENERS) {
            throw new MessageParseException("broker registration with " + n + " listeners");
        }
        List<MetadataRecord.BrokerRegistered.Listener> listeners = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            listeners.add(new MetadataRecord.BrokerRegistered.Listener(
                    Wire.readString(in, false, false, "listener"),
                    Wire.readString(in, false, false, "host"),
                    in.readInt(),
                    in.readShort()));
        }
        return new MetadataRecord.BrokerRegistered(nodeId, incarnation, rack, listeners);
    }

    private static void header(ByteBuf out, byte type) {
        out.writeByte(type);
        out.writeByte(VERSION);
    }

    static MetadataRecord read(ByteBuf in) {
        byte type = in.readByte();
        byte version = in.readByte();
        if (version != VERSION) {
            throw new MessageParseException("metadata record version " + version + " is not known");
        }
        switch (type) {
            case TOPIC_CREATED:
                return new MetadataRecord.TopicCreated(
                        Wire.readUuid(in), Wire.readString(in, false, false, "name"), in.readInt(), in.readShort());
            case PARTITIONS_ADDED:
                return new MetadataRecord.PartitionsAdded(Wire.readUuid(in), in.readInt());
            case TOPIC_DELETED:
                return new MetadataRecord.TopicDeleted(Wire.readUuid(in));
            case TOPIC_CONFIG_CHANGED:
                return new MetadataRecord.TopicConfigChanged(
                        Wire.readUuid(in),
                        Wire.readString(in, false, false, "key"),
                        Wire.readString(in, false, true, "value"));
            case BROKER_CONFIG_CHANGED:
                return new MetadataRecord.BrokerConfigChanged(
                        in.readInt(),
                        Wire.readString(in, false, false, "key"),
                        Wire.readString(in, false, true, "value"));
            case PRODUCER_IDS_ALLOCATED:
                return new MetadataRecord.ProducerIdsAllocated(in.readLong());
            case CLIENT_QUOTA_CHANGED:
                return readClientQuota(in);
            case ACL_CREATED:
                return new MetadataRecord.AclCreated(
                        Wire.readUuid(in),
                        in.readByte(),
                        Wire.readString(in, false, false, "resourceName"),
                        in.readByte(),
                        Wire.readString(in, false, false, "principal"),
                        Wire.readString(in, false, false, "host"),
                        in.readByte(),
                        in.readByte());
            case ACL_REMOVED:
                return new MetadataRecord.AclRemoved(Wire.readUuid(in));
            case PARTITION_CREATED:
                return new MetadataRecord.PartitionCreated(
                        Wire.readUuid(in),
                        in.readInt(),
                        readIds(in),
                        readIds(in),
                        in.readInt(),
                        in.readInt(),
                        in.readInt());
            case PARTITION_CHANGED:
                return new MetadataRecord.PartitionChanged(
                        Wire.readUuid(in), in.readInt(), readIds(in), in.readInt(), in.readInt(), in.readInt());
            case USER_SCRAM_CREDENTIAL_CHANGED:
                return new MetadataRecord.UserScramCredentialChanged(
                        Wire.readString(in, false, false, "user"),
                        in.readByte(),
                        Wire.readBytes(in, false, true, "salt"),
                        Wire.readBytes(in, false, true, "storedKey"),
                        Wire.readBytes(in, false, true, "serverKey"),
                        in.readInt());
            case BROKER_REGISTERED:
                return readBrokerRegistered(in);
            case BROKER_FENCED:
                return new MetadataRecord.BrokerFenced(in.readInt());
            case BROKER_UNFENCED:
                return new MetadataRecord.BrokerUnfenced(in.readInt());
            case BROKER_CONTROLLED_SHUTDOWN:
                return new MetadataRecord.BrokerControlledShutdown(in.readInt());
            default:
                throw new MessageParseException("metadata record type " + type + " is not known");
        }
    }

    private static MetadataRecord.ClientQuotaChanged readClientQuota(ByteBuf in) {
        int n = in.readUnsignedByte();
        if (n > MAX_ENTITY_TYPES) {
            throw new MessageParseException("client quota entity of " + n + " types");
        }
        Map<String, String> entity = new HashMap<>();
        for (int i = 0; i < n; i++) {
            entity.put(Wire.readString(in, false, false, "entityType"), Wire.readString(in, false, true, "entityName"));
        }
        String key = Wire.readString(in, false, false, "key");
        boolean removed = in.readBoolean();
        double value = in.readDouble();
        return new MetadataRecord.ClientQuotaChanged(entity, key, removed ? null : value);
    }
}
