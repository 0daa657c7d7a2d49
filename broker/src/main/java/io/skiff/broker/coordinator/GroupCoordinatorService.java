package io.skiff.broker.coordinator;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.coordinator.runtime.SystemCoordinatorTimer;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The group coordinator in the broker: the coordinator module's {@link GroupCoordinator},
 * configured from the broker's properties and seeing topics through the metadata image, hosted on
 * {@code __consumer_offsets} by a {@link CoordinatorHost}, and told about changes of the other
 * topics (consumer groups follow their subscriptions; offsets of deleted topics go). What is not
 * about groups lives in the host. Thread-safe: metadata changes arrive on the metadata thread,
 * requests from any thread.
 */
public final class GroupCoordinatorService implements MetadataManager.Listener, AutoCloseable {
    private final MetadataManager metadata;
    private final SystemCoordinatorTimer timer = new SystemCoordinatorTimer();
    private final CoordinatorHost<GroupCoordinator> host;

    public GroupCoordinatorService(
            BrokerConfig config,
            MetadataManager metadata,
            TopicAdmin admin,
            PartitionManager partitions,
            boolean fsync) {
        this.metadata = metadata;
        Map<String, String> props = new LinkedHashMap<>(config.originals());
        props.putIfAbsent(GroupCoordinatorConfig.MESSAGE_MAX_BYTES, Integer.toString(config.messageMaxBytes()));
        GroupCoordinatorConfig groupConfig = GroupCoordinatorConfig.fromProperties(props);
        this.host = new CoordinatorHost<>(
                offsetsTopic(config),
                () -> new GroupCoordinator(groupConfig, new ImageTopics(), Clock.SYSTEM, timer, null),
                metadata,
                admin,
                partitions,
                fsync,
                System::currentTimeMillis);
    }

    /** {@code __consumer_offsets} as Kafka creates it: compacted, the producer's compression. */
    static InternalTopic offsetsTopic(BrokerConfig config) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", "compact");
        configs.put("compression.type", "producer");
        configs.put("segment.bytes", Integer.toString(config.getInt("offsets.topic.segment.bytes")));
        int partitions = config.getInt("offsets.topic.num.partitions");
        return new InternalTopic(GroupCoordinator.OFFSETS_TOPIC, partitions, configs);
    }

    public GroupCoordinator coordinator() {
        return host.coordinator();
    }

    public CoordinatorHost<GroupCoordinator> host() {
        return host;
    }

    /** Creates {@code __consumer_offsets} if it does not exist yet; completes with the outcome. */
    public CompletableFuture<Errors> ensureOffsetsTopic() {
        return host.ensureTopic();
    }

    /** Whether this node coordinates the partition of {@code groupId} (the offsets topic exists). */
    public boolean coordinates(String groupId) {
        return host.coordinates(groupId);
    }

    @Override
    public void onLoad(MetadataImage image) {
        host.onLoad(image);
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        host.onChange(previous, next, records);
        String offsetsTopic = host.topic().name();
        boolean topicsChanged = false;
        List<String> deleted = new ArrayList<>();
        for (MetadataRecord r : records) {
            if (r instanceof MetadataRecord.TopicCreated c) {
                topicsChanged |= !c.name().equals(offsetsTopic);
            } else if (r instanceof MetadataRecord.PartitionsAdded a) {
                TopicImage t = next.topic(a.topicId());
                topicsChanged |= t == null || !t.name().equals(offsetsTopic);
            } else if (r instanceof MetadataRecord.TopicDeleted d) {
                TopicImage t = previous.topic(d.topicId());
                if (t != null && !t.name().equals(offsetsTopic)) {
                    deleted.add(t.name());
                    topicsChanged = true;
                }
            }
        }
        GroupCoordinator coordinator = host.coordinator();
        if (!deleted.isEmpty()) {
            coordinator.onTopicsDeleted(deleted);
        }
        if (topicsChanged) {
            coordinator.onTopicsChanged();
        }
    }

    @Override
    public void close() {
        host.close();
        timer.close();
    }

    /** The coordinator's view of topics, over the current metadata image. */
    private final class ImageTopics implements TopicsView {
        @Override
        public Uuid topicId(String topicName) {
            TopicImage t = metadata.image().topic(topicName);
            return t == null ? null : t.id();
        }

        @Override
        public String topicName(Uuid topicId) {
            TopicImage t = metadata.image().topic(topicId);
            return t == null ? null : t.name();
        }

        @Override
        public int numPartitions(String topicName) {
            TopicImage t = metadata.image().topic(topicName);
            return t == null ? -1 : t.partitions();
        }

        @Override
        public Collection<String> topicNames() {
            List<String> names = new ArrayList<>();
            for (TopicImage t : metadata.image().topics()) {
                names.add(t.name());
            }
            return names;
        }

        @Override
        public long version() {
            return metadata.image().offset();
        }
    }
}
