package io.skiff.broker.handler;

import io.netty.buffer.ByteBuf;
import io.skiff.broker.coordinator.TransactionVerifier;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.VerificationGuard;
import io.skiff.wire.message.ProduceRequest;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The transaction verification of one produce request (KIP-890), as Kafka's produce path does it
 * before appending: each transactional batch whose producer has no transaction open on its
 * partition in its epoch gets a {@link VerificationGuard} from the log and is checked with the
 * transaction coordinator ({@link TransactionVerifier}; Produce v12+ adds the partition, older
 * versions only verify); the append then carries the guard, or the partition answers the
 * coordinator's error translated as Kafka translates it ({@link #produceError}). A marker written
 * between the verification and the append removes the guard from the log, so the append is
 * refused (INVALID_TXN_STATE) rather than reopening a finished transaction.
 *
 * <p>Without a verifier (no transaction coordinator) or without a transactional id no question is
 * asked: the append carries no guard and the log refuses the batch with INVALID_TXN_STATE. With
 * {@code transaction.partition.verification.enable=false} Produce before v12 needs no
 * verification. Built on the event loop ({@link #find}), started and completed on an append thread;
 * the results are read after the wait, by the thread that appends (a happens-before through the
 * future).
 */
final class ProduceVerification {
    /** Produce versions from this one on add the partition to the transaction (transaction version 2). */
    static final short FIRST_ADD_PARTITION_VERSION = 12;
    /** The last Produce version that does not know TRANSACTION_ABORTABLE. */
    static final short LAST_DEFAULT_ERROR_VERSION = 10;

    /** One partition that waits for its verification. */
    static final class Pending {
        final Partition partition;
        final long producerId;
        final short producerEpoch;
        final int baseSequence;
        VerificationGuard guard = VerificationGuard.SENTINEL;
        volatile Errors error = Errors.NONE;
        CompletableFuture<Errors> answer;

        Pending(Partition partition, long producerId, short producerEpoch, int baseSequence) {
            this.partition = partition;
            this.producerId = producerId;
            this.producerEpoch = producerEpoch;
            this.baseSequence = baseSequence;
        }
    }

    private final String transactionalId;
    private final short version;
    private final Map<ByteBuf, Pending> pending = new IdentityHashMap<>();

    private ProduceVerification(String transactionalId, short version) {
        this.transactionalId = transactionalId;
        this.version = version;
    }

    /**
     * The partitions of {@code request} that need a verification before their append, or null when
     * none does (the common case: no transactional batch, or the transaction already open here).
     */
    static ProduceVerification find(
            MetadataImage image,
            PartitionManager partitions,
            ProduceRequest request,
            short version,
            boolean[] deniedTopics) {
        ProduceVerification found = null;
        RecordBatch peek = new RecordBatch();
        for (int ti = 0; ti < request.topicData().size(); ti++) {
            ProduceRequest.TopicProduceData td = request.topicData().get(ti);
            if (deniedTopics != null && deniedTopics[ti]) {
                continue;
            }
            TopicImage topic = version >= 13 ? image.topic(td.topicId()) : image.topic(td.name());
            for (ProduceRequest.PartitionProduceData pd : td.partitionData()) {
                if (!(pd.records() instanceof ByteBufRecords r)) {
                    continue;
                }
                ByteBuf buf = r.buffer();
                if (buf.readableBytes() < RecordBatchDescriptor.HEADER_SIZE) {
                    continue;
                }
                RecordBatch batch = peek.wrap(buf, buf.readerIndex());
                if (!batch.isTransactional() || !batch.hasProducerId() || batch.isControl()) {
                    continue;
                }
                Partition partition = partitions.partition(topic, pd.index());
                if (partition == null || topic.isInternal()) {
                    continue;
                }
                PartitionLog log = partition.log();
                boolean required = version >= FIRST_ADD_PARTITION_VERSION || log.transactionVerificationEnabled();
                if (!required || log.hasOngoingTransaction(batch.producerId(), batch.producerEpoch())) {
                    continue;
                }
                if (found == null) {
                    found = new ProduceVerification(request.transactionalId(), version);
                }
                found.pending.put(
                        buf, new Pending(partition, batch.producerId(), batch.producerEpoch(), batch.baseSequence()));
            }
        }
        return found;
    }

    /**
     * Takes the guards and asks the coordinator; the future completes when every answer is in or
     * {@code timeoutMs} has passed (unanswered partitions then get REQUEST_TIMED_OUT).
     */
    CompletableFuture<Void> start(TransactionVerifier verifier, int timeoutMs, ScheduledExecutorService timeouts) {
        boolean addPartition = version >= FIRST_ADD_PARTITION_VERSION;
        List<CompletableFuture<Errors>> answers = new ArrayList<>(pending.size());
        for (Pending p : pending.values()) {
            if (verifier == null || transactionalId == null) {
                continue; // nobody to ask: the append carries no guard and the log refuses the batch
            }
            p.guard = p.partition
                    .log()
                    .maybeStartTransactionVerification(p.producerId, p.baseSequence, p.producerEpoch, addPartition);
            if (p.guard == VerificationGuard.SENTINEL) {
                continue; // the transaction opened meanwhile: nothing to verify
            }
            CompletableFuture<Errors> answer;
            try {
                answer = verifier.verify(
                        transactionalId, p.producerId, p.producerEpoch, p.partition.topicPartition(), addPartition);
            } catch (RuntimeException e) {
                answer = CompletableFuture.completedFuture(Errors.NETWORK_EXCEPTION);
            }
            p.answer = answer;
            answers.add(answer.handle((error, failure) -> {
                p.error = failure != null
                        ? Errors.NETWORK_EXCEPTION
                        : error == null ? Errors.UNKNOWN_SERVER_ERROR : error;
                return p.error;
            }));
        }
        if (answers.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0]));
        ScheduledFuture<?> timer =
                timeouts.schedule(() -> all.complete(null), Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
        all.whenComplete((ok, failure) -> timer.cancel(false));
        return all;
    }

    /** The verification of the partition whose records are {@code records}, or null when it needed none. */
    Pending of(ByteBuf records) {
        Pending p = pending.get(records);
        if (p != null && p.answer != null && !p.answer.isDone()) {
            p.error = Errors.REQUEST_TIMED_OUT;
        }
        return p;
    }

    /** The Produce partition error for a verification error, as Kafka's produce path translates it. */
    Errors produceError(Errors coordinatorError) {
        return switch (coordinatorError) {
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case CLUSTER_AUTHORIZATION_FAILED -> Errors.INVALID_TXN_STATE;
            case TRANSACTION_ABORTABLE ->
                version <= LAST_DEFAULT_ERROR_VERSION ? Errors.INVALID_TXN_STATE : coordinatorError;
            case NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR ->
                Errors.NOT_ENOUGH_REPLICAS;
            case CONCURRENT_TRANSACTIONS ->
                version < FIRST_ADD_PARTITION_VERSION ? Errors.NOT_ENOUGH_REPLICAS : coordinatorError;
            default -> coordinatorError;
        };
    }

    /** The error message Kafka sends with {@link #produceError} of {@code coordinatorError}, or null. */
    String produceErrorMessage(Errors coordinatorError) {
        Errors mapped = produceError(coordinatorError);
        if (mapped == Errors.NOT_ENOUGH_REPLICAS) {
            return "Unable to verify the partition has been added to the transaction. Underlying error: "
                    + coordinatorError.name();
        }
        if (mapped == Errors.INVALID_TXN_STATE) {
            return "Partition was not added to the transaction";
        }
        return null;
    }
}
