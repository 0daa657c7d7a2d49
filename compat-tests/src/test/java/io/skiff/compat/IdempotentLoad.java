package io.skiff.compat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produce load for crash tests: one idempotent acks=all producer (kafka-clients) sending records
 * whose value is an 8-byte sequence number (0, 1, 2, ...) to one partition, from a thread of its
 * own, with a bounded number of records in flight. It keeps a ledger of what the broker
 * acknowledged: for each sequence number the offset the broker answered, or nothing. Retries are
 * generous so that the producer rides through broker restarts; a send that fails for good is
 * counted, never acknowledged.
 *
 * <p>Thread-safe: the ledger is written by the producer's I/O thread (callbacks) and read by the
 * test thread under the ledger's monitor.
 */
final class IdempotentLoad implements AutoCloseable {
    private static final int MAX_IN_FLIGHT_RECORDS = 20_000;

    private final String topic;
    private final int partition;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT_RECORDS);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final Thread sender;
    private volatile Exception lastFailure;

    // ledger: ackedOffsets[seq] is the acknowledged offset of record seq, or -1
    private long[] ackedOffsets = new long[1 << 16];
    private long ackedCount;

    IdempotentLoad(String bootstrap, String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
        Arrays.fill(ackedOffsets, -1);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 240_000);
        pp.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        pp.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        this.producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
        this.sender = new Thread(this::sendUntilStopped, "idempotent-load-" + topic);
    }

    /** Starts sending. */
    IdempotentLoad start() {
        sender.start();
        return this;
    }

    private void sendUntilStopped() {
        long seq = 0;
        while (!stop.get()) {
            try {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long value = seq++;
            sent.set(seq);
            try {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                partition,
                                null,
                                ByteBuffer.allocate(8).putLong(value).array()),
                        (md, e) -> {
                            inFlight.release();
                            if (e == null) {
                                recordAck(value, md.offset());
                            } else {
                                lastFailure = e;
                                failures.incrementAndGet();
                            }
                        });
            } catch (RuntimeException e) {
                // send() itself threw (for example a buffer timeout); the record was never sent
                inFlight.release();
                lastFailure = e;
                failures.incrementAndGet();
            }
        }
    }

    private synchronized void recordAck(long value, long offset) {
        if (value >= ackedOffsets.length) {
            int old = ackedOffsets.length;
            ackedOffsets = Arrays.copyOf(ackedOffsets, (int) Math.max(value + 1, old * 2L));
            Arrays.fill(ackedOffsets, old, ackedOffsets.length, -1);
        }
        if (ackedOffsets[(int) value] != -1) {
            throw new IllegalStateException("record " + value + " acknowledged twice");
        }
        ackedOffsets[(int) value] = offset;
        ackedCount++;
    }

    /** Number of records acknowledged so far. */
    synchronized long ackedCount() {
        return ackedCount;
    }

    /** Sequence numbers handed to the producer so far (acknowledged or not). */
    long sentCount() {
        return sent.get();
    }

    /** Sends that failed for good. */
    long failures() {
        return failures.get();
    }

    /** The last failure of a send, or null. */
    Exception lastFailure() {
        return lastFailure;
    }

    /**
     * A copy of the ledger: element {@code seq} is the offset the broker acknowledged for record
     * {@code seq}, or -1. Its length may exceed the number of records sent.
     */
    synchronized long[] ackedOffsets() {
        return ackedOffsets.clone();
    }

    /**
     * Waits until {@code more} records beyond the current count are acknowledged and, when
     * {@code atLeast} is positive, at least that long has passed; fails after {@code timeout}
     * without progress.
     */
    void awaitMoreAcks(long more, Duration atLeast, Duration timeout) throws InterruptedException {
        long target = ackedCount() + more;
        long start = System.nanoTime();
        long earliest = start + atLeast.toNanos();
        long deadline = start + timeout.toNanos();
        while (ackedCount() < target || System.nanoTime() < earliest) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the producer made no progress: " + ackedCount() + " acknowledged, "
                        + failures() + " failed (last: " + lastFailure + ")");
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /** Stops sending and waits until every record sent is acknowledged or failed. */
    void stopAndFlush() throws InterruptedException {
        stop.set(true);
        sender.join();
        producer.flush();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        sender.join();
        producer.close(Duration.ofSeconds(30));
    }
}
