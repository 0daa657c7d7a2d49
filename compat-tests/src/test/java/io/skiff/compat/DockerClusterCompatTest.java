package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * The three-node layout of {@code docker/docker-compose-cluster.yml} (three combined nodes,
 * skiff-1..3 on one Docker network, the same environment) run as three Testcontainers on a network:
 * every node lists the three brokers with the compose file's cluster id, and a topic spread over
 * them is produced to and consumed by a group. The host ports are free ones picked here instead of
 * the compose file's 29092/39092/49092. Skipped, with the reason, where no Docker engine or image is
 * there.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class DockerClusterCompatTest {
    private static final String CLUSTER_ID = "4L6g3nShT-eMCtK--X86sw";
    private static final int NODES = 3;

    private final List<GenericContainer<?>> nodes = new ArrayList<>();
    private Network network;

    @AfterEach
    void stop() {
        for (GenericContainer<?> c : nodes) {
            c.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One node with the compose file's environment; clients on this machine reach it on hostPort. */
    private GenericContainer<?> node(int id, int hostPort) {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(DockerImage.NAME))
                .withNetwork(network)
                .withNetworkAliases("skiff-" + id)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName("skiff-" + id))
                .withEnv("KAFKA_NODE_ID", Integer.toString(id))
                .withEnv("KAFKA_PROCESS_ROLES", "broker,controller")
                .withEnv("KAFKA_LISTENERS", "PLAINTEXT://:19092,CONTROLLER://:9093,PLAINTEXT_HOST://:9092")
                .withEnv(
                        "KAFKA_ADVERTISED_LISTENERS",
                        "PLAINTEXT://skiff-" + id + ":19092,PLAINTEXT_HOST://localhost:" + hostPort)
                .withEnv(
                        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                        "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT")
                .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@skiff-1:9093,2@skiff-2:9093,3@skiff-3:9093")
                .withEnv("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
                .withEnv("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("CLUSTER_ID", CLUSTER_ID)
                .withEnv("KAFKA_HEAP_OPTS", "-Xms64m -Xmx256m")
                .withExposedPorts(9092)
                .waitingFor(
                        Wait.forLogMessage(DockerImage.RUNNING_LINE, 1).withStartupTimeout(Duration.ofSeconds(180)));
        c.setPortBindings(List.of(hostPort + ":9092"));
        return c;
    }

    private static Set<Integer> brokerIds(Admin admin) throws Exception {
        Set<Integer> ids = new TreeSet<>();
        for (Node n : admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)) {
            ids.add(n.id());
        }
        return ids;
    }

    @Test
    void threeCombinedNodesOfTheComposeLayoutFormOneClusterThatServesAGroup() throws Exception {
        DockerImage.assumeAvailable();
        network = Network.newNetwork();
        List<String> bootstraps = new ArrayList<>();
        for (int id = 1; id <= NODES; id++) {
            int port = freePort();
            nodes.add(node(id, port));
            bootstraps.add("localhost:" + port);
        }
        Startables.deepStart(nodes).get(300, TimeUnit.SECONDS);

        for (String bootstrap : bootstraps) {
            try (Admin admin = Clients.admin(bootstrap)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                Set<Integer> ids = Set.of();
                while (System.nanoTime() < deadline && !(ids = brokerIds(admin)).equals(Set.of(1, 2, 3))) {
                    Thread.sleep(200);
                }
                assertThat(ids).as("brokers listed by " + bootstrap).containsExactly(1, 2, 3);
                assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS))
                        .isEqualTo(CLUSTER_ID);
            }
        }
        String all = String.join(",", bootstraps);
        try (Admin admin = Clients.admin(all)) {
            admin.createTopics(List.of(new NewTopic("spread", 3, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(all, "all")) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("spread", i % 3, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(60, TimeUnit.SECONDS);
            }
        }
        Properties group = new Properties();
        group.put(ConsumerConfig.GROUP_ID_CONFIG, "spread-readers");
        group.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(all, group)) {
            consumer.subscribe(List.of("spread"));
            List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(consumer, 30);
            assertThat(read).hasSize(30);
            assertThat(read.stream().map(ConsumerRecord::partition).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder(0, 1, 2);
            consumer.commitSync();
        }
    }
}
