package io.skiff.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.protocol.Uuid;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataEntriesTest {
    private static final Uuid KEPT = Uuid.random();
    private static final Uuid GONE = Uuid.random();

    private static MetadataImage sample() {
        List<MetadataRecord> records = List.of(
                new MetadataRecord.TopicCreated(GONE, "gone", 2, (short) 1),
                new MetadataRecord.TopicCreated(KEPT, "kept", 1, (short) 1),
                new MetadataRecord.PartitionsAdded(KEPT, 4),
                new MetadataRecord.TopicConfigChanged(KEPT, "cleanup.policy", "compact"),
                new MetadataRecord.TopicDeleted(GONE),
                new MetadataRecord.BrokerConfigChanged(-1, "log.retention.ms", "1000"),
                new MetadataRecord.ProducerIdsAllocated(5000),
                new MetadataRecord.ClientQuotaChanged(Map.of("user", "alice"), "producer_byte_rate", 1024.0),
                new MetadataRecord.UserScramCredentialChanged(
                        "bob", (byte) 1, new byte[] {1}, new byte[] {2}, new byte[] {3}, 4096),
                new MetadataRecord.AclCreated(
                        Uuid.random(), (byte) 2, "kept", (byte) 3, "User:bob", "*", (byte) 3, (byte) 3),
                new MetadataRecord.BrokerRegistered(
                        1,
                        Uuid.random(),
                        "rack-1",
                        List.of(new MetadataRecord.BrokerRegistered.Listener(
                                "PLAINTEXT", "127.0.0.1", 9092, (short) 0))),
                new MetadataRecord.BrokerRegistered(2, Uuid.random(), null, List.of()),
                new MetadataRecord.BrokerFenced(2),
                new MetadataRecord.BrokerRegistered(3, Uuid.random(), null, List.of()),
                new MetadataRecord.BrokerControlledShutdown(3),
                new MetadataRecord.BrokerFenced(3));
        MetadataImage image = MetadataImage.EMPTY;
        for (MetadataRecord r : records) {
            image = image.apply(r);
        }
        return image;
    }

    @Test
    void aSnapshotRestoresTheWholeImageItsOffsetAndIndexes() {
        MetadataImage image = sample();
        MetadataQuorum.State restored = MetadataQuorum.State.decode(new MetadataQuorum.State(image, 17, 21).encode());
        assertThat(restored.lastChange()).isEqualTo(17);
        assertThat(restored.applied()).isEqualTo(21);
        MetadataImage copy = restored.image();
        assertThat(copy.offset()).isEqualTo(image.offset());
        assertThat(copy.asRecords()).isEqualTo(image.asRecords());
        assertThat(copy.wasDeleted(GONE)).isTrue();
        assertThat(copy.topic("gone")).isNull();
        assertThat(copy.topic("kept").partitions()).isEqualTo(4);
        assertThat(copy.topic("kept").configs()).containsEntry("cleanup.policy", "compact");
        assertThat(copy.nextProducerId()).isEqualTo(5000);
        assertThat(copy.brokers().get(1).fenced()).isFalse();
        assertThat(copy.brokers().get(1).registration().rack()).isEqualTo("rack-1");
        assertThat(copy.brokers().get(2).fenced()).isTrue();
        assertThat(copy.brokers().get(2).inControlledShutdown()).isFalse();
        assertThat(copy.brokers().get(3).fenced()).isTrue();
        assertThat(copy.brokers().get(3).inControlledShutdown()).isTrue();
        assertThat(copy.brokers().get(3).active()).isFalse();
        assertThat(copy.acls()).hasSize(1);
    }

    @Test
    void anEntryKeepsItsDecisionIndexOriginRequestAndRecords() {
        MetadataQuorum.Entry entry =
                new MetadataQuorum.Entry(42, 3, -7L, List.of(new MetadataRecord.TopicCreated(KEPT, "t", 1, (short) 1)));
        assertThat(MetadataQuorum.Entry.decode(entry.encode())).isEqualTo(entry);
    }

    @Test
    void changesFromAnOlderImageNameEveryTopicChange() {
        MetadataImage before = MetadataImage.EMPTY
                .apply(new MetadataRecord.TopicCreated(GONE, "gone", 1, (short) 1))
                .apply(new MetadataRecord.TopicCreated(KEPT, "kept", 1, (short) 1));
        MetadataImage after = sample();
        assertThat(after.changesFrom(before))
                .contains(
                        new MetadataRecord.TopicDeleted(GONE),
                        new MetadataRecord.PartitionsAdded(KEPT, 4),
                        new MetadataRecord.TopicConfigChanged(KEPT, "cleanup.policy", "compact"),
                        new MetadataRecord.ClientQuotaChanged(Map.of("user", "alice"), "producer_byte_rate", 1024.0));
        assertThat(before.changesFrom(after))
                .contains(new MetadataRecord.TopicCreated(GONE, "gone", 1, (short) 1))
                .contains(new MetadataRecord.ClientQuotaChanged(Map.of("user", "alice"), "producer_byte_rate", null));
    }
}
