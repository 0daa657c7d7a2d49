package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** AdminClient topic administration against Skiff, with the answers Apache Kafka gives. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicAdminCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension().with("num.partitions", "2");

    @Test
    void createListDescribeAndDeleteTopics() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            CreateTopicsResult created = admin.createTopics(List.of(
                    new NewTopic("orders", 3, (short) 1),
                    new NewTopic("defaults", java.util.Optional.empty(), java.util.Optional.empty())));
            created.all().get();
            assertThat(created.numPartitions("orders").get()).isEqualTo(3);
            assertThat(created.numPartitions("defaults").get()).isEqualTo(2);
            Uuid ordersId = created.topicId("orders").get();
            assertThat(ordersId).isNotEqualTo(Uuid.ZERO_UUID);

            assertThat(admin.listTopics().names().get()).contains("orders", "defaults");
            TopicDescription d = admin.describeTopics(List.of("orders"))
                    .allTopicNames()
                    .get()
                    .get("orders");
            assertThat(d.topicId()).isEqualTo(ordersId);
            assertThat(d.partitions()).hasSize(3);
            assertThat(d.partitions().get(0).leader().id())
                    .isEqualTo(BROKER.broker().nodeId());
            assertThat(d.partitions().get(2).isr()).hasSize(1);

            admin.deleteTopics(List.of("defaults")).all().get();
            assertThat(admin.listTopics().names().get())
                    .doesNotContain("defaults")
                    .contains("orders");
            admin.deleteTopics(TopicCollection.ofTopicIds(List.of(ordersId)))
                    .all()
                    .get();
            assertThat(admin.listTopics().names().get()).doesNotContain("orders");
        }
    }

    @Test
    void creationErrorsAreKafkas() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1)))
                    .all()
                    .get();
            assertCause(
                    () -> admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1)))
                            .all()
                            .get(),
                    TopicExistsException.class);
            assertCause(
                    () -> admin.createTopics(List.of(new NewTopic("bad name!", 1, (short) 1)))
                            .all()
                            .get(),
                    InvalidTopicException.class);
            assertCause(
                    () -> admin.createTopics(List.of(new NewTopic("zero", 0, (short) 1)))
                            .all()
                            .get(),
                    InvalidPartitionsException.class);
            assertCause(
                    () -> admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3)))
                            .all()
                            .get(),
                    InvalidReplicationFactorException.class);
            assertCause(
                    () -> admin.createTopics(List.of(
                                    new NewTopic("badconf", 1, (short) 1).configs(Map.of("no.such.config", "1"))))
                            .all()
                            .get(),
                    InvalidConfigurationException.class);
            assertCause(
                    () -> admin.createTopics(List.of(
                                    new NewTopic("badvalue", 1, (short) 1).configs(Map.of("retention.ms", "soon"))))
                            .all()
                            .get(),
                    InvalidConfigurationException.class);
            assertCause(
                    () -> admin.deleteTopics(List.of("never-created")).all().get(),
                    UnknownTopicOrPartitionException.class);
            assertCause(
                    () -> admin.deleteTopics(TopicCollection.ofTopicIds(List.of(Uuid.randomUuid())))
                            .all()
                            .get(),
                    UnknownTopicIdException.class);
            assertThat(admin.listTopics().names().get())
                    .doesNotContain("bad name!", "zero", "rf3", "badconf", "badvalue");
        }
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            CreateTopicsResult r = admin.createTopics(
                    List.of(new NewTopic("dry-run", 4, (short) 1)), new CreateTopicsOptions().validateOnly(true));
            r.all().get();
            assertThat(r.numPartitions("dry-run").get()).isEqualTo(4);
            assertThat(admin.listTopics().names().get()).doesNotContain("dry-run");
        }
    }

    @Test
    void createPartitionsGrowsATopicAndRejectsShrinking() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic("growing", 1, (short) 1)))
                    .all()
                    .get();
            admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(4)))
                    .all()
                    .get();
            assertThat(admin.describeTopics(List.of("growing"))
                            .allTopicNames()
                            .get()
                            .get("growing")
                            .partitions())
                    .hasSize(4);
            assertCause(
                    () -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(2)))
                            .all()
                            .get(),
                    InvalidPartitionsException.class);
            assertCause(
                    () -> admin.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(2)))
                            .all()
                            .get(),
                    UnknownTopicOrPartitionException.class);
        }
    }

    @Test
    void describeConfigsReportsOverridesAndKafkaDefaults() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic("configured", 1, (short) 1)
                            .configs(Map.of("retention.ms", "3600000", "cleanup.policy", "compact"))))
                    .all()
                    .get();
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
            ConfigResource broker = new ConfigResource(
                    ConfigResource.Type.BROKER, Integer.toString(BROKER.broker().nodeId()));
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(List.of(topic, broker)).all().get();
            Config t = configs.get(topic);
            assertThat(t.get("retention.ms").value()).isEqualTo("3600000");
            assertThat(t.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(t.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(t.get("segment.bytes").value()).isEqualTo("1073741824");
            assertThat(t.get("segment.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertThat(t.get("max.message.bytes").value()).isEqualTo("1048588");
            assertThat(t.get("retention.bytes").value()).isEqualTo("-1");
            Config b = configs.get(broker);
            assertThat(b.get("num.partitions").value()).isEqualTo("2");
            assertThat(b.get("num.partitions").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
            assertThat(b.get("log.segment.bytes").value()).isEqualTo("1073741824");
            assertThat(b.get("log.segment.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertCause(
                    () -> admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "nope")))
                            .all()
                            .get(),
                    UnknownTopicOrPartitionException.class);
        }
    }

    @Test
    void describeClusterNamesThisNodeAsBrokerAndController() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            DescribeClusterResult c = admin.describeCluster();
            assertThat(c.clusterId().get()).isEqualTo(BROKER.broker().clusterId());
            assertThat(c.controller().get().id()).isEqualTo(BROKER.broker().nodeId());
            assertThat(c.nodes().get()).hasSize(1);
            assertThat(c.nodes().get().iterator().next().port()).isEqualTo(BROKER.port());
        }
    }

    @Test
    void topicsAndClusterIdSurviveARestart() throws Exception {
        Uuid id;
        String clusterId = BROKER.broker().clusterId();
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic("durable", 5, (short) 1).configs(Map.of("retention.ms", "1000"))))
                    .all()
                    .get();
            id = admin.describeTopics(List.of("durable"))
                    .allTopicNames()
                    .get()
                    .get("durable")
                    .topicId();
        }
        BROKER.restart();
        try (Admin admin = Clients.admin(BROKER)) {
            TopicDescription d = admin.describeTopics(List.of("durable"))
                    .allTopicNames()
                    .get()
                    .get("durable");
            assertThat(d.topicId()).isEqualTo(id);
            assertThat(d.partitions()).hasSize(5);
            Config c = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "durable")))
                    .all()
                    .get()
                    .values()
                    .iterator()
                    .next();
            assertThat(c.get("retention.ms").value()).isEqualTo("1000");
            assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
        }
        assertThat(Set.of(BROKER.broker().clusterId())).containsExactly(clusterId);
    }

    @Test
    void incrementalAlterConfigsChangesTopicConfigsAndTheLogObeys() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic("altered", 1, (short) 1)))
                    .all()
                    .get();
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "altered");
            admin.incrementalAlterConfigs(Map.of(
                            topic,
                            List.of(
                                    new org.apache.kafka.clients.admin.AlterConfigOp(
                                            new ConfigEntry("max.message.bytes", "1000"),
                                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET),
                                    new org.apache.kafka.clients.admin.AlterConfigOp(
                                            new ConfigEntry("cleanup.policy", "compact"),
                                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.APPEND))))
                    .all()
                    .get();
            Config c = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(c.get("max.message.bytes").value()).isEqualTo("1000");
            assertThat(c.get("max.message.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(c.get("cleanup.policy").value()).isEqualTo("delete,compact");

            // The partition log obeys the new limit at once.
            try (var producer = Clients.producer(BROKER.bootstrapServers(), "1")) {
                assertThatThrownBy(() -> producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                                        "altered", "k".getBytes(), new byte[5000]))
                                .get())
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.RecordTooLargeException.class);
            }

            admin.incrementalAlterConfigs(Map.of(
                            topic,
                            List.of(
                                    new org.apache.kafka.clients.admin.AlterConfigOp(
                                            new ConfigEntry("max.message.bytes", ""),
                                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE),
                                    new org.apache.kafka.clients.admin.AlterConfigOp(
                                            new ConfigEntry("cleanup.policy", "compact"),
                                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SUBTRACT))))
                    .all()
                    .get();
            c = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(c.get("max.message.bytes").value()).isEqualTo("1048588");
            assertThat(c.get("max.message.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertThat(c.get("cleanup.policy").value()).isEqualTo("delete");

            assertCause(
                    () -> admin.incrementalAlterConfigs(Map.of(
                                    topic,
                                    List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                                            new ConfigEntry("no.such.config", "1"),
                                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET))))
                            .all()
                            .get(),
                    InvalidConfigurationException.class);
            assertCause(
                    () -> admin.incrementalAlterConfigs(Map.of(
                                    topic,
                                    List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                                            new ConfigEntry("retention.ms", "x"),
                                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.APPEND))))
                            .all()
                            .get(),
                    InvalidConfigurationException.class);
            assertCause(
                    () -> admin.incrementalAlterConfigs(Map.of(
                                    new ConfigResource(ConfigResource.Type.TOPIC, "nope"),
                                    List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                                            new ConfigEntry("retention.ms", "1"),
                                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET))))
                            .all()
                            .get(),
                    UnknownTopicOrPartitionException.class);
        }
    }

    @Test
    void legacyAlterConfigsReplacesTheWholeSetOfOverrides() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic("replaced", 1, (short) 1)
                            .configs(Map.of("retention.ms", "1000", "segment.ms", "60000"))))
                    .all()
                    .get();
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "replaced");
            // kafka-clients 4 no longer sends AlterConfigs; older tools do.
            org.apache.kafka.common.message.AlterConfigsRequestData req =
                    new org.apache.kafka.common.message.AlterConfigsRequestData();
            org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource res =
                    new org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource()
                            .setResourceType((byte) 2)
                            .setResourceName("replaced");
            res.configs()
                    .add(new org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig()
                            .setName("retention.ms")
                            .setValue("2000"));
            req.resources().add(res);
            try (RawConnection raw = new RawConnection("127.0.0.1", BROKER.port())) {
                short v = 2;
                int corr = raw.send(org.apache.kafka.common.protocol.ApiKeys.ALTER_CONFIGS, v, req);
                org.apache.kafka.common.message.AlterConfigsResponseData resp =
                        new org.apache.kafka.common.message.AlterConfigsResponseData(
                                new org.apache.kafka.common.protocol.ByteBufferAccessor(raw.receive(
                                        corr,
                                        org.apache.kafka.common.protocol.ApiKeys.ALTER_CONFIGS.responseHeaderVersion(
                                                v))),
                                v);
                assertThat(resp.responses().get(0).errorCode()).isZero();
            }
            Config c = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(c.get("retention.ms").value()).isEqualTo("2000");
            assertThat(c.get("segment.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        }
    }

    interface Call {
        void run() throws Exception;
    }

    static void assertCause(Call call, Class<? extends Throwable> cause) {
        assertThatThrownBy(call::run).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(cause);
    }
}
