package io.skiff.broker.coordinator;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.runtime.CoordinatorShards;
import io.skiff.coordinator.runtime.ShardedCoordinator;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts one coordinator on this node over its internal topic: the group coordinator on
 * {@code __consumer_offsets}, and later the transaction coordinator on
 * {@code __transaction_state}. The host
 * <ul>
 *   <li>creates the topic on first use ({@link #ensureTopic()}, as Kafka does on the first
 *       FindCoordinator for the coordinator's key type);</li>
 *   <li>loads a shard for each partition this node leads and unloads it when leadership moves
 *       ({@link #onLeadershipChange}, which replication will call; on a single node every partition
 *       is led here in the epoch its {@link Partition} has, so the metadata image drives it: at start-up,
 *       when the topic is created or grows, and when it is deleted);</li>
 *   <li>gives each shard its partition as a {@link PartitionCoordinatorLog};</li>
 *   <li>tells whether a key's partition is coordinated here ({@link #coordinates}).</li>
 * </ul>
 * What the coordinator does with its shards is its own business: the host only needs the
 * {@link ShardedCoordinator} interface. It owns the coordinator, built by the factory given to it,
 * and closes it.
 *
 * <p>Thread-safe: metadata changes arrive on the metadata thread (register the host after the
 * {@link PartitionManager}, so that partitions exist when it runs), leadership changes and
 * queries from any thread.
 */
public final class CoordinatorHost<C extends ShardedCoordinator> implements MetadataManager.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorHost.class);
    /**
     * Replicas of the internal topic. A single node cannot hold more than one; Kafka would refuse
     * to create the topic with its default replication factor of 3 here, leaving the coordinator
     * unusable.
     */
    private static final short REPLICATION_FACTOR = 1;

    private final InternalTopic topic;
    private final C coordinator;
    private final MetadataManager metadata;
    private final TopicAdmin admin;
    private final PartitionManager partitions;
    private final boolean fsync;
    private final LongSupplier clockMs;

    /**
     * @param coordinatorFactory builds the hosted coordinator, once, here
     * @param fsync              whether appends are answered only once fsynced (durable mode)
     * @param clockMs            the timestamp of the batches the coordinator writes
     */
    public CoordinatorHost(
            InternalTopic topic,
            Supplier<C> coordinatorFactory,
            MetadataManager metadata,
            TopicAdmin admin,
            PartitionManager partitions,
            boolean fsync,
            LongSupplier clockMs) {
        this.topic = topic;
        this.metadata = metadata;
        this.admin = admin;
        this.partitions = partitions;
        this.fsync = fsync;
        this.clockMs = clockMs;
        this.coordinator = coordinatorFactory.get();
    }

    public C coordinator() {
        return coordinator;
    }

    public InternalTopic topic() {
        return topic;
    }

    /**
     * Creates the internal topic if it does not exist yet. Completes with NONE once it exists (its
     * partitions are being loaded then: the metadata listeners ran), or COORDINATOR_NOT_AVAILABLE
     * if it cannot be created.
     */
    public CompletableFuture<Errors> ensureTopic() {
        if (metadata.image().topic(topic.name()) != null) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        TopicAdmin.NewTopic newTopic = new TopicAdmin.NewTopic(
                topic.name(), topic.partitions(), REPLICATION_FACTOR, Map.of(), topic.configs());
        return admin.create(List.of(newTopic), false).handle((outcomes, failure) -> {
            if (failure != null) {
                LOG.error("Cannot create {}", topic.name(), failure);
                return Errors.COORDINATOR_NOT_AVAILABLE;
            }
            TopicAdmin.Outcome o = outcomes.get(0);
            if (o.ok() || o.error() == Errors.TOPIC_ALREADY_EXISTS) {
                return Errors.NONE;
            }
            LOG.error("Cannot create {}: {} {}", topic.name(), o.error(), o.message());
            return Errors.COORDINATOR_NOT_AVAILABLE;
        });
    }

    /**
     * This node became ({@code isLeader}) or stopped being the leader of {@code partition} of the
     * internal topic in {@code leaderEpoch}: the partition's shard is loaded from its log, or
     * unloaded. Changes of an epoch not above the hosted shard's are ignored. The future completes
     * when the load or unload is done (exceptionally if the partition has no log here).
     */
    public CompletableFuture<Void> onLeadershipChange(int partition, boolean isLeader, int leaderEpoch) {
        if (!isLeader) {
            return coordinator.onResignation(partition, leaderEpoch);
        }
        Partition p = partitions.partition(new TopicPartition(topic.name(), partition));
        if (p == null) {
            LOG.error("No log for {}-{}: it cannot be coordinated here", topic.name(), partition);
            return CompletableFuture.failedFuture(
                    new IllegalStateException("no log for " + topic.name() + "-" + partition));
        }
        return coordinator.onElection(
                partition, leaderEpoch, new PartitionCoordinatorLog(p, leaderEpoch, fsync, clockMs));
    }

    /**
     * The node that leads the internal topic's partition of {@code key} (this node on a single
     * node), or -1 while the topic does not exist.
     */
    public int coordinatorNode(String key) {
        TopicImage t = metadata.image().topic(topic.name());
        return t == null ? -1 : partitions.leaderOf(t, coordinator.partitionFor(key));
    }

    /** Whether this node coordinates the partition of {@code key} (its shard is loading or serving here). */
    public boolean coordinates(String key) {
        return coordinator.hosts(coordinator.partitionFor(key));
    }

    @Override
    public void onLoad(MetadataImage image) {
        TopicImage t = image.topic(topic.name());
        if (t != null) {
            leadFrom(t, 0);
        }
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        for (MetadataRecord r : records) {
            if (r instanceof MetadataRecord.TopicCreated c && c.name().equals(topic.name())) {
                TopicImage t = next.topic(c.topicId());
                if (t != null) {
                    leadFrom(t, 0);
                }
            } else if (r instanceof MetadataRecord.PartitionsAdded a) {
                TopicImage t = next.topic(a.topicId());
                if (t != null && t.name().equals(topic.name())) {
                    TopicImage before = previous.topic(a.topicId());
                    leadFrom(t, before == null ? 0 : before.partitions());
                }
            } else if (r instanceof MetadataRecord.PartitionChanged pc) {
                // A cluster's leadership moved (a broker fenced, or back): load or unload the shard.
                TopicImage t = next.topic(pc.topicId());
                if (t != null && t.name().equals(topic.name())) {
                    Partition partition = partitions.partition(new TopicPartition(t.name(), pc.partition()));
                    if (partition != null) {
                        onLeadershipChange(pc.partition(), partition.isLeader(), partition.leaderEpoch());
                    }
                }
            } else if (r instanceof MetadataRecord.TopicDeleted d) {
                TopicImage t = previous.topic(d.topicId());
                if (t != null && t.name().equals(topic.name())) {
                    for (int p = 0; p < t.partitions(); p++) {
                        coordinator.onResignation(p, CoordinatorShards.UNKNOWN_LEADER_EPOCH);
                    }
                }
            }
        }
    }

    /** A single node leads every partition of the topic from {@code first} on, in each partition's epoch. */
    private void leadFrom(TopicImage t, int first) {
        for (int p = first; p < t.partitions(); p++) {
            Partition partition = partitions.partition(new TopicPartition(t.name(), p));
            if (partition == null && partitions.missing(t, p) == Errors.NOT_LEADER_OR_FOLLOWER) {
                continue; // led by another node, which coordinates it
            }
            if (partition == null) {
                LOG.error("No partition {}-{} here: it cannot be coordinated", t.name(), p);
            } else {
                onLeadershipChange(p, partition.isLeader(), partition.leaderEpoch());
            }
        }
    }

    /** Unloads every shard and stops the coordinator. */
    @Override
    public void close() {
        coordinator.close();
    }
}
