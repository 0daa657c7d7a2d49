package io.skiff.broker.config;

import static io.skiff.broker.config.ConfigDef.Type.BOOLEAN;
import static io.skiff.broker.config.ConfigDef.Type.DOUBLE;
import static io.skiff.broker.config.ConfigDef.Type.INT;
import static io.skiff.broker.config.ConfigDef.Type.LIST;
import static io.skiff.broker.config.ConfigDef.Type.LONG;
import static io.skiff.broker.config.ConfigDef.Type.STRING;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The topic-level configuration keys, as Apache Kafka defines them: each with its type, its
 * validation, and the broker keys whose values serve as its default ("synonyms", most specific
 * first, with the factor that converts their unit). Also resolves a topic's effective
 * configuration with the source of each value, as DescribeConfigs reports it. Immutable.
 */
public final class TopicConfigs {
    /** A broker key that supplies a topic key's default. */
    public static final class Synonym {
        public final String brokerKey;
        /** Multiplier from the broker key's unit to the topic key's (e.g. hours to ms). */
        public final long factor;

        Synonym(String brokerKey, long factor) {
            this.brokerKey = brokerKey;
            this.factor = factor;
        }
    }

    /** One topic key. */
    public static final class Key {
        public final String name;
        public final ConfigDef.Type type;
        /** Used when no synonym has a value. */
        public final String fallbackDefault;

        public final List<Synonym> synonyms;
        final ConfigDef.Validator validator;

        Key(
                String name,
                ConfigDef.Type type,
                String fallbackDefault,
                ConfigDef.Validator validator,
                List<Synonym> synonyms) {
            this.name = name;
            this.type = type;
            this.fallbackDefault = fallbackDefault;
            this.validator = validator;
            this.synonyms = synonyms;
        }
    }

    /** Where a value comes from; the codes are DescribeConfigs' config_source values. */
    public enum Source {
        TOPIC_CONFIG(1),
        DYNAMIC_BROKER_CONFIG(2),
        DYNAMIC_DEFAULT_BROKER_CONFIG(3),
        STATIC_BROKER_CONFIG(4),
        DEFAULT_CONFIG(5);

        public final byte code;

        Source(int code) {
            this.code = (byte) code;
        }
    }

    /** A value with its source: the effective value of a key, or one of its synonyms. */
    public static final class Value {
        public final String name;
        public final String value;
        public final Source source;

        Value(String name, String value, Source source) {
            this.name = name;
            this.value = value;
            this.source = source;
        }
    }

    /** The effective value of one topic key with the synonyms that were considered. */
    public static final class Entry {
        public final Key key;
        public final String value;
        public final Source source;
        public final List<Value> synonyms;

        Entry(Key key, String value, Source source, List<Value> synonyms) {
            this.key = key;
            this.value = value;
            this.source = source;
            this.synonyms = synonyms;
        }
    }

