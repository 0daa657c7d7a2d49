package io.skiff.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.wire.protocol.Uuid;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The automatic preferred-leader rebalance's decision on metadata images. */
class LeaderRebalanceTest {
    private static final Uuid TOPIC = Uuid.random();

    /** Three brokers and topic "t" with one partition per entry of {@code leaders}, replicas rotated from 1. */
    private static MetadataImage cluster(List<Integer> isr, int... leaders) {
        MetadataImage image = MetadataImage.EMPTY;
        for (int b = 1; b <= 3; b++) {
            image = image.apply(new MetadataRecord.BrokerRegistered(b, Uuid.random(), null, List.of()));
        }
        image = image.apply(new MetadataRecord.TopicCreated(TOPIC, "t", leaders.length, (short) 3));
        for (int p = 0; p < leaders.length; p++) {
            List<Integer> replicas = List.of(p % 3 + 1, (p + 1) % 3 + 1, (p + 2) % 3 + 1);
            image = image.apply(new MetadataRecord.PartitionCreated(TOPIC, p, replicas, isr, leaders[p], 2, 5));
        }
        return image;
    }

    private static PartitionImage after(MetadataImage image, List<MetadataRecord> records, int partition) {
        return LeaderElection.applied(image, records).partition(TOPIC, partition);
    }

    @Test
    void everyPartitionNotLedByItsLiveInSyncPreferredReplicaMovesBackInOneDecision() {
        // Preferred replicas 1, 2, 3, 1; partitions 0 and 3 are led by 2, partition 1 by its preferred 2.
        MetadataImage image = cluster(List.of(1, 2, 3), 2, 2, 1, 2);
        assertThat(LeaderRebalance.imbalanced(image)).isEqualTo(3);
        List<MetadataRecord> moves = LeaderRebalance.decide(image, LeaderRebalance.MAX_ELECTIONS_PER_CHECK);
        assertThat(moves).hasSize(3);
        assertThat(after(image, moves, 0).leader()).isEqualTo(1);
        assertThat(after(image, moves, 1).leader()).isEqualTo(2);
        assertThat(after(image, moves, 2).leader()).isEqualTo(3);
        assertThat(after(image, moves, 3).leader()).isEqualTo(1);
        PartitionImage moved = after(image, moves, 0);
        assertThat(moved.leaderEpoch()).isEqualTo(3);
        assertThat(moved.partitionEpoch()).isEqualTo(6);
        assertThat(moved.isr()).containsExactly(1, 2, 3);
        assertThat(LeaderRebalance.imbalanced(LeaderElection.applied(image, moves)))
                .isZero();
        assertThat(LeaderRebalance.decide(LeaderElection.applied(image, moves), 1000))
                .isEmpty();
    }

    @Test
    void aPreferredReplicaOutOfTheIsrOrFencedKeepsItsPartitionWhereItIs() {
        MetadataImage outOfIsr = cluster(List.of(2, 3), 2);
        assertThat(LeaderRebalance.imbalanced(outOfIsr)).isEqualTo(1);
        assertThat(LeaderRebalance.decide(outOfIsr, 1000)).isEmpty();
        MetadataImage fenced = cluster(List.of(1, 2, 3), 2).apply(new MetadataRecord.BrokerFenced(1));
        assertThat(LeaderRebalance.decide(fenced, 1000)).isEmpty();
    }

    @Test
    void aBalancedClusterNeedsNothing() {
        MetadataImage image = cluster(List.of(1, 2, 3), 1, 2, 3);
        assertThat(LeaderRebalance.imbalanced(image)).isZero();
        assertThat(LeaderRebalance.decide(image, 1000)).isEmpty();
    }

    @Test
    void aPartitionWithoutLeaderGetsItsPreferredReplicaOrAnotherLiveInSyncOne() {
        MetadataImage image = cluster(List.of(1, 2, 3), PartitionImage.NO_LEADER);
        assertThat(LeaderRebalance.imbalanced(image)).isEqualTo(1);
        assertThat(after(image, LeaderRebalance.decide(image, 1000), 0).leader())
                .isEqualTo(1);
        MetadataImage fenced = image.apply(new MetadataRecord.BrokerFenced(1));
        assertThat(after(fenced, LeaderRebalance.decide(fenced, 1000), 0).leader())
                .isEqualTo(2);
    }

    @Test
    void oneDecisionElectsAtMostTheLimitAndTheNextTakesTheRest() {
        MetadataImage image = cluster(List.of(1, 2, 3), 2, 3, 1, 2, 3);
        List<MetadataRecord> first = LeaderRebalance.decide(image, 2);
        assertThat(first).hasSize(2);
        MetadataImage next = LeaderElection.applied(image, first);
        assertThat(LeaderRebalance.imbalanced(next)).isEqualTo(3);
        List<MetadataRecord> rest = LeaderRebalance.decide(next, 1000);
        assertThat(rest).hasSize(3);
        assertThat(LeaderRebalance.imbalanced(LeaderElection.applied(next, rest)))
                .isZero();
    }
}
