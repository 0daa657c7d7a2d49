package io.skiff.coordinator.testing;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks on the calling thread, one at a time and in order: a task submitted while another
 * runs is queued and runs right after it. Makes a coordinator shard fully deterministic in tests.
 * Single-threaded use only.
 */
public final class DirectExecutor implements Executor {
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;

    @Override
    public void execute(Runnable task) {
        queue.add(task);
        if (running) {
            return;
        }
        running = true;
        try {
            Runnable next;
            while ((next = queue.poll()) != null) {
                next.run();
            }
        } finally {
            running = false;
        }
    }
}
