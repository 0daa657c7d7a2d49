package io.skiff.storage;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that fsync the partition logs of one log directory, so that no producer or request
 * thread ever waits in fsync. A log's {@link LogDurability} asks for a flush ({@link #request});
 * a flusher thread takes each asking log in turn and flushes everything it has written so far
 * with one fsync, completing every {@link PartitionLog#awaitDurable} waiter that fsync covers:
 * while one fsync runs, later appends and waiters queue up and share the next one (group commit).
 * A failed flush fails that log's waiters.
 *
 * <p>Design note. Several threads take from one queue, so the fsyncs of different partitions of
 * the directory run at the same time (a disk completes concurrent flushes faster than the same
 * flushes one after another); one log is never flushed by two threads at once, because it is
 * queued at most once and its passes are serialized by {@link LogDurability}'s own lock.
 *
 * <p>Thread-safe. Owned by a {@link LogManager} (or a test); {@link #close()} stops the threads.
 */
public final class LogFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);

    private final LinkedBlockingQueue<LogDurability> queue = new LinkedBlockingQueue<>();
    private final Thread[] threads;
    private volatile boolean running = true;
    private volatile FlushObserver observer = FlushObserver.NONE;

    /** One flusher thread named {@code name}. */
    public LogFlusher(String name) {
        this(name, 1);
    }

    /** {@code threadCount} flusher threads named {@code name-0}, {@code name-1}, ... */
    public LogFlusher(String name, int threadCount) {
        if (threadCount < 1) {
            throw new IllegalArgumentException("a log flusher needs at least one thread, not " + threadCount);
        }
        threads = new Thread[threadCount];
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::run, threadCount == 1 ? name : name + "-" + i);
            t.setDaemon(true);
            threads[i] = t;
        }
        for (Thread t : threads) {
            t.start();
        }
    }

    /** Tells {@code observer} of every flush pass from now on (replacing the previous one). */
    public void observer(FlushObserver observer) {
        this.observer = observer;
    }

    /** The observer of flush passes ({@link FlushObserver#NONE} unless one was set). */
    FlushObserver observer() {
        return observer;
    }

    /** Number of flusher threads. */
    int threadCount() {
        return threads.length;
    }

    /** Queues {@code log} for a flush unless it is already queued. */
    void request(LogDurability log) {
        if (log.markFlushQueued()) {
            queue.add(log);
        }
    }

    private void run() {
        while (running) {
            LogDurability log;
            try {
                log = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (log == null) {
                continue;
            }
            try {
                log.runQueuedFlush();
            } catch (Throwable t) {
                LOG.error("Flushing {} failed", log, t);
                log.failWaiters(t);
            }
        }
    }

    /** Stops the threads after the flushes in progress; queued requests are dropped. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
