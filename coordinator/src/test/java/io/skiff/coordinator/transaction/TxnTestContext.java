package io.skiff.coordinator.transaction;

import io.skiff.coordinator.runtime.CoordinatorShard;
import io.skiff.coordinator.runtime.InMemoryCoordinatorLog;
import io.skiff.coordinator.runtime.ManualTimer;
import io.skiff.coordinator.testing.DirectExecutor;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.ManualClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transaction coordinator over one in-memory {@code __transaction_state} partition, a manual
 * clock and timer, a direct executor (everything runs on the test's thread), a recording marker
 * channel and a counting producer id source. Not thread-safe.
 */
final class TxnTestContext implements AutoCloseable {
    static final String TXN = "txn";
    final ManualClock clock = new ManualClock(1_000_000L);
    final ManualTimer timer = new ManualTimer(clock);
    final DirectExecutor executor = new DirectExecutor();
    final InMemoryCoordinatorLog log = new InMemoryCoordinatorLog();
    final RecordingMarkerChannel channel = new RecordingMarkerChannel();
    final AtomicLong nextProducerId = new AtomicLong(1000);
    final TransactionCoordinator coordinator;
    private int leaderEpoch;

    TxnTestContext() {
        this(Map.of());
    }

    TxnTestContext(Map<String, String> overrides) {
        this(overrides, List.of());
    }

    /** A coordinator whose partition already holds {@code preloaded} when it is loaded. */
    TxnTestContext(Map<String, String> overrides, List<TransactionMetadata> preloaded) {
        for (TransactionMetadata m : preloaded) {
            log.append(List.of(TransactionRecords.record(m))).join();
        }
        Map<String, String> props = new HashMap<>(overrides);
        props.putIfAbsent(TransactionCoordinatorConfig.TRANSACTION_STATE_LOG_NUM_PARTITIONS, "1");
        coordinator = new TransactionCoordinator(
                TransactionCoordinatorConfig.fromProperties(props),
                () -> CompletableFuture.completedFuture(nextProducerId.getAndIncrement()),
                channel,
                clock,
                timer,
                p -> executor);
        coordinator.onElection(0, leaderEpoch, log).join();
    }

    /** Unloads the partition and loads it again from its log, in the next leader epoch. */
    void reload() {
        leaderEpoch++;
        coordinator.onElection(0, leaderEpoch, log).join();
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    CoordinatorShard<TransactionCoordinatorShard> shard() {
        return coordinator.shard(0);
    }

    TransactionMetadata metadata(String transactionalId) {
        return shard().state().transaction(transactionalId);
    }

    TxnResult init(String transactionalId) {
        return coordinator
                .initProducerId(transactionalId, 60_000, -1, (short) -1, false, false)
                .join();
    }

    TxnResult init(String transactionalId, long expectedProducerId, short expectedEpoch) {
        return coordinator
                .initProducerId(transactionalId, 60_000, expectedProducerId, expectedEpoch, false, false)
                .join();
    }

    Errors add(String transactionalId, TxnResult producer, TransactionVersion version, TxnTopicPartition... tps) {
        return coordinator
                .addPartitions(transactionalId, producer.producerId(), producer.producerEpoch(), List.of(tps), version)
                .join();
    }

    TxnResult end(String transactionalId, long producerId, short epoch, boolean commit, TransactionVersion version) {
        return coordinator
                .endTransaction(transactionalId, producerId, epoch, commit, version)
                .join();
    }

    @Override
    public void close() {
        coordinator.close();
    }
}
