package io.skiff.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where a follower cuts its log after OffsetForLeaderEpoch, as Kafka's fetcher decides. */
class ReplicaFetcherTruncationTest {
    @Test
    void aTailWrittenInAnEpochTheLeaderEndedEarlierIsCut() {
        // The follower has epoch 3 up to 120 (its log end); the leader ended epoch 3 at 100.
        assertThat(ReplicaFetcher.truncationOffset(3, 100, 120, 120, 90)).isEqualTo(100);
    }

    @Test
    void aFollowerBehindTheLeaderKeepsItsLog() {
        assertThat(ReplicaFetcher.truncationOffset(3, 150, 120, 120, 90)).isEqualTo(120);
    }

    @Test
    void anOlderEpochTheLeaderAnswersIsCutAtTheFollowersOwnEndOfIt() {
        // The follower asked for its epoch 4; the leader knows only up to epoch 2, ending at 80; the
        // follower's epoch 2 ends at 70.
        assertThat(ReplicaFetcher.truncationOffset(2, 80, 70, 120, 60)).isEqualTo(70);
    }

    @Test
    void withoutAnEpochTheLeaderKnowsTheFollowerFallsBackToItsHighWatermark() {
        assertThat(ReplicaFetcher.truncationOffset(-1, -1, -1, 120, 90)).isEqualTo(90);
    }
}
