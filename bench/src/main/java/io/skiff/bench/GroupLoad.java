package io.skiff.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The consumer-group workloads of {@link LoadGenerator}: a group of classic-protocol consumers
 * forming, settling after one member leaves, and consuming a topic together. Each member polls
 * on its own thread, as an application runs it; the times come from the members' rebalance
 * callbacks ({@code onPartitionsAssigned} runs when a member gets its partitions of a
 * generation). Not thread-safe: one run at a time.
 */
final class GroupLoad {
    private static final long CLIENT_TIMEOUT_MS = 15_000;
    private static final long SETTLE_DEADLINE_MS = 120_000;
    private static final long SELF = ProcessHandle.current().pid();

    private final String bootstrap;
    private final String label;
    private final Admin admin;

    GroupLoad(String bootstrap, String label, Admin admin) {
        this.bootstrap = bootstrap;
        this.label = label;
        this.admin = admin;
    }

    /** One consumer of the group with its poll thread; fields are written by that thread and read by the runner. */
    private static final class Member {
        final KafkaConsumer<byte[], byte[]> consumer;
        final Thread thread;
        final AtomicInteger assignments = new AtomicInteger();
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong consumedBytes = new AtomicLong();
        volatile Set<Integer> partitions = Set.of();
        volatile int generation = -1;
        volatile long assignedAtNanos;
        volatile long lastRecordNanos;
        volatile boolean holding;
        volatile boolean running = true;
        volatile String error;

        Member(
                KafkaConsumer<byte[], byte[]> consumer,
                String topic,
                boolean holding,
                boolean commitAsync,
                String name) {
            this.consumer = consumer;
            this.holding = holding;
            this.thread = new Thread(() -> loop(topic, commitAsync), name);
            this.thread.setDaemon(true);
        }

