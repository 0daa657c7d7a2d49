package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication metrics of a leader, scraped from its Prometheus endpoint in a real three-node
 * cluster: with the ISR whole, no under-replicated partition and no shrink; after a follower is
 * SIGKILLed and the leader takes writes, the ISR shrinks without it (one shrink counted, one
 * under-replicated partition); once the follower is back and caught up, the ISR is whole, one
 * expand is counted and the partition is no longer under-replicated.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReplicationMetricsCompatTest {
    private static final String CLUSTER_ID = "Mx4Rq9cxTqmy8NnrRZb1vA";
    private static final String TOPIC = "measured";
    private static final String SHRINKS = "kafka_server_replicamanager_isrshrinks_total";
    private static final String EXPANDS = "kafka_server_replicamanager_isrexpands_total";
    private static final String URP = "kafka_server_replicamanager_underreplicatedpartitions";

    @TempDir
    Path dir;

    private final List<SkiffProcess> nodes = new ArrayList<>();
    private final List<Integer> metricsPorts = new ArrayList<>();
    private Admin admin;

    @AfterEach
    void stopAll() throws Exception {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        for (SkiffProcess p : nodes) {
            p.close();
        }
    }

    @Test
    void isrShrinkAndExpandAreCountedAndUnderReplicationShown() throws Exception {
        for (SkiffProcess p : SkiffProcess.combinedNodes(dir, 3)) {
            int metricsPort = SkiffProcess.freePort();
            metricsPorts.add(metricsPort);
            // A long session timeout keeps the killed follower registered: the ISR shrinks because it
            // stops fetching, as the leader sees it, not because the controller fences it.
            p.with("broker.session.timeout.ms", "120000")
                    .with("replica.lag.time.max.ms", "1500")
                    .with("skiff.metrics.listener", "http://127.0.0.1:" + metricsPort);
            nodes.add(p);
            KafkaTool.Result r = p.format(CLUSTER_ID);
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
        for (SkiffProcess p : nodes) {
            p.startInBackground();
        }
        for (SkiffProcess p : nodes) {
            p.awaitListening();
        }
        admin = Clients.admin(nodes.get(0).bootstrapServers());
        eventually(
                "three brokers registered",
                () -> admin.describeCluster().nodes().get().size() == 3);
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all()
                .get(30, TimeUnit.SECONDS);
        eventually("the ISR whole", () -> describe().isr().size() == 3);

        int leader = describe().leader().id();
        int follower = describe().replicas().stream()
                .mapToInt(n -> n.id())
                .filter(id -> id != leader)
                .findFirst()
                .orElseThrow();
        int leaderMetrics = metricsPorts.get(leader - 1);
        PrometheusScrape before = PrometheusScrape.of(leaderMetrics);
        assertThat(before.value(URP)).isZero();
        assertThat(before.value(SHRINKS)).isZero();
        double expandsBefore = before.value(EXPANDS);
        assertThat(expandsBefore).isNotNaN();

        nodes.get(follower - 1).kill();
        try (KafkaProducer<byte[], byte[]> producer =
                Clients.producer(nodes.get(leader - 1).bootstrapServers(), "1")) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, ("v" + i).getBytes()))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        eventually(
                "the ISR without " + follower, () -> describe().isr().stream().noneMatch(n -> n.id() == follower));
        eventually("one shrink and one under-replicated partition on the leader", () -> {
            PrometheusScrape s = PrometheusScrape.of(leaderMetrics);
            return s.value(SHRINKS) == 1 && s.value(URP) == 1;
        });

        nodes.get(follower - 1).startInBackground();
        nodes.get(follower - 1).awaitListening();
        eventually("the ISR whole again", () -> describe().isr().size() == 3);
        eventually("one expand more and no under-replicated partition on the leader", () -> {
            PrometheusScrape s = PrometheusScrape.of(leaderMetrics);
            return s.value(EXPANDS) == expandsBefore + 1 && s.value(URP) == 0;
        });
        assertThat(PrometheusScrape.of(leaderMetrics).value(SHRINKS)).isEqualTo(1);
        assertThat(describe().leader().id()).as("leader unchanged").isEqualTo(leader);
    }

    private TopicPartitionInfo describe() throws Exception {
        return admin.describeTopics(List.of(TOPIC))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .get(TOPIC)
                .partitions()
                .get(0);
    }

    private static void eventually(String what, Callable<Boolean> check) throws Exception {
        Eventually.until(what, Duration.ofSeconds(90), check);
    }
}
