package io.skiff.broker.metadata.kraft;

import static io.skiff.broker.metadata.kraft.KraftLogFixture.segmentName;
import static io.skiff.broker.metadata.kraft.KraftLogFixture.snapshotName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.broker.metadata.kraft.KraftLogFixture.Batch;
import io.skiff.broker.metadata.kraft.record.AbortTransactionRecord;
import io.skiff.broker.metadata.kraft.record.AccessControlEntryRecord;
import io.skiff.broker.metadata.kraft.record.BeginTransactionRecord;
import io.skiff.broker.metadata.kraft.record.ClientQuotaRecord;
import io.skiff.broker.metadata.kraft.record.ConfigRecord;
import io.skiff.broker.metadata.kraft.record.EndTransactionRecord;
import io.skiff.broker.metadata.kraft.record.FeatureLevelRecord;
import io.skiff.broker.metadata.kraft.record.NoOpRecord;
import io.skiff.broker.metadata.kraft.record.PartitionChangeRecord;
import io.skiff.broker.metadata.kraft.record.PartitionRecord;
import io.skiff.broker.metadata.kraft.record.ProducerIdsRecord;
import io.skiff.broker.metadata.kraft.record.RegisterBrokerRecord;
import io.skiff.broker.metadata.kraft.record.RemoveAccessControlEntryRecord;
import io.skiff.broker.metadata.kraft.record.RemoveTopicRecord;
import io.skiff.broker.metadata.kraft.record.RemoveUserScramCredentialRecord;
import io.skiff.broker.metadata.kraft.record.TopicRecord;
import io.skiff.broker.metadata.kraft.record.UserScramCredentialRecord;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.protocol.Uuid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KraftImageTest {
    static final Uuid ORDERS = Uuid.random();
    static final Uuid EVENTS = Uuid.random();

    @TempDir
    Path dir;

    static TopicRecord topic(String name, Uuid id) {
        return new TopicRecord().setName(name).setTopicId(id);
    }

    static PartitionRecord partition(Uuid topic, int id, List<Integer> replicas) {
        return new PartitionRecord()
                .setTopicId(topic)
                .setPartitionId(id)
                .setReplicas(replicas)
                .setIsr(replicas)
                .setRemovingReplicas(List.of())
                .setAddingReplicas(List.of())
                .setLeader(replicas.get(0))
                .setLeaderEpoch(0)
                .setPartitionEpoch(0)
                .setDirectories(List.of());
    }

    static ConfigRecord config(byte type, String resource, String name, String value) {
        return new ConfigRecord()
                .setResourceType(type)
                .setResourceName(resource)
                .setName(name)
                .setValue(value);
    }

    private KraftImage load() throws IOException {
        return KraftImage.load(dir);
    }

    @Test
    void replaysTopicsPartitionsConfigsFeaturesAndProducerIdsAndSkipsControlBatches() throws IOException {
        KraftLogFixture.write(
                dir.resolve(segmentName(0)),
                new Batch(0).control(),
                new Batch(1)
                        .add(
                                FeatureLevelRecord.API_KEY,
                                (short) 0,
                                new FeatureLevelRecord()
                                        .setName("metadata.version")
                                        .setFeatureLevel((short) 30)),
                new Batch(2)
                        .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1)))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 1, List.of(1)))
                        .add(
                                ConfigRecord.API_KEY,
                                (short) 0,
                                config(KraftImage.TOPIC_RESOURCE, "orders", "retention.ms", "1000")),
                new Batch(6)
                        .add(
                                ProducerIdsRecord.API_KEY,
                                (short) 0,
                                new ProducerIdsRecord().setBrokerId(1).setNextProducerId(2000))
                        .add(
                                ProducerIdsRecord.API_KEY,
                                (short) 0,
                                new ProducerIdsRecord().setBrokerId(1).setNextProducerId(3000))
                        .add(NoOpRecord.API_KEY, (short) 0, new NoOpRecord())
                        .add(RegisterBrokerRecord.API_KEY, (short) 4, new RegisterBrokerRecord().setBrokerId(1)));

        KraftImage image = load();

        assertThat(image.topics()).hasSize(1);
        KraftImage.Topic t = image.topics().iterator().next();
        assertThat(t.name).isEqualTo("orders");
        assertThat(t.id).isEqualTo(ORDERS);
        assertThat(t.partitions.keySet()).containsExactly(0, 1);
        assertThat(image.configs(KraftImage.TOPIC_RESOURCE)).containsEntry("orders", Map.of("retention.ms", "1000"));
        assertThat(image.features()).containsEntry("metadata.version", (short) 30);
        assertThat(image.nextProducerId()).isEqualTo(3000);
        assertThat(image.ignored()).containsEntry("NoOpRecord", 1L).containsEntry("RegisterBrokerRecord", 1L);
        assertThat(image.source().logRecords()).isEqualTo(9);
        assertThat(image.source().nextOffset()).isEqualTo(10);
        assertThat(image.source().snapshot()).isNull();
    }

    @Test
    void readsTheLatestSnapshotThenTheLogFromItsEndOffset() throws IOException {
        // An older snapshot, the latest one (end offset 3), and a partial one that must be ignored.
        KraftLogFixture.write(
                dir.resolve(snapshotName(1, 1)),
                new Batch(0).add(TopicRecord.API_KEY, (short) 0, topic("stale", Uuid.random())));
        KraftLogFixture.write(
                dir.resolve(snapshotName(3, 1)),
                new Batch(0).control(),
                new Batch(1)
                        .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1))),
                new Batch(3).control());
        KraftLogFixture.write(
                dir.resolve(snapshotName(9, 1) + ".part"),
                new Batch(0).add(TopicRecord.API_KEY, (short) 0, topic("partial", Uuid.random())));
        // The log still holds the records before the snapshot: they must not be applied twice.
        KraftLogFixture.write(
                dir.resolve(segmentName(0)),
                new Batch(0)
                        .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1)))
                        .add(RemoveTopicRecord.API_KEY, (short) 0, new RemoveTopicRecord().setTopicId(ORDERS))
                        .add(TopicRecord.API_KEY, (short) 0, topic("events", EVENTS))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(EVENTS, 0, List.of(1))));

        KraftImage image = load();

        assertThat(image.topics()).extracting(t -> t.name).containsExactly("orders", "events");
        assertThat(image.source().snapshot()).isEqualTo(snapshotName(3, 1));
        assertThat(image.source().snapshotRecords()).isEqualTo(2);
        assertThat(image.source().logRecords()).isEqualTo(2);
    }

    @Test
    void removingATopicDropsItsPartitionsAndConfigsAndANullValueDeletesAConfig() throws IOException {
        KraftLogFixture.write(
                dir.resolve(segmentName(0)),
                new Batch(0)
                        .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1)))
                        .add(
                                ConfigRecord.API_KEY,
                                (short) 0,
                                config(KraftImage.TOPIC_RESOURCE, "orders", "retention.ms", "1"))
                        .add(ConfigRecord.API_KEY, (short) 0, config(KraftImage.BROKER_RESOURCE, "", "a", "1"))
                        .add(ConfigRecord.API_KEY, (short) 0, config(KraftImage.BROKER_RESOURCE, "", "b", "2"))
                        .add(ConfigRecord.API_KEY, (short) 0, config(KraftImage.BROKER_RESOURCE, "", "a", null))
                        .add(RemoveTopicRecord.API_KEY, (short) 0, new RemoveTopicRecord().setTopicId(ORDERS)));

        KraftImage image = load();

        assertThat(image.topics()).isEmpty();
        assertThat(image.configs(KraftImage.TOPIC_RESOURCE)).doesNotContainKey("orders");
        assertThat(image.configs(KraftImage.BROKER_RESOURCE)).containsEntry("", Map.of("b", "2"));
    }

    @Test
    void appliesCommittedMetadataTransactionsAndDropsAbortedAndUnfinishedOnes() throws IOException {
        KraftLogFixture.write(
                dir.resolve(segmentName(0)),
                new Batch(0)
                        .add(BeginTransactionRecord.API_KEY, (short) 0, new BeginTransactionRecord().setName("ok"))
                        .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1)))
                        .add(EndTransactionRecord.API_KEY, (short) 0, new EndTransactionRecord()),
                new Batch(4)
                        .add(BeginTransactionRecord.API_KEY, (short) 0, new BeginTransactionRecord().setName("aborted"))
                        .add(RemoveTopicRecord.API_KEY, (short) 0, new RemoveTopicRecord().setTopicId(ORDERS))
                        .add(AbortTransactionRecord.API_KEY, (short) 0, new AbortTransactionRecord()),
                new Batch(7)
                        .add(
                                BeginTransactionRecord.API_KEY,
                                (short) 0,
                                new BeginTransactionRecord().setName("unfinished"))
                        .add(TopicRecord.API_KEY, (short) 0, topic("events", EVENTS)));

        KraftImage image = load();

        assertThat(image.topics()).extracting(t -> t.name).containsExactly("orders");
        assertThat(image.abortedRecords()).isEqualTo(2);
    }

    @Test
    void aPartitionChangeUpdatesReplicasAndBumpsTheLeaderEpochOnALeaderChange() throws IOException {
        KraftLogFixture.write(
                dir.resolve(segmentName(0)),
                new Batch(0)
                        .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1, 2)))
                        .add(
                                PartitionChangeRecord.API_KEY,
                                (short) 2,
                                new PartitionChangeRecord()
                                        .setTopicId(ORDERS)
                                        .setPartitionId(0)
                                        .setLeader(-1))
                        .add(
                                PartitionChangeRecord.API_KEY,
                                (short) 2,
                                new PartitionChangeRecord()
                                        .setTopicId(ORDERS)
                                        .setPartitionId(0)
                                        .setLeader(2)
                                        .setReplicas(List.of(2, 3)))
                        .add(
                                PartitionChangeRecord.API_KEY,
                                (short) 2,
                                new PartitionChangeRecord()
                                        .setTopicId(ORDERS)
                                        .setPartitionId(0)
                                        .setIsr(List.of(2))));

        KraftImage.Partition p = load().topics().iterator().next().partitions.get(0);

        assertThat(p.leader).isEqualTo(2);
        assertThat(p.leaderEpoch).isEqualTo(2);
        assertThat(p.replicas).containsExactly(2, 3);
    }

    @Test
    void countsLiveQuotasCredentialsAndAcls() throws IOException {
        Uuid acl1 = Uuid.random();
        Uuid acl2 = Uuid.random();
        ClientQuotaRecord quota = new ClientQuotaRecord()
                .setKey("producer_byte_rate")
                .setValue(1024)
                .setEntity(List.of(
                        new ClientQuotaRecord.EntityData().setEntityType("user").setEntityName("alice")));
        ClientQuotaRecord removed = new ClientQuotaRecord()
                .setKey("producer_byte_rate")
                .setRemove(true)
                .setEntity(List.of(
                        new ClientQuotaRecord.EntityData().setEntityType("user").setEntityName("alice")));
        KraftLogFixture.write(
                dir.resolve(segmentName(0)),
                new Batch(0)
                        .add(ClientQuotaRecord.API_KEY, (short) 0, quota)
                        .add(ClientQuotaRecord.API_KEY, (short) 0, removed)
                        .add(
                                ClientQuotaRecord.API_KEY,
                                (short) 0,
                                new ClientQuotaRecord()
                                        .setKey("consumer_byte_rate")
                                        .setValue(1)
                                        .setEntity(List.of(new ClientQuotaRecord.EntityData()
                                                .setEntityType("user")
                                                .setEntityName("alice"))))
                        .add(UserScramCredentialRecord.API_KEY, (short) 0, scram("alice", (byte) 1))
                        .add(UserScramCredentialRecord.API_KEY, (short) 0, scram("bob", (byte) 1))
                        .add(
                                RemoveUserScramCredentialRecord.API_KEY,
                                (short) 0,
                                new RemoveUserScramCredentialRecord()
                                        .setName("bob")
                                        .setMechanism((byte) 1))
                        .add(AccessControlEntryRecord.API_KEY, (short) 0, acl(acl1))
                        .add(AccessControlEntryRecord.API_KEY, (short) 0, acl(acl2))
                        .add(
                                RemoveAccessControlEntryRecord.API_KEY,
                                (short) 0,
                                new RemoveAccessControlEntryRecord().setId(acl1)));

        KraftImage image = load();

        assertThat(image.clientQuotas()).isEqualTo(1);
        assertThat(image.scramCredentials()).isEqualTo(1);
        assertThat(image.acls()).isEqualTo(1);
    }

    static UserScramCredentialRecord scram(String user, byte mechanism) {
        return new UserScramCredentialRecord()
                .setName(user)
                .setMechanism(mechanism)
                .setSalt(new byte[] {1})
                .setStoredKey(new byte[] {2})
                .setServerKey(new byte[] {3})
                .setIterations(4096);
    }

    static AccessControlEntryRecord acl(Uuid id) {
        return new AccessControlEntryRecord()
                .setId(id)
                .setResourceType((byte) 2)
                .setResourceName("orders")
                .setPatternType((byte) 3)
                .setPrincipal("User:alice")
                .setHost("*")
                .setOperation((byte) 3)
                .setPermissionType((byte) 3);
    }

    @Test
    void readsCompressedBatches() throws IOException {
        KraftLogFixture.write(
                dir.resolve(segmentName(0)),
                new Batch(0)
                        .compressed(Codecs.ZSTD)
                        .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1))),
                new Batch(2)
                        .compressed(Codecs.LZ4)
                        .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 1, List.of(1))));

        assertThat(load().topics().iterator().next().partitions.keySet()).containsExactly(0, 1);
    }

    @Test
    void aTornTailOfTheLastSegmentEndsTheLogThere() throws IOException {
        byte[] good = KraftLogFixture.bytes(new Batch(0)
                .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1))));
        byte[] next = KraftLogFixture.bytes(new Batch(2).add(TopicRecord.API_KEY, (short) 0, topic("events", EVENTS)));
        byte[] torn = new byte[good.length + next.length - 5];
        System.arraycopy(good, 0, torn, 0, good.length);
        System.arraycopy(next, 0, torn, good.length, next.length - 5);
        Files.write(dir.resolve(segmentName(0)), torn);

        KraftImage image = load();

        assertThat(image.topics()).extracting(t -> t.name).containsExactly("orders");
        assertThat(image.source().tornTail()).contains("a partial batch");
    }

    @Test
    void refusesACorruptBatchThatLaterSegmentsFollow() throws IOException {
        byte[] first = KraftLogFixture.bytes(new Batch(0).add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS)));
        first[first.length - 1] ^= 0x55; // breaks the CRC
        Files.write(dir.resolve(segmentName(0)), first);
        KraftLogFixture.write(
                dir.resolve(segmentName(1)), new Batch(1).add(TopicRecord.API_KEY, (short) 0, topic("events", EVENTS)));

        assertThatThrownBy(this::load)
                .isInstanceOf(KraftMigrationException.class)
                .hasMessageContaining("CRC");
    }

    @Test
    void refusesALogWithMissingOffsets() throws IOException {
        KraftLogFixture.write(
                dir.resolve(segmentName(5)), new Batch(5).add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS)));

        assertThatThrownBy(this::load)
                .isInstanceOf(KraftMigrationException.class)
                .hasMessageContaining("lacks the records from offset 0");
    }

    @Test
    void refusesRecordTypesAndVersionsNewerThanKafka431s() throws IOException {
        KraftLogFixture.write(dir.resolve(segmentName(0)), new Batch(0).add((short) 29, (short) 0, new NoOpRecord()));
        assertThatThrownBy(this::load)
                .isInstanceOf(KraftMigrationException.class)
                .hasMessageContaining("type 29");

        byte[] frame = KraftLogFixture.frame(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS));
        frame[2] = 1; // frame version, api key, then the record's version: claim version 1
        KraftLogFixture.write(dir.resolve(segmentName(0)), new Batch(0).addFrame(frame));
        assertThatThrownBy(this::load)
                .isInstanceOf(KraftMigrationException.class)
                .hasMessageContaining("version 1");
    }
}