    private static final long HOURS = 3_600_000L;
    private static final long MINUTES = 60_000L;
    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        key("cleanup.policy", LIST, "delete", ConfigDef.oneOf("delete", "compact"), syn("log.cleanup.policy"));
        key("compression.gzip.level", INT, "-1", null, syn("compression.gzip.level"));
        key("compression.lz4.level", INT, "9", ConfigDef.between(1, 17), syn("compression.lz4.level"));
        key(
                "compression.type",
                STRING,
                "producer",
                ConfigDef.oneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
                syn("compression.type"));
        key("compression.zstd.level", INT, "3", null, syn("compression.zstd.level"));
        key("delete.retention.ms", LONG, "86400000", ConfigDef.atLeast(0), syn("log.cleaner.delete.retention.ms"));
        key("file.delete.delay.ms", LONG, "60000", ConfigDef.atLeast(0), syn("log.segment.delete.delay.ms"));
        key(
                "flush.messages",
                LONG,
                Long.toString(Long.MAX_VALUE),
                ConfigDef.atLeast(1),
                syn("log.flush.interval.messages"));
        key("flush.ms", LONG, Long.toString(Long.MAX_VALUE), ConfigDef.atLeast(0), syn("log.flush.interval.ms"));
        key("follower.replication.throttled.replicas", LIST, "", null);
        key("index.interval.bytes", INT, "4096", ConfigDef.atLeast(0), syn("log.index.interval.bytes"));
        key("leader.replication.throttled.replicas", LIST, "", null);
        key("local.retention.bytes", LONG, "-2", ConfigDef.atLeast(-2), syn("log.local.retention.bytes"));
        key("local.retention.ms", LONG, "-2", ConfigDef.atLeast(-2), syn("log.local.retention.ms"));
        key(
                "max.compaction.lag.ms",
                LONG,
                Long.toString(Long.MAX_VALUE),
                ConfigDef.atLeast(1),
                syn("log.cleaner.max.compaction.lag.ms"));
        key("max.message.bytes", INT, "1048588", ConfigDef.atLeast(0), syn("message.max.bytes"));
        key(
                "message.timestamp.after.max.ms",
                LONG,
                "3600000",
                ConfigDef.atLeast(0),
                syn("log.message.timestamp.after.max.ms"));
        key(
                "message.timestamp.before.max.ms",
                LONG,
                Long.toString(Long.MAX_VALUE),
                ConfigDef.atLeast(0),
                syn("log.message.timestamp.before.max.ms"));
        key(
                "message.timestamp.type",
                STRING,
                "CreateTime",
                ConfigDef.oneOf("CreateTime", "LogAppendTime"),
                syn("log.message.timestamp.type"));
        key("min.cleanable.dirty.ratio", DOUBLE, "0.5", null, syn("log.cleaner.min.cleanable.ratio"));
        key("min.compaction.lag.ms", LONG, "0", ConfigDef.atLeast(0), syn("log.cleaner.min.compaction.lag.ms"));
        key("min.insync.replicas", INT, "1", ConfigDef.atLeast(1), syn("min.insync.replicas"));
        key("preallocate", BOOLEAN, "false", null, syn("log.preallocate"));
        key("remote.log.copy.disable", BOOLEAN, "false", null);
        key("remote.log.delete.on.disable", BOOLEAN, "false", null);
        key("remote.storage.enable", BOOLEAN, "false", null);
        key("retention.bytes", LONG, "-1", null, syn("log.retention.bytes"));
        key(
                "retention.ms",
                LONG,
                "604800000",
                ConfigDef.atLeast(-1),
                syn("log.retention.ms"),
                new Synonym("log.retention.minutes", MINUTES),
                new Synonym("log.retention.hours", HOURS));
        key("segment.bytes", INT, "1073741824", ConfigDef.atLeast(14), syn("log.segment.bytes"));
        key("segment.index.bytes", INT, "10485760", ConfigDef.atLeast(4), syn("log.index.size.max.bytes"));
        key(
                "segment.jitter.ms",
                LONG,
                "0",
                ConfigDef.atLeast(0),
                syn("log.roll.jitter.ms"),
                new Synonym("log.roll.jitter.hours", HOURS));
        key(
                "segment.ms",
                LONG,
                "604800000",
                ConfigDef.atLeast(1),
                syn("log.roll.ms"),
                new Synonym("log.roll.hours", HOURS));
        key("unclean.leader.election.enable", BOOLEAN, "false", null, syn("unclean.leader.election.enable"));
    }

    private TopicConfigs() {}

    private static Synonym syn(String brokerKey) {
        return new Synonym(brokerKey, 1);
    }

    private static void key(
            String name, ConfigDef.Type type, String fallback, ConfigDef.Validator validator, Synonym... synonyms) {
        KEYS.put(name, new Key(name, type, fallback, validator, List.of(synonyms)));
    }

    public static Collection<Key> keys() {
        return KEYS.values();
    }

    public static Key key(String name) {
        return KEYS.get(name);
    }

    /**
     * Checks a topic override. Returns null when valid, otherwise the message of Kafka's
     * INVALID_CONFIG answer.
     */
    public static String validate(String name, String value) {
        Key k = KEYS.get(name);
        if (k == null) {
            return "Unknown topic config name: " + name;
        }
        if (value == null) {
            return "Null value not supported for topic configs: " + name;
        }
        try {
            Object parsed = ConfigDef.parseValue(name, k.type, value);
            if (k.validator != null) {
                k.validator.ensureValid(name, parsed);
            }
            return null;
        } catch (ConfigException e) {
            return e.getMessage();
        }
    }

    /** The effective value of every topic key, for a topic with {@code overrides}. */
    public static List<Entry> effective(Map<String, String> overrides, BrokerConfig broker) {
        List<Entry> out = new ArrayList<>(KEYS.size());
        for (Key k : KEYS.values()) {
            out.add(effective(k, overrides, broker));
        }
        return out;
    }

    /** The effective values as a plain map (for the storage layer). */
    public static Map<String, String> effectiveMap(Map<String, String> overrides, BrokerConfig broker) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Key k : KEYS.values()) {
            out.put(k.name, effective(k, overrides, broker).value);
        }
        return out;
    }

    static Entry effective(Key k, Map<String, String> overrides, BrokerConfig broker) {
        List<Value> synonyms = new ArrayList<>();
        String value = null;
        Source source = null;
        String override = overrides.get(k.name);
        if (override != null) {
            value = override;
            source = Source.TOPIC_CONFIG;
            synonyms.add(new Value(k.name, override, Source.TOPIC_CONFIG));
        }
        // Broker keys set dynamically for this node, as cluster defaults, then in the properties (most
        // specific synonym first within each), then their defaults; the first one set gives the value.
        for (Layer layer : LAYERS) {
            Map<String, String> layerValues = layer.values(broker);
            for (Synonym s : k.synonyms) {
                String set = layerValues.get(s.brokerKey);
                if (set != null) {
                    synonyms.add(new Value(s.brokerKey, set, layer.source));
                    if (value == null) {
                        value = convert(broker.get(s.brokerKey), s.factor);
                        source = layer.source;
                    }
                }
            }
        }
        for (Synonym s : k.synonyms) {
            ConfigDef.Key def = BrokerConfig.DEF.key(s.brokerKey);
            if (def != null && def.defaultText != null && s.factor == 1) {
                synonyms.add(new Value(s.brokerKey, def.defaultText, Source.DEFAULT_CONFIG));
            }
        }
        if (value == null) {
            value = k.fallbackDefault;
            for (Synonym s : k.synonyms) {
                ConfigDef.Key def = BrokerConfig.DEF.key(s.brokerKey);
                if (def != null && def.defaultValue != null) {
                    value = convert(def.defaultValue, s.factor);
                    break;
                }
            }
            source = Source.DEFAULT_CONFIG;
        }
        return new Entry(k, value, source, synonyms);
    }

    /** A layer of explicitly set broker values, in Kafka's order of precedence. */
    private enum Layer {
        DYNAMIC_BROKER(Source.DYNAMIC_BROKER_CONFIG),
        DYNAMIC_DEFAULT(Source.DYNAMIC_DEFAULT_BROKER_CONFIG),
        STATIC(Source.STATIC_BROKER_CONFIG);

        final Source source;

        Layer(Source source) {
            this.source = source;
        }

        Map<String, String> values(BrokerConfig broker) {
            switch (this) {
                case DYNAMIC_BROKER:
                    return broker.dynamicBrokerConfigs();
                case DYNAMIC_DEFAULT:
                    return broker.dynamicDefaultConfigs();
                default:
                    return broker.originals();
            }
        }
    }

    private static final Layer[] LAYERS = Layer.values();

    private static String convert(Object brokerValue, long factor) {
        if (brokerValue instanceof List) {
            return String.join(
                    ",", ((List<?>) brokerValue).stream().map(Object::toString).toList());
        }
        if (factor != 1 && brokerValue instanceof Number) {
            return Long.toString(((Number) brokerValue).longValue() * factor);
        }
        return String.valueOf(brokerValue);
    }
}
