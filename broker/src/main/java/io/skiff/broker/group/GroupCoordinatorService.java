package io.skiff.broker.group;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.log.ReplicaManager;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.coordinator.runtime.SystemCoordinatorTimer;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker side of group coordination: creates {@code __consumer_offsets} on first use (as
 * Kafka does on the first FindCoordinator), makes this node the coordinator of every one of its
 * partitions (each loaded by replaying its log), and keeps the coordinator informed of topic
 * changes. Thread-safe: metadata changes arrive on the metadata thread, requests from any thread.
 */
public final class GroupCoordinatorService implements MetadataManager.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorService.class);
    public static final String OFFSETS_TOPIC = "__consumer_offsets";

    private final BrokerConfig config;
    private final MetadataManager metadata;
    private final TopicAdmin admin;
    private final ReplicaManager replicas;
    private final boolean fsync;
    private final GroupCoordinator coordinator;
    private final Map<Integer, Boolean> elected = new ConcurrentHashMap<>();

    public GroupCoordinatorService(BrokerConfig config, MetadataManager metadata, TopicAdmin admin,
                                   ReplicaManager replicas, boolean fsync) {
        this.config = config;
        this.metadata = metadata;
        this.admin = admin;
        this.replicas = replicas;
        this.fsync = fsync;
        Map<String, String> props = new LinkedHashMap<>(config.originals());
        props.putIfAbsent(GroupCoordinatorConfig.MESSAGE_MAX_BYTES, Integer.toString(config.messageMaxBytes()));
        this.coordinator = new GroupCoordinator(GroupCoordinatorConfig.fromProperties(props), new ImageTopics(),
            Clock.SYSTEM, new SystemCoordinatorTimer(), null);
    }

    public GroupCoordinator coordinator() {
        return coordinator;
    }

    /** Creates {@code __consumer_offsets} if it does not exist yet; completes with the outcome. */
    public CompletableFuture<Errors> ensureOffsetsTopic() {
        if (metadata.image().topic(OFFSETS_TOPIC) != null) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", "compact");
        configs.put("compression.type", "producer");
        configs.put("segment.bytes", Integer.toString(config.getInt("offsets.topic.segment.bytes")));
        int partitions = config.getInt("offsets.topic.num.partitions");
        // A single node cannot hold more than one replica; Kafka would refuse to create the topic
        // with its default replication factor of 3 here, which would leave groups unusable.
        TopicAdmin.NewTopic topic = new TopicAdmin.NewTopic(OFFSETS_TOPIC, partitions, (short) 1, Map.of(), configs);
        return admin.create(List.of(topic), false).handle((outcomes, failure) -> {
            if (failure != null) {
                LOG.error("Cannot create {}", OFFSETS_TOPIC, failure);
                return Errors.COORDINATOR_NOT_AVAILABLE;
            }
            TopicAdmin.Outcome o = outcomes.get(0);
            return o.ok() || o.error() == Errors.TOPIC_ALREADY_EXISTS ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE;
        });
    }

    @Override
    public void onLoad(MetadataImage image) {
        TopicImage offsets = image.topic(OFFSETS_TOPIC);
        if (offsets != null) {
            electAll(offsets);
        }
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        boolean topicsChanged = false;
        List<String> deleted = new ArrayList<>();
        for (MetadataRecord r : records) {
            if (r instanceof MetadataRecord.TopicCreated c) {
                if (c.name().equals(OFFSETS_TOPIC)) {
                    electAll(next.topic(c.topicId()));
                } else {
                    topicsChanged = true;
                }
            } else if (r instanceof MetadataRecord.PartitionsAdded a) {
                TopicImage t = next.topic(a.topicId());
                if (t != null && t.name().equals(OFFSETS_TOPIC)) {
                    electAll(t);
                } else {
                    topicsChanged = true;
                }
            } else if (r instanceof MetadataRecord.TopicDeleted d) {
                TopicImage t = previous.topic(d.topicId());
                if (t != null && t.name().equals(OFFSETS_TOPIC)) {
                    for (Integer p : new ArrayList<>(elected.keySet())) {
                        coordinator.onResignation(p);
                        elected.remove(p);
                    }
                } else if (t != null) {
                    deleted.add(t.name());
                    topicsChanged = true;
                }
            }
        }
        if (!deleted.isEmpty()) {
            coordinator.onTopicsDeleted(deleted);
        }
        if (topicsChanged) {
            coordinator.onTopicsChanged();
        }
    }

    private void electAll(TopicImage offsets) {
        for (int p = 0; p < offsets.partitions(); p++) {
            if (elected.containsKey(p)) {
                continue;
            }
            PartitionLog log = replicas.log(new TopicPartition(OFFSETS_TOPIC, p));
            if (log == null) {
                LOG.error("No log for {}-{}: its groups cannot be served", OFFSETS_TOPIC, p);
                continue;
            }
            elected.put(p, Boolean.TRUE);
            coordinator.onElection(p, new PartitionCoordinatorLog(log, fsync, System::currentTimeMillis));
        }
    }

    /** Whether this node coordinates the partition of {@code groupId} (the offsets topic exists). */
    public boolean coordinates(String groupId) {
        return elected.containsKey(coordinator.partitionFor(groupId));
    }

    @Override
    public void close() {
        coordinator.close();
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
