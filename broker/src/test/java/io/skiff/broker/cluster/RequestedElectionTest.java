package io.skiff.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ElectLeaders decisions (preferred and unclean) on metadata images. */
class RequestedElectionTest {
    private static final Uuid TOPIC = Uuid.random();

    private static MetadataImage cluster(List<Integer> isr, int leader) {
        MetadataImage image = MetadataImage.EMPTY;
        for (int b = 1; b <= 3; b++) {
            image = image.apply(new MetadataRecord.BrokerRegistered(b, Uuid.random(), null, List.of()));
        }
        return image.apply(new MetadataRecord.TopicCreated(TOPIC, "t", 1, (short) 3))
                .apply(new MetadataRecord.PartitionCreated(TOPIC, 0, List.of(1, 2, 3), isr, leader, 4, 7));
    }

    private static RequestedElection.Outcome elect(MetadataImage image, byte type) {
        return RequestedElection.decide(image, type, Map.of("t", List.of(0)));
    }

    private static PartitionImage after(MetadataImage image, RequestedElection.Outcome o) {
        return LeaderElection.applied(image, o.records()).partition(TOPIC, 0);
    }

    @Test
    void preferredReplicaInIsrLeadsAgainInTheNextEpoch() {
        MetadataImage image = cluster(List.of(1, 2, 3), 2);
        RequestedElection.Outcome o = elect(image, RequestedElection.PREFERRED);
        assertThat(o.results()).containsExactly(new RequestedElection.Result("t", 0, Errors.NONE));
        PartitionImage p = after(image, o);
        assertThat(p.leader()).isEqualTo(1);
        assertThat(p.leaderEpoch()).isEqualTo(5);
        assertThat(p.partitionEpoch()).isEqualTo(8);
        assertThat(p.isr()).containsExactly(1, 2, 3);
    }

    @Test
    void preferredReplicaAlreadyLeadingNeedsNoElection() {
        RequestedElection.Outcome o = elect(cluster(List.of(1, 2, 3), 1), RequestedElection.PREFERRED);
        assertThat(o.records()).isEmpty();
        assertThat(o.results()).containsExactly(new RequestedElection.Result("t", 0, Errors.ELECTION_NOT_NEEDED));
    }

    @Test
    void preferredReplicaOutOfIsrOrFencedIsNotAvailable() {
        RequestedElection.Outcome outOfIsr = elect(cluster(List.of(2, 3), 2), RequestedElection.PREFERRED);
        assertThat(outOfIsr.records()).isEmpty();
        assertThat(outOfIsr.results().get(0).error()).isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        MetadataImage fenced = cluster(List.of(1, 2, 3), 2).apply(new MetadataRecord.BrokerFenced(1));
        assertThat(elect(fenced, RequestedElection.PREFERRED).results().get(0).error())
                .isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
    }

    @Test
    void unknownTopicOrPartitionIsReported() {
        RequestedElection.Outcome o = RequestedElection.decide(
                cluster(List.of(1, 2, 3), 2), RequestedElection.PREFERRED, Map.of("t", List.of(5), "nope", List.of(0)));
        assertThat(o.results())
                .extracting(RequestedElection.Result::error)
                .containsOnly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void allPartitionsLeavesOutThoseNeedingNoElection() {
        MetadataImage image = cluster(List.of(1, 2, 3), 1);
        assertThat(RequestedElection.decide(image, RequestedElection.PREFERRED, null)
                        .results())
                .isEmpty();
        MetadataImage moved = cluster(List.of(1, 2, 3), 3);
        assertThat(RequestedElection.decide(moved, RequestedElection.PREFERRED, null)
                        .results())
                .containsExactly(new RequestedElection.Result("t", 0, Errors.NONE));
    }

    @Test
    void uncleanOnAPartitionWithALeaderIsNotNeeded() {
        RequestedElection.Outcome o = elect(cluster(List.of(1, 2, 3), 2), RequestedElection.UNCLEAN);
        assertThat(o.records()).isEmpty();
        assertThat(o.results().get(0).error()).isEqualTo(Errors.ELECTION_NOT_NEEDED);
    }

    @Test
    void uncleanElectsTheFirstLiveReplicaWithAnIsrOfItself() {
        MetadataImage image = cluster(List.of(1), PartitionImage.NO_LEADER).apply(new MetadataRecord.BrokerFenced(1));
        RequestedElection.Outcome o = elect(image, RequestedElection.UNCLEAN);
        assertThat(o.results().get(0).error()).isEqualTo(Errors.NONE);
        PartitionImage p = after(image, o);
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.isr()).containsExactly(2);
        assertThat(p.leaderEpoch()).isEqualTo(5);
    }

    @Test
    void uncleanWithNoLiveReplicaHasNoEligibleLeader() {
        MetadataImage image = cluster(List.of(1), PartitionImage.NO_LEADER);
        for (int b = 1; b <= 3; b++) {
            image = image.apply(new MetadataRecord.BrokerFenced(b));
        }
        RequestedElection.Outcome o = elect(image, RequestedElection.UNCLEAN);
        assertThat(o.records()).isEmpty();
        assertThat(o.results().get(0).error()).isEqualTo(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
    }

    @Test
    void aTopicWithoutPartitionStatesHasItsOnlyReplicaLeading() {
        MetadataImage image = MetadataImage.EMPTY.apply(new MetadataRecord.TopicCreated(TOPIC, "t", 2, (short) 1));
        RequestedElection.Outcome o =
                RequestedElection.decide(image, RequestedElection.PREFERRED, Map.of("t", List.of(1)));
        assertThat(o.results()).containsExactly(new RequestedElection.Result("t", 1, Errors.ELECTION_NOT_NEEDED));
    }
}
