package io.skiff.broker.admin;

import io.skiff.broker.admin.TopicConfigAdmin.Op;
import io.skiff.broker.admin.TopicConfigAdmin.Result;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigDef;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.config.DynamicBrokerConfig;
import io.skiff.broker.config.DynamicConfigModes;
import io.skiff.broker.config.DynamicConfigModes.Mode;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataManager.Decision;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.ConnectionQuotas;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Changes of dynamic broker configs, for this node ({@code --entity-name <node.id>}) or as the
 * cluster default ({@code --entity-default}, the empty resource name), incremental (SET, DELETE,
 * APPEND, SUBTRACT) or as a whole new set (the legacy AlterConfigs), decided on the metadata thread
 * and stored as {@code BrokerConfigChanged} records. Checks in Apache Kafka 4.3.1's order and with
 * its answers (INVALID_REQUEST): read-only keys, TLS store keys without a listener prefix, the
 * values (type, validator, Skiff's {@code ConfigPolicy}, the connection limits together), keys
 * that are per-broker only at the default level; then Skiff's own: a key Kafka makes dynamic but
 * Skiff cannot apply while it runs is refused ({@link DynamicConfigModes#appliedLive}). Keys Kafka
 * does not know are stored as Kafka stores them.
 *
 * <p>Also the metadata listener that keeps the {@link DynamicBrokerConfig} in step with the image;
 * register it before the listeners that read the configuration. Thread-safe.
 */
public final class BrokerConfigAdmin implements MetadataManager.Listener {
    /** The changes to one broker resource: its name as given, and ops or the complete new set. */
    public record Change(String entityName, List<Op> ops, boolean replaceAll) {}

    private final MetadataManager metadata;
    private final DynamicBrokerConfig config;

    public BrokerConfigAdmin(MetadataManager metadata, DynamicBrokerConfig config) {
        this.metadata = metadata;
        this.config = config;
    }

    @Override
    public void onLoad(MetadataImage image) {
        config.update(image.brokerConfigs());
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        for (MetadataRecord r : records) {
            if (r instanceof MetadataRecord.BrokerConfigChanged) {
                config.update(next.brokerConfigs());
                return;
            }
        }
    }

    public CompletableFuture<List<Result>> alter(List<Change> changes, boolean validateOnly) {
        return metadata.write(image -> decide(image, changes, validateOnly));
    }

    private Decision<List<Result>> decide(MetadataImage image, List<Change> changes, boolean validateOnly) {
        List<Result> results = new ArrayList<>(changes.size());
        List<MetadataRecord> records = new ArrayList<>();
        for (Change c : changes) {
            String refusal = entityRefusal(c.entityName());
            if (refusal != null) {
                results.add(new Result(Errors.INVALID_REQUEST, refusal));
                continue;
            }
            int nodeId = c.entityName().isEmpty() ? -1 : config.nodeId();
            Map<String, String> stored = DynamicBrokerConfig.entity(image.brokerConfigs(), nodeId);
            Map<String, String> next = c.replaceAll() ? new LinkedHashMap<>() : new LinkedHashMap<>(stored);
            Result r = apply(next, c.ops());
            if (r == null) {
                r = check(image, nodeId, next, c.ops());
            }
            if (r != null) {
                results.add(r);
                continue;
            }
            results.add(Result.OK);
            if (!validateOnly) {
                Set<String> keys = new LinkedHashSet<>(stored.keySet());
                keys.addAll(next.keySet());
                for (String key : keys) {
                    if (!Objects.equals(stored.get(key), next.get(key))) {
                        records.add(new MetadataRecord.BrokerConfigChanged(nodeId, key, next.get(key)));
                    }
                }
            }
        }
        return new Decision<>(records, results);
    }

    /** Kafka's answer to a broker resource name that is neither empty nor this node's id; null when it is. */
    private String entityRefusal(String name) {
        if (name.isEmpty()) {
            return null;
        }
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return "Node id must be an integer, but it is: " + TopicNames.echo(name);
        }
        return id == config.nodeId()
                ? null
                : "Unexpected broker id, expected " + config.nodeId() + ", but received " + TopicNames.echo(name);
    }

    /** Applies the ops to one entity's stored configs; null when they apply, else the refusal. */
    private static Result apply(Map<String, String> configs, List<Op> ops) {
        Set<String> seen = new HashSet<>();
        for (Op op : ops) {
            if (!seen.add(op.name())) {
                return new Result(Errors.INVALID_REQUEST, "Error due to duplicate config keys");
            }
            if (op.operation() != TopicConfigAdmin.DELETE && op.value() == null) {
                return new Result(Errors.INVALID_REQUEST, "Null value not supported for : " + op.name());
            }
            switch (op.operation()) {
                case TopicConfigAdmin.SET:
                    configs.put(op.name(), op.value());
                    break;
                case TopicConfigAdmin.DELETE:
                    configs.remove(op.name());
                    break;
                case TopicConfigAdmin.APPEND:
                case TopicConfigAdmin.SUBTRACT: {
                    ConfigDef.Key key = BrokerConfig.DEF.key(op.name());
                    if (key == null || key.type != ConfigDef.Type.LIST) {
                        return new Result(
                                Errors.INVALID_CONFIG,
                                "Config value " + (op.operation() == TopicConfigAdmin.APPEND ? "append" : "subtract")
                                        + " is not allowed for config key: " + op.name());
                    }
                    // Lists grow from the stored value, else from the built-in default (as Kafka's controller does).
                    String current = configs.containsKey(op.name()) ? configs.get(op.name()) : key.defaultText;
                    configs.put(op.name(), combine(current, op.value(), op.operation() == TopicConfigAdmin.APPEND));
                    break;
                }
                default:
                    return new Result(Errors.INVALID_REQUEST, "Unknown config operation " + op.operation());
            }
        }
        return null;
    }

    private static String combine(String current, String values, boolean append) {
        List<String> list = new ArrayList<>();
        if (current != null) {
            for (String part : current.split(",")) {
                if (!part.trim().isEmpty()) {
                    list.add(part.trim());
                }
            }
        }
        List<String> given = Arrays.asList(values.split("\\s*,\\s*"));
        if (append) {
            for (String v : given) {
                if (!v.isEmpty() && !list.contains(v)) {
                    list.add(v);
                }
            }
        } else {
            list.removeAll(given);
        }
        return String.join(",", list);
    }

    /**
     * Kafka's checks, in its order, of the keys the ops set (their values in {@code next}), then
     * Skiff's; null when the change may be made.
     */
    private Result check(MetadataImage image, int nodeId, Map<String, String> next, List<Op> ops) {
        List<String> touched = new ArrayList<>();
        for (Op op : ops) {
            if (next.get(op.name()) != null) {
                touched.add(op.name());
            }
        }
        List<String> readOnly = new ArrayList<>();
        List<String> prefixOnly = new ArrayList<>();
        List<String> perBroker = new ArrayList<>();
        List<String> notLive = new ArrayList<>();
        for (String key : touched) {
            Mode mode = DynamicConfigModes.kafkaMode(key);
            if (mode == Mode.READ_ONLY || (mode == null && BrokerConfig.DEF.key(key) != null)) {
                readOnly.add(key);
            } else if (DynamicConfigModes.needsListenerPrefix(key)) {
                prefixOnly.add(key);
            } else if (mode != null && !DynamicConfigModes.appliedLive(key)) {
                notLive.add(key);
            }
            if (mode == Mode.PER_BROKER) {
                perBroker.add(key);
            }
        }
        if (!readOnly.isEmpty()) {
            return invalid("Cannot update these configs dynamically: " + names(readOnly));
        }
        if (!prefixOnly.isEmpty()) {
            return invalid(
                    "These security configs can be dynamically updated only per-listener using the listener prefix: "
                            + names(prefixOnly));
        }
        String bad = valueRefusal(image, nodeId, next, touched);
        if (bad != null) {
            return invalid(bad);
        }
        if (nodeId == -1 && !perBroker.isEmpty()) {
            return invalid("Cannot update these configs at default cluster level, broker id must be specified: "
                    + names(perBroker));
        }
        if (!notLive.isEmpty()) {
            return invalid("Skiff cannot apply these configs while it runs, so they cannot be updated dynamically"
                    + " (set them in server.properties): " + names(notLive));
        }
        return null;
    }

    /** The first value that Kafka or Skiff's policy refuses, as the message to answer; null when all are fine. */
    private String valueRefusal(MetadataImage image, int nodeId, Map<String, String> next, List<String> touched) {
        boolean limits = false;
        for (String key : touched) {
            String message = DynamicConfigModes.valueRefusal(key, next.get(key));
            if (message != null) {
                return message;
            }
            limits |= DynamicConfigModes.connectionLimit(key);
        }
        if (!limits) {
            return null;
        }
        Map<String, String> mine =
                nodeId == -1 ? DynamicBrokerConfig.entity(image.brokerConfigs(), config.nodeId()) : next;
        Map<String, String> defaults = nodeId == -1 ? next : DynamicBrokerConfig.entity(image.brokerConfigs(), -1);
        BrokerConfig merged = config.staticConfig().withDynamic(known(mine), known(defaults));
        if (merged.getInt(BrokerConfig.MAX_CONNECTIONS_PER_IP) == 0
                && merged.getString(BrokerConfig.MAX_CONNECTIONS_PER_IP_OVERRIDES)
                        .isBlank()) {
            return "requirement failed: max.connections.per.ip can be set to zero only if"
                    + " max.connections.per.ip.overrides property is set.";
        }
        try {
            ConnectionQuotas.Limits.of(merged);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        return null;
    }

    /** The entries of keys that {@link BrokerConfig#DEF} defines and whose values parse. */
    private static Map<String, String> known(Map<String, String> layer) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : layer.entrySet()) {
            if (BrokerConfig.DEF.key(e.getKey()) != null
                    && DynamicConfigModes.valueRefusal(e.getKey(), e.getValue()) == null) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static Result invalid(String message) {
        return new Result(Errors.INVALID_REQUEST, message);
    }

    /** Keys as Kafka lists them in its messages (a Java hash set's order). */
    private static String names(List<String> keys) {
        return new HashSet<>(keys).toString();
    }
}
