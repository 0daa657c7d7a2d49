package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process under idempotent produce load ({@link IdempotentLoad}) is killed with SIGKILL
 * five times. After each restart the producer carries on (retrying what was in flight); at the end
 * every acknowledged record must be in the log exactly once, in order. The longer campaign, with
 * random kill moments, checks after every restart, file validation and a simulated power loss,
 * is {@link DurabilityCampaignCompatTest}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CrashRecoveryCompatTest {
    private static final String TOPIC = "crash";
    private static final int KILLS = 5;
    private static final int ACKS_BETWEEN_KILLS = 3000;

    @Test
    void fsyncModeKeepsEveryAcknowledgedRecordExactlyOnceAcrossFiveSigkills(@TempDir Path dir) throws Exception {
        Outcome o = run(dir, "fsync");
        assertThat(o.lost)
                .as("acknowledged records missing after SIGKILL in fsync mode")
                .isEmpty();
    }

    @Test
    void defaultModeReportsWhatSigkillLoses(@TempDir Path dir) throws Exception {
        // A process kill does not lose the page cache, so nothing acknowledged should be lost;
        // only a machine crash could lose what was not yet flushed. The count is reported.
        Outcome o = run(dir, "flush");
        System.out.println("default durability: " + o.lost.size() + " of " + o.acked
                + " acknowledged records lost over " + KILLS + " SIGKILLs");
        assertThat(o.lost).isEmpty();
    }

    record Outcome(long acked, List<Long> lost) {}

    private Outcome run(Path dir, String durability) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir).with("skiff.log.durability", durability)) {
            broker.start();
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                        .all()
                        .get();
            }
            long[] ackedOffsets;
            long acked;
            try (IdempotentLoad load = new IdempotentLoad(broker.bootstrapServers(), TOPIC, 0).start()) {
                for (int k = 0; k < KILLS; k++) {
                    load.awaitMoreAcks(ACKS_BETWEEN_KILLS, Duration.ZERO, Duration.ofSeconds(90));
                    broker.kill();
                    broker.start();
                }
                load.awaitMoreAcks(ACKS_BETWEEN_KILLS, Duration.ZERO, Duration.ofSeconds(90));
                load.stopAndFlush();
                assertThat(load.failures()).as("sends that failed for good").isZero();
                ackedOffsets = load.ackedOffsets();
                acked = load.ackedCount();
            }
            List<Long> log = readLog(broker.bootstrapServers());
            Set<Long> present = new HashSet<>(log);
            List<Long> lost = new ArrayList<>();
            for (int seq = 0; seq < ackedOffsets.length; seq++) {
                if (ackedOffsets[seq] >= 0 && !present.contains((long) seq)) {
                    lost.add((long) seq);
                }
            }
            assertThat(present).as("no record appears twice").hasSize(log.size());
            for (int i = 1; i < log.size(); i++) {
                assertThat(log.get(i)).as("log order at offset %d", i).isGreaterThan(log.get(i - 1));
            }
            System.out.println(durability + " durability: " + acked + " acknowledged, " + log.size()
                    + " records in the log after " + KILLS + " SIGKILLs");
            return new Outcome(acked, lost);
        }
    }

    private static List<Long> readLog(String bootstrap) {
        List<Long> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, new Properties())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(consumer, (int) end)) {
                out.add(ByteBuffer.wrap(r.value()).getLong());
            }
            assertThat((long) out.size()).as("records read vs log end offset").isEqualTo(end);
        }
        return out;
    }
}
