package io.skiff.storage;

/**
 * Told after each successful append (not after an acknowledged duplicate), on the appending
 * thread, after the log's lock is released; used by the broker to wake parked long-poll fetches.
 * Must be quick and must not block.
 */
public interface AppendListener {
    void onAppend(PartitionLog log, long lastOffset);
}
