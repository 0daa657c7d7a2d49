package io.skiff.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.wire.protocol.Uuid;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Partition states in the image: placement, creation, changes checked against the partition epoch, snapshots. */
class PartitionStateTest {
    private static final Uuid TOPIC = Uuid.random();

    private static MetadataImage withTopic() {
        return MetadataImage.EMPTY
                .apply(new MetadataRecord.TopicCreated(TOPIC, "t", 2, (short) 3))
                .apply(new MetadataRecord.PartitionCreated(TOPIC, 0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 0))
                .apply(new MetadataRecord.PartitionCreated(TOPIC, 1, List.of(2, 3, 1), List.of(2, 3, 1), 2, 0, 0));
    }

    @Test
    void placementGivesConsecutiveBrokersStartingOneFurtherPerPartition() {
        List<List<Integer>> replicas = Placement.assign(TOPIC, 0, 4, 3, List.of(3, 1, 2));
        int start = replicas.get(0).get(0);
        for (int p = 0; p < 4; p++) {
            List<Integer> r = replicas.get(p);
            assertThat(r).hasSize(3).doesNotHaveDuplicates();
            assertThat(r.get(0)).isEqualTo(1 + Math.floorMod(start - 1 + p, 3));
            assertThat(r.get(1)).isEqualTo(1 + Math.floorMod(r.get(0), 3));
        }
        assertThat(replicas.stream().map(r -> r.get(0)).distinct()).hasSize(3);
    }

    @Test
    void placementRefusesMoreReplicasThanBrokers() {
        assertThatThrownBy(() -> Placement.assign(TOPIC, 0, 1, 3, List.of(1, 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partitionCreatedAndChangedBuildTheState() {
        MetadataImage image = withTopic().apply(new MetadataRecord.PartitionChanged(TOPIC, 0, List.of(2, 3), 2, 1, 1));
        PartitionImage p = image.partition(TOPIC, 0);
        assertThat(p.replicas()).containsExactly(1, 2, 3);
        assertThat(p.isr()).containsExactly(2, 3);
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.leaderEpoch()).isEqualTo(1);
        assertThat(p.partitionEpoch()).isEqualTo(1);
        assertThat(image.partition(TOPIC, 1).leader()).isEqualTo(2);
    }

    @Test
    void aChangeOnAStalePartitionEpochDoesNotApply() {
        MetadataImage image = withTopic().apply(new MetadataRecord.PartitionChanged(TOPIC, 0, List.of(1, 2), 1, 0, 1));
        assertThatThrownBy(() -> image.apply(new MetadataRecord.PartitionChanged(TOPIC, 0, List.of(1), 1, 0, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("partition epoch");
    }

    @Test
    void aLeaderOutsideTheIsrOrAnIsrMemberOutsideTheReplicasDoesNotApply() {
        assertThatThrownBy(() -> withTopic().apply(new MetadataRecord.PartitionChanged(TOPIC, 0, List.of(2), 1, 1, 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(
                        () -> withTopic().apply(new MetadataRecord.PartitionChanged(TOPIC, 0, List.of(1, 4), 1, 1, 1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void deletingTheTopicDropsItsPartitionStates() {
        MetadataImage image = withTopic().apply(new MetadataRecord.TopicDeleted(TOPIC));
        assertThat(image.partition(TOPIC, 0)).isNull();
        assertThat(image.partitions(TOPIC)).isEmpty();
    }

    @Test
    void snapshotsKeepPartitionStatesAndChangesNameThem() {
        MetadataImage image = withTopic().apply(new MetadataRecord.PartitionChanged(TOPIC, 0, List.of(1, 2), 1, 0, 1));
        MetadataQuorum.State restored = MetadataQuorum.State.decode(new MetadataQuorum.State(image, 7, 9).encode());
        assertThat(restored.image().partitions(TOPIC)).isEqualTo(image.partitions(TOPIC));
        assertThat(image.changesFrom(withTopic()))
                .containsExactly(new MetadataRecord.PartitionChanged(TOPIC, 0, List.of(1, 2), 1, 0, 1));
        assertThat(image.changesFrom(MetadataImage.EMPTY))
                .contains(new MetadataRecord.PartitionCreated(TOPIC, 1, List.of(2, 3, 1), List.of(2, 3, 1), 2, 0, 0));
        assertThat(Map.copyOf(image.partitions(TOPIC))).hasSize(2);
    }
}
