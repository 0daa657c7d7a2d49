package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Skiff processes with process.roles=broker,controller on loopback, their metadata replicated
 * by Apache Ratis: the cluster forms, every node lists all three brokers, a topic created through
 * one node is visible through the others, DescribeQuorum shows three voters, the cluster id stays
 * across a restart of every node, and after a SIGKILL of the Ratis leader another is elected and
 * topics can be created through a surviving node.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterCompatTest {
    private static final String CLUSTER_ID = "Xk3Lw0cxTqmy8NnrRZb1vA";
    private static final int NODES = 3;

    @TempDir
    Path dir;

    private final List<SkiffProcess> nodes = new ArrayList<>();
    private final List<Admin> admins = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Admin a : admins) {
            a.close();
        }
        for (SkiffProcess p : nodes) {
            p.close();
        }
    }

    private void createNodes() throws Exception {
        List<SkiffProcess> created = SkiffProcess.combinedNodes(dir, NODES);
        for (int i = 0; i < NODES; i++) {
            created.get(i).with("broker.rack", "rack-" + (i + 1));
        }
        nodes.addAll(created);
    }

    private void startAll() throws Exception {
        for (SkiffProcess p : nodes) {
            p.startInBackground();
        }
        for (SkiffProcess p : nodes) {
            p.awaitListening();
        }
        for (Admin a : admins) {
            a.close();
        }
        admins.clear();
        for (SkiffProcess p : nodes) {
            admins.add(Clients.admin(p.bootstrapServers()));
        }
    }

    private static void eventually(String what, Callable<Boolean> check) throws Exception {
        Eventually.until(what, Duration.ofSeconds(60), check);
    }

    private static Set<Integer> brokerIds(Admin admin) throws Exception {
        Set<Integer> ids = new TreeSet<>();
        for (Node n : admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)) {
            ids.add(n.id());
        }
        return ids;
    }

    @Test
    void threeCombinedNodesFormOneClusterThatSurvivesARestartAndTheLossOfItsLeader() throws Exception {
        createNodes();
        for (SkiffProcess p : nodes) {
            KafkaTool.Result r = p.format(CLUSTER_ID);
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
        startAll();

        for (Admin a : admins) {
            eventually("all three brokers listed", () -> brokerIds(a).equals(Set.of(1, 2, 3)));
            DescribeClusterResult c = a.describeCluster();
            assertThat(c.clusterId().get()).isEqualTo(CLUSTER_ID);
            assertThat(c.controller().get().id()).isBetween(1, 3);
            for (Node n : c.nodes().get()) {
                assertThat(n.rack()).isEqualTo("rack-" + n.id());
            }
        }
        admins.get(0)
                .createTopics(List.of(new NewTopic("made-on-1", 3, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
        for (Admin a : admins) {
            eventually("the topic visible", () -> a.listTopics().names().get().contains("made-on-1"));
        }
        producedAreConsumedAcrossTheCluster();
        QuorumInfo quorum = admins.get(1).describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
        assertThat(quorum.voters())
                .extracting(QuorumInfo.ReplicaState::replicaId)
                .containsExactlyInAnyOrder(1, 2, 3);
        assertThat(quorum.leaderId()).isBetween(1, 3);
        KafkaTool.Result status = KafkaTool.run(
                "org.apache.kafka.tools.MetadataQuorumCommand",
                "--bootstrap-server",
                nodes.get(2).bootstrapServers(),
                "describe",
                "--status");
        assertThat(status.output()).contains("ClusterId:").contains(CLUSTER_ID).contains("LeaderId:");

        // A restart of every node keeps the cluster id and the topic.
        for (SkiffProcess p : nodes) {
            assertThat(p.stop()).as("exit status after SIGTERM").isIn(0, 143);
        }
        startAll();
        for (Admin a : admins) {
            assertThat(a.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                    .isEqualTo(CLUSTER_ID);
            eventually(
                    "the topic still there", () -> a.listTopics().names().get().contains("made-on-1"));
        }

        // SIGKILL of the leader: another is elected, and a survivor creates topics.
        int leader = admins.get(0)
                .describeMetadataQuorum()
                .quorumInfo()
                .get(30, TimeUnit.SECONDS)
                .leaderId();
        nodes.get(leader - 1).kill();
        Admin survivor = admins.get(leader % NODES);
        long killed = System.nanoTime();
        survivor.createTopics(List.of(new NewTopic("after-leader-loss", 1, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.println("Topic created " + tookMs + " ms after SIGKILL of the metadata leader " + leader);
        eventually("a new leader", () -> {
            int now = survivor.describeMetadataQuorum().quorumInfo().get().leaderId();
            return now != leader && now >= 1;
        });
        Admin other = admins.get((leader + 1) % NODES);
        eventually(
                "the topic visible on the other survivor",
                () -> other.listTopics().names().get().contains("after-leader-loss"));
        eventually(
                "the dead broker fenced and gone from DescribeCluster",
                () -> !brokerIds(survivor).contains(leader));
    }

    /**
     * The partitions of made-on-1 are led by three different brokers, each hosting its own; a
     * producer and a consumer group bootstrapped on every node write and read all of them.
     */
    private void producedAreConsumedAcrossTheCluster() throws Exception {
        Set<Integer> leaders = new TreeSet<>();
        for (TopicPartitionInfo p : admins.get(2)
                .describeTopics(List.of("made-on-1"))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get("made-on-1")
                .partitions()) {
            leaders.add(p.leader().id());
            assertThat(p.replicas())
                    .extracting(Node::id)
                    .containsExactly(p.leader().id());
        }
        assertThat(leaders).containsExactly(1, 2, 3);
        String bootstrap = nodes.stream().map(SkiffProcess::bootstrapServers).collect(Collectors.joining(","));
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "all")) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(
                                "made-on-1", i % 3, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        Properties group = new Properties();
        group.put(ConsumerConfig.GROUP_ID_CONFIG, "across");
        group.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, group)) {
            consumer.subscribe(List.of("made-on-1"));
            List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(consumer, 30);
            assertThat(read).hasSize(30);
            assertThat(read.stream().map(r -> r.partition()).distinct()).containsExactlyInAnyOrder(0, 1, 2);
            consumer.commitSync();
        }
    }
}
