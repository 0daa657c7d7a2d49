package io.skiff.broker.quota;

import java.util.Map;

/**
 * The names Apache Kafka's client quota APIs use: entity types and quota keys, with the type of
 * each key's value (which decides whether a fractional value is accepted). Constants only.
 */
public final class QuotaEntityTypes {
    public static final String USER = "user";
    public static final String CLIENT_ID = "client-id";
    public static final String IP = "ip";

    public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    public static final String REQUEST_PERCENTAGE = "request_percentage";
    public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";
    public static final String CONNECTION_CREATION_RATE = "connection_creation_rate";

    /** How a quota value is checked: as Kafka's ConfigDef types of the quota keys. */
    enum ValueType {
        LONG,
        INT,
        DOUBLE
    }

    /** The keys of user and client-id entities. */
    static final Map<String, ValueType> USER_AND_CLIENT_KEYS = Map.of(
            PRODUCER_BYTE_RATE, ValueType.LONG,
            CONSUMER_BYTE_RATE, ValueType.LONG,
            REQUEST_PERCENTAGE, ValueType.DOUBLE,
            CONTROLLER_MUTATION_RATE, ValueType.DOUBLE);

    /** The keys of IP entities. */
    static final Map<String, ValueType> IP_KEYS = Map.of(CONNECTION_CREATION_RATE, ValueType.INT);

    private QuotaEntityTypes() {}
}
