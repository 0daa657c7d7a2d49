package io.skiff.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.Labels;
import org.junit.jupiter.api.Test;

/**
 * Names as the Prometheus JMX exporter's Kafka rules (example_configs/kafka-2_0_0.yml) make them
 * of Kafka's ObjectNames.
 */
class MetricNameTest {
    @Test
    void perSecondMetersLoseTheirSuffixAndAreLowerCased() {
        MetricName n = MetricName.kafka(
                MetricName.Kind.METER, "kafka.server", "BrokerTopicMetrics", "MessagesInPerSec", "topic", "orders");
        assertThat(n.family()).isEqualTo("kafka_server_brokertopicmetrics_messagesin");
        assertThat((Object) n.labels()).isEqualTo(Labels.of("topic", "orders"));
        assertThat(n.objectNameText())
                .isEqualTo("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=orders");
    }

    @Test
    void histogramsAndGaugesKeepTheirWholeName() {
        MetricName total = MetricName.kafka(
                MetricName.Kind.HISTOGRAM, "kafka.network", "RequestMetrics", "TotalTimeMs", "request", "Produce");
        assertThat(total.family()).isEqualTo("kafka_network_requestmetrics_totaltimems");
        assertThat(total.objectName().getKeyProperty("request")).isEqualTo("Produce");
        MetricName size =
                MetricName.kafka(MetricName.Kind.GAUGE, "kafka.log", "Log", "Size", "topic", "t", "partition", "3");
        assertThat(size.family()).isEqualTo("kafka_log_log_size");
        assertThat((Object) size.labels()).isEqualTo(Labels.of("partition", "3", "topic", "t"));
        MetricName flush =
                MetricName.kafka(MetricName.Kind.HISTOGRAM, "kafka.log", "LogFlushStats", "LogFlushRateAndTimeMs");
        assertThat(flush.family()).isEqualTo("kafka_log_logflushstats_logflushrateandtimems");
    }

    @Test
    void attributesWithoutANameKeyBecomeTheLastPartAndDashesUnderscores() {
        MetricName n = MetricName.kafkaAttribute(
                MetricName.Kind.GAUGE,
                "kafka.server",
                "socket-server-metrics",
                "connection-count",
                "listener",
                "PLAINTEXT",
                "networkProcessor",
                "0");
        assertThat(n.family()).isEqualTo("kafka_server_socket_server_metrics_connection_count");
        assertThat(n.objectNameText())
                .isEqualTo("kafka.server:type=socket-server-metrics,listener=PLAINTEXT,networkProcessor=0");
        assertThat(n.jmxAttribute()).isEqualTo("connection-count");
    }

    @Test
    void topicNamesAnObjectNameCannotHoldAreQuoted() {
        MetricName n = MetricName.kafka(
                MetricName.Kind.METER, "kafka.server", "BrokerTopicMetrics", "BytesInPerSec", "topic", "a:b");
        assertThat(n.objectName().getKeyProperty("topic")).isEqualTo("\"a:b\"");
        assertThat((Object) n.labels()).isEqualTo(Labels.of("topic", "a:b"));
    }

    @Test
    void histogramPercentilesComeFromTheBuckets() {
        Histogram h = new Histogram(Histogram.LATENCY_NANOS, 1e-6);
        for (int i = 1; i <= 100; i++) {
            h.record(i * 1_000_000L); // 1 ms .. 100 ms
        }
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.mean()).isEqualTo(50.5);
        assertThat(h.max()).isEqualTo(100.0);
        assertThat(h.percentile(0.5)).isBetween(25.0, 50.0);
        assertThat(h.percentile(0.99)).isBetween(50.0, 100.0);
        assertThat(h.percentile(1.0)).isEqualTo(100.0);
    }
}
