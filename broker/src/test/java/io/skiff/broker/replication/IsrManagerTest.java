package io.skiff.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.wire.protocol.Uuid;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ISR a leader asks for: lagging followers out, caught-up live followers back in. */
class IsrManagerTest {
    private static final PartitionImage STATE = new PartitionImage(List.of(1, 2, 3), List.of(1, 2), 1, 3, 5);

    private static MetadataImage brokers(boolean fenceThree) {
        MetadataImage image = MetadataImage.EMPTY;
        for (int b = 1; b <= 3; b++) {
            image = image.apply(new MetadataRecord.BrokerRegistered(b, Uuid.random(), null, List.of()));
        }
        return fenceThree ? image.apply(new MetadataRecord.BrokerFenced(3)) : image;
    }

    @Test
    void aLaggingFollowerLeavesAndACaughtUpOneJoinsInReplicaOrder() {
        assertThat(IsrManager.isrAfter(brokers(false), STATE, List.of(2), List.of(3)))
                .containsExactly(1, 3);
    }

    @Test
    void theLeaderNeverLeaves() {
        assertThat(IsrManager.isrAfter(brokers(false), STATE, List.of(1, 2), List.of()))
                .containsExactly(1);
    }

    @Test
    void aFencedBrokerIsNotAddedEvenWhenCaughtUp() {
        assertThat(IsrManager.isrAfter(brokers(true), STATE, List.of(), List.of(3)))
                .containsExactly(1, 2);
    }

    @Test
    void aBrokerInControlledShutdownIsNotAddedEvenWhenCaughtUp() {
        MetadataImage image = brokers(false).apply(new MetadataRecord.BrokerControlledShutdown(3));
        assertThat(IsrManager.isrAfter(image, STATE, List.of(), List.of(3))).containsExactly(1, 2);
    }
}
