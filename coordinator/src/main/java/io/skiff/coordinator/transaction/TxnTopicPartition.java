package io.skiff.coordinator.transaction;

import java.util.Objects;

/**
 * A partition that takes part in a transaction: topic name and partition index. The coordinator
 * module's own small value (it does not depend on storage). Immutable.
 */
public record TxnTopicPartition(String topic, int partition) implements Comparable<TxnTopicPartition> {
    public TxnTopicPartition {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public int compareTo(TxnTopicPartition o) {
        int c = topic.compareTo(o.topic);
        return c != 0 ? c : Integer.compare(partition, o.partition);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
