package io.skiff.coordinator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.record.OffsetCommitKey;
import io.skiff.coordinator.testing.DirectExecutor;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.ManualClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The shard runtime on its own: replay, durable responses, timers, failures and loading. */
class CoordinatorShardTest {

    /**
     * A state machine that remembers the records it replayed (with their offsets and producers),
     * the transaction markers, and the timers that fired.
     */
    static final class Recorder implements CoordinatorStateMachine {
        final List<String> replayed = new ArrayList<>();
        final List<String> positions = new ArrayList<>();
        final List<String> markers = new ArrayList<>();
        final List<String> fired = new ArrayList<>();
        int loads;
        Errors unloadedWith;

        @Override
        public void replay(long offset, long producerId, short producerEpoch, CoordinatorRecord record) {
            OffsetCommitKey k = (OffsetCommitKey) record.key();
            replayed.add(k.topic() + "-" + k.partition() + (record.isTombstone() ? "=x" : ""));
            positions.add(offset + " by " + producerId + "/" + producerEpoch);
        }

        @Override
        public void replayEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
            markers.add(offset + " " + (commit ? "commit" : "abort") + " " + producerId + "/" + producerEpoch);
        }

        @Override
        public void onLoaded(OperationContext context) {
            loads++;
        }

        @Override
        public void onUnloaded(Errors error) {
            unloadedWith = error;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final ManualTimer timer = new ManualTimer(clock);
    private final InMemoryCoordinatorLog log = new InMemoryCoordinatorLog();
    private final List<Recorder> states = new ArrayList<>();
    private final CoordinatorShard<Recorder> shard = new CoordinatorShard<>(
            "test",
            log,
            GroupRecords.SERDE,
            () -> {
                Recorder r = new Recorder();
                states.add(r);
                return r;
            },
            new DirectExecutor(),
            clock,
            timer,
            1_000_000);

    private static CoordinatorRecord record(int partition) {
        return GroupRecords.offsetCommit("g", "t", partition, 1L, -1, "", 0L, -1L, null);
    }

    @Test
    void recordsAreReplayedAtOnceAndTheResponseWaitsForDurability() {
        shard.load();
        log.holdAppends(true);
        CompletableFuture<String> write = shard.submit("write", ctx -> {
            ctx.append(record(0));
            assertThat(shard.state().replayed).containsExactly("t-0");
            return "done";
        });
        CompletableFuture<String> read = shard.submit("read", ctx -> "read");
        assertThat(write).isNotDone();
        assertThat(read).as("reads wait for earlier writes").isNotDone();
        log.releaseAll();
        assertThat(write.join()).isEqualTo("done");
        assertThat(read.join()).isEqualTo("read");
    }

    @Test
    void failedAppendFailsLaterResponsesAndReloadsFromTheLog() {
        shard.load();
        shard.submit("first", ctx -> {
                    ctx.append(record(0));
                    return null;
                })
                .join();
        log.holdAppends(true);
        log.failNext(Errors.NOT_LEADER_OR_FOLLOWER);
        CompletableFuture<Object> failing = shard.submit("second", ctx -> {
            ctx.append(record(1));
            return null;
        });
        log.holdAppends(false);
        log.releaseAll();
        assertThat(failing).isCompletedExceptionally();
        try {
            failing.join();
        } catch (CompletionException e) {
            assertThat(CoordinatorException.errorOf(e)).isEqualTo(Errors.NOT_COORDINATOR);
        }
        assertThat(states).hasSize(2);
        assertThat(states.get(0).unloadedWith).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(states.get(1).replayed).containsExactly("t-0");
        assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
    }

    @Test
    void operationThatThrowsAfterAppendingIsUndoneByAReload() {
        shard.load();
        CompletableFuture<Object> f = shard.submit("broken", ctx -> {
            ctx.append(record(0));
            throw new IllegalStateException("bug");
        });
        assertThat(f).isCompletedExceptionally();
        assertThat(states).hasSize(2);
        assertThat(states.get(1).replayed).isEmpty();
    }

    @Test
    void batchLargerThanTheLimitIsRefused() {
        CoordinatorShard<Recorder> small = new CoordinatorShard<>(
                "small", log, GroupRecords.SERDE, Recorder::new, new DirectExecutor(), clock, timer, 200);
        small.load();
        CompletableFuture<Object> f = small.submit("big", ctx -> {
            for (int i = 0; i < 10; i++) {
                ctx.append(record(i));
            }
            return null;
        });
        try {
            f.join();
        } catch (CompletionException e) {
            assertThat(CoordinatorException.errorOf(e)).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        }
        assertThat(f).isCompletedExceptionally();
        assertThat(log.size()).isZero();
    }

    @Test
    void timersFireOnTheManualTimerAndAKeyReplacesTheEarlierTimer() {
        shard.load();
        shard.submit("schedule", ctx -> {
                    ctx.schedule("k", 100, c -> shard.state().fired.add("first"));
                    ctx.schedule("k", 200, c -> shard.state().fired.add("second"));
                    ctx.schedule("other", 50, c -> shard.state().fired.add("other"));
                    return null;
                })
                .join();
        timer.advance(150);
        assertThat(shard.state().fired).containsExactly("other");
        timer.advance(100);
        assertThat(shard.state().fired).containsExactly("other", "second");
        shard.submit("cancel", ctx -> {
                    ctx.schedule("late", 10, c -> shard.state().fired.add("late"));
                    ctx.cancel("late");
                    assertThat(ctx.isScheduled("late")).isFalse();
                    return null;
                })
                .join();
        timer.advance(100);
        assertThat(shard.state().fired).containsExactly("other", "second");
    }

    @Test
    void requestsBeforeTheLoadGetLoadInProgressAndAfterUnloadNotCoordinator() {
        List<Runnable> parked = new ArrayList<>();
        CoordinatorShard<Recorder> lazy = new CoordinatorShard<>(
                "lazy", log, GroupRecords.SERDE, Recorder::new, parked::add, clock, timer, 1_000_000);
        lazy.load();
        CompletableFuture<String> early = lazy.submit("early", ctx -> "x");
        assertThat(early).isCompletedExceptionally();
        assertThat(lazy.notActiveError()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        parked.remove(0).run();
        assertThat(lazy.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        lazy.unload();
        assertThat(lazy.notActiveError()).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void loadReplaysEveryRecordInOrderIncludingTombstones() {
        shard.load();
        shard.submit("w", ctx -> {
                    ctx.append(record(0));
                    ctx.append(record(1));
                    ctx.append(GroupRecords.offsetCommitTombstone("g", "t", 0));
                    return null;
                })
                .join();
        CoordinatorShard<Recorder> reloaded = new CoordinatorShard<>(
                "reloaded", log, GroupRecords.SERDE, Recorder::new, new DirectExecutor(), clock, timer, 1_000_000);
        reloaded.load();
        assertThat(reloaded.state().replayed).containsExactly("t-0", "t-1", "t-0=x");
        assertThat(reloaded.loadedRecords()).isEqualTo(3);
        assertThat(reloaded.state().loads).isEqualTo(1);
    }

    @Test
    void recordsAreReplayedWithTheOffsetsTheyGetInTheLogWithoutAProducer() {
        shard.load();
        shard.submit("two", ctx -> {
                    ctx.append(record(0));
                    ctx.append(record(1));
                    return null;
                })
                .join();
        shard.submit("one", ctx -> {
                    ctx.append(record(2));
                    return null;
                })
                .join();
        assertThat(shard.state().positions).containsExactly("0 by -1/-1", "1 by -1/-1", "2 by -1/-1");
        CoordinatorShard<Recorder> reloaded = new CoordinatorShard<>(
                "reloaded", log, GroupRecords.SERDE, Recorder::new, new DirectExecutor(), clock, timer, 1_000_000);
        reloaded.load();
        assertThat(reloaded.state().positions).containsExactly("0 by -1/-1", "1 by -1/-1", "2 by -1/-1");
        reloaded.submit("next", ctx -> {
                    ctx.append(record(3));
                    return null;
                })
                .join();
        assertThat(reloaded.state().positions).last().isEqualTo("3 by -1/-1");
    }

    @Test
    void loadHandsBatchProducersAndTransactionMarkersToTheStateAndAppendsAfterTheLogEnd() {
        byte[] key = record(0).keyBytes();
        byte[] value = record(0).valueBytes();
        CoordinatorLog scripted = new CoordinatorLog() {
            @Override
            public CompletableFuture<Long> append(List<CoordinatorRecord> records) {
                return CompletableFuture.completedFuture(10L + records.size() - 1);
            }

            @Override
            public CompletableFuture<Long> appendTransactional(
                    long producerId, short producerEpoch, List<CoordinatorRecord> records) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Long> appendEndTransactionMarker(
                    long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
                throw new UnsupportedOperationException();
            }

            @Override
            public long replay(long fromOffset, RecordVisitor visitor) {
                visitor.visit(3, 42L, (short) 7, ByteBuffer.wrap(key), ByteBuffer.wrap(value));
                visitor.visitEndTransactionMarker(4, 42L, (short) 7, true);
                visitor.visit(5, 43L, (short) 1, ByteBuffer.wrap(key), null);
                visitor.visitEndTransactionMarker(6, 43L, (short) 1, false);
                visitor.visit(8, -1L, (short) -1, ByteBuffer.wrap(key), ByteBuffer.wrap(value));
                return 10L;
            }
        };
        CoordinatorShard<Recorder> loaded = new CoordinatorShard<>(
                "scripted", scripted, GroupRecords.SERDE, Recorder::new, new DirectExecutor(), clock, timer, 1_000_000);
        loaded.load();
        assertThat(loaded.state().replayed).containsExactly("t-0", "t-0=x", "t-0");
        assertThat(loaded.state().positions).containsExactly("3 by 42/7", "5 by 43/1", "8 by -1/-1");
        assertThat(loaded.state().markers).containsExactly("4 commit 42/7", "6 abort 43/1");
        assertThat(loaded.loadedRecords()).isEqualTo(3);
        loaded.submit("write", ctx -> {
                    ctx.append(record(1));
                    return null;
                })
                .join();
        assertThat(loaded.state().positions).last().isEqualTo("10 by -1/-1");
        assertThat(loaded.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
    }

    @Test
    void batchThatTheLogPutsAtAnotherOffsetIsDurableButTheStateIsRebuiltFromTheLog() {
        CoordinatorLog shifted = new CoordinatorLog() {
            @Override
            public CompletableFuture<Long> append(List<CoordinatorRecord> records) {
                return log.append(records).thenApply(last -> last + 5);
            }

            @Override
            public CompletableFuture<Long> appendTransactional(
                    long producerId, short producerEpoch, List<CoordinatorRecord> records) {
                return log.appendTransactional(producerId, producerEpoch, records)
                        .thenApply(last -> last + 5);
            }

            @Override
            public CompletableFuture<Long> appendEndTransactionMarker(
                    long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
                return log.appendEndTransactionMarker(producerId, producerEpoch, coordinatorEpoch, commit)
                        .thenApply(last -> last + 5);
            }

            @Override
            public long replay(long fromOffset, RecordVisitor visitor) {
                return log.replay(fromOffset, visitor);
            }
        };
        CoordinatorShard<Recorder> moved = new CoordinatorShard<>(
                "shifted",
                shifted,
                GroupRecords.SERDE,
                () -> {
                    Recorder r = new Recorder();
                    states.add(r);
                    return r;
                },
                new DirectExecutor(),
                clock,
                timer,
                1_000_000);
        moved.load();
        CompletableFuture<String> write = moved.submit("write", ctx -> {
            ctx.append(record(0));
            return "written";
        });
        assertThat(write.join()).isEqualTo("written");
        assertThat(states).as("a second load").hasSize(2);
        assertThat(states.get(0).unloadedWith).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(states.get(1).positions).containsExactly("0 by -1/-1");
        assertThat(moved.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
    }

    @Test
    void manualTimerRunsDueTasksInDeadlineOrder() {
        List<String> ran = new ArrayList<>();
        timer.schedule(30, () -> ran.add("c"));
        timer.schedule(10, () -> ran.add("a"));
        CoordinatorTimer.Cancellable cancelled = timer.schedule(20, () -> ran.add("b"));
        cancelled.cancel();
        timer.schedule(10, () -> ran.add("a2"));
        long start = clock.milliseconds();
        timer.advance(25);
        assertThat(ran).containsExactly("a", "a2");
        assertThat(clock.milliseconds()).isEqualTo(start + 25);
        timer.advance(5);
        assertThat(ran).containsExactly("a", "a2", "c");
    }

    @Test
    void transactionalRecordsAreReplayedWithTheirProducerAndWrittenAsOneTransactionalBatch() {
        shard.load();
        shard.submit("plain", ctx -> {
                    ctx.append(record(0));
                    return null;
                })
                .join();
        shard.submit("txn", ctx -> {
                    ctx.appendTransactional(42L, (short) 7, record(1));
                    ctx.appendTransactional(42L, (short) 7, record(2));
                    return null;
                })
                .join();
        assertThat(shard.state().positions).containsExactly("0 by -1/-1", "1 by 42/7", "2 by 42/7");
        assertThat(log.offsets())
                .extracting(InMemoryCoordinatorLog.Entry::toString)
                .containsExactly("record -1/-1", "record 42/7", "record 42/7");
        CoordinatorShard<Recorder> reloaded = new CoordinatorShard<>(
                "reloaded", log, GroupRecords.SERDE, Recorder::new, new DirectExecutor(), clock, timer, 1_000_000);
        reloaded.load();
        assertThat(reloaded.state().positions).containsExactly("0 by -1/-1", "1 by 42/7", "2 by 42/7");
    }

    @Test
    void markerIsReplayedAtItsOffsetAndWrittenAfterTheRecordsAppendedBeforeIt() {
        shard.load();
        shard.submit("txn", ctx -> {
                    ctx.appendTransactional(42L, (short) 7, record(0));
                    return null;
                })
                .join();
        shard.submit("end", ctx -> {
                    ctx.append(record(1));
                    ctx.appendEndTransactionMarker(42L, (short) 7, 5, true);
                    ctx.appendEndTransactionMarker(43L, (short) 1, 5, false);
                    return null;
                })
                .join();
        assertThat(shard.state().markers).containsExactly("2 commit 42/7", "3 abort 43/1");
        assertThat(log.offsets())
                .extracting(InMemoryCoordinatorLog.Entry::toString)
                .containsExactly("record 42/7", "record -1/-1", "COMMIT 42/7 c5", "ABORT 43/1 c5");
        shard.submit("after", ctx -> {
                    ctx.append(record(2));
                    return null;
                })
                .join();
        assertThat(shard.state().positions).last().isEqualTo("4 by -1/-1");
        assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        CoordinatorShard<Recorder> reloaded = new CoordinatorShard<>(
                "reloaded", log, GroupRecords.SERDE, Recorder::new, new DirectExecutor(), clock, timer, 1_000_000);
        reloaded.load();
        assertThat(reloaded.state().markers).containsExactly("2 commit 42/7", "3 abort 43/1");
        assertThat(reloaded.state().positions).containsExactly("0 by 42/7", "1 by -1/-1", "4 by -1/-1");
    }

    @Test
    void responseOfAnOperationWithSeveralWritesWaitsForTheLastOfThem() {
        shard.load();
        log.holdAppends(true);
        CompletableFuture<String> f = shard.submit("mixed", ctx -> {
            ctx.append(record(0));
            ctx.appendTransactional(42L, (short) 7, record(1));
            ctx.appendEndTransactionMarker(42L, (short) 7, 0, true);
            return "done";
        });
        assertThat(log.heldAppends()).isEqualTo(3);
        log.releaseOne();
        log.releaseOne();
        assertThat(f).isNotDone();
        log.releaseOne();
        assertThat(f.join()).isEqualTo("done");
    }

    @Test
    void failedMarkerWriteFailsTheOperationAndTheReloadForgetsTheMarker() {
        shard.load();
        shard.submit("txn", ctx -> {
                    ctx.appendTransactional(42L, (short) 7, record(0));
                    return null;
                })
                .join();
        log.failNext(Errors.KAFKA_STORAGE_ERROR);
        CompletableFuture<Object> f = shard.submit("end", ctx -> {
            ctx.appendEndTransactionMarker(42L, (short) 7, 0, true);
            return null;
        });
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
        } catch (CompletionException e) {
            assertThat(CoordinatorException.errorOf(e)).isEqualTo(Errors.NOT_COORDINATOR);
        }
        assertThat(states.get(0).markers).containsExactly("1 commit 42/7");
        assertThat(states).hasSize(2);
        assertThat(states.get(1).markers).isEmpty();
        assertThat(states.get(1).positions).containsExactly("0 by 42/7");
    }

    @Test
    void producerRefusalOfATransactionalBatchAnswersOnlyItsOperationWithIt() {
        shard.load();
        log.holdAppends(true);
        CompletableFuture<Object> fenced = shard.submit("txn", ctx -> {
            ctx.appendTransactional(42L, (short) 1, record(0));
            return null;
        });
        CompletableFuture<Object> later = shard.submit("plain", ctx -> {
            ctx.append(record(1));
            return null;
        });
        log.failNext(Errors.INVALID_PRODUCER_EPOCH);
        log.releaseOne();
        assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.FAILED);
        assertThat(shard.notActiveError()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        log.releaseOne();
        assertThat(errorOf(fenced)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(errorOf(later)).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        assertThat(shard.state().replayed)
                .as("the reload keeps what the log holds")
                .containsExactly("t-1");
    }

    private static Errors errorOf(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return CoordinatorException.errorOf(e);
        }
    }
}
