package io.skiff.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.storage.AppendResult;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.testing.LeakDetectionExtension;
import java.io.File;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A leader with followers: high watermark from their fetches, acks=all, min.insync.replicas, ISR candidates. */
@ExtendWith(LeakDetectionExtension.class)
class PartitionReplicationTest {
    @TempDir
    File dir;

    private PartitionFixture fx;
    private int self;

    @BeforeEach
    void open() throws Exception {
        fx = new PartitionFixture(dir);
        self = fx.config.nodeId();
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private Partition leader(List<Integer> isr, int minIsr) throws Exception {
        return new Partition(
                fx.createLog("t", 0, Uuid.random()), self, minIsr, null, self, 2, List.of(self, 7, 8), isr, 4, 1_000);
    }

    private static Errors failure(CompletableFuture<Void> f) {
        try {
            f.join();
            return Errors.NONE;
        } catch (CompletionException e) {
            return ((NotCommittedException) e.getCause()).error();
        }
    }

    @Test
    void theHighWatermarkIsTheSmallestLogEndOfTheIsr() throws Exception {
        Partition p = leader(List.of(self, 7, 8), 1);
        AppendResult r = PartitionFixture.append(p, 5);
        assertThat(r.isSuccess()).isTrue();
        assertThat(p.highWatermark()).isZero();
        assertThat(p.updateFollowerFetchState(7, 5, 1_100)).isEqualTo(Errors.NONE);
        assertThat(p.highWatermark()).isZero();
        assertThat(p.updateFollowerFetchState(8, 3, 1_100)).isEqualTo(Errors.NONE);
        assertThat(p.highWatermark()).isEqualTo(3);
        assertThat(p.updateFollowerFetchState(8, 5, 1_200)).isEqualTo(Errors.NONE);
        assertThat(p.highWatermark()).isEqualTo(5);
    }

    @Test
    void acksAllCompletesWhenEveryIsrMemberHasTheBatch() throws Exception {
        Partition p = leader(List.of(self, 7), 2);
        PartitionFixture.append(p, 3);
        CompletableFuture<Void> waiting = p.awaitHighWatermark(3);
        assertThat(waiting).isNotDone();
        p.updateFollowerFetchState(7, 3, 1_100);
        assertThat(waiting).isCompleted();
        assertThat(failure(waiting)).isEqualTo(Errors.NONE);
    }

    @Test
    void tooFewInSyncReplicasRefuseAcksAllBeforeAndAfterTheAppend() throws Exception {
        Partition p = leader(List.of(self, 7), 2);
        assertThat(p.checkAppend(true)).isEqualTo(Errors.NONE);
        PartitionFixture.append(p, 3);
        CompletableFuture<Void> waiting = p.awaitHighWatermark(3);
        // The ISR shrinks to the leader alone: the waiting produce passes the high watermark short of replicas.
        p.makeLeader(2, List.of(self, 7, 8), List.of(self), 5, 1_200);
        assertThat(failure(waiting)).isEqualTo(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        assertThat(p.checkAppend(true)).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(p.checkAppend(false)).isEqualTo(Errors.NONE);
    }

    @Test
    void losingLeadershipFailsWaitingProducesAndRefusesAppends() throws Exception {
        Partition p = leader(List.of(self, 7), 1);
        PartitionFixture.append(p, 3);
        CompletableFuture<Void> waiting = p.awaitHighWatermark(3);
        assertThat(p.makeFollower(7, 3, List.of(self, 7, 8), List.of(self, 7), 5))
                .isTrue();
        assertThat(failure(waiting)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(p.checkAppend(false)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(p.followsIn(3)).isTrue();
        assertThat(p.updateFollowerFetchState(7, 3, 1_100)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void aFetchFromABrokerThatIsNoReplicaIsRefusedAndChangesNothing() throws Exception {
        Partition p = leader(List.of(self, 7), 1);
        PartitionFixture.append(p, 3);
        assertThat(p.updateFollowerFetchState(9, 3, 1_100)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(p.highWatermark()).isZero();
    }

    @Test
    void aFetchBeyondTheLeadersLogEndIsOutOfRangeAndCountsForNothing() throws Exception {
        Partition p = leader(List.of(self, 7), 1);
        PartitionFixture.append(p, 3);
        assertThat(p.updateFollowerFetchState(7, 9, 1_100)).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(p.highWatermark()).isZero();
        assertThat(p.caughtUpFollowers()).isEmpty();
    }

    @Test
    void followersThatFallBehindLagAndOnesThatCatchUpRejoin() throws Exception {
        Partition p = leader(List.of(self, 7), 1);
        PartitionFixture.append(p, 3);
        p.updateFollowerFetchState(7, 0, 1_100);
        p.updateFollowerFetchState(8, 3, 1_100);
        assertThat(p.laggingFollowers(1_500, 1_000)).isEmpty();
        assertThat(p.laggingFollowers(2_100, 1_000)).containsExactly(7);
        // 8 is outside the ISR and at the high watermark (0, held by 7): it may join.
        assertThat(p.caughtUpFollowers()).containsExactly(8);
    }
}
