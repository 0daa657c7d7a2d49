package io.skiff.broker.admin;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigDef;
import io.skiff.broker.config.DynamicBrokerConfig;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataManager.Decision;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Changes of topic configuration overrides, incremental (SET, DELETE, APPEND, SUBTRACT) or as a
 * whole new set (the legacy AlterConfigs), with Apache Kafka's validation and answers, decided on
 * the metadata thread. The partition logs pick the change up through the metadata listeners.
 * Thread-safe.
 */
public final class TopicConfigAdmin {
    public static final byte SET = 0;
    public static final byte DELETE = 1;
    public static final byte APPEND = 2;
    public static final byte SUBTRACT = 3;

    /** One incremental change of one key. */
    public record Op(String name, byte operation, String value) {}

    /** The changes to one topic: incremental ops, or ({@code replaceAll}) the complete new set of overrides. */
    public record Change(String topic, List<Op> ops, boolean replaceAll) {}

    /** The outcome for one topic. */
    public record Result(Errors error, String message) {
        static final Result OK = new Result(Errors.NONE, null);
    }

    private final MetadataManager metadata;
    /** APPEND and SUBTRACT start from the effective value, dynamic broker defaults included. */
    private final DynamicBrokerConfig broker;

    public TopicConfigAdmin(MetadataManager metadata, BrokerConfig broker) {
        this(metadata, DynamicBrokerConfig.of(broker));
    }

    public TopicConfigAdmin(MetadataManager metadata, DynamicBrokerConfig broker) {
        this.metadata = metadata;
        this.broker = broker;
    }

    public CompletableFuture<List<Result>> alter(List<Change> changes, boolean validateOnly) {
        return metadata.write(image -> decide(image, changes, validateOnly));
    }

    private Decision<List<Result>> decide(MetadataImage image, List<Change> changes, boolean validateOnly) {
        List<Result> results = new ArrayList<>(changes.size());
        List<MetadataRecord> records = new ArrayList<>();
        for (Change c : changes) {
            TopicImage topic = image.topic(c.topic());
            if (topic == null) {
                results.add(
                        new Result(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + c.topic() + "' does not exist."));
                continue;
            }
            Map<String, String> next = c.replaceAll() ? new LinkedHashMap<>() : new LinkedHashMap<>(topic.configs());
            Result r = apply(next, c, broker.current());
            if (r != Result.OK) {
                results.add(r);
                continue;
            }
            results.add(Result.OK);
            if (!validateOnly) {
                Set<String> keys = new HashSet<>(topic.configs().keySet());
                keys.addAll(next.keySet());
                for (String key : keys) {
                    String before = topic.configs().get(key);
                    String after = next.get(key);
                    if (!Objects.equals(before, after)) {
                        records.add(new MetadataRecord.TopicConfigChanged(topic.id(), key, after));
                    }
                }
            }
        }
        return new Decision<>(records, results);
    }

    private static Result apply(Map<String, String> overrides, Change c, BrokerConfig broker) {
        Set<String> seen = new HashSet<>();
        for (Op op : c.ops()) {
            if (!seen.add(op.name())) {
                return new Result(Errors.INVALID_REQUEST, "Error due to duplicate config keys");
            }
            TopicConfigs.Key key = TopicConfigs.key(op.name());
            if (key == null) {
                return new Result(Errors.INVALID_CONFIG, "Unknown topic config name: " + op.name());
            }
            switch (op.operation()) {
                case SET: {
                    String bad = TopicConfigs.validate(op.name(), op.value());
                    if (bad != null) {
                        return new Result(Errors.INVALID_CONFIG, bad);
                    }
                    overrides.put(op.name(), op.value());
                    break;
                }
                case DELETE:
                    overrides.remove(op.name());
                    break;
                case APPEND:
                case SUBTRACT: {
                    if (key.type != ConfigDef.Type.LIST) {
                        return new Result(
                                Errors.INVALID_CONFIG,
                                "Config value " + (op.operation() == APPEND ? "append" : "subtract")
                                        + " is not allowed for config key: " + op.name());
                    }
                    // Lists grow from the current effective value (the default when not overridden).
                    List<String> current = new ArrayList<>();
                    String existing = overrides.containsKey(op.name())
                            ? overrides.get(op.name())
                            : TopicConfigs.effectiveMap(overrides, broker).get(op.name());
                    if (existing != null && !existing.isEmpty()) {
                        current.addAll(Arrays.asList(existing.split("\\s*,\\s*")));
                    }
                    List<String> values = op.value() == null || op.value().isEmpty()
                            ? List.of()
                            : Arrays.asList(op.value().split("\\s*,\\s*"));
                    if (op.operation() == APPEND) {
                        for (String v : values) {
                            if (!current.contains(v)) {
                                current.add(v);
                            }
                        }
                    } else {
                        current.removeAll(values);
                    }
                    String joined = String.join(",", current);
                    String bad = TopicConfigs.validate(op.name(), joined);
                    if (bad != null) {
                        return new Result(Errors.INVALID_CONFIG, bad);
                    }
                    overrides.put(op.name(), joined);
                    break;
                }
                default:
                    return new Result(Errors.INVALID_REQUEST, "Unknown config operation " + op.operation());
            }
        }
        return Result.OK;
    }
}
