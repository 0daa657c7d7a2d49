package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.wire.util.ManualClock;
import java.io.File;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LogDurability} driven by hand (the flusher thread is stopped, so every flush pass here
 * is one the test runs), on one segment holding offsets 0 to 9.
 */
class LogDurabilityTest {
    @TempDir
    File dir;

    private final ManualClock clock = new ManualClock(LogFixture.START_MS);
    private final LogSegments segments = new LogSegments();
    private LogFlusher flusher;
    private LogDir logDir;
    private LogDurability durability;

    @BeforeEach
    void setUp() throws Exception {
        flusher = new LogFlusher("stopped-flusher");
        flusher.close();
        LogSegment segment = LogFixture.segmentWith(dir, 0, 10, clock.milliseconds(), LogConfig.DEFAULT);
        segments.add(segment);
        segments.publish(new LogEnd(10, segment, segment.size()));
        logDir = new LogDir(dir);
        durability = new LogDurability("topic-0", logDir, segments, flusher, clock, 0L, clock.milliseconds());
    }

    @AfterEach
    void tearDown() throws IOException {
        for (LogSegment s : segments.all()) {
            s.close();
        }
    }

    @Test
    void aDataFlushCompletesExactlyTheWaitersItCoversAndLeavesTheRecoveryPoint() throws Exception {
        CompletableFuture<Void> at2 = durability.awaitDurable(2);
        CompletableFuture<Void> at6 = durability.awaitDurable(6);
        assertThat(at2).isNotDone();

        durability.flushUpTo(3, false);

        assertThat(at2).isCompleted();
        assertThat(at6).isNotDone();
        assertThat(durability.durableOffset()).isEqualTo(3);
        assertThat(durability.recoveryPoint()).isZero();
        assertThat(durability.fsyncCount()).isEqualTo(1);
        // already covered: completed at once, no new pass
        assertThat(durability.awaitDurable(1)).isCompleted();
        assertThat(durability.fsyncCount()).isEqualTo(1);
    }

    @Test
    void aFullFlushAlsoMovesTheRecoveryPoint() throws Exception {
        CompletableFuture<Void> at9 = durability.awaitDurable(9);
        durability.flushUpTo(10, true);
        assertThat(at9).isCompleted();
        assertThat(durability.durableOffset()).isEqualTo(10);
        assertThat(durability.recoveryPoint()).isEqualTo(10);
        // nothing new to flush: no fsync counted
        durability.flushUpTo(10, true);
        assertThat(durability.fsyncCount()).isEqualTo(1);
    }

    @Test
    void aQueuedPassFlushesUpToTheLogEndAndIsFullOnlyWhenAFullFlushWasRequested() throws Exception {
        durability.awaitDurable(4);
        durability.runQueuedFlush();
        assertThat(durability.durableOffset()).isEqualTo(10);
        assertThat(durability.recoveryPoint()).isZero();

        durability.requestFullFlush();
        durability.runQueuedFlush();
        assertThat(durability.recoveryPoint()).isEqualTo(10);
    }

    @Test
    void flushMsRequestsAFullPassOnlyOnceItHasPassedSinceTheLastFlush() throws Exception {
        durability.maybeFlushByTime(clock.milliseconds() + 999, 1000);
        durability.runQueuedFlush();
        assertThat(durability.recoveryPoint()).isZero();

        durability.maybeFlushByTime(clock.milliseconds() + 1000, 1000);
        durability.runQueuedFlush();
        assertThat(durability.recoveryPoint()).isEqualTo(10);
    }

    @Test
    void failWaitersFailsEveryPendingWaiter() {
        CompletableFuture<Void> at5 = durability.awaitDurable(5);
        CompletableFuture<Void> at8 = durability.awaitDurable(8);
        durability.failWaiters(new IOException("disk gone"));
        assertThat(at5).isCompletedExceptionally();
        assertThat(at8).isCompletedExceptionally();
    }

    @Test
    void aFailedFsyncTakesTheLogDirOfflineAndFailsEveryWaiterThenAndAfter() throws Exception {
        CompletableFuture<Void> at5 = durability.awaitDurable(5);
        segments.last().channel().close(); // the next force fails with an IOException
        assertThatThrownBy(() -> durability.flushUpTo(10, false)).isInstanceOf(IOException.class);
        assertThat(logDir.isOnline()).isFalse();
        assertThat(logDir.failure()).isInstanceOf(IOException.class);
        assertThat(at5).isCompletedExceptionally();
        assertThat(durability.durableOffset()).as("nothing counted as durable").isZero();
        CompletableFuture<Void> later = durability.awaitDurable(7);
        assertThat(later).as("a waiter in an offline dir fails at once").isCompletedExceptionally();
        durability.flushUpTo(10, true); // an offline dir is not flushed any more, and that is no error
        assertThat(durability.recoveryPoint()).isZero();
    }

    @Test
    @Timeout(30)
    void deletingALogFailsItsPendingWaiters() throws Exception {
        try (LogFixture fx = new LogFixture(new File(dir, "fixture"))) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.flusher.close();
            AppendResult r = fx.append(log, spec().count(3));
            CompletableFuture<Void> durable = log.awaitDurable(r.lastOffset());
            assertThat(durable).isNotDone();
            log.closeForDeletion();
            assertThat(durable).isCompletedExceptionally();
            assertThat(durable.handle((ok, t) -> t).join())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("was deleted");
        }
    }
}
