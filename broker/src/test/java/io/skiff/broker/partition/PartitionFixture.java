package io.skiff.broker.partition;

import io.netty.buffer.ByteBuf;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.storage.AppendResult;
import io.skiff.storage.LogConfig;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.TestBatches;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** A real log manager on a temp dir, and partitions over its logs, for partition-layer tests. */
final class PartitionFixture implements AutoCloseable {
    final File dir;
    final LogManager logs;
    final BrokerConfig config;

    PartitionFixture(File dir) throws IOException {
        this.dir = dir;
        this.config = new BrokerConfig(Map.of("log.dirs", dir.getAbsolutePath()));
        this.logs = LogManager.start(LogManagerConfig.builder(List.of(dir)).build(), Clock.SYSTEM, null);
    }

    PartitionLog createLog(String topic, int partition, Uuid topicId) throws IOException {
        return logs.createLog(new TopicPartition(topic, partition), topicId, LogConfig.of(Map.of()));
    }

    Partition partition(PartitionLog log, int epoch, int minIsr, Partition.HighWatermarkListener listener)
            throws IOException {
        return new Partition(log, config.nodeId(), epoch, minIsr, listener);
    }

    /** Appends {@code count} records as one batch through the partition. */
    static AppendResult append(Partition partition, int count) {
        ByteBuf buf = TestBatches.spec().count(count).build();
        try {
            return partition.appendAsLeader(buf, System.currentTimeMillis());
        } finally {
            buf.release();
        }
    }

    @Override
    public void close() throws IOException {
        logs.shutdown();
    }
}
