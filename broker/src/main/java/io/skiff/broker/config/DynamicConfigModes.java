package io.skiff.broker.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which broker configuration keys may change at run time: Apache Kafka 4.3.1's "Dynamic Update
 * Mode" of each of its keys (read-only, per-broker, cluster-wide; the list is the resource
 * {@code kafka-broker-update-modes.txt}, as the reference broker describes its keys), the keys
 * Kafka takes only with a listener prefix, and among the dynamic keys those Skiff applies while it
 * runs. A key Skiff cannot apply live is refused, never stored to take effect at a restart.
 *
 * <p>Skiff applies live: the broker defaults of topic configs (the first broker synonym of each
 * topic key: {@code log.retention.ms}, {@code log.segment.bytes}, {@code message.max.bytes}, ...),
 * which every topic without an override sees at once, and the connection limits
 * ({@code max.connections}, {@code max.connections.per.ip} and its overrides,
 * {@code max.connection.creation.rate}). Immutable and thread-safe.
 */
public final class DynamicConfigModes {
    /** Kafka's update mode of a key. */
    public enum Mode {
        READ_ONLY,
        /** Dynamic only for one broker ({@code --entity-name <node.id>}), never as a cluster default. */
        PER_BROKER,
        /** Dynamic for one broker and as the cluster default ({@code --entity-default}). */
        CLUSTER_WIDE
    }

    private static final String RESOURCE = "kafka-broker-update-modes.txt";
    private static final Map<String, Mode> KAFKA = load();

    /** TLS store keys Kafka changes only per listener ({@code listener.name.<listener>.<key>}). */
    private static final Set<String> PER_LISTENER_SECURITY = Set.of(
            "ssl.keystore.type",
            "ssl.keystore.location",
            "ssl.keystore.password",
            "ssl.key.password",
            "ssl.truststore.type",
            "ssl.truststore.location",
            "ssl.truststore.password",
            "ssl.keystore.key",
            "ssl.keystore.certificate.chain",
            "ssl.truststore.certificates");

    /** Listener-prefixed keys that Kafka also takes as cluster defaults. */
    private static final Set<String> CLUSTER_LEVEL_LISTENER_KEYS =
            Set.of(BrokerConfig.MAX_CONNECTIONS, BrokerConfig.MAX_CONNECTION_CREATION_RATE, "num.network.threads");

    private static final Set<String> CONNECTION_LIMITS = Set.of(
            BrokerConfig.MAX_CONNECTIONS,
            BrokerConfig.MAX_CONNECTIONS_PER_IP,
            BrokerConfig.MAX_CONNECTIONS_PER_IP_OVERRIDES,
            BrokerConfig.MAX_CONNECTION_CREATION_RATE);

    private static final Set<String> LIVE = live();

    private DynamicConfigModes() {}

    /**
     * Kafka's mode of {@code key}: a listener-prefixed key ({@code listener.name.<l>.<key>}) is
     * per-broker unless its base key is one Kafka also takes as a cluster default. Null for a key
     * Kafka does not know (which Kafka stores and describes as it is).
     */
    public static Mode kafkaMode(String key) {
        Mode m = KAFKA.get(key);
        if (m != null) {
            return m;
        }
        String base = listenerBaseKey(key);
        if (base == null) {
            return null;
        }
        return CLUSTER_LEVEL_LISTENER_KEYS.contains(base) ? Mode.CLUSTER_WIDE : Mode.PER_BROKER;
    }

    /** Whether Kafka lets {@code key} change at run time (for one broker at least). */
    public static boolean kafkaDynamic(String key) {
        Mode m = kafkaMode(key);
        return m == Mode.PER_BROKER || m == Mode.CLUSTER_WIDE;
    }

    /** Whether Kafka takes {@code key} only with a listener prefix. */
    public static boolean needsListenerPrefix(String key) {
        return PER_LISTENER_SECURITY.contains(key);
    }

