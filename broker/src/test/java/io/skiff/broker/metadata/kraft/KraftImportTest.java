package io.skiff.broker.metadata.kraft;

import static io.skiff.broker.metadata.kraft.KraftImageTest.EVENTS;
import static io.skiff.broker.metadata.kraft.KraftImageTest.ORDERS;
import static io.skiff.broker.metadata.kraft.KraftImageTest.acl;
import static io.skiff.broker.metadata.kraft.KraftImageTest.config;
import static io.skiff.broker.metadata.kraft.KraftImageTest.partition;
import static io.skiff.broker.metadata.kraft.KraftImageTest.scram;
import static io.skiff.broker.metadata.kraft.KraftImageTest.topic;
import static io.skiff.broker.metadata.kraft.KraftLogFixture.segmentName;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.kraft.KraftLogFixture.Batch;
import io.skiff.broker.metadata.kraft.record.AccessControlEntryRecord;
import io.skiff.broker.metadata.kraft.record.ConfigRecord;
import io.skiff.broker.metadata.kraft.record.PartitionRecord;
import io.skiff.broker.metadata.kraft.record.ProducerIdsRecord;
import io.skiff.broker.metadata.kraft.record.TopicRecord;
import io.skiff.broker.metadata.kraft.record.UserScramCredentialRecord;
import io.skiff.wire.protocol.Uuid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KraftImportTest {
    @TempDir
    Path dir;

    private final BrokerConfig node1 = new BrokerConfig(Map.of("node.id", "1"));

    private KraftImport plan(Batch... batches) throws IOException {
        KraftLogFixture.write(dir.resolve(segmentName(0)), batches);
        return KraftImport.plan(KraftImage.load(dir), node1);
    }

    @Test
    void importsTopicsWithTheirIdsAndPartitionCountsAsSingleReplicaTopicsWithConfigsAndProducerIds()
            throws IOException {
        KraftImport plan = plan(new Batch(0)
                .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1, 2, 3)))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 1, List.of(1, 2, 3)))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 2, List.of(1, 2, 3)))
                .add(
                        ConfigRecord.API_KEY,
                        (short) 0,
                        config(KraftImage.TOPIC_RESOURCE, "orders", "cleanup.policy", "compact"))
                .add(
                        ConfigRecord.API_KEY,
                        (short) 0,
                        config(KraftImage.BROKER_RESOURCE, "", "min.insync.replicas", "1"))
                .add(
                        ConfigRecord.API_KEY,
                        (short) 0,
                        config(KraftImage.BROKER_RESOURCE, "1", "log.retention.ms", "5000"))
                .add(
                        ProducerIdsRecord.API_KEY,
                        (short) 0,
                        new ProducerIdsRecord().setBrokerId(1).setNextProducerId(7000)));

        assertThat(plan.records())
                .containsExactly(
                        new MetadataRecord.TopicCreated(ORDERS, "orders", 3, (short) 1),
                        new MetadataRecord.TopicConfigChanged(ORDERS, "cleanup.policy", "compact"),
                        new MetadataRecord.BrokerConfigChanged(-1, "min.insync.replicas", "1"),
                        new MetadataRecord.BrokerConfigChanged(1, "log.retention.ms", "5000"),
                        new MetadataRecord.ProducerIdsAllocated(7000));
        assertThat(plan.refusal()).isNull();
        assertThat(plan.warnings()).isEmpty();
        assertThat(plan.summary())
                .contains("imported 1 topic, 3 partitions, 1 topic config, 2 dynamic broker configs, "
                        + "producer ids from 7000");
    }

    @Test
    void reportsWhatSkiffDoesNotImport() throws IOException {
        KraftImport plan = plan(new Batch(0)
                .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1)))
                .add(
                        ConfigRecord.API_KEY,
                        (short) 0,
                        config(KraftImage.TOPIC_RESOURCE, "orders", "no.such.config", "x"))
                .add(ConfigRecord.API_KEY, (short) 0, config(KraftImage.BROKER_RESOURCE, "2", "log.retention.ms", "1"))
                .add(
                        ConfigRecord.API_KEY,
                        (short) 0,
                        config(KraftImage.BROKER_RESOURCE, "", "no.such.broker.config", "1"))
                .add(ConfigRecord.API_KEY, (short) 0, config((byte) 32, "g1", "consumer.session.timeout.ms", "45000"))
                .add(UserScramCredentialRecord.API_KEY, (short) 0, scram("alice", (byte) 1))
                .add(UserScramCredentialRecord.API_KEY, (short) 0, scram("bob", (byte) 2)));

        assertThat(plan.records()).containsExactly(new MetadataRecord.TopicCreated(ORDERS, "orders", 1, (short) 1));
        assertThat(plan.summary())
                .contains("not imported (not supported by Skiff yet): 2 SCRAM credentials, "
                        + "1 dynamic broker config (no.such.broker.config), 1 dynamic broker config (of node 2), 1 group config, "
                        + "1 topic config (no.such.config)");
        assertThat(plan.refusal()).isNull();
    }

    @Test
    void refusesAClusterWithAcls() throws IOException {
        KraftImport plan = plan(new Batch(0).add(AccessControlEntryRecord.API_KEY, (short) 0, acl(Uuid.random())));

        assertThat(plan.refusal()).contains("1 ACLs").contains("does not enforce ACLs");
    }

    @Test
    void warnsOfPartitionsThatHadNoReplicaOnThisNode() throws IOException {
        KraftImport plan = plan(new Batch(0)
                .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1, 2)))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 1, List.of(2, 3)))
                .add(TopicRecord.API_KEY, (short) 0, topic("events", EVENTS))
                .add(PartitionRecord.API_KEY, (short) 2, partition(EVENTS, 0, List.of(3))));

        assertThat(plan.topics()).isEqualTo(2);
        assertThat(plan.partitions()).isEqualTo(3);
        assertThat(plan.warnings())
                .containsExactly("2 partitions had no replica on node 1 in Kafka; Skiff serves them "
                        + "from whatever this node holds (empty when nothing): orders-1, events-0");
    }

    @Test
    void warnsWhenTheOffsetsTopicPartitionCountDiffersFromTheConfiguredOne() throws IOException {
        Uuid offsets = Uuid.random();
        KraftImport plan = plan(new Batch(0)
                .add(TopicRecord.API_KEY, (short) 0, topic("__consumer_offsets", offsets))
                .add(PartitionRecord.API_KEY, (short) 2, partition(offsets, 0, List.of(1)))
                .add(PartitionRecord.API_KEY, (short) 2, partition(offsets, 1, List.of(1))));

        assertThat(plan.warnings())
                .singleElement()
                .asString()
                .contains("__consumer_offsets has 2 partitions")
                .contains("offsets.topic.num.partitions is 50");
    }
}
