package io.skiff.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.wire.protocol.Uuid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataManagerInitializeTest {
    @TempDir
    Path dir;

    private final Uuid id = Uuid.random();
    private final List<MetadataRecord> records = List.of(
            new MetadataRecord.TopicCreated(id, "orders", 3, (short) 1),
            new MetadataRecord.TopicConfigChanged(id, "retention.ms", "1000"),
            new MetadataRecord.ProducerIdsAllocated(1000));

    @Test
    void initializedRecordsAreWhatTheManagerLoads() throws IOException {
        MetadataManager.initialize(dir, records);

        assertThat(MetadataManager.recordCount(dir)).isEqualTo(3);
        try (MetadataManager m = MetadataManager.open(dir)) {
            assertThat(m.image().topic("orders").id()).isEqualTo(id);
            assertThat(m.image().topic("orders").partitions()).isEqualTo(3);
            assertThat(m.image().topic("orders").configs()).containsEntry("retention.ms", "1000");
            assertThat(m.image().nextProducerId()).isEqualTo(1000);
            assertThat(m.image().offset()).isEqualTo(3);
        }
        assertThat(dir.resolve(MetadataLog.FILE_NAME + ".tmp")).doesNotExist();
    }

    @Test
    void refusesToInitializeALogThatHoldsRecords() throws IOException {
        MetadataManager.initialize(dir, records);
        byte[] before = Files.readAllBytes(dir.resolve(MetadataLog.FILE_NAME));

        assertThatThrownBy(() -> MetadataManager.initialize(dir, records))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not empty");
        assertThat(Files.readAllBytes(dir.resolve(MetadataLog.FILE_NAME))).isEqualTo(before);
    }

    @Test
    void replacesAnEmptyOrTornLogAndCountsItWithoutChangingIt() throws IOException {
        Path log = dir.resolve(MetadataLog.FILE_NAME);
        Files.write(log, new byte[] {0, 0, 0, 9, 1, 2});

        assertThat(MetadataManager.recordCount(dir)).isZero();
        assertThat(Files.size(log)).isEqualTo(6); // counting reads only
        MetadataManager.initialize(dir, records);
        assertThat(MetadataManager.recordCount(dir)).isEqualTo(3);
    }

    @Test
    void countsNothingWithoutALog() throws IOException {
        assertThat(MetadataManager.recordCount(dir)).isZero();
        assertThat(dir.resolve(MetadataLog.FILE_NAME)).doesNotExist();
    }
}
