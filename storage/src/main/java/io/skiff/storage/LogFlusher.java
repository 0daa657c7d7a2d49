package io.skiff.storage;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that fsyncs partition logs, so that no producer or request thread ever waits
 * in fsync. A log's {@link LogDurability} asks for a flush ({@link #request}); the thread takes
 * each asking log in turn and flushes everything it has written so far with one fsync,
 * completing every {@link PartitionLog#awaitDurable} waiter that fsync covers: while one fsync
 * runs, later appends and waiters queue up and share the next one (group commit). A failed
 * flush fails that log's waiters.
 *
 * <p>Thread-safe. Owned by a {@link LogManager} (or a test); {@link #close()} stops the thread.
 */
public final class LogFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);

    private final LinkedBlockingQueue<LogDurability> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile FlushObserver observer = FlushObserver.NONE;

    public LogFlusher(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Tells {@code observer} of every flush pass from now on (replacing the previous one). */
    public void observer(FlushObserver observer) {
        this.observer = observer;
    }

    /** The observer of flush passes ({@link FlushObserver#NONE} unless one was set). */
    FlushObserver observer() {
        return observer;
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

    /** Stops the thread after the flush in progress; queued requests are dropped. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