        private void loop(String topic, boolean commitAsync) {
            try {
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                        // eager: everything goes; the assignment below replaces it
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                        Set<Integer> now = new HashSet<>();
                        for (TopicPartition tp : consumer.assignment()) {
                            now.add(tp.partition());
                        }
                        partitions = now;
                        generation = consumer.groupMetadata().generationId();
                        assignedAtNanos = System.nanoTime();
                        assignments.incrementAndGet();
                        if (holding) {
                            consumer.pause(assigned);
                        }
                    }
                });
                while (running) {
                    if (!holding && !consumer.paused().isEmpty()) {
                        consumer.resume(consumer.paused());
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                    if (!records.isEmpty()) {
                        long bytes = 0;
                        for (ConsumerRecord<byte[], byte[]> rec : records) {
                            bytes += rec.value().length;
                        }
                        consumedBytes.addAndGet(bytes);
                        consumed.addAndGet(records.count());
                        lastRecordNanos = System.nanoTime();
                        if (commitAsync) {
                            consumer.commitAsync();
                        }
                    }
                }
            } catch (WakeupException stopping) {
                // stop() woke the poll up
            } catch (Exception e) {
                error = LoadGenerator.describe(e);
            } finally {
                try {
                    consumer.close(Duration.ofSeconds(10));
                } catch (Exception e) {
                    // best effort
                }
            }
        }

        /** Closes the consumer on its own thread (a LeaveGroup) without waiting. */
        void stop() {
            running = false;
            consumer.wakeup();
        }
    }

    private List<Member> start(Workload w, String topic, String group, boolean holding, boolean commitAsync) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < w.consumers; i++) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "skiff-bench-member-" + label + "-" + i);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT_MS);
            p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT_MS * 2);
            if (w.heartbeatIntervalMs > 0) {
                p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, w.heartbeatIntervalMs);
            }
            if (w.sessionTimeoutMs > 0) {
                p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, w.sessionTimeoutMs);
            }
            members.add(new Member(
                    new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                    topic,
                    holding,
                    commitAsync,
                    "bench-member-" + i));
        }
        return members;
    }

    /**
     * Makes sure the group's coordinator is there and loaded before anything is timed: the first
     * group request to a broker creates {@code __consumer_offsets}, which is not what is measured.
     */
    private void awaitCoordinator(String group) throws Exception {
        admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(CLIENT_TIMEOUT_MS * 4, TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until {@code members} hold disjoint partitions covering the topic in one generation
     * newer than {@code afterGeneration}, each assigned after {@code sinceNanos}; returns the
     * time the last of them got its partitions, or throws with what was seen.
     */
    private static long awaitSettled(List<Member> members, int partitions, int afterGeneration, long sinceNanos)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_DEADLINE_MS);
        while (true) {
            int generation = members.get(0).generation;
            boolean settled = generation > afterGeneration;
            Set<Integer> union = new HashSet<>();
            int total = 0;
            long last = 0;
            for (Member m : members) {
                if (m.error != null) {
                    throw new IllegalStateException("a member failed: " + m.error);
                }
                settled &= m.generation == generation && m.assignedAtNanos > sinceNanos;
                union.addAll(m.partitions);
                total += m.partitions.size();
                last = Math.max(last, m.assignedAtNanos);
            }
            if (settled && union.size() == partitions && total == partitions) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder seen = new StringBuilder();
                for (Member m : members) {
                    seen.append(" gen ").append(m.generation).append(' ').append(m.partitions);
                }
                throw new IllegalStateException(
                        "the group did not settle within " + SETTLE_DEADLINE_MS + " ms:" + seen);
            }
            Thread.sleep(1);
        }
    }

    private void stopAll(List<Member> members, String group) {
        for (Member m : members) {
            m.stop();
        }
        for (Member m : members) {
            try {
                m.thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            admin.deleteConsumerGroups(List.of(group)).all().get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // best effort: an empty group left behind changes nothing for later runs
        }
    }

    /** group-form: from the members' first poll to the last member's partitions of a shared generation. */
    void runForm(Workload w, String topic, String group, RunResult r, LoadGenerator.BrokerMonitor monitor)
            throws Exception {
        awaitCoordinator(group);
        List<Member> members = start(w, topic, group, false, false);
        try {
            begin(monitor);
            double genCpu = ProcStats.cpuSeconds(SELF);
            long start = System.nanoTime();
            for (Member m : members) {
                m.thread.start();
            }
            long settled = awaitSettled(members, w.partitions, 0, start);
            long end = System.nanoTime();
            end(monitor, r);
            r.loadGeneratorCpuSeconds = ProcStats.cpuSeconds(SELF) - genCpu;
            r.elapsedNanos = end - start;
            r.settleMs = (settled - start) / 1e6;
            r.groupGeneration = members.get(0).generation;
        } finally {
            stopAll(members, group);
        }
    }

    /** group-leave: a group forms (not measured); from one member's close to the others' new shared generation. */
    void runLeave(Workload w, String topic, String group, RunResult r, LoadGenerator.BrokerMonitor monitor)
            throws Exception {
        awaitCoordinator(group);
        List<Member> members = start(w, topic, group, false, false);
        try {
            long formStart = System.nanoTime();
            for (Member m : members) {
                m.thread.start();
            }
            awaitSettled(members, w.partitions, 0, formStart);
            int generation = members.get(0).generation;
            Member leaving = members.get(0);
            List<Member> staying = members.subList(1, members.size());
            begin(monitor);
            double genCpu = ProcStats.cpuSeconds(SELF);
            long start = System.nanoTime();
            leaving.stop();
            long settled = awaitSettled(staying, w.partitions, generation, start);
            long end = System.nanoTime();
            end(monitor, r);
            r.loadGeneratorCpuSeconds = ProcStats.cpuSeconds(SELF) - genCpu;
            r.elapsedNanos = end - start;
            r.settleMs = (settled - start) / 1e6;
            r.groupGeneration = staying.get(0).generation;
        } finally {
            stopAll(members, group);
        }
    }

    /**
     * group-consume on a filled topic: the members form paused (the formation time is kept in
     * {@link RunResult#settleMs}), then all read from offset 0, committing asynchronously after
     * every poll; from their release to the last record.
     */
    void runConsume(
            Workload w,
            String topic,
            String group,
            long expectedRecords,
            RunResult r,
            LoadGenerator.BrokerMonitor monitor)
            throws Exception {
        awaitCoordinator(group);
        List<Member> members = start(w, topic, group, true, true);
        try {
            long formStart = System.nanoTime();
            for (Member m : members) {
                m.thread.start();
            }
            long formed = awaitSettled(members, w.partitions, 0, formStart);
            r.settleMs = (formed - formStart) / 1e6;
            r.groupGeneration = members.get(0).generation;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(60_000, 4 * w.fillMs));
            begin(monitor);
            double genCpu = ProcStats.cpuSeconds(SELF);
            long start = System.nanoTime();
            for (Member m : members) {
                m.holding = false;
            }
            long consumed = 0;
            while (consumed < expectedRecords && System.nanoTime() < deadline) {
                consumed = 0;
                for (Member m : members) {
                    if (m.error != null) {
                        throw new IllegalStateException("a member failed: " + m.error);
                    }
                    consumed += m.consumed.get();
                }
                Thread.sleep(1);
            }
            long last = 0;
            long bytes = 0;
            for (Member m : members) {
                last = Math.max(last, m.lastRecordNanos);
                bytes += m.consumedBytes.get();
            }
            end(monitor, r);
            r.loadGeneratorCpuSeconds = ProcStats.cpuSeconds(SELF) - genCpu;
            r.elapsedNanos = last - start;
            r.records = consumed;
            r.payloadBytes = bytes;
            if (consumed < expectedRecords) {
                r.fail("group-consume: consumed " + consumed + " of " + expectedRecords
                        + " records before the deadline");
            } else if (consumed > expectedRecords) {
                r.fail("group-consume: consumed " + consumed + " records, " + (consumed - expectedRecords)
                        + " more than were written (a partition was read twice)");
            }
        } finally {
            stopAll(members, group);
        }
    }

    private static void begin(LoadGenerator.BrokerMonitor monitor) {
        if (monitor != null) {
            monitor.begin();
        }
    }

    private static void end(LoadGenerator.BrokerMonitor monitor, RunResult r) {
        if (monitor != null) {
            monitor.end(r);
        }
    }
}
