package io.skiff.broker.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's configuration as it is now: the static {@link BrokerConfig} with the dynamic
 * configs of the metadata log laid on it ({@link BrokerConfig#withDynamic}: this node's before the
 * cluster default before the properties). Components that honour a dynamic key read
 * {@link #current()} when they use it, or register a {@link Reconfigurable} to be told of a change.
 *
 * <p>{@link #update} is called on the metadata thread whenever the image's dynamic broker configs
 * change (and once at start-up); {@link #current()} may be read from any thread (a volatile read
 * of an immutable view). Thread-safe.
 */
public final class DynamicBrokerConfig {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicBrokerConfig.class);

    /** Told of every change of the configuration, on the thread that updates it. */
    @FunctionalInterface
    public interface Reconfigurable {
        void reconfigure(BrokerConfig previous, BrokerConfig next);
    }

    private final BrokerConfig staticConfig;
    private final List<Reconfigurable> reconfigurables = new CopyOnWriteArrayList<>();
    private volatile BrokerConfig current;
    /** The dynamic configs last taken from the image, as stored (guarded by this). */
    private Map<String, String> storedMine = Map.of();

    private Map<String, String> storedDefaults = Map.of();

    private DynamicBrokerConfig(BrokerConfig staticConfig) {
        this.staticConfig = staticConfig;
        this.current = staticConfig;
    }

    /** A configuration that starts as {@code staticConfig} (with no dynamic value). */
    public static DynamicBrokerConfig of(BrokerConfig staticConfig) {
        return new DynamicBrokerConfig(staticConfig);
    }

    /** The configuration now: static values with the dynamic ones on top. */
    public BrokerConfig current() {
        return current;
    }

    /** The configuration of the properties, environment and overrides, without dynamic values. */
    public BrokerConfig staticConfig() {
        return staticConfig;
    }

    public int nodeId() {
        return staticConfig.nodeId();
    }

    /** Adds a component to tell of changes; it is not told of the configuration it starts with. */
    public void addReconfigurable(Reconfigurable r) {
        reconfigurables.add(r);
    }

    /**
     * Takes the dynamic broker configs of a metadata image ({@code "<nodeId>/<key>"}, {@code "-1/<key>"}
     * for the cluster default); when this node's or the default's differ from the current ones, the
     * view is rebuilt and every {@link Reconfigurable} told. A stored value that no longer parses
     * (or that the policy refuses) is left out with a WARN line. Returns whether anything changed.
     */
    public synchronized boolean update(Map<String, String> imageConfigs) {
        Map<String, String> mine = entity(imageConfigs, staticConfig.nodeId());
        Map<String, String> defaults = entity(imageConfigs, -1);
        if (mine.equals(storedMine) && defaults.equals(storedDefaults)) {
            return false;
        }
        storedMine = mine;
        storedDefaults = defaults;
        BrokerConfig previous = current;
        BrokerConfig next = staticConfig.withDynamic(usable(mine), usable(defaults));
        current = next;
        for (Reconfigurable r : reconfigurables) {
            try {
                r.reconfigure(previous, next);
            } catch (RuntimeException e) {
                LOG.error("Applying the dynamic broker configuration failed in {}", r, e);
            }
        }
        return true;
    }

    /** The dynamic configs of one entity ({@code nodeId}, or -1 for the cluster default) in a metadata image's map. */
    public static Map<String, String> entity(Map<String, String> imageConfigs, int nodeId) {
        String prefix = nodeId + "/";
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : imageConfigs.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                out.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return out;
    }

    /**
     * The entries of a stored layer that Skiff may use: a value that does not parse, or that
     * {@link ConfigPolicy} refuses (one imported from an Apache Kafka cluster, say), is left out
     * with one WARN line naming the key.
     */
    private static Map<String, String> usable(Map<String, String> layer) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : layer.entrySet()) {
            String refusal = DynamicConfigModes.valueRefusal(e.getKey(), e.getValue());
            if (refusal == null) {
                out.put(e.getKey(), e.getValue());
            } else {
                LOG.warn("Ignoring the dynamic broker config {}: {}", e.getKey(), refusal);
            }
        }
        return out;
    }
}
