package io.skiff.storage;

/**
 * The end of a partition log as readers see it: the log end offset, the active segment and the
 * file position of that offset in it. A new instance is published ({@link LogSegments#publish})
 * after each append and roll, with one volatile write, so a reader that takes it first sees only
 * whole, indexed batches below {@link #position}. Immutable; holds no buffers.
 */
final class LogEnd {
    final long offset;
    final LogSegment segment;
    final int position;

    LogEnd(long offset, LogSegment segment, int position) {
        this.offset = offset;
        this.segment = segment;
        this.position = position;
    }
}
