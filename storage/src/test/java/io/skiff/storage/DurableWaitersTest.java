package io.skiff.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DurableWaitersTest {
    private final DurableWaiters waiters = new DurableWaiters();

    private CompletableFuture<Void> await(long offset) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(offset, f);
        return f;
    }

    @Test
    void completesExactlyTheWaitersBelowTheCoveredOffsetWhateverTheirOrderOfArrival() {
        CompletableFuture<Void> at5 = await(5);
        CompletableFuture<Void> at1 = await(1);
        CompletableFuture<Void> at3 = await(3);
        CompletableFuture<Void> at7 = await(7);

        assertThat(waiters.completeBelow(4)).isEqualTo(2);
        assertThat(at1).isCompleted();
        assertThat(at3).isCompleted();
        assertThat(at5).isNotDone();
        assertThat(at7).isNotDone();
        assertThat(waiters.size()).isEqualTo(2);

        assertThat(waiters.completeBelow(4)).isZero();
        assertThat(waiters.completeBelow(8)).isEqualTo(2);
        assertThat(at5).isCompleted();
        assertThat(at7).isCompleted();
        assertThat(waiters.size()).isZero();
    }

    @Test
    void aWaiterOnTheCoveredOffsetItselfKeepsWaiting() {
        CompletableFuture<Void> at4 = await(4);
        assertThat(waiters.completeBelow(4)).isZero();
        assertThat(at4).isNotDone();
        assertThat(waiters.completeBelow(5)).isEqualTo(1);
        assertThat(at4).isCompleted();
    }

    @Test
    void failAllFailsEveryPendingWaiterWithTheCauseAndLeavesCompletedOnesAlone() {
        CompletableFuture<Void> done = await(0);
        CompletableFuture<Void> pending1 = await(10);
        CompletableFuture<Void> pending2 = await(20);
        waiters.completeBelow(1);
        IOException cause = new IOException("fsync failed");

        assertThat(waiters.failAll(cause)).isEqualTo(2);

        assertThat(done).isCompleted();
        assertThat(pending1).isCompletedExceptionally();
        assertThat(pending2).isCompletedExceptionally();
        assertThat(pending1.handle((ok, t) -> t).join()).isSameAs(cause);
        assertThat(waiters.size()).isZero();
        assertThat(waiters.failAll(cause)).isZero();
    }

    @Test
    void failFromFailsTheWaitersAtOrAboveTheOffsetOnlyAndTheOthersStillComplete() {
        CompletableFuture<Void> at2 = await(2);
        CompletableFuture<Void> at5 = await(5);
        CompletableFuture<Void> at9 = await(9);
        IOException cause = new IOException("truncated");

        assertThat(waiters.failFrom(5, cause)).isEqualTo(2);

        assertThat(at2).isNotDone();
        assertThat(at5).isCompletedExceptionally();
        assertThat(at9).isCompletedExceptionally();
        assertThat(at9.handle((ok, t) -> t).join()).isSameAs(cause);
        assertThat(waiters.size()).isEqualTo(1);
        assertThat(waiters.completeBelow(3)).isEqualTo(1);
        assertThat(at2).isCompleted();
    }
}
