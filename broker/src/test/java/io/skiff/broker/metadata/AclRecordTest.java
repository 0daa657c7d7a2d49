package io.skiff.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.protocol.Uuid;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ACL records: their binary form, their replay from the metadata log, and the image they build. */
class AclRecordTest {
    private static final Uuid FIRST = new Uuid(1L, 2L);
    private static final Uuid SECOND = new Uuid(3L, 4L);

    @TempDir
    Path dir;

    private static List<MetadataRecord> records() {
        return List.of(
                new MetadataRecord.AclCreated(
                        FIRST, (byte) 2, "orders", (byte) 3, "User:alice", "*", (byte) 3, (byte) 3),
                new MetadataRecord.AclCreated(
                        SECOND, (byte) 3, "app-", (byte) 4, "User:*", "10.0.0.1", (byte) 2, (byte) 2),
                new MetadataRecord.AclRemoved(FIRST));
    }

    @Test
    void everyAclRecordReadsBackEqual() {
        for (MetadataRecord r : records()) {
            ByteBuf buf = Unpooled.buffer();
            try {
                MetadataRecordCodec.write(r, buf);
                assertThat(MetadataRecordCodec.read(buf)).isEqualTo(r);
                assertThat(buf.readableBytes()).isZero();
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void aclsSurviveAReopenOfTheMetadataLog() throws Exception {
        try (MetadataLog log = MetadataLog.open(dir, new ArrayList<>())) {
            log.append(records());
        }
        List<MetadataRecord> read = new ArrayList<>();
        try (MetadataLog log = MetadataLog.open(dir, read)) {
            assertThat(read).isEqualTo(records());
        }
    }

    @Test
    void theImageKeepsTheAclsNotRemovedAndTheSameMapWhileNoneChanges() {
        MetadataImage image = MetadataImage.EMPTY;
        for (MetadataRecord r : records()) {
            image = image.apply(r);
        }
        assertThat(image.acls()).containsOnlyKeys(SECOND);
        MetadataImage next = image.apply(new MetadataRecord.ProducerIdsAllocated(1000));
        assertThat(next.acls()).isSameAs(image.acls());
    }

    @Test
    void removingAnUnknownAclIsRefused() {
        assertThatThrownBy(() -> MetadataImage.EMPTY.apply(new MetadataRecord.AclRemoved(FIRST)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown ACL id");
    }
}
