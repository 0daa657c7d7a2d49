package io.skiff.coordinator.group;

import io.skiff.wire.protocol.Uuid;
import java.util.Collection;

/**
 * The topics of the cluster as the group coordinator needs them: names, ids and partition
 * counts. The broker implements it over its metadata image and calls
 * {@link GroupCoordinator#onTopicsChanged()} after a change (topics created or deleted,
 * partitions added) so that consumer groups recompute their assignments. Implementations must be
 * thread-safe; each call may see a newer image than the previous one.
 */
public interface TopicsView {

    /** The id of the topic, or null if it does not exist. */
    Uuid topicId(String topicName);

    /** The name of the topic with this id, or null if it does not exist. */
    String topicName(Uuid topicId);

    /** The partition count of the topic, or -1 if it does not exist. */
    int numPartitions(String topicName);

    /** The names of all topics (used to resolve regular expression subscriptions). */
    Collection<String> topicNames();

    /** A number that grows with every change of the topics (for example the metadata offset). */
    long version();
}
