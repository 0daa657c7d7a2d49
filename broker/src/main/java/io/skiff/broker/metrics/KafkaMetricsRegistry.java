package io.skiff.broker.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The broker's meters by {@link MetricName}: each is created once ({@link #meter},
 * {@link #histogram}, {@link #gauge}) and then recorded through the object returned, which
 * callers on the request path keep (so that recording never looks a name up). The same objects
 * are read by both exporters: this registry is a Prometheus {@link MultiCollector} (one family
 * per {@link MetricName#family()}: counters, classic histograms, gauges) and, when JMX is on, the
 * {@link JmxReporter} registers an MBean per name.
 *
 * <p>Thread-safe. Creating or removing a meter allocates (and may register an MBean); recording
 * does not.
 */
public final class KafkaMetricsRegistry implements MultiCollector {
    /** @param exported whether Prometheus sees it (gauges that another collector exports are JMX only) */
    private record Entry(MetricName name, Object meter, String eventType, boolean integral, boolean exported) {
        Entry(MetricName name, Object meter, String eventType, boolean integral) {
            this(name, meter, eventType, integral, true);
        }
    }

    private final ConcurrentHashMap<MetricName, Entry> entries = new ConcurrentHashMap<>();
    private final JmxReporter jmx;

    /** @param jmx where MBeans go; null for none */
    KafkaMetricsRegistry(JmxReporter jmx) {
        this.jmx = jmx;
    }

    /** The meter of {@code name} (a {@link MetricName.Kind#METER}), created on first use. */
    public Meter meter(MetricName name, String eventType) {
        return (Meter) register(name, () -> new Entry(name, new Meter(), eventType, true));
    }

    /** The histogram of {@code name}, created on first use with the given bounds and scale. */
    public Histogram histogram(MetricName name, long[] bounds, double scale) {
        return (Histogram) register(name, () -> new Entry(name, new Histogram(bounds, scale), null, false));
    }

    /**
     * The histogram of {@code name} that is also a meter of its {@code eventType} events (Kafka's
     * Yammer timers, such as {@code LogFlushRateAndTimeMs}): JMX shows rates as well.
     */
    public Histogram timer(MetricName name, long[] bounds, double scale, String eventType) {
        return (Histogram) register(name, () -> new Entry(name, new Histogram(bounds, scale), eventType, false));
    }

    /** A gauge read from {@code value} when asked; replaces none (the first registration stays). */
    public void gauge(MetricName name, DoubleSupplier value, boolean integral) {
        register(name, () -> new Entry(name, value, null, integral));
    }

    /** An integral gauge on JMX only (its Prometheus form is exported by another collector); none when JMX is off. */
    public void jmxGauge(MetricName name, DoubleSupplier value) {
        if (jmx != null) {
            register(name, () -> new Entry(name, value, null, true, false));
        }
    }

    private Object register(MetricName name, Supplier<Entry> create) {
        Entry e = entries.get(name);
        if (e != null) {
            return e.meter;
        }
        Entry created = create.get();
        Entry prior = entries.putIfAbsent(name, created);
        if (prior != null) {
            return prior.meter;
        }
        if (jmx != null) {
            jmx.register(name, created.meter, created.eventType, created.integral);
        }
        return created.meter;
    }

    /** Removes the meter of {@code name} (a deleted topic's, a partition no longer here). */
    public void remove(MetricName name) {
        if (entries.remove(name) != null && jmx != null) {
            jmx.unregister(name);
        }
    }

    /** The names registered now (a copy). */
    public List<MetricName> names() {
        return new ArrayList<>(entries.keySet());
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, List<Entry>> byFamily = new TreeMap<>();
        for (Entry e : entries.values()) {
            if (!e.exported) {
                continue;
            }
            byFamily.computeIfAbsent(e.name.family(), f -> new ArrayList<>()).add(e);
        }
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (Map.Entry<String, List<Entry>> f : byFamily.entrySet()) {
            out.metricSnapshot(snapshot(f.getKey(), f.getValue()));
        }
        return out.build();
    }

    private static MetricSnapshot snapshot(String family, List<Entry> entries) {
        MetricName.Kind kind = entries.get(0).name.kind();
        String help = entries.get(0).name.description();
        switch (kind) {
            case METER: {
                CounterSnapshot.Builder b =
                        CounterSnapshot.builder().name(family).help(help);
                for (Entry e : entries) {
                    b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                            .value(((Meter) e.meter).count())
                            .labels(e.name.labels())
                            .build());
                }
                return b.build();
            }
            case HISTOGRAM: {
                HistogramSnapshot.Builder b =
                        HistogramSnapshot.builder().name(family).help(help);
                for (Entry e : entries) {
                    Histogram h = (Histogram) e.meter;
                    b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(buckets(h))
                            .sum(h.sum())
                            .labels(e.name.labels())
                            .build());
                }
                return b.build();
            }
            default: {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(family).help(help);
                for (Entry e : entries) {
                    b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .value(((DoubleSupplier) e.meter).getAsDouble())
                            .labels(e.name.labels())
                            .build());
                }
                return b.build();
            }
        }
    }

    private static ClassicHistogramBuckets buckets(Histogram h) {
        double[] finite = h.upperBounds();
        long[] counts = h.bucketCounts();
        double[] bounds = new double[finite.length + 1];
        System.arraycopy(finite, 0, bounds, 0, finite.length);
        bounds[finite.length] = Double.POSITIVE_INFINITY;
        return ClassicHistogramBuckets.of(bounds, counts);
    }
}
