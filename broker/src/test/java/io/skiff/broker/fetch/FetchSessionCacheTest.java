package io.skiff.broker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.fetch.FetchSessionCache.Context;
import io.skiff.broker.fetch.FetchSessionCache.Key;
import io.skiff.broker.fetch.FetchSessionCache.Requested;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.List;
import org.junit.jupiter.api.Test;

class FetchSessionCacheTest {
    private static final Uuid T = new Uuid(1, 2);
    private static final Key P0 = new Key(T, "t", 0);
    private static final Key P1 = new Key(T, "t", 1);

    private static Requested req(Key k, long offset) {
        return new Requested(k, offset, 1 << 20, -1, -1);
    }

    @Test
    void sessionlessFetchIsFullAndCreatesNoSession() {
        FetchSessionCache cache = new FetchSessionCache(10, 1000);
        Context c = cache.newContext(0, FetchSessionCache.FINAL_EPOCH, List.of(req(P0, 0)), List.of(), 0);
        assertThat(c.error).isEqualTo(Errors.NONE);
        assertThat(c.responseSessionId).isZero();
        assertThat(c.incremental).isFalse();
        assertThat(cache.size()).isZero();
    }

    @Test
    void incrementalFetchesCarryOnlyPartitionsWithNews() {
        FetchSessionCache cache = new FetchSessionCache(10, 1000);
        Context full = cache.newContext(0, 0, List.of(req(P0, 0), req(P1, 0)), List.of(), 0);
        assertThat(full.responseSessionId).isPositive();
        assertThat(full.incremental).isFalse();
        for (FetchSessionCache.Partition p : full.partitions) {
            assertThat(full.include(p, Errors.NONE, 10, 10, 0, 0)).isTrue();
        }
        int id = full.responseSessionId;
        Context inc = cache.newContext(id, 1, List.of(), List.of(), 1);
        assertThat(inc.incremental).isTrue();
        assertThat(inc.partitions).hasSize(2);
        // P0 unchanged; P1's high watermark moved.
        assertThat(inc.include(inc.partitions.get(0), Errors.NONE, 10, 10, 0, 0))
                .isFalse();
        assertThat(inc.include(inc.partitions.get(1), Errors.NONE, 12, 12, 0, 0))
                .isTrue();
        // Records are news even when nothing else moved; so is an error.
        Context inc2 = cache.newContext(id, 2, List.of(req(P0, 10)), List.of(), 2);
        assertThat(inc2.partitions.get(0).fetchOffset).isEqualTo(10);
        assertThat(inc2.include(inc2.partitions.get(0), Errors.NONE, 10, 10, 0, 100))
                .isTrue();
        assertThat(inc2.include(inc2.partitions.get(1), Errors.OFFSET_OUT_OF_RANGE, 12, 12, 0, 0))
                .isTrue();
    }

    @Test
    void wrongEpochAndUnknownSessionAreErrors() {
        FetchSessionCache cache = new FetchSessionCache(10, 1000);
        int id = cache.newContext(0, 0, List.of(req(P0, 0)), List.of(), 0).responseSessionId;
        assertThat(cache.newContext(id, 5, List.of(), List.of(), 1).error)
                .isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(cache.newContext(id + 1, 1, List.of(), List.of(), 1).error)
                .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(cache.newContext(id, 1, List.of(), List.of(), 1).error).isEqualTo(Errors.NONE);
    }

    @Test
    void forgottenPartitionsLeaveTheSessionAndFinalEpochClosesIt() {
        FetchSessionCache cache = new FetchSessionCache(10, 1000);
        int id = cache.newContext(0, 0, List.of(req(P0, 0), req(P1, 0)), List.of(), 0).responseSessionId;
        Context inc = cache.newContext(id, 1, List.of(), List.of(P1), 1);
        assertThat(inc.partitions).extracting(p -> p.key).containsExactly(P0);
        cache.newContext(id, FetchSessionCache.FINAL_EPOCH, List.of(), List.of(), 2);
        assertThat(cache.size()).isZero();
        assertThat(cache.newContext(id, 2, List.of(), List.of(), 3).error).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }

    @Test
    void aFullCacheEvictsOnlyIdleSessions() {
        FetchSessionCache cache = new FetchSessionCache(1, 1000);
        int first = cache.newContext(0, 0, List.of(req(P0, 0)), List.of(), 0).responseSessionId;
        assertThat(cache.newContext(0, 0, List.of(req(P0, 0)), List.of(), 500).responseSessionId)
                .isZero();
        int second = cache.newContext(0, 0, List.of(req(P0, 0)), List.of(), 2000).responseSessionId;
        assertThat(second).isPositive().isNotEqualTo(first);
        assertThat(cache.newContext(first, 1, List.of(), List.of(), 2001).error)
                .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }
}
