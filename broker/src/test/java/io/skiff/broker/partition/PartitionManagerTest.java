package io.skiff.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.testing.LeakDetectionExtension;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakDetectionExtension.class)
class PartitionManagerTest {
    @TempDir
    File dir;

    private PartitionFixture fx;
    private PartitionManager manager;

    @BeforeEach
    void open() throws Exception {
        fx = new PartitionFixture(dir);
        manager = new PartitionManager(fx.config, fx.logs, null);
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private static MetadataImage image(MetadataRecord... records) {
        MetadataImage image = MetadataImage.EMPTY;
        for (MetadataRecord r : records) {
            image = image.apply(r);
        }
        return image;
    }

    private List<String> dirNames() {
        String[] names = dir.list((d, n) -> new File(d, n).isDirectory());
        Arrays.sort(names);
        return List.of(names);
    }

    @Test
    void partitionOfATopicTheMetadataDoesNotKnowIsSetAsideWithItsData() throws Exception {
        PartitionLog ghost = fx.createLog("ghost", 0, Uuid.random());
        PartitionFixture.append(new Partition(ghost, 1, 0, 1, null), 7);
        long size = ghost.sizeInBytes();

        manager.onLoad(image());

        assertThat(manager.partition(new TopicPartition("ghost", 0))).isNull();
        assertThat(fx.logs.getLog(new TopicPartition("ghost", 0))).isNull();
        List<String> names = dirNames();
        assertThat(names).hasSize(1);
        assertThat(names.get(0)).startsWith("ghost-0.").endsWith("-stray");
        File[] segments = new File(dir, names.get(0)).listFiles((d, n) -> n.endsWith(".log"));
        assertThat(segments).hasSize(1);
        assertThat(segments[0].length()).isEqualTo(size);
    }

    @Test
    void partitionOfATopicTheMetadataDeletedIsRemoved() throws Exception {
        Uuid id = Uuid.random();
        fx.createLog("gone", 0, id);
        MetadataImage image =
                image(new MetadataRecord.TopicCreated(id, "gone", 1, (short) 1), new MetadataRecord.TopicDeleted(id));

        manager.onLoad(image);

        assertThat(fx.logs.getLog(new TopicPartition("gone", 0))).isNull();
        assertThat(dirNames())
                .singleElement()
                .satisfies(n -> assertThat(n).startsWith("gone-0.").endsWith("-delete"));
    }

    @Test
    void partitionWithAnotherTopicIdIsSetAsideAndTheTopicStartsEmpty() throws Exception {
        PartitionLog old = fx.createLog("t", 0, Uuid.random());
        PartitionFixture.append(new Partition(old, 1, 0, 1, null), 3);
        Uuid current = Uuid.random();

        manager.onLoad(image(new MetadataRecord.TopicCreated(current, "t", 1, (short) 1)));

        Partition p = manager.partition(new TopicPartition("t", 0));
        assertThat(p).isNotNull();
        assertThat(p.log().topicId()).isEqualTo(current);
        assertThat(p.log().logEndOffset()).isZero();
        assertThat(dirNames())
                .hasSize(2)
                .anySatisfy(n -> assertThat(n).startsWith("t-0.").endsWith("-stray"))
                .contains("t-0");
    }

    @Test
    void partitionsOfKnownTopicsAreHostedWithTheirData() throws Exception {
        Uuid id = Uuid.random();
        PartitionLog log = fx.createLog("t", 1, id);
        PartitionFixture.append(new Partition(log, 1, 0, 1, null), 4);

        manager.onLoad(image(new MetadataRecord.TopicCreated(id, "t", 2, (short) 1)));

        assertThat(manager.partitions()).hasSize(2);
        Partition p1 = manager.partition(new TopicPartition("t", 1));
        assertThat(p1.log().logEndOffset()).isEqualTo(4);
        assertThat(p1.highWatermark()).isEqualTo(4);
        assertThat(dirNames()).containsExactly("t-0", "t-1");
    }

    @Test
    void aTopicDeletedAtRunTimeLosesItsPartitions() throws Exception {
        Uuid id = Uuid.random();
        MetadataImage created = image(new MetadataRecord.TopicCreated(id, "t", 1, (short) 1));
        manager.onLoad(MetadataImage.EMPTY);
        MetadataRecord.TopicCreated c = new MetadataRecord.TopicCreated(id, "t", 1, (short) 1);
        manager.onChange(MetadataImage.EMPTY, created, List.of(c));
        assertThat(manager.partition(new TopicPartition("t", 0))).isNotNull();

        MetadataRecord.TopicDeleted d = new MetadataRecord.TopicDeleted(id);
        manager.onChange(created, created.apply(d), List.of(d));

        assertThat(manager.partition(new TopicPartition("t", 0))).isNull();
        assertThat(dirNames()).singleElement().satisfies(n -> assertThat(n).endsWith("-delete"));
    }

    @Test
    void partitionsTakenOverFromAnotherBrokerLeadFromTheEpochAfterItsAndKeepItAcrossRestarts() throws Exception {
        Uuid id = Uuid.random();
        MetadataImage image = image(new MetadataRecord.TopicCreated(id, "t", 2, (short) 1));
        manager.takeOverFrom(Map.of(new TopicPartition("t", 0), 4));
        manager.onLoad(image);
        assertThat(manager.partition(new TopicPartition("t", 0)).leaderEpoch()).isEqualTo(5);
        assertThat(manager.partition(new TopicPartition("t", 1)).leaderEpoch()).isZero();

        PartitionManager restarted = new PartitionManager(fx.config, fx.logs, null);
        restarted.onLoad(image);
        assertThat(restarted.partition(new TopicPartition("t", 0)).leaderEpoch())
                .isEqualTo(5);
        assertThat(restarted.partition(new TopicPartition("t", 0)).checkLeaderEpoch(4))
                .isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }
}
