package io.skiff.broker.quota;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataManager.Decision;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.wire.protocol.Errors;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads and changes client quotas with Apache Kafka's checks and answers: AlterClientQuotas is
 * decided on the metadata thread (entity types and combinations, quota keys, values that are
 * positive and integral where the key is), writing one {@link MetadataRecord.ClientQuotaChanged}
 * per changed key; DescribeClientQuotas filters the current image (exact, default and
 * "specified" matches, strict or not). Thread-safe.
 */
public final class ClientQuotaAdmin {
    /** Match types of DescribeClientQuotas filter components. */
    public static final byte MATCH_EXACT = 0;

    public static final byte MATCH_DEFAULT = 1;
    public static final byte MATCH_SPECIFIED = 2;

    /** One change of one key: {@code value} null removes it. */
    public record Op(String key, Double value) {}

    /** The changes of one entity (entity type to name, null for {@code <default>}). */
    public record Alteration(Map<String, String> entity, List<Op> ops) {}

    /** The outcome for one entity. */
    public record Result(Map<String, String> entity, Errors error, String message) {}

    /** One filter component of DescribeClientQuotas. */
    public record Component(String entityType, byte matchType, String match) {}

    /** A DescribeClientQuotas answer: the matching entities with their quotas, or an error. */
    public record Described(Map<Map<String, String>, Map<String, Double>> entries, Errors error, String message) {}

    private final MetadataManager metadata;

    public ClientQuotaAdmin(MetadataManager metadata) {
        this.metadata = metadata;
    }

    /** Applies (or with {@code validateOnly} only checks) {@code alterations}; one result per distinct entity. */
    public CompletableFuture<List<Result>> alter(List<Alteration> alterations, boolean validateOnly) {
        return metadata.write(image -> decide(image, alterations, validateOnly));
    }

    static Decision<List<Result>> decide(MetadataImage image, List<Alteration> alterations, boolean validateOnly) {
        Map<Map<String, String>, Result> results = new LinkedHashMap<>();
        List<MetadataRecord> records = new ArrayList<>();
        for (Alteration a : alterations) {
            Map<String, String> entity = a.entity();
            Set<String> keys = new HashSet<>();
            boolean duplicateKey = false;
            for (Op op : a.ops()) {
                duplicateKey |= !keys.add(op.key());
            }
            if (duplicateKey || results.containsKey(entity)) {
                // As Kafka: a duplicate key or a second alteration of one entity reads as a duplicate entity.
                results.put(
                        entity,
                        new Result(entity, Errors.INVALID_REQUEST, "Ignoring duplicate entity " + describe(entity)));
                continue;
            }
            results.put(entity, alterEntity(image, a, records));
        }
        return new Decision<>(validateOnly ? List.of() : records, new ArrayList<>(results.values()));
    }

    private static Result alterEntity(MetadataImage image, Alteration a, List<MetadataRecord> out) {
        Map<String, String> entity = a.entity();
        String bad = checkEntity(entity);
        if (bad != null) {
            return new Result(entity, Errors.INVALID_REQUEST, bad);
        }
        Map<String, QuotaEntityTypes.ValueType> validKeys = entity.containsKey(QuotaEntityTypes.IP)
                ? QuotaEntityTypes.IP_KEYS
                : QuotaEntityTypes.USER_AND_CLIENT_KEYS;
        Map<String, Double> current = image.clientQuotas().getOrDefault(entity, Map.of());
        List<MetadataRecord> records = new ArrayList<>();
        for (Op op : a.ops()) {
            if (op.value() == null) {
                if (current.containsKey(op.key())) {
                    records.add(new MetadataRecord.ClientQuotaChanged(entity, op.key(), null));
                }
                continue;
            }
            String invalid = checkValue(validKeys, op.key(), op.value());
            if (invalid != null) {
                return new Result(entity, Errors.INVALID_REQUEST, invalid);
            }
            if (!Objects.equals(current.get(op.key()), op.value())) {
                records.add(new MetadataRecord.ClientQuotaChanged(entity, op.key(), op.value()));
            }
        }
        out.addAll(records);
        return new Result(entity, Errors.NONE, null);
    }

    /** Kafka's message for an entity it refuses, or null when the entity is fine. */
    static String checkEntity(Map<String, String> entity) {
        if (entity.isEmpty()) {
            return "Invalid empty client quota entity";
        }
        for (Map.Entry<String, String> e : entity.entrySet()) {
            String type = e.getKey();
            if (!QuotaEntityTypes.USER.equals(type)
                    && !QuotaEntityTypes.CLIENT_ID.equals(type)
                    && !QuotaEntityTypes.IP.equals(type)) {
                return "Unhandled client quota entity type: " + type;
            }
            if (e.getValue() != null && e.getValue().isEmpty()) {
                return "Empty " + type + " not supported";
            }
        }
        if (entity.containsKey(QuotaEntityTypes.IP)) {
            if (entity.size() > 1) {
                // Kafka's message, missing space included.
                return "Invalid quota entity combination, IP entity should" + "not be combined with User or ClientId";
            }
            String ip = entity.get(QuotaEntityTypes.IP);
            if (ip != null && !resolvable(ip)) {
                return ip + " is not a valid IP or resolvable host.";
            }
        }
        return null;
    }

