package io.skiff.broker.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Arrays;
import java.util.Locale;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The name of one meter: its JMX ObjectName as Apache Kafka registers it
 * ({@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t}) and the Prometheus
 * family and labels that the Prometheus JMX exporter's Kafka rules make of that ObjectName, so
 * that dashboards written for Kafka behind the exporter read Skiff's endpoint unchanged.
 *
 * <p>The rules followed are those of the JMX exporter's example configuration for Kafka
 * ({@code example_configs/kafka-2_0_0.yml} of prometheus/jmx_exporter, {@code lowercaseOutputName:
 * true}): {@code kafka.<domain>:type=<T>,name=<N>PerSec...} counts become the counter
 * {@code kafka_<domain>_<t>_<n>_total}; gauges ({@code Value}) become {@code kafka_<domain>_<t>_<n>};
 * histograms and timers become {@code kafka_<domain>_<t>_<n>} with {@code _count}; every further
 * key of the ObjectName becomes a label of the same name and value. Characters a Prometheus name
 * cannot hold (the {@code -} of {@code socket-server-metrics}) become {@code _}, as the exporter
 * does. Skiff's own meters (no Kafka counterpart) use the {@code io.skiff} domain and a family
 * given explicitly ({@code skiff_log_flush_...}).
 *
 * <p>Immutable and thread-safe; equal when their ObjectNames are.
 */
public final class MetricName {
    private static final String[] NO_TAGS = {};

    /** What kind of value a name holds, which decides its Prometheus family name and type. */
    public enum Kind {
        /** A count of events (Kafka's Yammer meter): {@code Count} and rates over JMX; a counter. */
        METER,
        /** A distribution (Kafka's Yammer histogram or timer): a classic Prometheus histogram. */
        HISTOGRAM,
        /** A value read when asked: {@code Value} over JMX; a gauge. */
        GAUGE
    }

    private final String objectName;
    private final String base;
    private final String family;
    private final Kind kind;
    private final String[] tags;
    /** The JMX attribute of a gauge's value. */
    private final String attribute;

    private MetricName(String objectName, String base, String family, Kind kind, String[] tags) {
        this(objectName, base, family, kind, tags, "Value");
    }

    private MetricName(String objectName, String base, String family, Kind kind, String[] tags, String attribute) {
        this.attribute = attribute;
        this.objectName = objectName;
        this.base = base;
        this.family = family;
        this.kind = kind;
        this.tags = tags;
    }

    /**
     * A meter of Kafka's: {@code domain:type=type,name=name,tag0=value0,...}.
     *
     * @param tags label names and values, alternately, in ObjectName order
     */
    public static MetricName kafka(Kind kind, String domain, String type, String name, String... tags) {
        String base = kind == Kind.METER ? stripPerSec(name) : name;
        String family = sanitize("kafka_" + domain.substring(domain.indexOf('.') + 1) + "_" + type + "_" + base);
        return new MetricName(
                objectName(domain, type, name, tags),
                objectName(domain, type, name, NO_TAGS),
                family,
                kind,
                tags.clone());
    }

    /**
     * A Kafka metric whose ObjectName has no {@code name} key ({@code
     * kafka.server:type=socket-server-metrics,listener=L,networkProcessor=N} and its attribute):
     * the exporter's rule names it {@code kafka_<domain>_<type>_<attribute>}.
     */
    public static MetricName kafkaAttribute(Kind kind, String domain, String type, String attribute, String... tags) {
        String family = sanitize("kafka_" + domain.substring(domain.indexOf('.') + 1) + "_" + type + "_" + attribute);
        return new MetricName(
                objectName(domain, type, null, tags),
                objectName(domain, type, null, NO_TAGS),
                family,
                kind,
                tags.clone(),
                attribute);
    }

    /** One of Skiff's own meters: {@code io.skiff:type=type,name=name,...}, Prometheus family {@code family}. */
    public static MetricName skiff(Kind kind, String family, String type, String name, String... tags) {
        return new MetricName(
                objectName("io.skiff", type, name, tags),
                objectName("io.skiff", type, name, NO_TAGS),
                family,
                kind,
                tags.clone());
    }

    /** Kafka's rule {@code name=(.+)PerSec\w*}: the part of the name before its last "PerSec". */
    static String stripPerSec(String name) {
        int at = name.lastIndexOf("PerSec");
        return at > 0 ? name.substring(0, at) : name;
    }

    private static String sanitize(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            b.append(ok ? c : '_');
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    private static String objectName(String domain, String type, String name, String[] tags) {
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("tags must be name/value pairs: " + Arrays.toString(tags));
        }
        StringBuilder b = new StringBuilder(domain).append(":type=").append(type);
        if (name != null) {
            b.append(",name=").append(name);
        }
        for (int i = 0; i < tags.length; i += 2) {
            b.append(',').append(tags[i]).append('=').append(quoteIfNeeded(tags[i + 1]));
        }
        return b.toString();
    }

    /** Topic names may hold characters an ObjectName value cannot (none of Kafka's legal ones do but ':'). */
    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n') {
                return ObjectName.quote(value);
            }
        }
        return value;
    }

    /** The JMX attribute that holds a gauge's value: {@code Value}, or the attribute of {@link #kafkaAttribute}. */
    public String jmxAttribute() {
        return attribute;
    }

    public Kind kind() {
        return kind;
    }

    /** The Prometheus family name (without the {@code _total}, {@code _count} ... a writer adds). */
    public String family() {
        return family;
    }

    /** The Prometheus labels: the ObjectName's keys after {@code type} and {@code name}. */
    public Labels labels() {
        if (tags.length == 0) {
            return Labels.EMPTY;
        }
        String[] names = new String[tags.length / 2];
        String[] values = new String[tags.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = tags[2 * i];
            values[i] = tags[2 * i + 1];
        }
        return Labels.of(names, values);
    }

    /** The Prometheus help text: the ObjectName without its tags ({@code kafka.server:type=...,name=...}). */
    public String description() {
        return "JMX " + base;
    }

    /** The JMX ObjectName as text. */
    public String objectNameText() {
        return objectName;
    }

    /** The JMX ObjectName. */
    public ObjectName objectName() {
        try {
            return new ObjectName(objectName);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("not an ObjectName: " + objectName, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricName other && other.objectName.equals(objectName);
    }

    @Override
    public int hashCode() {
        return objectName.hashCode();
    }

    @Override
    public String toString() {
        return objectName;
    }
}
