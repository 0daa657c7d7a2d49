package io.skiff.broker.metadata;

import io.skiff.wire.protocol.Uuid;
import java.util.Map;

/**
 * A topic as the metadata image knows it: id, name, partition count, replication factor and
 * config overrides. Immutable.
 */
public record TopicImage(Uuid id, String name, int partitions, short replicationFactor, Map<String, String> configs) {
    public TopicImage {
        configs = Map.copyOf(configs);
    }

    public boolean isInternal() {
        return name.equals("__consumer_offsets")
                || name.equals("__transaction_state")
                || name.equals("__share_group_state");
    }
}
