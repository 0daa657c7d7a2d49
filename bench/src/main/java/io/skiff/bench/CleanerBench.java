package io.skiff.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The log cleaner side by side: the same compacted topic on Apache Kafka and on Skiff, each with
 * one cleaner thread and the same dedupe buffer. Per broker: {@code updates} records over {@code
 * keys} keys are written while {@code min.compaction.lag.ms} holds the cleaner back; then the lag is
 * lowered to 0 and the time until the partition's size (DescribeLogDirs) stops shrinking gives the
 * cleaner's MB/s and records/s (dirty bytes and records below the active segment, divided by that
 * time). Throughout the cleaning a second producer writes to a plain topic as fast as it can; its
 * rate is compared with the same producer's rate before cleaning. The broker's peak RSS and CPU
 * seconds over the cleaning are read from {@code /proc}.
 *
 * <p>{@code bench/run-cleaner.sh [--keys N] [--updates N] [--value-bytes N] [--dedupe-buffer BYTES]
 * [--brokers kafka,skiff]}. Figures are printed, never asserted. Single-threaded.
 */
public final class CleanerBench {
    private static final String COMPACTED = "cleaned";
    private static final String PLAIN = "plain";
    private static final long SEGMENT_BYTES = 16 << 20;
    private static final long POLL_MS = 200;
    private static final long STABLE_MS = 3_000;

    private int keys = 100_000;
    private int updates = 3_000_000;
    private int valueBytes = 100;
    private long dedupeBuffer = 64L << 20;
    private List<String> brokers = List.of("kafka", "skiff");

    private CleanerBench() {}

