package io.skiff.broker.metrics;

import io.skiff.wire.protocol.Errors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Kafka's {@code kafka.server:type=BrokerTopicMetrics} meters, for all topics (no {@code topic}
 * key) and per topic: {@code MessagesInPerSec}, {@code BytesInPerSec}, {@code BytesOutPerSec},
 * {@code TotalProduceRequestsPerSec}, {@code TotalFetchRequestsPerSec},
 * {@code FailedProduceRequestsPerSec}, {@code FailedFetchRequestsPerSec}. The produce and fetch
 * handlers tell it of each partition they served, as Kafka's ReplicaManager does:
 *
 * <ul>
 *   <li>a produce to a partition of a topic that exists counts one total produce request; an
 *       append counts its records and bytes in; a failure counts one failed produce request,
 *       except the failures Kafka leaves out of that meter too (unknown topic or partition, not
 *       the leader, a batch or record too large, corrupt records, a storage error);</li>
 *   <li>a consumer's fetch of a partition counts one total fetch request, its record bytes out,
 *       and a failure as for produce (follower fetches, once there are any, are not counted).</li>
 * </ul>
 *
 * <p>A topic's meters are created the first time it is served (a map lookup by name after that,
 * which allocates nothing) and removed when it is deleted ({@link #removeTopic}). {@link #NONE}
 * counts nothing (metrics off, tests). Thread-safe.
 */
public final class BrokerTopicStats {
    /** Counts nothing. */
    public static final BrokerTopicStats NONE = new BrokerTopicStats();

    private static final String[] NAMES = {
        "MessagesInPerSec",
        "BytesInPerSec",
        "BytesOutPerSec",
        "TotalProduceRequestsPerSec",
        "TotalFetchRequestsPerSec",
        "FailedProduceRequestsPerSec",
        "FailedFetchRequestsPerSec"
    };
    private static final String[] EVENT_TYPES = {
        "messages", "bytes", "bytes", "requests", "requests", "requests", "requests"
    };
    private static final int MESSAGES_IN = 0;
    private static final int BYTES_IN = 1;
    private static final int BYTES_OUT = 2;
    private static final int TOTAL_PRODUCE = 3;
    private static final int TOTAL_FETCH = 4;
    private static final int FAILED_PRODUCE = 5;
    private static final int FAILED_FETCH = 6;

    private final KafkaMetricsRegistry registry;
    private final Meter[] all;
    private final ConcurrentHashMap<String, Meter[]> byTopic = new ConcurrentHashMap<>();
    private final Function<String, Meter[]> create = this::topicMeters;

    private BrokerTopicStats() {
        this.registry = null;
        this.all = null;
    }

    BrokerTopicStats(KafkaMetricsRegistry registry) {
        this.registry = registry;
        this.all = meters(null);
    }

    private Meter[] topicMeters(String topic) {
        return meters(topic);
    }

    private Meter[] meters(String topic) {
        Meter[] m = new Meter[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            m[i] = registry.meter(name(i, topic), EVENT_TYPES[i]);
        }
        return m;
    }

    private static MetricName name(int i, String topic) {
        return topic == null
                ? MetricName.kafka(MetricName.Kind.METER, "kafka.server", "BrokerTopicMetrics", NAMES[i])
                : MetricName.kafka(
                        MetricName.Kind.METER, "kafka.server", "BrokerTopicMetrics", NAMES[i], "topic", topic);
    }

    private Meter[] topic(String topic) {
        Meter[] m = byTopic.get(topic);
        return m != null ? m : byTopic.computeIfAbsent(topic, create);
    }

    /**
     * One partition of a produce request of an existing {@code topic}, answered {@code error};
     * {@code messages} records and {@code bytes} bytes appended (0 unless it succeeded).
     */
    public void produced(String topic, Errors error, long messages, long bytes) {
        if (registry == null) {
            return;
        }
        Meter[] t = topic(topic);
        t[TOTAL_PRODUCE].mark();
        all[TOTAL_PRODUCE].mark();
        if (error == Errors.NONE) {
            t[MESSAGES_IN].mark(messages);
            all[MESSAGES_IN].mark(messages);
            t[BYTES_IN].mark(bytes);
            all[BYTES_IN].mark(bytes);
        } else if (countsAsFailure(error)) {
            t[FAILED_PRODUCE].mark();
            all[FAILED_PRODUCE].mark();
        }
    }

    /** One partition of a consumer's fetch of an existing {@code topic}, answered {@code error} with {@code bytes} of records. */
    public void fetched(String topic, Errors error, long bytes) {
        if (registry == null) {
            return;
        }
        Meter[] t = topic(topic);
        t[TOTAL_FETCH].mark();
        all[TOTAL_FETCH].mark();
        if (bytes > 0) {
            t[BYTES_OUT].mark(bytes);
            all[BYTES_OUT].mark(bytes);
        }
        if (error != Errors.NONE && countsAsFailure(error)) {
            t[FAILED_FETCH].mark();
            all[FAILED_FETCH].mark();
        }
    }

    /** Kafka leaves these out of its failed-request meters (its ReplicaManager's "expected" errors). */
    private static boolean countsAsFailure(Errors error) {
        switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION:
            case UNKNOWN_TOPIC_ID:
            case NOT_LEADER_OR_FOLLOWER:
            case FENCED_LEADER_EPOCH:
            case UNKNOWN_LEADER_EPOCH:
            case OFFSET_OUT_OF_RANGE:
            case MESSAGE_TOO_LARGE:
            case RECORD_LIST_TOO_LARGE:
            case CORRUPT_MESSAGE:
            case KAFKA_STORAGE_ERROR:
                return false;
            default:
                return true;
        }
    }

    /** Removes a deleted topic's meters. */
    public void removeTopic(String topic) {
        if (registry == null || byTopic.remove(topic) == null) {
            return;
        }
        for (int i = 0; i < NAMES.length; i++) {
            registry.remove(name(i, topic));
        }
    }

    /** The topics that have meters now. */
    Iterable<String> topics() {
        return byTopic.keySet();
    }
}
