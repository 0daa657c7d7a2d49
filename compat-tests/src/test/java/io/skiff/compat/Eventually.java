package io.skiff.compat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Waiting for a condition of a real cluster that becomes true some time after an action. */
final class Eventually {
    private Eventually() {}

    /**
     * Retries {@code check} every 100 ms until it returns true; fails after {@code limit} with the last
     * failure of a check (a client call that failed or timed out, a scrape that could not connect).
     */
    static void until(String what, Duration limit, Callable<Boolean> check) throws Exception {
        until(() -> what, limit, check);
    }

    /** As {@link #until(String, Duration, Callable)}, the description made when the wait fails. */
    static void until(Supplier<String> what, Duration limit, Callable<Boolean> check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.call()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException | IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what.get() + " within " + limit.toSeconds() + " s", last);
    }
}
