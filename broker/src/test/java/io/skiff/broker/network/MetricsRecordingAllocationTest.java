package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metrics.BrokerMetrics;
import io.skiff.broker.metrics.BrokerTopicStats;
import io.skiff.storage.FlushObserver;
import io.skiff.wire.message.ProduceResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the request path records when metrics are on allocates nothing once each API's, topic's
 * and error's meters exist: Kafka's request metrics (with the response's error codes), the
 * BrokerTopicMetrics of produce and fetch, and the flush meters.
 */
class MetricsRecordingAllocationTest {
    @Test
    void recordingAllocatesNothingAfterWarmUp() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof ThreadMXBean, "HotSpot's per-thread allocation counter");
        ThreadMXBean threads = (ThreadMXBean) bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        BrokerConfig config =
                new BrokerConfig(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "skiff.metrics.jmx.enable", "true"));
        try (BrokerMetrics metrics = BrokerMetrics.create(config)) {
            RequestObserver observer = metrics.requestObserver();
            BrokerTopicStats topics = metrics.topicStats();
            FlushObserver flushes = metrics.flushObserver();
            Session session = new Session("PLAINTEXT", SecurityProtocol.PLAINTEXT, null);
            RequestContext produce =
                    new RequestContext(null, session, ApiKeys.PRODUCE, (short) 9, 1, "c", null, null, 100, 1_000L);
            produce.dispatched(2_000L);
            RequestContext fetch =
                    new RequestContext(null, session, ApiKeys.FETCH, (short) 12, 2, "c", null, null, 60, 1_000L);
            fetch.dispatched(3_000L);
            ProduceResponse response = new ProduceResponse()
                    .setResponses(List.of(new ProduceResponse.TopicProduceResponse()
                            .setName("t")
                            .setPartitionResponses(List.of(
                                    new ProduceResponse.PartitionProduceResponse().setErrorCode(Errors.NONE.code),
                                    new ProduceResponse.PartitionProduceResponse()
                                            .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code)))));
            for (int i = 0; i < 20_000; i++) { // warm up: meters created, the JIT compiles
                record(observer, topics, flushes, produce, fetch, response, i);
            }
            long tid = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 10_000; i++) {
                record(observer, topics, flushes, produce, fetch, response, i);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            // 10,000 rounds of five recordings; one allocation each would be hundreds of KiB.
            assertThat(allocated).isLessThan(16 * 1024);
        }
    }

    private static void record(
            RequestObserver observer,
            BrokerTopicStats topics,
            FlushObserver flushes,
            RequestContext produce,
            RequestContext fetch,
            ProduceResponse response,
            int i) {
        observer.completed(produce, response, i & 3, false, 5_000L, 9_000L + i);
        observer.completed(fetch, null, 0, false, 6_000L, 7_000L + i);
        topics.produced("t", (i & 7) == 0 ? Errors.INVALID_RECORD : Errors.NONE, 10, 1000);
        topics.fetched("t", Errors.NONE, 1000);
        flushes.flushed(100_000L + i, i & 15, false);
    }
}
