package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log directory holding a partition that the broker's metadata does not know (copied in from
 * another broker, as a migration or an operator's mistake would leave it): the broker sets it
 * aside as {@code -stray} with every byte intact, never deletes it, and a new topic of the same
 * name starts empty beside it.
 */
@Timeout(180)
class UnknownDataCompatTest {
    @TempDir
    Path root;

    @Test
    void partitionOfAnUnknownTopicIsSetAsideNeverDeleted() throws Exception {
        Path first = Files.createDirectories(root.resolve("first"));
        Path second = Files.createDirectories(root.resolve("second"));
        try (SkiffProcess a = new SkiffProcess(first)) {
            a.start();
            try (Admin admin = Clients.admin(a.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic("fmt", 1, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> p = Clients.producer(a.bootstrapServers(), "all")) {
                for (int i = 0; i < 100; i++) {
                    p.send(new ProducerRecord<>("fmt", ("v" + i).getBytes())).get(30, TimeUnit.SECONDS);
                }
            }
            assertThat(a.stop()).as("exit status after SIGTERM").isIn(0, 143);
        }
        // The second broker has its own cluster and metadata; then the partition appears in its dir.
        try (SkiffProcess b = new SkiffProcess(second).with("log.segment.delete.delay.ms", "100")) {
            b.start();
            assertThat(b.stop()).as("exit status after SIGTERM").isIn(0, 143);
            copyDir(first.resolve("fmt-0"), second.resolve("fmt-0"));
            long bytes = segmentBytes(second.resolve("fmt-0"));
            assertThat(bytes).isPositive();

            b.start();
            Path stray = awaitStray(second);
            try (Admin admin = Clients.admin(b.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic("fmt", 1, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> p = Clients.producer(b.bootstrapServers(), "all")) {
                p.send(new ProducerRecord<>("fmt", "new".getBytes())).get(30, TimeUnit.SECONDS);
            }
            Properties props = new Properties();
            try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(b.bootstrapServers(), props)) {
                TopicPartition tp = new TopicPartition("fmt", 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                List<ConsumerRecord<byte[], byte[]>> got = Clients.readAll(c, 1);
                assertThat(got).hasSize(1);
                assertThat(got.get(0).offset()).isZero();
                assertThat(new String(got.get(0).value())).isEqualTo("new");
                assertThat(c.poll(Duration.ofMillis(500))).isEmpty();
            }
            // By now a delayed deletion (100 ms here) would long have run, had the broker decided one.
            assertThat(b.stop()).as("exit status after SIGTERM").isIn(0, 143);
            assertThat(stray).isDirectory();
            assertThat(segmentBytes(stray)).isEqualTo(bytes);
            assertThat(Files.readString(second.resolve("broker.out")))
                    .contains("Set the log of fmt-0 aside")
                    .doesNotContain("Deleting the log of fmt-0");
        }
    }

    private static Path awaitStray(Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> found = s.filter(p -> p.getFileName().toString().startsWith("fmt-0.")
                                && p.getFileName().toString().endsWith("-stray"))
                        .toList();
                if (!found.isEmpty()) {
                    return found.get(0);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no fmt-0.*-stray directory in " + dir);
    }

    private static long segmentBytes(Path partitionDir) throws IOException {
        long total = 0;
        for (File f : partitionDir.toFile().listFiles((d, n) -> n.endsWith(".log"))) {
            total += f.length();
        }
        return total;
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(from)) {
            s.forEach(files::add);
        }
        for (Path f : files) {
            Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}
