package io.skiff.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Runs workloads against one broker through the real Apache Kafka clients. Each run gets its own
 * fresh topic, deleted afterwards. Every failure (an exception, a failed send, records missing
 * at the end, a run past its deadline) ends the run as failed with the error; nothing is
 * estimated. Not thread-safe: one run at a time.
 *
 * <p>Consumers of the consume and e2e kinds use {@code assign} and seek to offset 0 (no consumer
 * group, no ListOffsets), so that those runs need only Metadata, Produce and Fetch from the
 * broker; the group kinds are run by {@link GroupLoad}.
 */
public final class LoadGenerator implements AutoCloseable {
    /** Taken around the measured part of a run to read the broker's CPU time and memory. */
    public interface BrokerMonitor {
        void begin();

        void end(RunResult result);
    }

    private static final int PAYLOAD_POOL = 256;
    private static final long CLIENT_TIMEOUT_MS = 15_000;
    private static final long SELF = ProcessHandle.current().pid();

    private final String bootstrap;
    private final String label;
    private final Admin admin;
    private final GroupLoad groups;

    public LoadGenerator(String bootstrap, String label) {
        this.bootstrap = bootstrap;
        this.label = label;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT_MS);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT_MS * 2);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "skiff-bench-admin-" + label);
        this.admin = Admin.create(p);
        this.groups = new GroupLoad(bootstrap, label, admin);
    }

    /** Runs one workload; never throws for a broker-side failure, which ends up in the result. */
    public RunResult run(Workload w, int round, BrokerMonitor monitor) {
        RunResult r = new RunResult(w, label, round);
        String topic = topicName(w, round);
        try {
            admin.createTopics(List.of(new NewTopic(topic, w.partitions, (short) 1)))
                    .all()
                    .get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            r.fail("create topic: " + describe(e));
            return r;
        }
        try {
            switch (w.kind) {
                case PRODUCE:
                    runProduce(w, topic, r, monitor);
                    break;
                case CONSUME:
                    runConsume(w, topic, r, monitor);
                    break;
                case E2E:
                    runEndToEnd(w, topic, r, monitor);
                    break;
                case GROUP_FORM:
                    groups.runForm(w, topic, topic + "-group", r, monitor);
                    break;
                case GROUP_LEAVE:
                    groups.runLeave(w, topic, topic + "-group", r, monitor);
                    break;
                case GROUP_CONSUME:
                    runGroupConsume(w, topic, r, monitor);
                    break;
                default:
                    throw new IllegalStateException(w.kind.toString());
            }
        } catch (Exception | Error e) {
            r.fail(describe(e));
        } finally {
            try {
                admin.deleteTopics(List.of(topic)).all().get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                System.err.println("# warning: could not delete " + topic + " on " + label + ": " + describe(e));
            }
        }
        return r;
    }

    // ---- produce ----------------------------------------------------------------------------

    private static final class ProduceOutcome {
        final AtomicLong acked = new AtomicLong();
        final AtomicLong ackedBytes = new AtomicLong();
        final AtomicLongArray ackedPerPartition;
        final AtomicReference<String> error = new AtomicReference<>();
        final Recorder ackLatency = new Recorder(3);
        final Recorder commitLatency = new Recorder(3);

        ProduceOutcome(int partitions) {
            ackedPerPartition = new AtomicLongArray(partitions);
        }
    }

    private void runProduce(Workload w, String topic, RunResult r, BrokerMonitor monitor) throws InterruptedException {
        List<KafkaProducer<byte[], byte[]>> producers = openProducers(w, topic, w.producers);
        try {
            ProduceOutcome out = new ProduceOutcome(w.partitions);
            begin(monitor);
            double genCpu = ProcStats.cpuSeconds(SELF);
            long start = System.nanoTime();
            produceFlatOut(w, topic, producers, out, start + w.durationMs * 1_000_000L);
            long end = System.nanoTime();
            end(monitor, r);
            r.loadGeneratorCpuSeconds = ProcStats.cpuSeconds(SELF) - genCpu;
            r.elapsedNanos = end - start;
            r.records = out.acked.get();
            r.payloadBytes = out.ackedBytes.get();
            r.ackLatencyMicros = out.ackLatency.getIntervalHistogram();
            if (w.recordsPerTxn > 0) {
                r.commitLatencyMicros = out.commitLatency.getIntervalHistogram();
            }
            if (out.error.get() != null) {
                r.fail("produce: " + out.error.get());
            } else if (r.records == 0) {
                r.fail("produce: no record was acknowledged");
            }
        } finally {
            closeAll(producers);
        }
    }

    /** Each producer sends from its own thread until {@code stopAtNanos}, then flushes. */
    private void produceFlatOut(
            Workload w,
            String topic,
            List<KafkaProducer<byte[], byte[]>> producers,
            ProduceOutcome out,
            long stopAtNanos)
            throws InterruptedException {
        byte[][] payloads = payloads(w.recordSizeInBytes);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < producers.size(); i++) {
            KafkaProducer<byte[], byte[]> producer = producers.get(i);
            if (w.recordsPerTxn > 0) {
                Thread t = new Thread(
                        () -> sendTransactions(producer, topic, payloads, w.recordsPerTxn, out, stopAtNanos),
                        "bench-txn-producer-" + i);
                t.setDaemon(true);
                threads.add(t);
                continue;
            }
            Thread t = new Thread(
                    () -> {
                        int n = 0;
                        try {
                            while (System.nanoTime() < stopAtNanos && out.error.get() == null) {
                                byte[] value = payloads[n++ & (PAYLOAD_POOL - 1)];
                                long sentAt = System.nanoTime();
                                producer.send(new ProducerRecord<>(topic, value), (md, ex) -> {
                                    if (ex != null) {
                                        out.error.compareAndSet(null, describe(ex));
                                    } else {
                                        out.ackLatency.recordValue((System.nanoTime() - sentAt) / 1000);
                                        out.acked.incrementAndGet();
                                        out.ackedBytes.addAndGet(value.length);
                                        out.ackedPerPartition.incrementAndGet(md.partition());
                                    }
                                });
                            }
                            producer.flush();
                        } catch (Exception e) {
                            out.error.compareAndSet(null, describe(e));
                        }
                    },
                    "bench-producer-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        long joinBy = stopAtNanos + 60_000_000_000L;
        for (Thread t : threads) {
            t.join(Math.max(1, (joinBy - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                out.error.compareAndSet(
                        null, "producer still waiting for acknowledgements 60 s after it stopped sending");
            }
        }
    }

    /**
     * Transactions of {@code recordsPerTxn} records until {@code stopAtNanos}: each is flushed, then
     * committed, and only committed records count as acknowledged; the commit round trip is timed.
     */
    private static void sendTransactions(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            byte[][] payloads,
            int recordsPerTxn,
            ProduceOutcome out,
            long stopAtNanos) {
        int n = 0;
        AtomicLongArray pendingPerPartition = new AtomicLongArray(out.ackedPerPartition.length());
        try {
            while (System.nanoTime() < stopAtNanos && out.error.get() == null) {
                producer.beginTransaction();
                long bytes = 0;
                for (int i = 0; i < recordsPerTxn; i++) {
                    byte[] value = payloads[n++ & (PAYLOAD_POOL - 1)];
                    bytes += value.length;
                    long sentAt = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, value), (md, ex) -> {
                        if (ex != null) {
                            out.error.compareAndSet(null, describe(ex));
                        } else {
                            out.ackLatency.recordValue((System.nanoTime() - sentAt) / 1000);
                            pendingPerPartition.incrementAndGet(md.partition());
                        }
                    });
                }
                producer.flush();
                long commitAt = System.nanoTime();
                producer.commitTransaction();
                out.commitLatency.recordValue((System.nanoTime() - commitAt) / 1000);
                out.acked.addAndGet(recordsPerTxn);
                out.ackedBytes.addAndGet(bytes);
                for (int p = 0; p < pendingPerPartition.length(); p++) {
                    out.ackedPerPartition.addAndGet(p, pendingPerPartition.getAndSet(p, 0));
                }
            }
        } catch (Exception e) {
            out.error.compareAndSet(null, describe(e));
        }
    }

    // ---- consume ----------------------------------------------------------------------------

    private void runConsume(Workload w, String topic, RunResult r, BrokerMonitor monitor) throws InterruptedException {
        ProduceOutcome fill = new ProduceOutcome(w.partitions);
        List<KafkaProducer<byte[], byte[]>> producers = openProducers(w, topic, w.producers);
        try {
            produceFlatOut(w, topic, producers, fill, System.nanoTime() + w.fillMs * 1_000_000L);
        } finally {
            closeAll(producers);
        }
        if (fill.error.get() != null || fill.acked.get() == 0) {
            r.fail("fill: " + (fill.error.get() != null ? fill.error.get() : "no record was acknowledged"));
            return;
        }
        List<List<TopicPartition>> assignment = split(topic, w.partitions, w.consumers);
        List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
        try {
            for (int i = 0; i < assignment.size(); i++) {
                KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(w, i));
                consumers.add(c);
                c.partitionsFor(topic, Duration.ofMillis(CLIENT_TIMEOUT_MS));
                c.assign(assignment.get(i));
                for (TopicPartition tp : assignment.get(i)) {
                    c.seek(tp, 0);
                }
            }
            AtomicLong consumed = new AtomicLong();
            AtomicLong consumedBytes = new AtomicLong();
            AtomicReference<String> error = new AtomicReference<>();
            long deadline = System.nanoTime() + Math.max(60_000, 4 * w.fillMs) * 1_000_000L;
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < consumers.size(); i++) {
                KafkaConsumer<byte[], byte[]> c = consumers.get(i);
                long target = 0;
                for (TopicPartition tp : assignment.get(i)) {
                    target += fill.ackedPerPartition.get(tp.partition());
                }
                long want = target;
                Thread t = new Thread(
                        () -> {
                            long mine = 0;
                            try {
                                while (mine < want && System.nanoTime() < deadline && error.get() == null) {
                                    ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                                    long bytes = 0;
                                    for (ConsumerRecord<byte[], byte[]> rec : records) {
                                        bytes += rec.value().length;
                                    }
                                    mine += records.count();
                                    consumed.addAndGet(records.count());
                                    consumedBytes.addAndGet(bytes);
                                }
                                if (mine < want && error.get() == null) {
                                    error.compareAndSet(
                                            null, "consumed " + mine + " of " + want + " records before the deadline");
                                }
                            } catch (Exception e) {
                                error.compareAndSet(null, describe(e));
                            }
                        },
                        "bench-consumer-" + i);
                t.setDaemon(true);
                threads.add(t);
            }
            begin(monitor);
            double genCpu = ProcStats.cpuSeconds(SELF);
            long start = System.nanoTime();
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 5_000));
            }
            long end = System.nanoTime();
            end(monitor, r);
            r.loadGeneratorCpuSeconds = ProcStats.cpuSeconds(SELF) - genCpu;
            for (Thread t : threads) {
                if (t.isAlive()) {
                    error.compareAndSet(null, "consumer did not finish by the deadline");
                    for (KafkaConsumer<byte[], byte[]> c : consumers) {
                        c.wakeup();
                    }
                }
            }
            r.elapsedNanos = end - start;
            r.records = consumed.get();
            r.payloadBytes = consumedBytes.get();
            if (error.get() != null) {
                r.fail("consume: " + error.get());
            }
        } finally {
            for (KafkaConsumer<byte[], byte[]> c : consumers) {
                try {
                    c.close(Duration.ofSeconds(5));
                } catch (Exception e) {
                    // closing is best effort; the run's outcome is already recorded
                }
            }
        }
    }

    // ---- group consume ----------------------------------------------------------------------

    /** Fills the topic for {@code fill.ms} (not measured), then lets {@link GroupLoad} read it with a group. */
    private void runGroupConsume(Workload w, String topic, RunResult r, BrokerMonitor monitor) throws Exception {
        ProduceOutcome fill = new ProduceOutcome(w.partitions);
        List<KafkaProducer<byte[], byte[]>> producers = openProducers(w, topic, w.producers);
        try {
            produceFlatOut(w, topic, producers, fill, System.nanoTime() + w.fillMs * 1_000_000L);
        } finally {
            closeAll(producers);
        }
        if (fill.error.get() != null || fill.acked.get() == 0) {
            r.fail("fill: " + (fill.error.get() != null ? fill.error.get() : "no record was acknowledged"));
            return;
        }
        groups.runConsume(w, topic, topic + "-group", fill.acked.get(), r, monitor);
    }

    // ---- end-to-end -------------------------------------------------------------------------

    private void runEndToEnd(Workload w, String topic, RunResult r, BrokerMonitor monitor) throws InterruptedException {
        List<KafkaProducer<byte[], byte[]>> producers = openProducers(w, topic, w.producers);
        List<KafkaProducer<byte[], byte[]>> flooders = List.of();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(w, 0));
        try {
            // With flood producers the paced records go to partition 0 only, the flood to partition 1.
            Integer pacedPartition = w.flood > 0 ? 0 : null;
            flooders = w.flood > 0 ? openProducers(w, topic, w.flood, w.producers) : List.of();
            assignFromStart(
                    consumer,
                    topic,
                    w.flood > 0
                            ? List.of(new TopicPartition(topic, 0))
                            : split(topic, w.partitions, 1).get(0));
            ProduceOutcome out = new ProduceOutcome(w.partitions);
            Recorder e2e = new Recorder(3);
            AtomicLong consumed = new AtomicLong();
            AtomicReference<String> consumerError = new AtomicReference<>();
            AtomicLong expected = new AtomicLong(Long.MAX_VALUE);
            long start = System.nanoTime();
            long measureFrom = start + w.warmupMs * 1_000_000L;
            long stopAt = start + (w.warmupMs + w.durationMs) * 1_000_000L;
            long consumeDeadline = stopAt + 60_000_000_000L;
            Thread reader =
                    endToEndReader(consumer, e2e, consumed, consumerError, expected, measureFrom, consumeDeadline);
            reader.start();

            List<Thread> senders = new ArrayList<>();
            long intervalNanos = 1_000_000_000L * producers.size() / w.rate;
            byte[] template = payloads(w.recordSizeInBytes)[0];
            AtomicLong measuredAcks = new AtomicLong();
            AtomicLong measuredBytes = new AtomicLong();
            for (int i = 0; i < producers.size(); i++) {
                KafkaProducer<byte[], byte[]> producer = producers.get(i);
                long offset = intervalNanos * i / producers.size();
                Thread t = endToEndSender(
                        i,
                        producer,
                        topic,
                        pacedPartition,
                        out,
                        start + offset,
                        intervalNanos,
                        stopAt,
                        measureFrom,
                        template,
                        measuredAcks,
                        measuredBytes);
                t.setDaemon(true);
                senders.add(t);
            }
            FloodOutcome flood = new FloodOutcome();
            for (int i = 0; i < flooders.size(); i++) {
                Thread t = floodSender(
                        i, flooders.get(i), topic, stopAt, measureFrom, payloads(w.recordSizeInBytes), flood);
                t.setDaemon(true);
                senders.add(t);
            }
            senders.forEach(Thread::start);
            long untilMeasure;
            while ((untilMeasure = measureFrom - System.nanoTime()) > 0) {
                LockSupport.parkNanos(untilMeasure);
            }
            // Broker CPU and the generator's own CPU are taken over the measured window only.
            begin(monitor);
            double genCpu = ProcStats.cpuSeconds(SELF);
            for (Thread t : senders) {
                t.join(Math.max(1, (stopAt - System.nanoTime()) / 1_000_000 + 60_000));
                if (t.isAlive()) {
                    out.error.compareAndSet(
                            null, "producer still waiting for acknowledgements 60 s after it stopped sending");
                }
            }
            expected.set(out.acked.get());
            reader.join(Math.max(1, (consumeDeadline - System.nanoTime()) / 1_000_000 + 5_000));
            end(monitor, r);
            r.loadGeneratorCpuSeconds = ProcStats.cpuSeconds(SELF) - genCpu;
            if (reader.isAlive()) {
                consumer.wakeup();
            }
            r.elapsedNanos = stopAt - measureFrom;
            r.records = measuredAcks.get();
            r.payloadBytes = measuredBytes.get();
            r.ackLatencyMicros = out.ackLatency.getIntervalHistogram();
            r.e2eLatencyMicros = e2e.getIntervalHistogram();
            failIfIncomplete(r, out, consumerError.get(), consumed.get());
            if (flood.error.get() != null && r.ok) {
                r.fail("flood: " + flood.error.get());
            }
            if (!flooders.isEmpty()) {
                r.floodRecords = flood.measuredAcks.get();
                r.floodBytes = flood.measuredBytes.get();
            }
        } finally {
            closeAll(flooders);
            closeAll(producers);
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** Assigns {@code partitions} of {@code topic} to {@code consumer}, each read from offset 0. */
    private static void assignFromStart(
            KafkaConsumer<byte[], byte[]> consumer, String topic, List<TopicPartition> partitions) {
        consumer.partitionsFor(topic, Duration.ofMillis(CLIENT_TIMEOUT_MS));
        consumer.assign(partitions);
        for (TopicPartition tp : partitions) {
            consumer.seek(tp, 0);
        }
    }

    /** A thread sending {@code template}-shaped records at a fixed pace, each stamped with its send time. */
    private static Thread endToEndSender(
            int index,
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            Integer partition,
            ProduceOutcome out,
            long firstAt,
            long intervalNanos,
            long stopAt,
            long measureFrom,
            byte[] template,
            AtomicLong measuredAcks,
            AtomicLong measuredBytes) {
        Runnable send = () -> {
            try {
                for (long n = 0; out.error.get() == null; n++) {
                    long scheduled = firstAt + n * intervalNanos;
                    if (scheduled >= stopAt) {
                        break;
                    }
                    long wait;
                    while ((wait = scheduled - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    byte[] value = template.clone();
                    writeLong(value, scheduled);
                    long sentAt = System.nanoTime();
                    boolean measured = scheduled >= measureFrom;
                    producer.send(new ProducerRecord<>(topic, partition, null, value), (md, ex) -> {
                        if (ex != null) {
                            out.error.compareAndSet(null, describe(ex));
                        } else {
                            out.acked.incrementAndGet();
                            if (measured) {
                                out.ackLatency.recordValue((System.nanoTime() - sentAt) / 1000);
                                measuredAcks.incrementAndGet();
                                measuredBytes.addAndGet(value.length);
                            }
                        }
                    });
                }
                producer.flush();
            } catch (Exception e) {
                out.error.compareAndSet(null, describe(e));
            }
        };
        return new Thread(send, "bench-e2e-producer-" + index);
    }

    /** What the flood producers of a mixed e2e run achieved. */
    private static final class FloodOutcome {
        final AtomicLong measuredAcks = new AtomicLong();
        final AtomicLong measuredBytes = new AtomicLong();
        final AtomicReference<String> error = new AtomicReference<>();
    }

    /** A thread sending to partition 1 as fast as its producer takes records, until {@code stopAt}. */
    private static Thread floodSender(
            int index,
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            long stopAt,
            long measureFrom,
            byte[][] values,
            FloodOutcome out) {
        Runnable send = () -> {
            try {
                for (long n = 0; out.error.get() == null; n++) {
                    long now = System.nanoTime();
                    if (now >= stopAt) {
                        break;
                    }
                    boolean measured = now >= measureFrom;
                    byte[] value = values[(int) (n % values.length)];
                    producer.send(new ProducerRecord<>(topic, 1, null, value), (md, ex) -> {
                        if (ex != null) {
                            out.error.compareAndSet(null, describe(ex));
                        } else if (measured) {
                            out.measuredAcks.incrementAndGet();
                            out.measuredBytes.addAndGet(value.length);
                        }
                    });
                }
                producer.flush();
            } catch (Exception e) {
                out.error.compareAndSet(null, describe(e));
            }
        };
        return new Thread(send, "bench-flood-producer-" + index);
    }

    /**
     * The end-to-end consumer thread (not started): polls until {@code expected} records arrived
     * or the deadline passed, recording each measured record's latency from its scheduled send.
     */
    private static Thread endToEndReader(
            KafkaConsumer<byte[], byte[]> consumer,
            Recorder e2e,
            AtomicLong consumed,
            AtomicReference<String> consumerError,
            AtomicLong expected,
            long measureFrom,
            long consumeDeadline) {
        Thread reader = new Thread(
                () -> {
                    try {
                        while (consumed.get() < expected.get() && System.nanoTime() < consumeDeadline) {
                            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                            long now = System.nanoTime();
                            for (ConsumerRecord<byte[], byte[]> rec : records) {
                                long scheduled = readLong(rec.value());
                                if (scheduled >= measureFrom) {
                                    e2e.recordValue(Math.max(0, now - scheduled) / 1000);
                                }
                            }
                            consumed.addAndGet(records.count());
                        }
                    } catch (Exception e) {
                        consumerError.compareAndSet(null, describe(e));
                    }
                },
                "bench-e2e-consumer");
        reader.setDaemon(true);
        return reader;
    }

    /** Marks an end-to-end run failed if producing or consuming failed or records are missing. */
    private static void failIfIncomplete(RunResult r, ProduceOutcome out, String consumerError, long consumed) {
        if (out.error.get() != null) {
            r.fail("produce: " + out.error.get());
        } else if (consumerError != null) {
            r.fail("consume: " + consumerError);
        } else if (consumed < out.acked.get()) {
            r.fail("consume: " + consumed + " of " + out.acked.get() + " acknowledged records arrived");
        } else if (r.records == 0) {
            r.fail("produce: no record was acknowledged");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private List<KafkaProducer<byte[], byte[]>> openProducers(Workload w, String topic, int count) {
        return openProducers(w, topic, count, 0);
    }

    /** {@code count} producers numbered from {@code firstIndex} (their client ids and transactional ids). */
    private List<KafkaProducer<byte[], byte[]>> openProducers(Workload w, String topic, int count, int firstIndex) {
        List<KafkaProducer<byte[], byte[]>> list = new ArrayList<>();
        try {
            for (int i = firstIndex; i < firstIndex + count; i++) {
                KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(w, i));
                list.add(p);
                // Fetch the topic's metadata before the clock starts.
                p.partitionsFor(topic);
                if (w.recordsPerTxn > 0) {
                    p.initTransactions();
                }
            }
        } catch (RuntimeException e) {
            closeAll(list);
            throw e;
        }
        return list;
    }

    private Properties producerProps(Workload w, int index) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "skiff-bench-producer-" + label + "-" + index);
        p.put(ProducerConfig.ACKS_CONFIG, w.acks);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, w.idempotence);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, w.compression);
        p.put(ProducerConfig.LINGER_MS_CONFIG, w.lingerMs);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, w.batchSizeInBytes);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, CLIENT_TIMEOUT_MS);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT_MS);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT_MS * 2);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (w.recordsPerTxn > 0) {
            // One transactional id per producer and run: no run fences another.
            p.put(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    "skiff-bench-" + label + "-" + w.name + "-" + index + "-" + System.nanoTime());
        }
        return p;
    }

    private Properties consumerProps(Workload w, int index) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "skiff-bench-consumer-" + label + "-" + index);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT_MS);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT_MS * 2);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, w.isolationLevel);
        return p;
    }

    /** Partitions dealt round-robin to {@code consumers} lists (fewer lists if fewer partitions). */
    private static List<List<TopicPartition>> split(String topic, int partitions, int consumers) {
        int n = Math.min(partitions, consumers);
        List<List<TopicPartition>> lists = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lists.add(new ArrayList<>());
        }
        for (int p = 0; p < partitions; p++) {
            lists.get(p % n).add(new TopicPartition(topic, p));
        }
        return Collections.unmodifiableList(lists);
    }

    /**
     * A pool of payloads of upper-case letters from a fixed seed: compressible about as much as
     * text, and the same bytes for every broker.
     */
    static byte[][] payloads(int size) {
        Random random = new Random(42);
        byte[][] pool = new byte[PAYLOAD_POOL][size];
        for (byte[] b : pool) {
            for (int i = 0; i < size; i++) {
                b[i] = (byte) ('A' + random.nextInt(26));
            }
        }
        return pool;
    }

    private static void writeLong(byte[] b, long v) {
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long readLong(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    private String topicName(Workload w, int round) {
        String raw =
                "bench-" + w.name + "-" + label + "-r" + round + "-" + Long.toString(System.currentTimeMillis(), 36);
        return raw.replaceAll("[^a-zA-Z0-9._-]", "_");
    }

    private static void begin(BrokerMonitor monitor) {
        if (monitor != null) {
            monitor.begin();
        }
    }

    private static void end(BrokerMonitor monitor, RunResult r) {
        if (monitor != null) {
            monitor.end(r);
        }
    }

    private static void closeAll(List<KafkaProducer<byte[], byte[]>> producers) {
        for (KafkaProducer<byte[], byte[]> p : producers) {
            try {
                p.close(Duration.ofSeconds(5));
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** The exception's class and message, and its root cause's, on one line. */
    static String describe(Throwable e) {
        Throwable t = e;
        if ((t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String s = t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
        if (root != t) {
            s += " (cause " + root.getClass().getSimpleName()
                    + (root.getMessage() != null ? ": " + root.getMessage() : "") + ")";
        }
        if (t instanceof TimeoutException) {
            s += " [client timeout]";
        }
        return s.replace('\n', ' ');
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
