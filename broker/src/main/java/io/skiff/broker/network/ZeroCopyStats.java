package io.skiff.broker.network;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts how record bytes leave the broker: as file regions (sendfile, never in the heap) or
 * copied through a buffer, or, on TLS connections, read from the file into direct buffers that are
 * encrypted in place (no heap copy). A plaintext broker copies none; tests check that. Thread-safe.
 */
public final class ZeroCopyStats {
    private static final LongAdder FILE_REGION_BYTES = new LongAdder();
    private static final LongAdder COPIED_BYTES = new LongAdder();
    private static final LongAdder TLS_CHUNKED_BYTES = new LongAdder();

    private ZeroCopyStats() {}

    static void fileRegion(long bytes) {
        FILE_REGION_BYTES.add(bytes);
    }

    static void tlsChunked(long bytes) {
        TLS_CHUNKED_BYTES.add(bytes);
    }

    static void copied(long bytes) {
        COPIED_BYTES.add(bytes);
    }

    /** Record bytes sent as file regions since start (all brokers in this JVM). */
    public static long fileRegionBytes() {
        return FILE_REGION_BYTES.sum();
    }

    /** Record bytes read from segment files into direct buffers for TLS connections since start. */
    public static long tlsChunkedBytes() {
        return TLS_CHUNKED_BYTES.sum();
    }

    /** Record bytes from segment files that were copied into buffers to be sent. */
    public static long copiedBytes() {
        return COPIED_BYTES.sum();
    }
}
