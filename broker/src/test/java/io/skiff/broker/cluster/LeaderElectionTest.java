package io.skiff.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.wire.protocol.Uuid;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Leader election and ISR removal when a broker is fenced or comes back, decided on images. */
class LeaderElectionTest {
    private static final Uuid TOPIC = Uuid.random();
    private static final Predicate<TopicImage> CLEAN = t -> false;
    private static final Predicate<TopicImage> UNCLEAN = t -> true;

    private static MetadataImage cluster(List<Integer> isr, int leader) {
        MetadataImage image = MetadataImage.EMPTY;
        for (int b = 1; b <= 3; b++) {
            image = image.apply(new MetadataRecord.BrokerRegistered(b, Uuid.random(), null, List.of()));
        }
        return image.apply(new MetadataRecord.TopicCreated(TOPIC, "t", 1, (short) 3))
                .apply(new MetadataRecord.PartitionCreated(TOPIC, 0, List.of(1, 2, 3), isr, leader, 4, 7));
    }

    private static PartitionImage after(MetadataImage image, List<MetadataRecord> records) {
        return LeaderElection.applied(image, records).partition(TOPIC, 0);
    }

    @Test
    void aFencedLeaderIsReplacedByTheNextInSyncReplicaInTheNextEpoch() {
        MetadataImage image = cluster(List.of(1, 2, 3), 1).apply(new MetadataRecord.BrokerFenced(1));
        PartitionImage p = after(image, LeaderElection.brokerDown(image, 1, CLEAN));
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.leaderEpoch()).isEqualTo(5);
        assertThat(p.isr()).containsExactly(2, 3);
        assertThat(p.partitionEpoch()).isEqualTo(8);
    }

    @Test
    void aFencedFollowerLeavesTheIsrAndTheLeaderEpochStays() {
        MetadataImage image = cluster(List.of(1, 2, 3), 1).apply(new MetadataRecord.BrokerFenced(3));
        PartitionImage p = after(image, LeaderElection.brokerDown(image, 3, CLEAN));
        assertThat(p.leader()).isEqualTo(1);
        assertThat(p.leaderEpoch()).isEqualTo(4);
        assertThat(p.isr()).containsExactly(1, 2);
    }

    @Test
    void theLastInSyncReplicaStaysAndThePartitionHasNoLeaderWhenItDies() {
        MetadataImage image = cluster(List.of(1), 1).apply(new MetadataRecord.BrokerFenced(1));
        PartitionImage p = after(image, LeaderElection.brokerDown(image, 1, CLEAN));
        assertThat(p.leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(p.isr()).containsExactly(1);
        assertThat(p.leaderEpoch()).isEqualTo(5);
    }

    @Test
    void uncleanElectionPicksALiveReplicaOutsideTheIsr() {
        MetadataImage image = cluster(List.of(1), 1).apply(new MetadataRecord.BrokerFenced(1));
        PartitionImage p = after(image, LeaderElection.brokerDown(image, 1, UNCLEAN));
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.isr()).containsExactly(2);
    }

    @Test
    void aBrokerBackInTheIsrOfALeaderlessPartitionLeadsIt() {
        MetadataImage image = cluster(List.of(1), 1).apply(new MetadataRecord.BrokerFenced(1));
        image = LeaderElection.applied(image, LeaderElection.brokerDown(image, 1, CLEAN))
                .apply(new MetadataRecord.BrokerUnfenced(1));
        PartitionImage p = after(image, LeaderElection.brokerUp(image, 1, CLEAN));
        assertThat(p.leader()).isEqualTo(1);
        assertThat(p.leaderEpoch()).isEqualTo(6);
    }

    @Test
    void aBrokerBackOutsideTheIsrDoesNotLeadWithoutUncleanElection() {
        MetadataImage image = cluster(List.of(1), 1).apply(new MetadataRecord.BrokerFenced(1));
        image = LeaderElection.applied(image, LeaderElection.brokerDown(image, 1, CLEAN));
        assertThat(LeaderElection.brokerUp(image, 2, CLEAN)).isEmpty();
        assertThat(after(image, LeaderElection.brokerUp(image, 2, UNCLEAN)).leader())
                .isEqualTo(2);
    }

    @Test
    void aRestartedLeaderRegisteringAnewHandsLeadershipToTheIsr() {
        MetadataImage image = cluster(List.of(1, 2, 3), 1);
        List<MetadataRecord> records = BrokerLifecycle.registration(
                image, new MetadataRecord.BrokerRegistered(1, Uuid.random(), null, List.of()), CLEAN);
        PartitionImage p = after(image, records);
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.isr()).containsExactly(2, 3);
    }
}
