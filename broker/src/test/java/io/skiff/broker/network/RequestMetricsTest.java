package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.skiff.wire.protocol.ApiKeys;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {
    @Test
    void countersAreKeptPerApi() {
        RequestMetrics m = new RequestMetrics();
        m.record(ApiKeys.PRODUCE, 100, 40, 3_000, false);
        m.record(ApiKeys.PRODUCE, 200, 0, 1_000, true);
        m.recordRefused(ApiKeys.PRODUCE, 50);
        m.record(ApiKeys.FETCH, 10, 5000, 9_000, false);
        RequestMetrics.Snapshot p = m.snapshot(ApiKeys.PRODUCE);
        assertThat(p.api()).isEqualTo(ApiKeys.PRODUCE);
        assertThat(p.requests()).isEqualTo(3);
        assertThat(p.failed()).isEqualTo(2);
        assertThat(p.requestBytes()).isEqualTo(350);
        assertThat(p.responseBytes()).isEqualTo(40);
        assertThat(p.timedRequests()).isEqualTo(2);
        assertThat(p.totalLatencyNanos()).isEqualTo(4_000);
        assertThat(p.maxLatencyNanos()).isEqualTo(3_000);
        assertThat(p.meanLatencyNanos()).isEqualTo(2_000.0);
        RequestMetrics.Snapshot f = m.snapshot(ApiKeys.FETCH);
        assertThat(f.requests()).isEqualTo(1);
        assertThat(f.responseBytes()).isEqualTo(5000);
        assertThat(m.snapshot(ApiKeys.METADATA).meanLatencyNanos()).isZero();
    }

    @Test
    void everyApiKeyHasItsCounters() {
        RequestMetrics m = new RequestMetrics();
        for (ApiKeys api : ApiKeys.values()) {
            m.record(api, api.id, 0, 0, false);
        }
        for (ApiKeys api : ApiKeys.values()) {
            assertThat(m.snapshot(api).requestBytes()).as("%s", api).isEqualTo(api.id);
        }
    }

    @Test
    void recordingAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof ThreadMXBean, "HotSpot's per-thread allocation counter");
        ThreadMXBean threads = (ThreadMXBean) bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        RequestMetrics m = new RequestMetrics();
        ApiKeys[] apis = ApiKeys.values();
        for (int i = 0; i < 20_000; i++) { // warm up: the JIT compiles record()
            m.record(apis[i % apis.length], i, i, i, (i & 1) == 0);
            m.recordRefused(apis[i % apis.length], i);
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            m.record(apis[i % apis.length], i, i, i, (i & 1) == 0);
            m.recordRefused(apis[i % apis.length], i);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        // 200,000 recordings; a single allocation each would be megabytes. Allow the counter's own noise.
        assertThat(allocated).isLessThan(16 * 1024);
    }
}
