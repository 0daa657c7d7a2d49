package io.skiff.broker.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is measured per partition, read from the partitions when asked rather than counted:
 *
 * <ul>
 *   <li>Kafka's {@code kafka.log:type=Log,name={Size,LogEndOffset,LogStartOffset,NumLogSegments},
 *       topic=T,partition=P} gauges of every partition hosted here (Prometheus
 *       {@code kafka_log_log_size{topic,partition}}, ...);</li>
 *   <li>consumer group lag, which Kafka's broker does not export: under the names of the
 *       widely used Prometheus kafka_exporter (danielqsj/kafka_exporter), so that its dashboards
 *       and alerts apply: {@code kafka_consumergroup_current_offset{consumergroup,topic,partition}}
 *       (the committed offset) and {@code kafka_consumergroup_lag{consumergroup,topic,partition}}
 *       (the partition's high watermark less the committed offset, never below 0), for every
 *       committed offset of the groups this node coordinates whose partition this node leads;
 *       plus {@code kafka_topic_partition_current_offset{topic,partition}} (the high watermark).
 *       Prometheus only: Kafka has no MBean for lag.</li>
 * </ul>
 *
 * The Prometheus side is a {@link MultiCollector} that reads everything at scrape time. The JMX
 * side keeps one gauge per partition and name in the {@link KafkaMetricsRegistry}, not exported
 * to Prometheus twice, brought in step with the partitions hosted by {@link #sync} (every 5 s).
 * Thread-safe.
 */
final class PartitionMetrics implements MultiCollector {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionMetrics.class);
    private static final long LAG_TIMEOUT_MS = 5_000;
    private static final String[] LOG_NAMES = {"Size", "LogEndOffset", "LogStartOffset", "NumLogSegments"};
    private static final List<ToLongFunction<PartitionLog>> LOG_VALUES = List.of(
            PartitionLog::sizeInBytes,
            PartitionLog::logEndOffset,
            PartitionLog::logStartOffset,
            log -> log.numberOfSegments());

    private final PartitionManager partitions;
    private final Supplier<GroupCoordinator> groups;
    private final KafkaMetricsRegistry jmxGauges;
    /** The partitions whose gauges are in {@link #jmxGauges} (sync thread only). */
    private final Set<TopicPartition> inJmx = new HashSet<>();

    /**
     * @param groups    the group coordinator (null or a supplier of null while there is none)
     * @param jmxGauges where the per-partition JMX gauges go; null when JMX is off
     */
    PartitionMetrics(PartitionManager partitions, Supplier<GroupCoordinator> groups, KafkaMetricsRegistry jmxGauges) {
        this.partitions = partitions;
        this.groups = groups;
        this.jmxGauges = jmxGauges;
    }

    private static MetricName logName(int i, TopicPartition tp) {
        return MetricName.kafka(
                MetricName.Kind.GAUGE,
                "kafka.log",
                "Log",
                LOG_NAMES[i],
                "topic",
                tp.topic(),
                "partition",
                Integer.toString(tp.partition()));
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        GaugeSnapshot.Builder[] logs = new GaugeSnapshot.Builder[LOG_NAMES.length];
        for (int i = 0; i < logs.length; i++) {
            MetricName family = logName(i, new TopicPartition("t", 0));
            logs[i] = GaugeSnapshot.builder().name(family.family()).help(family.description());
        }
        GaugeSnapshot.Builder partitionOffsets = GaugeSnapshot.builder()
                .name("kafka_topic_partition_current_offset")
                .help("The high watermark of each partition led here (kafka_exporter's name)");
        for (Partition p : partitions.partitions()) {
            TopicPartition tp = p.topicPartition();
            Labels labels = Labels.of("topic", tp.topic(), "partition", Integer.toString(tp.partition()));
            try {
                for (int i = 0; i < logs.length; i++) {
                    logs[i].dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .value(LOG_VALUES.get(i).applyAsLong(p.log()))
                            .labels(labels)
                            .build());
                }
                if (p.isLeader()) {
                    partitionOffsets.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .value(p.highWatermark())
                            .labels(labels)
                            .build());
                }
            } catch (RuntimeException e) {
                LOG.debug("Partition {} went away while being measured", tp, e);
            }
        }
        for (GaugeSnapshot.Builder b : logs) {
            out.metricSnapshot(b.build());
        }
        out.metricSnapshot(partitionOffsets.build());
        addLag(out);
        return out.build();
    }

    private void addLag(MetricSnapshots.Builder out) {
        GaugeSnapshot.Builder lag = GaugeSnapshot.builder()
                .name("kafka_consumergroup_lag")
                .help("High watermark less committed offset per group and partition (kafka_exporter's name)");
        GaugeSnapshot.Builder current = GaugeSnapshot.builder()
                .name("kafka_consumergroup_current_offset")
                .help("Committed offset per group and partition (kafka_exporter's name)");
        for (GroupCoordinator.CommittedOffset c : committedOffsets()) {
            Partition p = partitions.partition(new TopicPartition(c.topic(), c.partition()));
            if (p == null || !p.isLeader()) {
                continue;
            }
            Labels labels = Labels.of(
                    "consumergroup", c.groupId(), "topic", c.topic(), "partition", Integer.toString(c.partition()));
            current.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .value(c.offset())
                    .labels(labels)
                    .build());
            lag.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .value(Math.max(0, p.highWatermark() - c.offset()))
                    .labels(labels)
                    .build());
        }
        out.metricSnapshot(current.build());
        out.metricSnapshot(lag.build());
    }

    private List<GroupCoordinator.CommittedOffset> committedOffsets() {
        GroupCoordinator g = groups == null ? null : groups.get();
        if (g == null) {
            return List.of();
        }
        try {
            return g.committedOffsets().get(LAG_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("No committed offsets for the lag metrics this time", e);
            return List.of();
        }
    }

    /** Brings the per-partition JMX gauges in step with the partitions hosted now. */
    void sync() {
        if (jmxGauges == null) {
            return;
        }
        Set<TopicPartition> now = new HashSet<>();
        for (Partition p : partitions.partitions()) {
            TopicPartition tp = p.topicPartition();
            now.add(tp);
            if (inJmx.add(tp)) {
                PartitionManager manager = partitions;
                for (int i = 0; i < LOG_NAMES.length; i++) {
                    ToLongFunction<PartitionLog> value = LOG_VALUES.get(i);
                    jmxGauges.jmxGauge(logName(i, tp), () -> read(manager, tp, value));
                }
            }
        }
        for (TopicPartition tp : Set.copyOf(inJmx)) {
            if (!now.contains(tp)) {
                inJmx.remove(tp);
                for (int i = 0; i < LOG_NAMES.length; i++) {
                    jmxGauges.remove(logName(i, tp));
                }
            }
        }
    }

    private static double read(PartitionManager manager, TopicPartition tp, ToLongFunction<PartitionLog> value) {
        Partition p = manager.partition(tp);
        return p == null ? 0 : value.applyAsLong(p.log());
    }
}