    private static boolean resolvable(String host) {
        try {
            InetAddress.getByName(host);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String checkValue(Map<String, QuotaEntityTypes.ValueType> validKeys, String key, double value) {
        QuotaEntityTypes.ValueType type = validKeys.get(key);
        if (type == null) {
            return "Invalid configuration key " + key;
        }
        if (value <= 0.0) {
            return "Quota " + key + " must be greater than 0";
        }
        switch (type) {
            case INT:
                if (value > Integer.MAX_VALUE) {
                    return "Proposed value for " + key + " is too large for an INT.";
                }
                return fractional(value, key);
            case LONG:
                if (value > Long.MAX_VALUE) {
                    return "Proposed value for " + key + " is too large for a LONG.";
                }
                return fractional(value, key);
            default:
                return null;
        }
    }

    private static String fractional(double value, String key) {
        return Math.abs(value % 1.0) > 1e-6 ? key + " cannot be a fractional value." : null;
    }

    /** Kafka's ClientQuotaEntity text, for messages. */
    private static String describe(Map<String, String> entity) {
        return "ClientQuotaEntity(entries=" + new HashMap<>(entity) + ")";
    }

    /** Answers DescribeClientQuotas over {@code image}, as Kafka's ClientQuotasImage does. */
    public static Described describe(MetadataImage image, List<Component> components, boolean strict) {
        Map<String, String> exact = new HashMap<>();
        Set<String> specified = new HashSet<>();
        for (Component c : components) {
            String type = c.entityType();
            if (type == null || type.isEmpty()) {
                return failed(Errors.INVALID_REQUEST, "Invalid empty entity type.");
            }
            if (exact.containsKey(type) || specified.contains(type)) {
                return failed(
                        Errors.INVALID_REQUEST, "Entity type " + type + " cannot appear more than once in the filter.");
            }
            if (!QuotaEntityTypes.IP.equals(type)
                    && !QuotaEntityTypes.USER.equals(type)
                    && !QuotaEntityTypes.CLIENT_ID.equals(type)) {
                return failed(Errors.UNSUPPORTED_VERSION, "Unsupported entity type " + type);
            }
            switch (c.matchType()) {
                case MATCH_EXACT:
                    if (c.match() == null) {
                        return failed(
                                Errors.INVALID_REQUEST,
                                "Request specified MATCH_TYPE_EXACT, but set match string to null.");
                    }
                    exact.put(type, c.match());
                    break;
                case MATCH_DEFAULT:
                    if (c.match() != null) {
                        return failed(
                                Errors.INVALID_REQUEST,
                                "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
                    }
                    exact.put(type, null);
                    break;
                case MATCH_SPECIFIED:
                    if (c.match() != null) {
                        return failed(
                                Errors.INVALID_REQUEST,
                                "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
                    }
                    specified.add(type);
                    break;
                default:
                    return failed(Errors.INVALID_REQUEST, "Unknown match type " + c.matchType());
            }
        }
        boolean ip = exact.containsKey(QuotaEntityTypes.IP) || specified.contains(QuotaEntityTypes.IP);
        boolean userOrClient = exact.containsKey(QuotaEntityTypes.USER)
                || specified.contains(QuotaEntityTypes.USER)
                || exact.containsKey(QuotaEntityTypes.CLIENT_ID)
                || specified.contains(QuotaEntityTypes.CLIENT_ID);
        if (ip && userOrClient) {
            return failed(
                    Errors.INVALID_REQUEST,
                    "Invalid entity filter component combination. IP filter component should not be used with"
                            + " user or clientId filter component.");
        }
        Map<Map<String, String>, Map<String, Double>> out = new LinkedHashMap<>();
        for (Map.Entry<Map<String, String>, Map<String, Double>> e :
                image.clientQuotas().entrySet()) {
            if (matches(e.getKey(), exact, specified, strict)) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return new Described(out, Errors.NONE, null);
    }

    private static Described failed(Errors error, String message) {
        return new Described(null, error, message);
    }

    private static boolean matches(
            Map<String, String> entity, Map<String, String> exact, Set<String> specified, boolean strict) {
        if (strict && entity.size() != exact.size() + specified.size()) {
            return false;
        }
        for (Map.Entry<String, String> e : exact.entrySet()) {
            if (!entity.containsKey(e.getKey()) || !Objects.equals(entity.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        for (String type : specified) {
            if (!entity.containsKey(type)) {
                return false;
            }
        }
        return true;
    }
}
