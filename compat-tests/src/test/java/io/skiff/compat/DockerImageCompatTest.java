package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Skiff's image run by Testcontainers: through {@code org.testcontainers:kafka}'s
 * {@link KafkaContainer} for the apache/kafka image, with Skiff's image declared a compatible
 * substitute and nothing else changed, kafka-clients create and describe topics, produce, and
 * consume in a group; the broker runs as a non-root user with its data in the volume and the
 * image's HEALTHCHECK reports it healthy. With no environment at all the image is a single node
 * advertising localhost:9092; a mounted /mnt/shared/config/server.properties is read, with the
 * environment over it. Skipped, with the reason, where no Docker engine or image is there.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DockerImageCompatTest {
    private static final short METADATA_VERSION = 12;

    @Test
    void kafkaContainerOfTheApacheKafkaImageRunsSkiffForAdminProduceAndAGroup() throws Exception {
        DockerImage.assumeAvailable();
        DockerImageName image = DockerImageName.parse(DockerImage.NAME).asCompatibleSubstituteFor("apache/kafka");
        try (KafkaContainer kafka = new KafkaContainer(image).withEnv("KAFKA_HEAP_OPTS", "-Xms64m -Xmx256m")) {
            kafka.start();
            String bootstrap = kafka.getBootstrapServers();
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                TopicDescription orders = admin.describeTopics(List.of("orders"))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get("orders");
                assertThat(orders.partitions()).hasSize(3);
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                        .hasSize(1);
                assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                        .as("the cluster id KafkaContainer gives in CLUSTER_ID")
                        .isEqualTo("4L6g3nShT-eMCtK--X86sw");
                producedAreConsumedInAGroup(bootstrap, "orders", 3);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("order-readers")
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                assertThat(committed.values().stream()
                                .mapToLong(OffsetAndMetadata::offset)
                                .sum())
                        .isEqualTo(30);
            }
            ExecResult id = kafka.execInContainer("id", "-u");
            assertThat(id.getStdout().trim()).isEqualTo("10001");
            ExecResult data = kafka.execInContainer("ls", "/var/lib/skiff/data");
            assertThat(data.getStdout()).contains("orders-0", "meta.properties");
            awaitHealthy(kafka);
        }
    }

    @Test
    void withNoEnvironmentTheImageIsOneNodeAdvertisingLocalhost9092() throws Exception {
        DockerImage.assumeAvailable();
        try (GenericContainer<?> skiff = new GenericContainer<>(DockerImageName.parse(DockerImage.NAME))
                .withExposedPorts(9092)
                .waitingFor(Wait.forLogMessage(DockerImage.RUNNING_LINE, 1))) {
            long startNanos = System.nanoTime();
            skiff.start();
            MetadataResponseData metadata = firstMetadataAnswer(skiff.getHost(), skiff.getMappedPort(9092));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            System.out.println("Container start to first Metadata answer: " + tookMs + " ms");
            assertThat(metadata.brokers()).hasSize(1);
            MetadataResponseData.MetadataResponseBroker broker =
                    metadata.brokers().iterator().next();
            assertThat(broker.nodeId()).isEqualTo(1);
            assertThat(broker.host() + ":" + broker.port()).isEqualTo("localhost:9092");
            ExecResult meta = skiff.execInContainer("cat", "/var/lib/skiff/data/meta.properties");
            assertThat(meta.getStdout()).contains("cluster.id=5L6g3nShT-eMCtK--X86sw");
            awaitHealthy(skiff);
        }
    }

    @Test
    void aMountedServerPropertiesIsReadWithTheEnvironmentOverIt() throws Exception {
        DockerImage.assumeAvailable();
        String file = "listeners=PLAINTEXT://0.0.0.0:9092\nadvertised.listeners=PLAINTEXT://from-the-file:9092\n"
                + "num.partitions=2\n";
        try (GenericContainer<?> skiff = new GenericContainer<>(DockerImageName.parse(DockerImage.NAME))
                .withCopyToContainer(Transferable.of(file), "/mnt/shared/config/server.properties")
                .withEnv("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:9092")
                .withEnv("KAFKA_HEAP_OPTS", "-Xms64m -Xmx256m")
                .withExposedPorts(9092)
                .waitingFor(Wait.forLogMessage(DockerImage.RUNNING_LINE, 1))) {
            skiff.start();
            MetadataResponseData metadata = firstMetadataAnswer(skiff.getHost(), skiff.getMappedPort(9092));
            MetadataResponseData.MetadataResponseBroker broker =
                    metadata.brokers().iterator().next();
            assertThat(broker.host()).as("the environment over the file").isEqualTo("localhost");
            MetadataResponseData created = metadata(skiff, "made-by-metadata");
            assertThat(created.topics().find("made-by-metadata").partitions())
                    .as("num.partitions of the file")
                    .hasSize(2);
        }
    }

    /** A Metadata request for {@code topic} that lets the broker create it. */
    private static MetadataResponseData metadata(GenericContainer<?> skiff, String topic) throws Exception {
        try (RawConnection c = new RawConnection(skiff.getHost(), skiff.getMappedPort(9092))) {
            MetadataRequestData request = new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                    .setAllowAutoTopicCreation(true);
            int id = c.send(ApiKeys.METADATA, METADATA_VERSION, request);
            ByteBuffer buf = c.receive(id, ApiKeys.METADATA.responseHeaderVersion(METADATA_VERSION));
            return new MetadataResponseData(new ByteBufferAccessor(buf), METADATA_VERSION);
        }
    }

    private static void producedAreConsumedInAGroup(String bootstrap, String topic, int partitions) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "all")) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(
                                topic, i % partitions, null, ("order-" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        Properties group = new Properties();
        group.put(ConsumerConfig.GROUP_ID_CONFIG, "order-readers");
        group.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, group)) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(consumer, 30);
            assertThat(read).hasSize(30);
            assertThat(read.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)))
                    .containsExactlyInAnyOrderElementsOf(
                            IntStream.range(0, 30).mapToObj(i -> "order-" + i).toList());
            consumer.commitSync();
        }
    }

    /** Retries a Metadata request until the broker answers one, 60 s at most. */
    static MetadataResponseData firstMetadataAnswer(String host, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (RawConnection c = new RawConnection(host, port)) {
                int id = c.send(ApiKeys.METADATA, METADATA_VERSION, new MetadataRequestData().setTopics(null));
                ByteBuffer buf = c.receive(id, ApiKeys.METADATA.responseHeaderVersion(METADATA_VERSION));
                return new MetadataResponseData(new ByteBufferAccessor(buf), METADATA_VERSION);
            } catch (Exception e) {
                last = e;
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no Metadata answer from " + host + ":" + port + " within 60 s", last);
    }

    /** Waits until Docker reports the image's HEALTHCHECK healthy, 60 s at most. */
    static void awaitHealthy(GenericContainer<?> container) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String status = null;
        while (System.nanoTime() < deadline) {
            status = container
                    .getDockerClient()
                    .inspectContainerCmd(container.getContainerId())
                    .exec()
                    .getState()
                    .getHealth()
                    .getStatus();
            if ("healthy".equals(status)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("HEALTHCHECK status " + status + " after 60 s");
    }
}
