package io.skiff.compat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One kafka-clients consumer in a group, subscribed to one topic and polling on its own thread
 * (a KafkaConsumer is not thread-safe), as an application would run it. The test reads what the
 * member owns, its generation and what it consumed from any thread; everything that touches the
 * consumer runs on the poll thread. After each poll that returned records the member commits as
 * its {@link CommitMode} says, and keeps the offsets the broker confirmed.
 */
final class GroupMember implements AutoCloseable {
    enum CommitMode {
        NONE,
        SYNC,
        ASYNC
    }

    /** What one record was: where it was read from. */
    record Read(TopicPartition partition, long offset) {}

    private final String name;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final List<Read> reads = new CopyOnWriteArrayList<>();
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    private final AtomicInteger assignedCallbacks = new AtomicInteger();
    private final AtomicInteger revokedCallbacks = new AtomicInteger();
    private final AtomicInteger lostCallbacks = new AtomicInteger();
    private final AtomicInteger commitFailures = new AtomicInteger();
    private volatile CommitMode commitMode;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile int generation = -1;
    private volatile String memberId = "";
    private volatile boolean running = true;
    private volatile boolean holding;
    private volatile Throwable failure;

    /**
     * Starts a member: {@code extra} holds the group settings (group.id, group.protocol,
     * assignors, timeouts...) on top of a byte-array consumer that starts from the earliest
     * offset, with auto-commit off.
     */
    static GroupMember start(String name, String bootstrap, String topic, Properties extra, CommitMode mode) {
        return new GroupMember(name, bootstrap, topic, extra, mode, false);
    }

    /**
     * Starts a member that joins the group but pauses every partition it is given, reading
     * nothing until {@link #release()}: the group can settle before anyone reads.
     */
    static GroupMember startHolding(String name, String bootstrap, String topic, Properties extra, CommitMode mode) {
        return new GroupMember(name, bootstrap, topic, extra, mode, true);
    }

    private GroupMember(
            String name, String bootstrap, String topic, Properties extra, CommitMode mode, boolean holding) {
        this.name = name;
        this.commitMode = mode;
        this.holding = holding;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        p.putAll(extra);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(() -> run(topic), "group-member-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run(String topic) {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    revokedCallbacks.incrementAndGet();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignedCallbacks.incrementAndGet();
                    if (holding) {
                        consumer.pause(partitions);
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    lostCallbacks.incrementAndGet();
                }
            });
            while (running) {
                if (!holding && !consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    reads.add(new Read(new TopicPartition(r.topic(), r.partition()), r.offset()));
                }
                assignment = Set.copyOf(consumer.assignment());
                generation = consumer.groupMetadata().generationId();
                memberId = consumer.groupMetadata().memberId();
                if (!records.isEmpty()) {
                    commit();
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll up.
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ofSeconds(20));
        }
    }

    private void commit() {
        CommitMode mode = commitMode;
        if (mode == CommitMode.SYNC) {
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (TopicPartition tp : consumer.assignment()) {
                positions.put(tp, consumer.position(tp));
            }
            try {
                consumer.commitSync();
                committed.putAll(positions);
            } catch (RuntimeException e) {
                if (e instanceof WakeupException) {
                    throw e;
                }
                commitFailures.incrementAndGet();
            }
        } else if (mode == CommitMode.ASYNC) {
            consumer.commitAsync((offsets, e) -> {
                if (e != null) {
                    commitFailures.incrementAndGet();
                    return;
                }
                for (Map.Entry<TopicPartition, OffsetAndMetadata> o : offsets.entrySet()) {
                    committed.put(o.getKey(), o.getValue().offset());
                }
            });
        }
    }

    String name() {
        return name;
    }

    /** The partitions the consumer held after its latest poll. */
    Set<TopicPartition> assignment() {
        return assignment;
    }

    /** The partition numbers held after the latest poll, sorted. */
    TreeSet<Integer> partitions() {
        TreeSet<Integer> out = new TreeSet<>();
        for (TopicPartition tp : assignment) {
            out.add(tp.partition());
        }
        return out;
    }

    int generation() {
        return generation;
    }

    String memberId() {
        return memberId;
    }

    int assignedCallbacks() {
        return assignedCallbacks.get();
    }

    int revokedCallbacks() {
        return revokedCallbacks.get();
    }

    int lostCallbacks() {
        return lostCallbacks.get();
    }

    int commitFailures() {
        return commitFailures.get();
    }

    /** Every record read so far, in the order read. */
    List<Read> reads() {
        return new ArrayList<>(reads);
    }

    /** The offsets (next to read) the broker confirmed as committed, by partition. */
    Map<TopicPartition, Long> committed() {
        return new HashMap<>(committed);
    }

    /** From now on, commits as {@code mode} says after each poll that returned records. */
    void commitMode(CommitMode mode) {
        this.commitMode = mode;
    }

    /** Resumes a member started with {@link #startHolding}: it reads from its next poll on. */
    void release() {
        holding = false;
    }

    /** The error that stopped the poll loop, or null. */
    Throwable failure() {
        return failure;
    }

    /**
     * Stops polling and closes the consumer as an application does (a dynamic member leaves the
     * group; a static one stays until its session times out). Waits for the close to finish;
     * pending asynchronous commits complete before it returns.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** Waits up to {@code timeoutSeconds} for the condition; fails saying {@code what} (read then) otherwise. */
    static void await(Supplier<String> what, int timeoutSeconds, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutSeconds + " s waiting for: " + what.get());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public String toString() {
        return name + partitions() + "@gen" + generation;
    }
}
