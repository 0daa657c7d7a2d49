package io.skiff.broker.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.ConnectionQuotas;
import io.skiff.broker.network.RequestObserver;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.storage.FlushObserver;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's metrics: Kafka's meters under Kafka's names, exported over HTTP in the Prometheus
 * text format ({@code skiff.metrics.listener}, e.g. {@code http://0.0.0.0:9404}, path
 * {@code /metrics}) and as MBeans under Kafka's ObjectNames ({@code skiff.metrics.jmx.enable}).
 * With both off (the default) nothing is measured beyond the network's own {@code RequestMetrics}:
 * {@link #requestObserver()} and {@link #topicStats()} are no-ops.
 *
 * <p>Built on the Prometheus Java client (registry, exposition, HTTP server, JVM instrumentation:
 * {@code jvm_memory_*}, {@code jvm_gc_*}, {@code jvm_threads_*}, ...); Kafka's meters live in one
 * {@link KafkaMetricsRegistry} read by both exporters. What is measured:
 *
 * <ul>
 *   <li>{@link RequestMeters}: {@code kafka.network:type=RequestMetrics,...};</li>
 *   <li>{@link BrokerTopicStats}: {@code kafka.server:type=BrokerTopicMetrics,...};</li>
 *   <li>{@code kafka.server:type=ReplicaManager}: {@code PartitionCount}, {@code LeaderCount},
 *       {@code UnderReplicatedPartitions} (led partitions whose ISR is smaller than their replica
 *       set), {@code OfflineReplicaCount} (partitions in an offline log dir) and the meters
 *       {@code IsrShrinksPerSec}, {@code IsrExpandsPerSec} ({@link #isrShrinks()},
 *       {@link #isrExpands()}: marked by the ISR manager of a cluster after each applied change; nothing changes an ISR on one node), and
 *       {@code kafka.controller:type=KafkaController,name=OfflinePartitionsCount} (this node's
 *       partitions that are offline);</li>
 *   <li>{@link PartitionMetrics}: {@code kafka.log:type=Log,...} per partition, consumer lag;</li>
 *   <li>{@code kafka.server:type=socket-server-metrics,listener=L,networkProcessor=0}
 *       {@code connection-count}: open connections per listener (Skiff counts per listener, not
 *       per network thread);</li>
 *   <li>flushes ({@link #flushObserver()}): Kafka's timer
 *       {@code kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs} (every fsync pass), and
 *       Skiff's {@code skiff_log_flush_group_size} (waiters one fsync completed: the group
 *       commit's size) and {@code skiff_log_flush_commit_time_ms} (the fsync time of the passes
 *       that completed waiters).</li>
 * </ul>
 *
 * <p>A listener that cannot be bound stops start-up ({@link #start()} throws a
 * {@link ConfigException} naming the key). Lifecycle: {@link #create}, {@link #bind} once the
 * partitions exist, {@link #start()}, {@link #close()}. Thread-safe after {@link #start()}.
 */
public final class BrokerMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerMetrics.class);

    private final URI listener;
    private final PrometheusRegistry prometheus;
    private final KafkaMetricsRegistry registry;
    private final JmxReporter jmx;
    private final ScheduledExecutorService thread;
    private final RequestMeters requests;
    private final BrokerTopicStats topics;
    private final Meter isrShrinks;
    private final Meter isrExpands;
    private final Histogram flushTime;
    private final Histogram groupSize;
    private final Histogram commitTime;
    private PartitionMetrics partitionMetrics;
    private HTTPServer http;

    private BrokerMetrics(URI listener, boolean jmxEnabled) {
        this.listener = listener;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skiff-metrics");
            t.setDaemon(true);
            return t;
        });
        this.jmx = jmxEnabled ? new JmxReporter(thread) : null;
        this.registry = new KafkaMetricsRegistry(jmx);
        this.prometheus = new PrometheusRegistry();
        prometheus.register(registry);
        JvmMetrics.builder().register(prometheus);
        this.requests = new RequestMeters(registry);
        this.topics = new BrokerTopicStats(registry);
        this.isrShrinks = registry.meter(
                MetricName.kafka(MetricName.Kind.METER, "kafka.server", "ReplicaManager", "IsrShrinksPerSec"),
                "shrinks");
        this.isrExpands = registry.meter(
                MetricName.kafka(MetricName.Kind.METER, "kafka.server", "ReplicaManager", "IsrExpandsPerSec"),
                "expands");
        this.flushTime = registry.timer(
                MetricName.kafka(MetricName.Kind.HISTOGRAM, "kafka.log", "LogFlushStats", "LogFlushRateAndTimeMs"),
                Histogram.LATENCY_NANOS,
                1e-6,
                "flushes");
        this.groupSize = registry.histogram(
                MetricName.skiff(MetricName.Kind.HISTOGRAM, "skiff_log_flush_group_size", "LogFlush", "GroupSize"),
                Histogram.SIZES,
                1);
        this.commitTime = registry.histogram(
                MetricName.skiff(
                        MetricName.Kind.HISTOGRAM, "skiff_log_flush_commit_time_ms", "LogFlush", "CommitTimeMs"),
                Histogram.LATENCY_NANOS,
                1e-6);
    }

    private BrokerMetrics() {
        this.listener = null;
        this.thread = null;
        this.jmx = null;
        this.registry = null;
        this.prometheus = null;
        this.requests = null;
        this.topics = BrokerTopicStats.NONE;
        this.isrShrinks = new Meter();
        this.isrExpands = new Meter();
        this.flushTime = null;
        this.groupSize = null;
        this.commitTime = null;
    }

    /** The metrics {@code config} asks for: none unless {@code skiff.metrics.listener} or JMX is set. */
    public static BrokerMetrics create(BrokerConfig config) {
        String text = config.getString(BrokerConfig.SKIFF_METRICS_LISTENER);
        URI listener = text == null || text.isBlank() ? null : URI.create(text.trim());
        boolean jmx = config.getBoolean(BrokerConfig.SKIFF_METRICS_JMX_ENABLE);
        return listener == null && !jmx ? new BrokerMetrics() : new BrokerMetrics(listener, jmx);
    }

    /** Whether anything is measured. */
    public boolean enabled() {
        return registry != null;
    }

    /** What the network tells of each request (no-op when off). */
    public RequestObserver requestObserver() {
        return requests == null ? RequestObserver.NONE : requests;
    }

    /** What the produce and fetch handlers tell of each partition they serve ({@link BrokerTopicStats#NONE} when off). */
    public BrokerTopicStats topicStats() {
        return topics;
    }

    /** What the log flusher tells of each fsync pass (no-op when off). */
    public FlushObserver flushObserver() {
        if (registry == null) {
            return FlushObserver.NONE;
        }
        return (fsyncNanos, waiters, full) -> {
            flushTime.record(fsyncNanos);
            if (waiters > 0) {
                groupSize.record(waiters);
                commitTime.record(fsyncNanos);
            }
        };
    }

    /** Kafka's {@code IsrShrinksPerSec}: to be marked when an ISR shrinks. */
    public Meter isrShrinks() {
        return isrShrinks;
    }

    /** Kafka's {@code IsrExpandsPerSec}: to be marked when an ISR grows. */
    public Meter isrExpands() {
        return isrExpands;
    }

    /**
     * Registers what is read from the broker's parts: partition counts, per-partition logs, lag,
     * connections per listener; and a task (every 5 s and after each metadata change) that keeps
     * per-partition JMX gauges and per-topic meters in step with the partitions and topics that exist.
     *
     * @param groups the group coordinator, asked at each scrape (it may be null)
     */
    public void bind(
            PartitionManager partitions,
            MetadataManager metadata,
            Supplier<GroupCoordinator> groups,
            ConnectionQuotas connections,
            List<String> listenerNames) {
        if (registry == null) {
            return;
        }
        replicaManagerGauges(partitions);
        for (String l : listenerNames) {
            registry.gauge(
                    MetricName.kafkaAttribute(
                            MetricName.Kind.GAUGE,
                            "kafka.server",
                            "socket-server-metrics",
                            "connection-count",
                            "listener",
                            l,
                            "networkProcessor",
                            "0"),
                    () -> connections.connectionsPerListener().getOrDefault(l, 0),
                    true);
        }
        partitionMetrics = new PartitionMetrics(partitions, groups, jmx == null ? null : registry);
        prometheus.register(partitionMetrics);
        Runnable sync = () -> sync(metadata);
        thread.scheduleWithFixedDelay(sync, 0, MeterRates.TICK_SECONDS, TimeUnit.SECONDS);
        // Registered after the partition manager, so partitions of a change exist when it runs.
        metadata.addListener(new MetadataManager.Listener() {
            @Override
            public void onLoad(MetadataImage image) {
                later(sync);
            }

            @Override
            public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
                later(sync);
            }
        });
    }

    private void later(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // metrics are closed: nothing to keep in step
        }
    }

    /** On the metrics thread: per-partition MBeans for the partitions here, no meters of deleted topics. */
    private void sync(MetadataManager metadata) {
        try {
            partitionMetrics.sync();
            for (String topic : topics.topics()) {
                if (metadata.image().topic(topic) == null) {
                    topics.removeTopic(topic);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Keeping the metrics in step with the partitions failed", e);
        }
    }

    private void replicaManagerGauges(PartitionManager partitions) {
        gauge(
                "kafka.server",
                "ReplicaManager",
                "PartitionCount",
                () -> partitions.partitions().size());
        gauge("kafka.server", "ReplicaManager", "LeaderCount", () -> {
            int n = 0;
            for (Partition p : partitions.partitions()) {
                n += p.isLeader() ? 1 : 0;
            }
            return n;
        });
        gauge("kafka.server", "ReplicaManager", "UnderReplicatedPartitions", () -> {
            int n = 0;
            for (Partition p : partitions.partitions()) {
                n += p.isLeader() && p.inSyncReplicas().size() < p.replicas().size() ? 1 : 0;
            }
            return n;
        });
        gauge("kafka.server", "ReplicaManager", "OfflineReplicaCount", () -> offline(partitions));
        gauge("kafka.controller", "KafkaController", "OfflinePartitionsCount", () -> offline(partitions));
    }

    private static int offline(PartitionManager partitions) {
        int n = 0;
        for (Partition p : partitions.partitions()) {
            n += p.isOffline() ? 1 : 0;
        }
        return n;
    }

    private void gauge(String domain, String type, String name, Supplier<Integer> value) {
        registry.gauge(MetricName.kafka(MetricName.Kind.GAUGE, domain, type, name), () -> value.get(), true);
    }

    /**
     * Binds the HTTP listener, if one is configured. A listener that cannot be bound is a
     * {@link ConfigException} naming {@code skiff.metrics.listener}.
     */
    public void start() {
        if (listener == null) {
            return;
        }
        try {
            http = HTTPServer.builder()
                    .hostname(listener.getHost())
                    .port(listener.getPort())
                    .registry(prometheus)
                    .buildAndStart();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(BrokerConfig.SKIFF_METRICS_LISTENER, listener, "cannot listen there: " + e);
        }
        LOG.info("Metrics at http://{}:{}/metrics", listener.getHost(), http.getPort());
    }

    /** The port the HTTP listener is bound to (the picked one for port 0); -1 without a listener. */
    public int boundPort() {
        return http == null ? -1 : http.getPort();
    }

    /** The Prometheus registry that {@code /metrics} serves (null when off). */
    public PrometheusRegistry prometheusRegistry() {
        return prometheus;
    }

    /** Stops the HTTP listener and the metrics thread and unregisters the MBeans. Idempotent. */
    @Override
    public void close() {
        if (http != null) {
            http.close();
            http = null;
        }
        if (thread != null) {
            thread.shutdownNow();
        }
        if (jmx != null) {
            jmx.close();
        }
    }
}
