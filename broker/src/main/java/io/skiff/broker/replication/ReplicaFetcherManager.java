package io.skiff.broker.replication;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.storage.TopicPartition;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica fetchers of this broker: told by the {@link PartitionManager} which partitions follow
 * which leader, it gives each to one of {@code num.replica.fetchers} {@link ReplicaFetcher}s of that
 * leader (by a hash of the partition), creating fetchers as needed. The fetchers run on their own
 * event loops ("skiff-replica-fetcher"), never on the threads that serve clients. Thread-safe
 * (synchronized); changes come from the metadata thread.
 */
public final class ReplicaFetcherManager implements PartitionManager.ReplicaListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcherManager.class);

    private record Key(int sourceBroker, int fetcherId) {}

    private final ReplicationSettings settings;
    private final Supplier<MetadataImage> image;
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final Map<Key, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<TopicPartition, ReplicaFetcher> assigned = new HashMap<>();

    public ReplicaFetcherManager(ReplicationSettings settings, Supplier<MetadataImage> image) {
        this.settings = settings;
        this.image = image;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "skiff-replica-fetcher-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.group = new MultiThreadIoEventLoopGroup(Math.max(1, settings.numFetchers()), threads, factory);
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override
    public synchronized void onFollow(Partition partition) {
        TopicPartition tp = partition.topicPartition();
        ReplicaFetcher old = assigned.remove(tp);
        if (old != null) {
            old.remove(tp);
        }
        TopicImage topic = image.get().topic(tp.topic());
        if (topic == null) {
            return;
        }
        int fetcherId = Math.floorMod(31 * tp.topic().hashCode() + tp.partition(), settings.numFetchers());
        ReplicaFetcher f = fetchers.computeIfAbsent(
                new Key(partition.leaderId(), fetcherId),
                k -> new ReplicaFetcher(k.sourceBroker(), settings, group.next(), channelType, image));
        LOG.info("Following {} from broker {} in leader epoch {}", tp, partition.leaderId(), partition.leaderEpoch());
        f.add(partition, topic.id(), partition.leaderEpoch());
        assigned.put(tp, f);
    }

    @Override
    public synchronized void onStopFollowing(TopicPartition tp) {
        ReplicaFetcher f = assigned.remove(tp);
        if (f != null) {
            f.remove(tp);
        }
    }

    @Override
    public synchronized void close() {
        for (ReplicaFetcher f : fetchers.values()) {
            f.close();
        }
        fetchers.clear();
        assigned.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
