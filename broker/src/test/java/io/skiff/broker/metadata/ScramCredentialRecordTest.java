package io.skiff.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SCRAM credential records: their binary form, their replay from the metadata log, and the image they build. */
class ScramCredentialRecordTest {
    @TempDir
    Path dir;

    private static List<MetadataRecord> records() {
        return List.of(
                new MetadataRecord.UserScramCredentialChanged(
                        "bob", (byte) 1, new byte[] {1, 2, 3}, new byte[] {4, 5}, new byte[] {6, 7}, 8192),
                new MetadataRecord.UserScramCredentialChanged(
                        "bob", (byte) 2, new byte[] {9}, new byte[] {10}, new byte[] {11}, 4096),
                MetadataRecord.UserScramCredentialChanged.removal("bob", (byte) 1));
    }

    @Test
    void everyScramCredentialRecordReadsBackEqual() {
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
    void credentialsSurviveAReopenAndTheImageKeepsTheLatest() throws Exception {
        try (MetadataLog log = MetadataLog.open(dir, new ArrayList<>())) {
            log.append(records());
        }
        List<MetadataRecord> read = new ArrayList<>();
        try (MetadataLog log = MetadataLog.open(dir, read)) {
            assertThat(read).isEqualTo(records());
        }
        MetadataImage image = MetadataImage.EMPTY;
        for (MetadataRecord r : read) {
            image = image.apply(r);
        }
        image = image.apply(new MetadataRecord.ProducerIdsAllocated(1000));
        assertThat(image.scramCredential("bob", (byte) 1)).isNull();
        assertThat(image.scramCredential("bob", (byte) 2).iterations()).isEqualTo(4096);
        assertThat(image.scramCredentials()).containsOnlyKeys("bob");
        image = image.apply(MetadataRecord.UserScramCredentialChanged.removal("bob", (byte) 2));
        assertThat(image.scramCredentials()).isEmpty();
    }
}
