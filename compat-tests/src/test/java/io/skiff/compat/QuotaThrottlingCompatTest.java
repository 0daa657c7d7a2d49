package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Throttling as Apache Kafka does it, seen by kafka-clients running flat out: producers and a
 * consumer stay within 10% of their byte-rate quotas over 20 s (measured from their first
 * request, with Kafka's default windows: 11 of 1 s), each client id under its own quota; a user
 * quota takes precedence over a client-id quota; raising a quota at runtime raises the rate of
 * the live connection within seconds; the clients' throttle-time metrics show the throttling.
 * Runs against Apache Kafka too ({@code -Dskiff.compat.reference}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class QuotaThrottlingCompatTest {
    private static final int RECORD_BYTES = 10_000;
    private static final long MEASURE_NANOS = TimeUnit.SECONDS.toNanos(20);

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    private static Admin admin;

    @BeforeAll
    static void connect() throws Exception {
        admin = Clients.admin(BROKER);
        admin.createTopics(List.of(
                        new NewTopic("produced", 1, (short) 1),
                        new NewTopic("consumed", 1, (short) 1),
                        new NewTopic("raised", 1, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    private static void quota(ClientQuotaEntity entity, String key, Double value) throws Exception {
        admin.alterClientQuotas(
                        List.of(new ClientQuotaAlteration(entity, List.of(new ClientQuotaAlteration.Op(key, value)))))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    private static ClientQuotaEntity clientId(String id) {
        return new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, id));
    }

    private static KafkaProducer<byte[], byte[]> producer(String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2 * 1024 * 1024);
        // One request at a time: each waits out its throttle before the next is sent.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().name().equals(name)) {
                Object v = e.getValue().metricValue();
                return v instanceof Double d && !d.isNaN() ? d : 0.0;
            }
        }
        throw new AssertionError("no metric " + name);
    }

    /** A producer sending as fast as it can; counts the bytes acknowledged. */
    private static final class FlatOut {
        final KafkaProducer<byte[], byte[]> producer;
        final String topic;
        final AtomicLong acked = new AtomicLong();
        final byte[] value = new byte[RECORD_BYTES];

        FlatOut(String clientId, String topic) {
            this.producer = producer(clientId);
            this.topic = topic;
        }

        /** Sends flat out for {@code nanos}; returns the acknowledged bytes per second over that time. */
        double runFor(long nanos) {
            long startAcked = acked.get();
            long start = System.nanoTime();
            long end = start + nanos;
            while (System.nanoTime() < end) {
                producer.send(new ProducerRecord<>(topic, value), (m, e) -> {
                    if (e == null) {
                        acked.addAndGet(RECORD_BYTES);
                    }
                });
            }
            long bytes = acked.get() - startAcked;
            return bytes / ((System.nanoTime() - start) / 1e9);
        }

        void close() {
            producer.close(Duration.ZERO);
        }
    }

    private static double[] runConcurrently(FlatOut a, FlatOut b) throws Exception {
        double[] rates = new double[2];
        Thread t = new Thread(() -> rates[1] = b.runFor(MEASURE_NANOS), "flat-out-" + b.topic);
        t.start();
        rates[0] = a.runFor(MEASURE_NANOS);
        t.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(t.isAlive()).isFalse();
        return rates;
    }

    @Test
    void twoProducersWithTheirOwnClientIdsStayWithinTenPercentOfTheirOwnQuotas() throws Exception {
        // Each client id has its own 1 MB/s: if they shared one, each would get half.
        double quota = 1024.0 * 1024;
        quota(clientId("producer-a"), "producer_byte_rate", quota);
        quota(clientId("producer-b"), "producer_byte_rate", quota);
        FlatOut a = new FlatOut("producer-a", "produced");
        FlatOut b = new FlatOut("producer-b", "produced");
        try {
            double[] rates = runConcurrently(a, b);
            System.out.printf("producers under %.0f B/s each: %.0f and %.0f B/s%n", quota, rates[0], rates[1]);
            assertThat(rates[0]).as("producer-a, bytes/s").isCloseTo(quota, within(0.1 * quota));
            assertThat(rates[1]).as("producer-b, bytes/s").isCloseTo(quota, within(0.1 * quota));
            assertThat(metric(a.producer.metrics(), "produce-throttle-time-avg"))
                    .as("produce-throttle-time-avg")
                    .isPositive();
            assertThat(metric(b.producer.metrics(), "produce-throttle-time-avg"))
                    .as("produce-throttle-time-avg")
                    .isPositive();
        } finally {
            a.close();
            b.close();
            quota(clientId("producer-a"), "producer_byte_rate", null);
            quota(clientId("producer-b"), "producer_byte_rate", null);
        }
    }

    @Test
    void aConsumerStaysWithinTenPercentOfItsQuota() throws Exception {
        double quota = 2.0 * 1024 * 1024;
        int records = 7_000; // 70 MB: more than 20 s at the quota plus the first span's allowance
        try (KafkaProducer<byte[], byte[]> loader = producer("loader")) {
            byte[] value = new byte[RECORD_BYTES];
            for (int i = 0; i < records; i++) {
                loader.send(new ProducerRecord<>("consumed", value));
            }
            loader.flush();
        }
        quota(clientId("quota-consumer"), "consumer_byte_rate", quota);
        Properties extra = new Properties();
        extra.put(ConsumerConfig.CLIENT_ID_CONFIG, "quota-consumer");
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(BROKER.bootstrapServers(), extra)) {
            TopicPartition tp = new TopicPartition("consumed", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long bytes = 0;
            long start = System.nanoTime();
            long end = start + MEASURE_NANOS;
            while (System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    bytes += r.value().length;
                }
            }
            double rate = bytes / ((System.nanoTime() - start) / 1e9);
            assertThat(bytes).as("not everything was read").isLessThan((long) records * RECORD_BYTES);
            assertThat(rate).as("consumer, bytes/s").isCloseTo(quota, within(0.1 * quota));
            System.out.printf("consumer under %.0f B/s: %.0f B/s%n", quota, rate);
            assertThat(metric(consumer.metrics(), "fetch-throttle-time-avg"))
                    .as("fetch-throttle-time-avg")
                    .isPositive();
        } finally {
            quota(clientId("quota-consumer"), "consumer_byte_rate", null);
        }
    }

    @Test
    void aUserQuotaTakesPrecedenceOverAClientIdQuotaAndRaisingItTakesEffectAtOnce() throws Exception {
        double userQuota = 256.0 * 1024;
        ClientQuotaEntity anonymous = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "ANONYMOUS"));
        quota(clientId("precedence"), "producer_byte_rate", 16.0 * 1024 * 1024);
        quota(anonymous, "producer_byte_rate", userQuota);
        FlatOut producer = new FlatOut("precedence", "raised");
        try {
            double before = producer.runFor(TimeUnit.SECONDS.toNanos(10));
            assertThat(before)
                    .as("bytes/s under the user's quota, not the client id's 16 MB/s")
                    .isCloseTo(userQuota, within(0.5 * userQuota));
            quota(anonymous, "producer_byte_rate", 16.0 * userQuota);
            double after = producer.runFor(TimeUnit.SECONDS.toNanos(4));
            assertThat(after).as("bytes/s after raising the user's quota").isGreaterThan(4 * userQuota);
        } finally {
            producer.close();
            quota(anonymous, "producer_byte_rate", null);
            quota(clientId("precedence"), "producer_byte_rate", null);
        }
    }
}
