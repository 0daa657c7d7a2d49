package io.skiff.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.wire.protocol.Uuid;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A broker's controlled shutdown decided on metadata images, and what it keeps the broker from. */
class ControlledShutdownTest {
    private static final Uuid TOPIC = Uuid.random();
    private static final Uuid[] INCARNATIONS = {Uuid.random(), Uuid.random(), Uuid.random()};

    /** Three brokers and topic "t": partition 0 led by 1, partition 1 led by 2, partition 2 led by 1 with ISR {1}. */
    private static MetadataImage cluster() {
        MetadataImage image = MetadataImage.EMPTY;
        for (int b = 1; b <= 3; b++) {
            image = image.apply(new MetadataRecord.BrokerRegistered(b, INCARNATIONS[b - 1], null, List.of()));
        }
        return image.apply(new MetadataRecord.TopicCreated(TOPIC, "t", 3, (short) 3))
                .apply(new MetadataRecord.PartitionCreated(TOPIC, 0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 7))
                .apply(new MetadataRecord.PartitionCreated(TOPIC, 1, List.of(2, 3, 1), List.of(2, 3, 1), 2, 4, 7))
                .apply(new MetadataRecord.PartitionCreated(TOPIC, 2, List.of(1, 2, 3), List.of(1), 1, 4, 7));
    }

    private static List<MetadataRecord> shutdown(MetadataImage image, int nodeId) {
        return BrokerLifecycle.controlledShutdown(image, nodeId, INCARNATIONS[nodeId - 1], t -> false);
    }

    @Test
    void theBrokerLeavesEveryIsrAndItsLeadershipsMoveToTheNextInSyncReplica() {
        MetadataImage image = cluster();
        List<MetadataRecord> records = shutdown(image, 1);
        assertThat(records.get(0)).isEqualTo(new MetadataRecord.BrokerControlledShutdown(1));
        MetadataImage after = LeaderElection.applied(image, records);
        assertThat(after.brokers().get(1).inControlledShutdown()).isTrue();
        assertThat(after.brokers().get(1).fenced()).isFalse();
        assertThat(after.brokers().get(1).active()).isFalse();
        PartitionImage p0 = after.partition(TOPIC, 0);
        assertThat(p0.leader()).isEqualTo(2);
        assertThat(p0.isr()).containsExactly(2, 3);
        assertThat(p0.leaderEpoch()).isEqualTo(5);
        assertThat(p0.partitionEpoch()).isEqualTo(8);
        PartitionImage p1 = after.partition(TOPIC, 1);
        assertThat(p1.leader()).isEqualTo(2);
        assertThat(p1.isr()).containsExactly(2, 3);
        assertThat(p1.leaderEpoch())
                .as("a follower leaving the ISR keeps the leader epoch")
                .isEqualTo(4);
        // The last ISR member stays in the ISR, as Kafka keeps it; its partition has no leader then.
        PartitionImage p2 = after.partition(TOPIC, 2);
        assertThat(p2.leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(p2.isr()).containsExactly(1);
        assertThat(BrokerLifecycle.ledBy(after, 1)).isZero();
        assertThat(shutdown(after, 1)).as("a second decision on the result").isEmpty();
    }

    @Test
    void aBrokerInControlledShutdownIsNoLeaderCandidate() {
        MetadataImage after = LeaderElection.applied(cluster(), shutdown(cluster(), 1));
        // The preferred leader of partition 0 is 1: neither a PREFERRED election nor the rebalance picks it.
        assertThat(LeaderRebalance.decide(after, 1000)).isEmpty();
        // Broker 2 goes too: partition 0's ISR {2, 3} leaves 3, never 1.
        MetadataImage twoDown = LeaderElection.applied(after, LeaderElection.brokerDown(after, 2, t -> false));
        assertThat(twoDown.partition(TOPIC, 0).leader()).isEqualTo(3);
    }

    @Test
    void aNewRegistrationEndsTheControlledShutdownAndAnotherIncarnationDecidesNothing() {
        MetadataImage after = LeaderElection.applied(cluster(), shutdown(cluster(), 1));
        assertThat(BrokerLifecycle.controlledShutdown(after, 1, Uuid.random(), t -> false))
                .isEmpty();
        MetadataImage back = after.apply(new MetadataRecord.BrokerRegistered(1, Uuid.random(), null, List.of()));
        assertThat(back.brokers().get(1).inControlledShutdown()).isFalse();
        assertThat(back.brokers().get(1).active()).isTrue();
    }
}
