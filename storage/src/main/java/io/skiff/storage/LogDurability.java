package io.skiff.storage;

import io.skiff.wire.util.Clock;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What of one partition log is on disk, and the flushes that move it forward: the durable
 * offset (every record below it fsynced), the recovery point (below it data and indexes are
 * flushed, so recovery skips it), the flush.messages / flush.ms / roll requests, and the
 * {@link DurableWaiters} of {@link PartitionLog#awaitDurable}.
 *
 * <p>Design note. Nothing here fsyncs on a request thread: a flush is requested
 * ({@link #awaitDurable}, {@link #requestFullFlush}) and the {@link LogFlusher} thread runs it
 * ({@link #runQueuedFlush}), covering everything written so far with one pass, so that every
 * waiter queued meanwhile shares it (group commit). A data-only pass fsyncs the segment files
 * from the durable offset on; a full pass (flush policy, rolls, close) also flushes their
 * indexes and moves the recovery point.
 *
 * <p>A failed fsync takes the log's {@link LogDir} offline and fails every waiter; in an offline
 * dir nothing is flushed any more and new waiters fail at once, so no producer waits for an fsync
 * that cannot happen.
 *
 * <p>Thread-safe: offsets are volatile, flush passes are serialized by a lock of their own (the
 * flusher thread and a closing log may both run one), waiters are in a thread-safe queue. Holds
 * no buffers.
 */
final class LogDurability {
    private final String name;
    private final LogDir logDir;
    private final LogSegments segments;
    private final LogFlusher flusher;
    private final Clock clock;
    private final DurableWaiters waiters = new DurableWaiters();
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final AtomicLong fsyncCount = new AtomicLong();
    private final Object flushLock = new Object();

    private volatile boolean fullFlushRequested;
    private volatile long durableOffset;
    private volatile long recoveryPoint;
    private volatile long lastFlushTimeMs;

    /**
     * Starts with everything below {@code recoveryPoint} known durable, and {@code nowMs} as the
     * time of the last flush.
     */
    LogDurability(
            String name,
            LogDir logDir,
            LogSegments segments,
            LogFlusher flusher,
            Clock clock,
            long recoveryPoint,
            long nowMs) {
        this.name = name;
        this.logDir = logDir;
        this.segments = segments;
        this.flusher = flusher;
        this.clock = clock;
        this.recoveryPoint = recoveryPoint;
        this.durableOffset = recoveryPoint;
        this.lastFlushTimeMs = nowMs;
    }

    /**
     * A future completed once an fsync covers {@code offset}; completed at once when one already
     * has. Otherwise the flusher is asked for a pass.
     */
    CompletableFuture<Void> awaitDurable(long offset) {
        if (offset < durableOffset) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(offset, f);
        if (!logDir.isOnline()) {
            // Checked after adding, so a dir going offline meanwhile cannot leave this waiter behind.
            waiters.failAll(logDir.failure());
            return f;
        }
        flusher.request(this);
        return f;
    }

    /** The offset below which every record has been fsynced. */
    long durableOffset() {
        return durableOffset;
    }

    /** The offset below which data and indexes are flushed. */
    long recoveryPoint() {
        return recoveryPoint;
    }

    /** Number of flush passes that fsynced something. */
    long fsyncCount() {
        return fsyncCount.get();
    }

    /** Asks the flusher for a full pass (data, indexes, recovery point). */
    void requestFullFlush() {
        fullFlushRequested = true;
        flusher.request(this);
    }

    /** Asks the flusher for a full pass if {@code flushMs} has passed since the last one and anything is unflushed. */
    void maybeFlushByTime(long nowMs, long flushMs) {
        if (segments.end().offset > recoveryPoint && nowMs - lastFlushTimeMs >= flushMs) {
            requestFullFlush();
        }
    }

    /** True when this call queued the log with the flusher (it was not queued yet). */
    boolean markFlushQueued() {
        return flushQueued.compareAndSet(false, true);
    }

    /** Called on the flusher thread: flushes everything written so far and completes covered waiters. */
    void runQueuedFlush() throws IOException {
        flushQueued.set(false);
        boolean full = fullFlushRequested;
        fullFlushRequested = false;
        flushUpTo(segments.end().offset, full);
    }

    /**
     * Fsyncs the segments holding offsets below {@code target}; with {@code full} also their
     * indexes, and moves the recovery point. Then completes every waiter the durable offset covers.
     * Not on request threads: the flusher and a closing log call it.
     */
    void flushUpTo(long target, boolean full) throws IOException {
        synchronized (flushLock) {
            if (!logDir.isOnline()) {
                waiters.failAll(logDir.failure());
                return;
            }
            try {
                flushSegments(target, full);
            } catch (IOException e) {
                logDir.markOffline("an fsync of " + name, e);
                waiters.failAll(e);
                throw e;
            }
        }
    }

    /** One flush pass up to {@code target}, then the covered waiters. Caller holds the flush lock. */
    private void flushSegments(long target, boolean full) throws IOException {
        long from = full ? Math.min(recoveryPoint, durableOffset) : durableOffset;
        if (target > from || full && target > recoveryPoint) {
            for (LogSegment seg : segments.from(from)) {
                if (seg.baseOffset >= target && seg.baseOffset > from) {
                    break;
                }
                if (full) {
                    seg.flush();
                } else {
                    seg.fsyncData();
                }
            }
            fsyncCount.incrementAndGet();
            if (target > durableOffset) {
                durableOffset = target;
            }
            if (full && target > recoveryPoint) {
                recoveryPoint = target;
            }
            lastFlushTimeMs = clock.milliseconds();
        }
        waiters.completeBelow(durableOffset);
    }

    /**
     * The log was truncated to {@code logEndOffset}: the durable offset and the recovery point come
     * down to it, and the waiters on offsets at or above it fail (the records they waited for are
     * gone). Serialized with flush passes, so a pass that began before the truncation cannot move
     * either offset past the new log end afterwards; call it once the new log end is published.
     */
    void onTruncated(long logEndOffset) {
        synchronized (flushLock) {
            if (durableOffset > logEndOffset) {
                durableOffset = logEndOffset;
            }
            if (recoveryPoint > logEndOffset) {
                recoveryPoint = logEndOffset;
            }
        }
        waiters.failFrom(logEndOffset, new IOException("log " + name + " was truncated to offset " + logEndOffset));
    }

    /**
     * The log was emptied and starts again at {@code offset}: the durable offset and the recovery
     * point are set to it and every waiter fails. Call it once the new log end is published.
     */
    void onTruncatedFully(long offset) {
        synchronized (flushLock) {
            durableOffset = offset;
            recoveryPoint = offset;
        }
        waiters.failAll(new IOException("log " + name + " was truncated fully and starts at offset " + offset));
    }

    /** Fails every pending waiter (a failed fsync, a deleted log). */
    void failWaiters(Throwable cause) {
        waiters.failAll(cause);
    }

    @Override
    public String toString() {
        return "PartitionLog(" + name + ")";
    }
}
