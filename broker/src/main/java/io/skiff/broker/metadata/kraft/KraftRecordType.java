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

/**
 * The record types of Apache Kafka 4.3.1's KRaft metadata log, by api key, and what a
 * {@link KraftImage} does with each: decodes and applies it, or only counts it (broker and
 * controller registrations, fencing, no-ops: state of Kafka's own cluster membership that a
 * single Skiff node has no use for). Immutable.
 */
enum KraftRecordType {
    REGISTER_BROKER(0, "RegisterBrokerRecord"),
    UNREGISTER_BROKER(1, "UnregisterBrokerRecord"),
    TOPIC(2, "TopicRecord", TopicRecord::new, TopicRecord.HIGHEST_SUPPORTED_VERSION),
    PARTITION(3, "PartitionRecord", PartitionRecord::new, PartitionRecord.HIGHEST_SUPPORTED_VERSION),
    CONFIG(4, "ConfigRecord", ConfigRecord::new, ConfigRecord.HIGHEST_SUPPORTED_VERSION),
    PARTITION_CHANGE(
            5, "PartitionChangeRecord", PartitionChangeRecord::new, PartitionChangeRecord.HIGHEST_SUPPORTED_VERSION),
    FENCE_BROKER(7, "FenceBrokerRecord"),
    UNFENCE_BROKER(8, "UnfenceBrokerRecord"),
    REMOVE_TOPIC(9, "RemoveTopicRecord", RemoveTopicRecord::new, RemoveTopicRecord.HIGHEST_SUPPORTED_VERSION),
    DELEGATION_TOKEN(
            10, "DelegationTokenRecord", DelegationTokenRecord::new, DelegationTokenRecord.HIGHEST_SUPPORTED_VERSION),
    USER_SCRAM_CREDENTIAL(
            11,
            "UserScramCredentialRecord",
            UserScramCredentialRecord::new,
            UserScramCredentialRecord.HIGHEST_SUPPORTED_VERSION),
    FEATURE_LEVEL(12, "FeatureLevelRecord", FeatureLevelRecord::new, FeatureLevelRecord.HIGHEST_SUPPORTED_VERSION),
    CLIENT_QUOTA(14, "ClientQuotaRecord", ClientQuotaRecord::new, ClientQuotaRecord.HIGHEST_SUPPORTED_VERSION),
    PRODUCER_IDS(15, "ProducerIdsRecord", ProducerIdsRecord::new, ProducerIdsRecord.HIGHEST_SUPPORTED_VERSION),
    BROKER_REGISTRATION_CHANGE(17, "BrokerRegistrationChangeRecord"),
    ACCESS_CONTROL_ENTRY(
            18,
            "AccessControlEntryRecord",
            AccessControlEntryRecord::new,
            AccessControlEntryRecord.HIGHEST_SUPPORTED_VERSION),
    REMOVE_ACCESS_CONTROL_ENTRY(
            19,
            "RemoveAccessControlEntryRecord",
            RemoveAccessControlEntryRecord::new,
            RemoveAccessControlEntryRecord.HIGHEST_SUPPORTED_VERSION),
    NO_OP(20, "NoOpRecord"),
    ZK_MIGRATION_STATE(21, "ZkMigrationStateRecord"),
    REMOVE_USER_SCRAM_CREDENTIAL(
            22,
            "RemoveUserScramCredentialRecord",
            RemoveUserScramCredentialRecord::new,
            RemoveUserScramCredentialRecord.HIGHEST_SUPPORTED_VERSION),
    BEGIN_TRANSACTION(23, "BeginTransactionRecord", Handling.BEGIN_TRANSACTION),
    END_TRANSACTION(24, "EndTransactionRecord", Handling.END_TRANSACTION),
    ABORT_TRANSACTION(25, "AbortTransactionRecord", Handling.ABORT_TRANSACTION),
    REMOVE_DELEGATION_TOKEN(
            26,
            "RemoveDelegationTokenRecord",
            RemoveDelegationTokenRecord::new,
            RemoveDelegationTokenRecord.HIGHEST_SUPPORTED_VERSION),
    REGISTER_CONTROLLER(27, "RegisterControllerRecord"),
    CLEAR_ELR(28, "ClearElrRecord");

    /** What replay does with a record of the type. */
    enum Handling {
        /** Decoded and applied to the image. */
        DECODED,
        /** Counted only. */
        IGNORED,
        BEGIN_TRANSACTION,
        END_TRANSACTION,
        ABORT_TRANSACTION
    }

    /** Reads a record body of a version (a generated message constructor). */
    interface Decoder {
        Message read(ByteBuf body, short version);
    }

    private static final KraftRecordType[] BY_API_KEY = new KraftRecordType[32];

    static {
        for (KraftRecordType t : values()) {
            BY_API_KEY[t.apiKey] = t;
        }
    }

    final int apiKey;
    final String recordName;
    final Handling handling;
    private final Decoder decoder;
    private final short highestVersion;

    KraftRecordType(int apiKey, String recordName) {
        this(apiKey, recordName, Handling.IGNORED);
    }

    KraftRecordType(int apiKey, String recordName, Handling handling) {
        this.apiKey = apiKey;
        this.recordName = recordName;
        this.handling = handling;
        this.decoder = null;
        this.highestVersion = -1;
    }

    KraftRecordType(int apiKey, String recordName, Decoder decoder, short highestVersion) {
        this.apiKey = apiKey;
        this.recordName = recordName;
        this.handling = Handling.DECODED;
        this.decoder = decoder;
        this.highestVersion = highestVersion;
    }

    /** The type of {@code apiKey}, or null when Kafka 4.3.1 has no such record type. */
    static KraftRecordType of(int apiKey) {
        return apiKey >= 0 && apiKey < BY_API_KEY.length ? BY_API_KEY[apiKey] : null;
    }

    /** Decodes a body of {@code version}; versions newer than Kafka 4.3.1's are refused. */
    Message decode(ByteBuf body, short version) {
        if (decoder == null) {
            throw new IllegalStateException(recordName + " is not decoded");
        }
        if (version < 0 || version > highestVersion) {
            throw new IllegalArgumentException(recordName + " version " + version
                    + " is newer than Apache Kafka 4.3.1's (" + highestVersion + ")");
        }
        return decoder.read(body, version);
    }
}
