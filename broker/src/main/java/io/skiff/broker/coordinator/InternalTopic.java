package io.skiff.broker.coordinator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The internal topic a coordinator keeps its state in, as it is created on first use: name,
 * partition count and topic configs (for {@code __consumer_offsets}: {@code offsets.topic.*};
 * for {@code __transaction_state}: {@code transaction.state.log.*}). Immutable.
 */
public record InternalTopic(String name, int partitions, Map<String, String> configs) {
    public InternalTopic {
        if (partitions < 1) {
            throw new IllegalArgumentException(name + " needs at least one partition, not " + partitions);
        }
        configs = Collections.unmodifiableMap(new LinkedHashMap<>(configs));
    }
}
