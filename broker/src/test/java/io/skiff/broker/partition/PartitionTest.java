package io.skiff.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.storage.AppendOutcome;
import io.skiff.storage.AppendResult;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.testing.LeakDetectionExtension;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakDetectionExtension.class)
class PartitionTest {
    @TempDir
    File dir;

    private PartitionFixture fx;

    @BeforeEach
    void open() throws Exception {
        fx = new PartitionFixture(dir);
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    @Test
    void newLeaderRecordsItsEpochAtTheLogEndInTheCheckpoint() throws Exception {
        PartitionLog log = fx.createLog("t", 0, Uuid.random());
        Partition p = fx.partition(log, 0, 1, null);
        assertThat(p.isLeader()).isTrue();
        assertThat(p.leaderEpoch()).isZero();
        assertThat(Files.readAllLines(new File(log.dir(), "leader-epoch-checkpoint").toPath()))
                .containsExactly("0", "1", "0 0");
        assertThat(p.endOffsetForEpoch(0)).containsExactly(0L, 0L);
    }

    @Test
    void currentLeaderEpochIsFencedWhenOlderAndUnknownWhenNewer() throws Exception {
        Partition p = fx.partition(fx.createLog("t", 0, Uuid.random()), 3, 1, null);
        assertThat(p.checkLeaderEpoch(-1)).isEqualTo(Errors.NONE);
        assertThat(p.checkLeaderEpoch(3)).isEqualTo(Errors.NONE);
        assertThat(p.checkLeaderEpoch(2)).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(p.checkLeaderEpoch(0)).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(p.checkLeaderEpoch(4)).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
    }

    @Test
    void highWatermarkFollowsTheLogEndAndIsPushedToTheLog() throws Exception {
        PartitionLog log = fx.createLog("t", 0, Uuid.random());
        Partition p = fx.partition(log, 0, 1, null);
        assertThat(p.highWatermark()).isZero();
        AppendResult r = PartitionFixture.append(p, 5);
        assertThat(r.isSuccess()).isTrue();
        assertThat(p.highWatermark()).isEqualTo(5).isEqualTo(log.logEndOffset()).isEqualTo(log.highWatermark());
        assertThat(p.lastStableOffset()).isEqualTo(5);
        assertThat(p.fetchableOffset(true)).isEqualTo(5);
        assertThat(p.fetchableOffset(false)).isEqualTo(5);
    }

    @Test
    void aPartitionWhoseLogDirIsOfflineAnswersStorageErrorToAppendsAndEpochChecks() throws Exception {
        PartitionLog log = fx.createLog("t", 0, Uuid.random());
        Partition p = fx.partition(log, 0, 1, null);
        PartitionFixture.append(p, 2);
        assertThat(p.isOffline()).isFalse();
        log.logDir().markOffline("a test", new IOException("No space left on device"));
        assertThat(p.isOffline()).isTrue();
        assertThat(p.checkAppend(true)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(p.checkAppend(false)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(p.checkLeaderEpoch(-1)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        AppendResult r = PartitionFixture.append(p, 1);
        assertThat(r.outcome()).isEqualTo(AppendOutcome.STORAGE_ERROR);
        assertThat(p.highWatermark()).as("nothing more became readable").isEqualTo(2);
    }

    @Test
    void acksAllAppendIsCommittedAtOnceOnASingleNode() throws Exception {
        Partition p = fx.partition(fx.createLog("t", 0, Uuid.random()), 0, 1, null);
        AppendResult r = PartitionFixture.append(p, 3);
        assertThat(p.awaitHighWatermark(r.lastOffset() + 1)).isNull();
    }

    @Test
    void delayedProduceCompletesWhenTheWatermarkPassesItsAppend() throws Exception {
        Partition p = fx.partition(fx.createLog("t", 0, Uuid.random()), 0, 1, null);
        CompletableFuture<Void> waiting = p.awaitHighWatermark(4);
        assertThat(waiting).isNotNull().isNotDone();
        PartitionFixture.append(p, 2);
        assertThat(waiting).isNotDone();
        PartitionFixture.append(p, 2);
        assertThat(waiting).isCompleted();
    }

    @Test
    void delayedProduceFailsWhenLeadershipIsLost() throws Exception {
        Partition p = fx.partition(fx.createLog("t", 0, Uuid.random()), 0, 1, null);
        CompletableFuture<Void> waiting = p.awaitHighWatermark(10);
        p.failWaiters(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThatThrownBy(waiting::join)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(NotCommittedException.class)
                .extracting(e -> ((NotCommittedException) e).error())
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void minInsyncReplicasIsCappedAtTheReplicaCountAsKafkaCapsIt() throws Exception {
        Partition p = fx.partition(fx.createLog("t", 0, Uuid.random()), 0, 3, null);
        assertThat(p.replicas()).hasSize(1);
        assertThat(p.checkAppend(true)).isEqualTo(Errors.NONE);
        assertThat(p.checkAppend(false)).isEqualTo(Errors.NONE);
    }

    @Test
    void listenerHearsEachAdvanceWithTheBytesThatBecameReadable() throws Exception {
        List<Integer> heard = new ArrayList<>();
        List<TopicPartition> from = new ArrayList<>();
        Partition p = fx.partition(fx.createLog("t", 0, Uuid.random()), 0, 1, (tp, bytes) -> {
            from.add(tp);
            heard.add(bytes);
        });
        PartitionFixture.append(p, 1);
        PartitionFixture.append(p, 4);
        assertThat(from).containsOnly(new TopicPartition("t", 0));
        assertThat(heard).hasSize(2).allSatisfy(b -> assertThat(b).isPositive());
        assertThat(heard.get(1)).isGreaterThan(heard.get(0));
    }

    @Test
    void endOffsetForEpochAnswersFromTheEpochHistory() throws Exception {
        Partition p = fx.partition(fx.createLog("t", 0, Uuid.random()), 0, 1, null);
        PartitionFixture.append(p, 5);
        p.makeLeader(2);
        PartitionFixture.append(p, 3);
        assertThat(p.leaderEpoch()).isEqualTo(2);
        assertThat(p.endOffsetForEpoch(0)).containsExactly(0L, 5L);
        assertThat(p.endOffsetForEpoch(1)).containsExactly(0L, 5L);
        assertThat(p.endOffsetForEpoch(2)).containsExactly(2L, 8L);
        assertThat(p.endOffsetForEpoch(3)).containsExactly(-1L, -1L);
        assertThat(p.endOffsetForEpoch(-1)).containsExactly(-1L, -1L);
        assertThat(p.checkLeaderEpoch(0)).isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }
}
