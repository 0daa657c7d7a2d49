package io.skiff.broker.network;

import io.netty.channel.Channel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs connection-level failures (bad frames, bad requests) once per kind, then again at every
 * power of two with the count so far, so that a misbehaving client cannot flood the log.
 * Thread-safe.
 */
final class ConnectionLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.skiff.broker.network");

    private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

    void invalidFrameSize(Channel ch, int size, int max) {
        String detail = size < 0 ? "(size = " + size + ")" : "(size = " + size + " larger than " + max + ")";
        warn(
                "invalid-frame-size",
                "Closing connection from " + ch.remoteAddress() + ": invalid request frame " + detail,
                null);
    }

    void closing(Channel ch, String kind, String reason, Throwable cause) {
        warn(kind, "Closing connection from " + ch.remoteAddress() + ": " + reason, cause);
    }

    private void warn(String kind, String message, Throwable cause) {
        long n = counts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        if (Long.bitCount(n) == 1) {
            String suffix = n == 1 ? "" : " (" + n + " times so far)";
            if (cause != null && LOG.isDebugEnabled()) {
                LOG.warn(message + suffix, cause);
            } else {
                LOG.warn(message + suffix + (cause != null ? ": " + cause : ""));
            }
        }
    }

    long count(String kind) {
        AtomicLong c = counts.get(kind);
        return c == null ? 0 : c.get();
    }
}
