package io.skiff.wire.protocol;

/**
 * Every error code of the Kafka protocol, as Apache Kafka 4.3.1 defines them, with whether a
 * client may retry the request that got it. Per-partition and per-request failures travel as
 * these codes. Immutable.
 */
public enum Errors {
    UNKNOWN_SERVER_ERROR((short) -1, false, "Unknown server error."),
    NONE((short) 0, false, "No error."),
    OFFSET_OUT_OF_RANGE((short) 1, false, "Offset out of range."),
    CORRUPT_MESSAGE((short) 2, true, "Corrupt message."),
    UNKNOWN_TOPIC_OR_PARTITION((short) 3, true, "Unknown topic or partition."),
    INVALID_FETCH_SIZE((short) 4, false, "Invalid fetch size."),
    LEADER_NOT_AVAILABLE((short) 5, true, "Leader not available."),
    NOT_LEADER_OR_FOLLOWER((short) 6, true, "Not leader or follower."),
    REQUEST_TIMED_OUT((short) 7, true, "Request timed out."),
    BROKER_NOT_AVAILABLE((short) 8, false, "Broker not available."),
    REPLICA_NOT_AVAILABLE((short) 9, true, "Replica not available."),
    MESSAGE_TOO_LARGE((short) 10, false, "Message too large."),
    STALE_CONTROLLER_EPOCH((short) 11, false, "Stale controller epoch."),
    OFFSET_METADATA_TOO_LARGE((short) 12, false, "Offset metadata too large."),
    NETWORK_EXCEPTION((short) 13, true, "Network exception."),
    COORDINATOR_LOAD_IN_PROGRESS((short) 14, true, "Coordinator load in progress."),
    COORDINATOR_NOT_AVAILABLE((short) 15, true, "Coordinator not available."),
    NOT_COORDINATOR((short) 16, true, "Not coordinator."),
    INVALID_TOPIC_EXCEPTION((short) 17, false, "Invalid topic exception."),
    RECORD_LIST_TOO_LARGE((short) 18, false, "Record list too large."),
    NOT_ENOUGH_REPLICAS((short) 19, true, "Not enough replicas."),
    NOT_ENOUGH_REPLICAS_AFTER_APPEND((short) 20, true, "Not enough replicas after append."),
    INVALID_REQUIRED_ACKS((short) 21, false, "Invalid required acks."),
    ILLEGAL_GENERATION((short) 22, false, "Illegal generation."),
    INCONSISTENT_GROUP_PROTOCOL((short) 23, false, "Inconsistent group protocol."),
    INVALID_GROUP_ID((short) 24, false, "Invalid group id."),
    UNKNOWN_MEMBER_ID((short) 25, false, "Unknown member id."),
    INVALID_SESSION_TIMEOUT((short) 26, false, "Invalid session timeout."),
    REBALANCE_IN_PROGRESS((short) 27, false, "Rebalance in progress."),
    INVALID_COMMIT_OFFSET_SIZE((short) 28, false, "Invalid commit offset size."),
    TOPIC_AUTHORIZATION_FAILED((short) 29, false, "Topic authorization failed."),
    GROUP_AUTHORIZATION_FAILED((short) 30, false, "Group authorization failed."),
    CLUSTER_AUTHORIZATION_FAILED((short) 31, false, "Cluster authorization failed."),
    INVALID_TIMESTAMP((short) 32, false, "Invalid timestamp."),
    UNSUPPORTED_SASL_MECHANISM((short) 33, false, "Unsupported sasl mechanism."),
    ILLEGAL_SASL_STATE((short) 34, false, "Illegal sasl state."),
    UNSUPPORTED_VERSION((short) 35, false, "Unsupported version."),
    TOPIC_ALREADY_EXISTS((short) 36, false, "Topic already exists."),
    INVALID_PARTITIONS((short) 37, false, "Invalid partitions."),
    INVALID_REPLICATION_FACTOR((short) 38, false, "Invalid replication factor."),
    INVALID_REPLICA_ASSIGNMENT((short) 39, false, "Invalid replica assignment."),
    INVALID_CONFIG((short) 40, false, "Invalid config."),
    NOT_CONTROLLER((short) 41, true, "Not controller."),
    INVALID_REQUEST((short) 42, false, "Invalid request."),
    UNSUPPORTED_FOR_MESSAGE_FORMAT((short) 43, false, "Unsupported for message format."),
    POLICY_VIOLATION((short) 44, false, "Policy violation."),
    OUT_OF_ORDER_SEQUENCE_NUMBER((short) 45, false, "Out of order sequence number."),
    DUPLICATE_SEQUENCE_NUMBER((short) 46, false, "Duplicate sequence number."),
    INVALID_PRODUCER_EPOCH((short) 47, false, "Invalid producer epoch."),
    INVALID_TXN_STATE((short) 48, false, "Invalid txn state."),
    INVALID_PRODUCER_ID_MAPPING((short) 49, false, "Invalid producer id mapping."),
    INVALID_TRANSACTION_TIMEOUT((short) 50, false, "Invalid transaction timeout."),
    CONCURRENT_TRANSACTIONS((short) 51, true, "Concurrent transactions."),
    TRANSACTION_COORDINATOR_FENCED((short) 52, false, "Transaction coordinator fenced."),
    TRANSACTIONAL_ID_AUTHORIZATION_FAILED((short) 53, false, "Transactional id authorization failed."),
    SECURITY_DISABLED((short) 54, false, "Security disabled."),
    OPERATION_NOT_ATTEMPTED((short) 55, false, "Operation not attempted."),
    KAFKA_STORAGE_ERROR((short) 56, true, "Kafka storage error."),
    LOG_DIR_NOT_FOUND((short) 57, false, "Log dir not found."),
    SASL_AUTHENTICATION_FAILED((short) 58, false, "Sasl authentication failed."),
    UNKNOWN_PRODUCER_ID((short) 59, false, "Unknown producer id."),
    REASSIGNMENT_IN_PROGRESS((short) 60, false, "Reassignment in progress."),
    DELEGATION_TOKEN_AUTH_DISABLED((short) 61, false, "Delegation token auth disabled."),
    DELEGATION_TOKEN_NOT_FOUND((short) 62, false, "Delegation token not found."),
    DELEGATION_TOKEN_OWNER_MISMATCH((short) 63, false, "Delegation token owner mismatch."),
    DELEGATION_TOKEN_REQUEST_NOT_ALLOWED((short) 64, false, "Delegation token request not allowed."),
    DELEGATION_TOKEN_AUTHORIZATION_FAILED((short) 65, false, "Delegation token authorization failed."),
    DELEGATION_TOKEN_EXPIRED((short) 66, false, "Delegation token expired."),
    INVALID_PRINCIPAL_TYPE((short) 67, false, "Invalid principal type."),
    NON_EMPTY_GROUP((short) 68, false, "Non empty group."),
    GROUP_ID_NOT_FOUND((short) 69, false, "Group id not found."),
    FETCH_SESSION_ID_NOT_FOUND((short) 70, true, "Fetch session id not found."),
    INVALID_FETCH_SESSION_EPOCH((short) 71, true, "Invalid fetch session epoch."),
    LISTENER_NOT_FOUND((short) 72, true, "Listener not found."),
    TOPIC_DELETION_DISABLED((short) 73, false, "Topic deletion disabled."),
    FENCED_LEADER_EPOCH((short) 74, true, "Fenced leader epoch."),
    UNKNOWN_LEADER_EPOCH((short) 75, true, "Unknown leader epoch."),
    UNSUPPORTED_COMPRESSION_TYPE((short) 76, false, "Unsupported compression type."),
    STALE_BROKER_EPOCH((short) 77, false, "Stale broker epoch."),
    OFFSET_NOT_AVAILABLE((short) 78, true, "Offset not available."),
    MEMBER_ID_REQUIRED((short) 79, false, "Member id required."),
    PREFERRED_LEADER_NOT_AVAILABLE((short) 80, true, "Preferred leader not available."),
    GROUP_MAX_SIZE_REACHED((short) 81, false, "Group max size reached."),
    FENCED_INSTANCE_ID((short) 82, false, "Fenced instance id."),
    ELIGIBLE_LEADERS_NOT_AVAILABLE((short) 83, true, "Eligible leaders not available."),
    ELECTION_NOT_NEEDED((short) 84, true, "Election not needed."),
    NO_REASSIGNMENT_IN_PROGRESS((short) 85, false, "No reassignment in progress."),
    GROUP_SUBSCRIBED_TO_TOPIC((short) 86, false, "Group subscribed to topic."),
    INVALID_RECORD((short) 87, false, "Invalid record."),
    UNSTABLE_OFFSET_COMMIT((short) 88, true, "Unstable offset commit."),
    THROTTLING_QUOTA_EXCEEDED((short) 89, true, "Throttling quota exceeded."),
    PRODUCER_FENCED((short) 90, false, "Producer fenced."),
    RESOURCE_NOT_FOUND((short) 91, false, "Resource not found."),
    DUPLICATE_RESOURCE((short) 92, false, "Duplicate resource."),
    UNACCEPTABLE_CREDENTIAL((short) 93, false, "Unacceptable credential."),
    INCONSISTENT_VOTER_SET((short) 94, false, "Inconsistent voter set."),
    INVALID_UPDATE_VERSION((short) 95, false, "Invalid update version."),
    FEATURE_UPDATE_FAILED((short) 96, false, "Feature update failed."),
    PRINCIPAL_DESERIALIZATION_FAILURE((short) 97, false, "Principal deserialization failure."),
    SNAPSHOT_NOT_FOUND((short) 98, false, "Snapshot not found."),
    POSITION_OUT_OF_RANGE((short) 99, false, "Position out of range."),
    UNKNOWN_TOPIC_ID((short) 100, true, "Unknown topic id."),
    DUPLICATE_BROKER_REGISTRATION((short) 101, false, "Duplicate broker registration."),
    BROKER_ID_NOT_REGISTERED((short) 102, false, "Broker id not registered."),
    INCONSISTENT_TOPIC_ID((short) 103, true, "Inconsistent topic id."),
    INCONSISTENT_CLUSTER_ID((short) 104, false, "Inconsistent cluster id."),
    TRANSACTIONAL_ID_NOT_FOUND((short) 105, false, "Transactional id not found."),
    FETCH_SESSION_TOPIC_ID_ERROR((short) 106, true, "Fetch session topic id error."),
    INELIGIBLE_REPLICA((short) 107, false, "Ineligible replica."),
    NEW_LEADER_ELECTED((short) 108, false, "New leader elected."),
    OFFSET_MOVED_TO_TIERED_STORAGE((short) 109, false, "Offset moved to tiered storage."),
    FENCED_MEMBER_EPOCH((short) 110, false, "Fenced member epoch."),
    UNRELEASED_INSTANCE_ID((short) 111, false, "Unreleased instance id."),
    UNSUPPORTED_ASSIGNOR((short) 112, false, "Unsupported assignor."),
    STALE_MEMBER_EPOCH((short) 113, false, "Stale member epoch."),
    MISMATCHED_ENDPOINT_TYPE((short) 114, false, "Mismatched endpoint type."),
    UNSUPPORTED_ENDPOINT_TYPE((short) 115, false, "Unsupported endpoint type."),
    UNKNOWN_CONTROLLER_ID((short) 116, false, "Unknown controller id."),
    UNKNOWN_SUBSCRIPTION_ID((short) 117, false, "Unknown subscription id."),
    TELEMETRY_TOO_LARGE((short) 118, false, "Telemetry too large."),
    INVALID_REGISTRATION((short) 119, false, "Invalid registration."),
    TRANSACTION_ABORTABLE((short) 120, false, "Transaction abortable."),
    INVALID_RECORD_STATE((short) 121, false, "Invalid record state."),
    SHARE_SESSION_NOT_FOUND((short) 122, true, "Share session not found."),
    INVALID_SHARE_SESSION_EPOCH((short) 123, true, "Invalid share session epoch."),
    FENCED_STATE_EPOCH((short) 124, false, "Fenced state epoch."),
    INVALID_VOTER_KEY((short) 125, false, "Invalid voter key."),
    DUPLICATE_VOTER((short) 126, false, "Duplicate voter."),
    VOTER_NOT_FOUND((short) 127, false, "Voter not found."),
    INVALID_REGULAR_EXPRESSION((short) 128, false, "Invalid regular expression."),
    REBOOTSTRAP_REQUIRED((short) 129, false, "Rebootstrap required."),
    STREAMS_INVALID_TOPOLOGY((short) 130, false, "Streams invalid topology."),
    STREAMS_INVALID_TOPOLOGY_EPOCH((short) 131, false, "Streams invalid topology epoch."),
    STREAMS_TOPOLOGY_FENCED((short) 132, false, "Streams topology fenced."),
    SHARE_SESSION_LIMIT_REACHED((short) 133, true, "Share session limit reached.");

    private static final Errors[] BY_CODE;

    static {
        int max = 0;
        for (Errors e : values()) {
            max = Math.max(max, e.code);
        }
        BY_CODE = new Errors[max + 2];
        for (Errors e : values()) {
            BY_CODE[e.code + 1] = e;
        }
    }

    /** The code on the wire. */
    public final short code;
    /** Whether the client may retry the same request and expect it to succeed later. */
    public final boolean retriable;
    /** A short default message, used where a response has an error message field and nothing better is known. */
    public final String message;

    Errors(short code, boolean retriable, String message) {
        this.code = code;
        this.retriable = retriable;
        this.message = message;
    }

    /** The error with this code; codes this broker does not know map to {@link #UNKNOWN_SERVER_ERROR}. */
    public static Errors forCode(int code) {
        int i = code + 1;
        if (i >= 0 && i < BY_CODE.length && BY_CODE[i] != null) {
            return BY_CODE[i];
        }
        return UNKNOWN_SERVER_ERROR;
    }
}