    public static void main(String[] args) throws Exception {
        CleanerBench b = new CleanerBench();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--keys" -> b.keys = Integer.parseInt(v);
                case "--updates" -> b.updates = Integer.parseInt(v);
                case "--value-bytes" -> b.valueBytes = Integer.parseInt(v);
                case "--dedupe-buffer" -> b.dedupeBuffer = Long.parseLong(v);
                case "--brokers" -> b.brokers = List.of(v.split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        System.exit(b.run());
    }

    private int run() throws Exception {
        Path home = Path.of(System.getProperty("skiff.home", "."));
        Path work = Files.createTempDirectory("skiff-cleaner-bench-");
        System.out.printf(
                "# cleaner bench: %d updates over %d keys, %d-byte values, dedupe buffer %d bytes, 1 cleaner thread%n",
                updates, keys, valueBytes, dedupeBuffer);
        Map<String, String> common = new LinkedHashMap<>();
        common.put("log.cleaner.threads", "1");
        common.put("log.cleaner.dedupe.buffer.size", Long.toString(dedupeBuffer));
        common.put("log.cleaner.backoff.ms", "100");
        common.put("log.retention.check.interval.ms", "1000");
        BrokerProcess.Launch launch = new BrokerProcess.Launch(
                List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true"), List.of(), common);
        List<Result> results = new ArrayList<>();
        for (String side : brokers) {
            Path dir = work.resolve(side);
            try (BrokerProcess broker = side.equals("kafka")
                    ? BrokerProcess.startKafka(side, dir, launch)
                    : BrokerProcess.startSkiff(side, home, dir, launch, Map.of())) {
                Result r = measure(side, broker);
                results.add(r);
                System.out.println(r.line());
            }
        }
        if (results.size() == 2) {
            Result k = results.get(0);
            Result s = results.get(1);
            System.out.printf(
                    "# ratio %s/%s: cleaner MB/s %.2fx, records/s %.2fx, produce during cleaning %.2fx vs %.2fx of"
                            + " before, peak RSS %.2fx, CPU s %.2fx%n",
                    s.side,
                    k.side,
                    s.mbPerSec() / k.mbPerSec(),
                    s.recordsPerSec() / k.recordsPerSec(),
                    s.produceDuring / s.produceBefore,
                    k.produceDuring / k.produceBefore,
                    (double) s.peakRss / k.peakRss,
                    s.cpuSeconds / k.cpuSeconds);
        }
        return 0;
    }

    private record Result(
            String side,
            long bytesBefore,
            long bytesAfter,
            long dirtyRecords,
            double seconds,
            double produceBefore,
            double produceDuring,
            long peakRss,
            double cpuSeconds) {
        double mbPerSec() {
            return (bytesBefore - Math.min(bytesBefore, SEGMENT_BYTES)) / 1e6 / seconds;
        }

        double recordsPerSec() {
            return dirtyRecords / seconds;
        }

        String line() {
            return String.format(
                    "%s: size %.1f MB -> %.1f MB in %.2f s: %.1f MB/s, %.0f records/s cleaned; plain produce %.0f"
                            + " records/s before, %.0f during cleaning; peak RSS %d MB; broker CPU %.1f s while"
                            + " cleaning",
                    side,
                    bytesBefore / 1e6,
                    bytesAfter / 1e6,
                    seconds,
                    mbPerSec(),
                    recordsPerSec(),
                    produceBefore,
                    produceDuring,
                    peakRss >> 20,
                    cpuSeconds);
        }
    }

    private Result measure(String side, BrokerProcess broker) throws Exception {
        try (Admin admin = admin(broker.bootstrap())) {
            admin.createTopics(List.of(
                            new NewTopic(COMPACTED, 1, (short) 1)
                                    .configs(Map.of(
                                            "cleanup.policy", "compact",
                                            "segment.bytes", Long.toString(SEGMENT_BYTES),
                                            "min.compaction.lag.ms", "86400000",
                                            "min.cleanable.dirty.ratio", "0.01",
                                            "file.delete.delay.ms", "1000")),
                            new NewTopic(PLAIN, 1, (short) 1)))
                    .all()
                    .get();
            fillCompacted(broker.bootstrap());
            producePlainFor(broker.bootstrap(), 5_000); // warm-up of the producer and the broker's produce path
            double before = producePlainFor(broker.bootstrap(), 5_000);
            long bytesBefore = size(admin, broker);
            long dirtyRecords =
                    Math.round((double) updates * (bytesBefore - Math.min(bytesBefore, SEGMENT_BYTES)) / bytesBefore);
            AtomicBoolean cleaning = new AtomicBoolean(true);
            AtomicLong produced = new AtomicLong();
            Thread load = new Thread(() -> producePlainWhile(broker.bootstrap(), cleaning, produced));
            double cpu0 = ProcStats.cpuSeconds(broker.pid());
            long t0 = System.nanoTime();
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, COMPACTED),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("min.compaction.lag.ms", "0"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
            load.start();
            long peakRss = ProcStats.rssBytes(broker.pid());
            long last = bytesBefore;
            long lastChange = t0;
            long producedAtLastChange = 0;
            double cpuAtLastChange = 0;
            // The size changes first when a cleaned group is swapped in (maybe only at the end of a
            // pass), then it is stable once the cleaner has nothing more to do.
            while (last == bytesBefore || System.nanoTime() - lastChange < TimeUnit.MILLISECONDS.toNanos(STABLE_MS)) {
                Thread.sleep(POLL_MS);
                peakRss = Math.max(peakRss, ProcStats.rssBytes(broker.pid()));
                long now = size(admin, broker);
                if (now != last) {
                    last = now;
                    lastChange = System.nanoTime();
                    producedAtLastChange = produced.get();
                    cpuAtLastChange = ProcStats.cpuSeconds(broker.pid()) - cpu0;
                }
                if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException(side + ": the cleaner did not finish in 10 minutes");
                }
            }
            cleaning.set(false);
            load.join();
            double seconds = (lastChange - t0) / 1e9;
            double during = producedAtLastChange / seconds;
            return new Result(side, bytesBefore, last, dirtyRecords, seconds, before, during, peakRss, cpuAtLastChange);
        }
    }

    private static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** The compacted partition's size on disk as DescribeLogDirs reports it. */
    private static long size(Admin admin, BrokerProcess broker) throws Exception {
        TopicPartition tp = new TopicPartition(COMPACTED, 0);
        return admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1).values().stream()
                .mapToLong(d -> d.replicaInfos().containsKey(tp)
                        ? d.replicaInfos().get(tp).size()
                        : 0)
                .sum();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void fillCompacted(String bootstrap) {
        byte[] value = new byte[valueBytes];
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            for (int i = 0; i < updates; i++) {
                byte[] key =
                        ByteBuffer.allocate(8).putLong((long) i * 7919 % keys).array();
                p.send(new ProducerRecord<>(COMPACTED, 0, key, value));
            }
            p.flush();
        }
    }

    /** Produces to the plain topic for {@code millis}; answers records/s. */
    private double producePlainFor(String bootstrap, long millis) {
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicLong acked = new AtomicLong();
        long t0 = System.nanoTime();
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            go.set(false);
        });
        stopper.start();
        producePlainWhile(bootstrap, go, acked);
        return acked.get() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Produces to the plain topic while {@code go} holds, counting acknowledged records in {@code acked}. */
    private void producePlainWhile(String bootstrap, AtomicBoolean go, AtomicLong acked) {
        byte[] value = new byte[valueBytes];
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            while (go.get()) {
                p.send(new ProducerRecord<>(PLAIN, 0, null, value), (md, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                });
            }
            p.flush();
        }
    }
}
