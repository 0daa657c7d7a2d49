package io.skiff.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client quota records: their binary form, their replay from the metadata log, and the image they build. */
class ClientQuotaRecordTest {
    @TempDir
    Path dir;

    private static Map<String, String> entity(String... typeAndName) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < typeAndName.length; i += 2) {
            m.put(typeAndName[i], typeAndName[i + 1]);
        }
        return m;
    }

    private static List<MetadataRecord> records() {
        return List.of(
                new MetadataRecord.ClientQuotaChanged(entity("user", "alice"), "producer_byte_rate", 1024.0),
                new MetadataRecord.ClientQuotaChanged(
                        entity("user", null, "client-id", "app"), "request_percentage", 12.5),
                new MetadataRecord.ClientQuotaChanged(entity("ip", "10.0.0.1"), "connection_creation_rate", 3.0),
                new MetadataRecord.ClientQuotaChanged(entity("user", "alice"), "producer_byte_rate", null));
    }

    @Test
    void everyClientQuotaRecordReadsBackEqual() {
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
    void clientQuotasSurviveAReopenOfTheMetadataLog() throws Exception {
        try (MetadataLog log = MetadataLog.open(dir, new ArrayList<>())) {
            log.append(records());
        }
        List<MetadataRecord> read = new ArrayList<>();
        try (MetadataLog log = MetadataLog.open(dir, read)) {
            assertThat(read).isEqualTo(records());
        }
    }

    @Test
    void theImageKeepsOnlyEntitiesThatHaveAQuota() {
        MetadataImage image = MetadataImage.EMPTY;
        for (MetadataRecord r : records()) {
            image = image.apply(r);
        }
        assertThat(image.clientQuotas())
                .containsOnlyKeys(entity("user", null, "client-id", "app"), entity("ip", "10.0.0.1"));
        assertThat(image.clientQuotas().get(entity("user", null, "client-id", "app")))
                .containsExactlyEntriesOf(Map.of("request_percentage", 12.5));
        assertThat(image.offset()).isEqualTo(4);
    }
}
