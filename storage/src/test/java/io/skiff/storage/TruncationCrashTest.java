package io.skiff.storage;

import static io.skiff.storage.FollowerFixture.appendInEpoch;
import static io.skiff.storage.FollowerFixture.assertSameBatches;
import static io.skiff.storage.FollowerFixture.assertSameEpochs;
import static io.skiff.storage.FollowerFixture.recordTimestamps;
import static io.skiff.storage.FollowerFixture.replicate;
import static io.skiff.storage.FollowerFixture.replicateUpTo;
import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.record.TestBatches;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed in the middle of a truncation: the partition directory is copied after every
 * file step of {@link LogTruncation} (what a SIGKILL there leaves on disk: the files are written
 * through the page cache, which survives the process) and each copy is opened as after a crash.
 * Every copy must load as a contiguous log holding a prefix of the old one, batch for batch, at
 * least up to the truncation point, with the epochs and producer state of that prefix; truncating
 * it again gives the truncated log.
 */
class TruncationCrashTest {
    private static final long PID = 9191L;

    @TempDir
    File root;

    LogFixture leaderFx;
    LogFixture followerFx;
    PartitionLog leader;
    PartitionLog follower;
    List<Long> timestamps;
    final List<LogFixture> extra = new ArrayList<>();
    int fixtures;

    static LogConfig config() {
        return LogFixture.config(
                LogConfig.SEGMENT_BYTES,
                "1200",
                LogConfig.INDEX_INTERVAL_BYTES,
                "100",
                LogConfig.SEGMENT_INDEX_BYTES,
                "4096");
    }

    @BeforeEach
    void setUp() throws Exception {
        leaderFx = new LogFixture(new File(root, "leader"));
        followerFx = new LogFixture(new File(root, "follower"));
        leader = leaderFx.open(config());
        follower = followerFx.open(config());
        int seq = 0;
        for (int i = 0; i < 24; i++) {
            TestBatches.Spec s = spec().count(2).valueSize(60).timestamp(LogFixture.START_MS + 10L * i);
            if (i % 2 == 1) {
                s.idempotent(PID, (short) 0, seq);
                seq += 2;
            }
            appendInEpoch(leaderFx, leader, s, i < 8 ? 1 : i < 16 ? 2 : 4);
        }
        replicate(leader, follower);
        timestamps = recordTimestamps(leader);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (LogFixture fx : extra) {
            fx.close();
        }
        leaderFx.close();
        followerFx.close();
    }

    /** Installs a step listener that copies the follower's directory after each step; returns the copies by step. */
    private Map<String, File> copyAfterEachStep() {
        Map<String, File> copies = new LinkedHashMap<>();
        follower.setTruncationStepListener(step -> {
            File copy = new File(root, "crash-" + copies.size());
            File target = new File(copy, LogFixture.TP.dirName());
            copyDir(follower.dir(), target);
            copies.put(step, copy);
        });
        return copies;
    }

    private static void copyDir(File from, File to) throws IOException {
        Files.createDirectories(to.toPath());
        File[] files = from.listFiles();
        if (files == null) {
            return;
        }
        for (File f : files) {
            Files.copy(f.toPath(), new File(to, f.getName()).toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The follower's log as a crash at {@code copy} leaves it, opened without a clean shutdown marker. */
    private PartitionLog reopenCrashed(File copy, long checkpointedRecoveryPoint) throws IOException {
        File fresh = new File(root, "opened-" + fixtures++);
        copyDir(new File(copy, LogFixture.TP.dirName()), new File(fresh, LogFixture.TP.dirName()));
        LogFixture fx = new LogFixture(fresh);
        extra.add(fx);
        return fx.open(config(), false, checkpointedRecoveryPoint, 0L);
    }

    private PartitionLog reference(long end) throws Exception {
        LogFixture fx = new LogFixture(new File(root, "reference-" + fixtures++));
        extra.add(fx);
        PartitionLog ref = fx.open(config());
        replicateUpTo(leader, ref, end);
        return ref;
    }

    @Test
    void aCrashAtAnyStepOfATruncationLoadsAPrefixOfTheOldLogAndTruncatesAgain() throws Exception {
        long oldEnd = follower.logEndOffset();
        long recoveryPoint = follower.recoveryPoint();
        long cut = follower.segmentBaseOffsets()[1] + 2;
        Map<String, File> copies = copyAfterEachStep();
        follower.truncateTo(cut);
        assertThat(copies.size()).isGreaterThanOrEqualTo(5);
        for (Map.Entry<String, File> c : copies.entrySet()) {
            for (long checkpointed : new long[] {0L, recoveryPoint}) {
                PartitionLog crashed = reopenCrashed(c.getValue(), checkpointed);
                String at = "after " + c.getKey() + ", recovery point " + checkpointed;
                assertThat(crashed.logEndOffset()).as(at).isBetween(cut, oldEnd);
                assertThat(LogFixture.offsets(crashed)).as(at).hasSize((int) crashed.logEndOffset());
                PartitionLog ref = reference(crashed.logEndOffset());
                assertSameBatches(ref, crashed, timestamps);
                assertSameEpochs(ref, crashed, 5);
                assertThat(crashed.activeProducers()).as(at).isEqualTo(ref.activeProducers());

                crashed.truncateTo(cut);
                PartitionLog truncated = reference(cut);
                assertSameBatches(truncated, crashed, timestamps);
                assertSameEpochs(truncated, crashed, 5);
                assertThat(crashed.activeProducers()).as(at).isEqualTo(truncated.activeProducers());
                crashed.close();
            }
        }
    }

    @Test
    void aCrashAtAnyStepOfAFullTruncationLoadsAPrefixOrTheEmptyLog() throws Exception {
        long oldEnd = follower.logEndOffset();
        Map<String, File> copies = copyAfterEachStep();
        follower.truncateFullyAndStartAt(1000);
        assertThat(copies.size()).isGreaterThanOrEqualTo(4);
        for (Map.Entry<String, File> c : copies.entrySet()) {
            PartitionLog crashed = reopenCrashed(c.getValue(), 0L);
            String at = "after " + c.getKey();
            if (crashed.logStartOffset() == 1000) {
                assertThat(crashed.logEndOffset()).as(at).isEqualTo(1000);
            } else {
                assertThat(crashed.logStartOffset()).as(at).isZero();
                assertThat(crashed.logEndOffset()).as(at).isBetween(0L, oldEnd);
                assertThat(LogFixture.offsets(crashed)).as(at).hasSize((int) crashed.logEndOffset());
                PartitionLog ref = reference(crashed.logEndOffset());
                assertSameBatches(ref, crashed, timestamps);
                assertSameEpochs(ref, crashed, 5);
                assertThat(crashed.activeProducers()).as(at).isEqualTo(ref.activeProducers());
            }
            crashed.truncateFullyAndStartAt(1000);
            assertThat(crashed.segmentBaseOffsets()).as(at).containsExactly(1000L);
            assertThat(crashed.logEndOffset()).isEqualTo(1000);
            assertThat(crashed.activeProducers()).isEmpty();
            assertThat(crashed.latestEpoch()).isEqualTo(-1);
            crashed.close();
        }
    }
}
