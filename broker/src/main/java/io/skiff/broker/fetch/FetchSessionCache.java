package io.skiff.broker.fetch;

import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Incremental fetch sessions (KIP-227). A consumer that opens a session (session id 0, epoch
 * 0) gets a session id; later fetches name only the partitions that changed, and answers
 * carry only the partitions with news (records, a moved high watermark, log start offset or
 * last stable offset, or an error). Epoch -1 fetches are sessionless (full) and close the
 * named session.
 *
 * <p>Thread-safe: every method synchronizes on the cache. At most {@code maxSessions} sessions
 * are kept; when full, the least recently used session idle for longer than
 * {@code evictionIdleMs} makes room, and otherwise no session is created (the answer carries
 * session id 0 and the client keeps sending full fetches).
 */
public final class FetchSessionCache {
    public static final int INVALID_SESSION_ID = 0;
    public static final int INITIAL_EPOCH = 0;
    public static final int FINAL_EPOCH = -1;

    /** A partition named in a fetch: by topic id (v13+) or by topic name. */
    public record Key(Uuid topicId, String topic, int partition) {}

    /** What a fetch asks of one partition. */
    public record Requested(Key key, long fetchOffset, int maxBytes, int currentLeaderEpoch, long logStartOffset) {}

    /** A partition in a session (or in a sessionless fetch): the request and what was last answered. */
    public static final class Partition {
        public final Key key;
        public long fetchOffset;
        public int maxBytes;
        public int currentLeaderEpoch;
        long sentHighWatermark = -1;
        long sentLogStartOffset = -1;
        long sentLastStableOffset = -1;

        Partition(Requested r) {
            this.key = r.key();
            update(r);
        }

        void update(Requested r) {
            fetchOffset = r.fetchOffset();
            maxBytes = r.maxBytes();
            currentLeaderEpoch = r.currentLeaderEpoch();
        }
    }

    private static final class Session {
        final int id;
        final LinkedHashMap<Key, Partition> partitions = new LinkedHashMap<>();
        int nextEpoch = 1;
        long lastUsedMs;

        Session(int id, long nowMs) {
            this.id = id;
            this.lastUsedMs = nowMs;
        }
    }

    /**
     * A fetch resolved against the cache: an error, or the partitions to read and how to
     * shape the answer. Call {@link #include} for each partition result when answering.
     */
    public final class Context {
        public final Errors error;
        public final int responseSessionId;
        public final boolean incremental;
        public final List<Partition> partitions;
        private final Session session;

        Context(Errors error, int responseSessionId, boolean incremental, List<Partition> partitions, Session session) {
            this.error = error;
            this.responseSessionId = responseSessionId;
            this.incremental = incremental;
            this.partitions = partitions;
            this.session = session;
        }

        /**
         * Whether a partition's result goes into the answer, remembering what is sent. Full
         * answers include every partition; incremental ones only partitions with news.
         */
        public boolean include(
                Partition p,
                Errors partitionError,
                long highWatermark,
                long lastStableOffset,
                long logStartOffset,
                int recordBytes) {
            synchronized (FetchSessionCache.this) {
                boolean news = recordBytes > 0
                        || partitionError != Errors.NONE
                        || highWatermark != p.sentHighWatermark
                        || logStartOffset != p.sentLogStartOffset
                        || lastStableOffset != p.sentLastStableOffset;
                p.sentHighWatermark = highWatermark;
                p.sentLogStartOffset = logStartOffset;
                p.sentLastStableOffset = lastStableOffset;
                return !incremental || news;
            }
        }

        /** Whether this context belongs to a session (for tests). */
        boolean hasSession() {
            return session != null;
        }
    }

    private final Map<Integer, Session> sessions = new HashMap<>();
    private final int maxSessions;
    private final long evictionIdleMs;

    public FetchSessionCache(int maxSessions, long evictionIdleMs) {
        this.maxSessions = maxSessions;
        this.evictionIdleMs = evictionIdleMs;
    }

    /**
     * Resolves a fetch. {@code requested} are the partitions named in the request (in order),
     * {@code forgotten} the partitions to drop from the session.
     */
    public synchronized Context newContext(
            int sessionId, int epoch, List<Requested> requested, List<Key> forgotten, long nowMs) {
        if (epoch == FINAL_EPOCH || epoch == INITIAL_EPOCH) {
            if (sessionId != INVALID_SESSION_ID) {
                sessions.remove(sessionId);
            }
            List<Partition> partitions = new ArrayList<>(requested.size());
            LinkedHashMap<Key, Partition> byKey = new LinkedHashMap<>();
            for (Requested r : requested) {
                Partition existing = byKey.get(r.key());
                if (existing != null) {
                    existing.update(r);
                } else {
                    Partition p = new Partition(r);
                    byKey.put(r.key(), p);
                    partitions.add(p);
                }
            }
            if (epoch == FINAL_EPOCH) {
                return new Context(Errors.NONE, INVALID_SESSION_ID, false, partitions, null);
            }
            Session s = admit(nowMs);
            if (s == null) {
                return new Context(Errors.NONE, INVALID_SESSION_ID, false, partitions, null);
            }
            s.partitions.putAll(byKey);
            return new Context(Errors.NONE, s.id, false, partitions, s);
        }
        Session s = sessions.get(sessionId);
        if (s == null) {
            return new Context(Errors.FETCH_SESSION_ID_NOT_FOUND, INVALID_SESSION_ID, false, List.of(), null);
        }
        if (s.nextEpoch != epoch) {
            return new Context(Errors.INVALID_FETCH_SESSION_EPOCH, INVALID_SESSION_ID, false, List.of(), null);
        }
        s.lastUsedMs = nowMs;
        s.nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
        for (Key k : forgotten) {
            s.partitions.remove(k);
        }
        for (Requested r : requested) {
            Partition p = s.partitions.get(r.key());
            if (p == null) {
                s.partitions.put(r.key(), new Partition(r));
            } else {
                p.update(r);
            }
        }
        return new Context(Errors.NONE, s.id, true, new ArrayList<>(s.partitions.values()), s);
    }

    private Session admit(long nowMs) {
        if (sessions.size() >= maxSessions) {
            Session oldest = null;
            for (Session s : sessions.values()) {
                if (oldest == null || s.lastUsedMs < oldest.lastUsedMs) {
                    oldest = s;
                }
            }
            if (oldest == null || nowMs - oldest.lastUsedMs < evictionIdleMs) {
                return null;
            }
            sessions.remove(oldest.id);
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        Session s = new Session(id, nowMs);
        sessions.put(id, s);
        return s;
    }

    /** Drops every partition of a deleted topic from every session. */
    public synchronized void removeTopic(Uuid topicId, String topic) {
        for (Session s : sessions.values()) {
            Iterator<Key> it = s.partitions.keySet().iterator();
            while (it.hasNext()) {
                Key k = it.next();
                if ((topicId != null && topicId.equals(k.topicId())) || (topic != null && topic.equals(k.topic()))) {
                    it.remove();
                }
            }
        }
    }

    public synchronized int size() {
        return sessions.size();
    }
}