    /** Whether Skiff applies a dynamic change of {@code key} while it runs. */
    public static boolean appliedLive(String key) {
        return LIVE.contains(key);
    }

    /** Whether a dynamic value of {@code key} is a topic-config default (every topic's logs must see it). */
    public static boolean topicDefault(String key) {
        return LIVE.contains(key) && !CONNECTION_LIMITS.contains(key);
    }

    /** Whether {@code key} is one of the connection limits. */
    public static boolean connectionLimit(String key) {
        return CONNECTION_LIMITS.contains(key);
    }

    /**
     * Why {@code value} cannot be the dynamic value of {@code key}, as the message Kafka answers
     * ({@code Invalid value abc for configuration log.retention.bytes: Not a number of type LONG};
     * a secret's value is not shown): it does not parse or validate as {@link BrokerConfig#DEF}
     * defines the key, or {@link ConfigPolicy} refuses it (as it would in the properties). Null
     * when the value is fine, or when the key is not one Skiff defines and no policy refuses it.
     */
    public static String valueRefusal(String key, String value) {
        try {
            if (BrokerConfig.DEF.key(key) != null) {
                BrokerConfig.DEF.parse(key, value);
            }
            ConfigPolicy.Rule rule = ConfigPolicy.ruleFor(key);
            if (rule.treatment == ConfigPolicy.Treatment.REFUSED || !rule.accepts(value)) {
                return rule.refuse(key, value).getMessage();
            }
            return null;
        } catch (ConfigException e) {
            return e.getMessage();
        }
    }

    /**
     * The names Kafka's DescribeConfigs lists as synonyms of broker key {@code key}, most specific
     * first, starting with {@code key} itself: {@code log.retention.ms} has
     * {@code log.retention.minutes} and {@code log.retention.hours}, a listener-prefixed key its
     * base key.
     */
    public static List<String> synonyms(String key) {
        switch (key) {
            case "log.retention.ms":
                return List.of(key, "log.retention.minutes", "log.retention.hours");
            case "log.retention.minutes":
                return List.of(key, "log.retention.hours");
            case "log.roll.ms":
                return List.of(key, "log.roll.hours");
            case "log.roll.jitter.ms":
                return List.of(key, "log.roll.jitter.hours");
            default:
                String base = listenerBaseKey(key);
                return base == null ? List.of(key) : List.of(key, base);
        }
    }

    private static String listenerBaseKey(String key) {
        if (!key.startsWith(SecurityConfigs.LISTENER_PREFIX)) {
            return null;
        }
        String rest = key.substring(SecurityConfigs.LISTENER_PREFIX.length());
        int dot = rest.indexOf('.');
        return dot <= 0 || dot == rest.length() - 1 ? null : rest.substring(dot + 1);
    }

    private static Set<String> live() {
        Set<String> out = new HashSet<>(CONNECTION_LIMITS);
        for (TopicConfigs.Key k : TopicConfigs.keys()) {
            if (!k.synonyms.isEmpty()) {
                String brokerKey = k.synonyms.get(0).brokerKey;
                if (KAFKA.get(brokerKey) == Mode.CLUSTER_WIDE && BrokerConfig.DEF.key(brokerKey) != null) {
                    out.add(brokerKey);
                }
            }
        }
        return Collections.unmodifiableSet(out);
    }

    private static Map<String, Mode> load() {
        Map<String, Mode> out = new HashMap<>();
        try (InputStream in = DynamicConfigModes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String s = line.trim();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                String[] parts = s.split("\\s+");
                Mode mode = switch (parts[0]) {
                    case "read-only" -> Mode.READ_ONLY;
                    case "per-broker" -> Mode.PER_BROKER;
                    case "cluster-wide" -> Mode.CLUSTER_WIDE;
                    default -> throw new IllegalStateException("bad line in " + RESOURCE + ": " + line);
                };
                out.put(parts[1], mode);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(out);
    }
}
