package io.skiff.broker.handler;

import io.netty.buffer.ByteBuf;
import io.skiff.broker.coordinator.TransactionVerifier;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.metrics.BrokerTopicStats;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.partition.AppendLanes;
import io.skiff.broker.partition.NotCommittedException;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.storage.AppendResult;
import io.skiff.storage.VerificationGuard;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.message.ProduceRequest;
import io.skiff.wire.message.ProduceResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;
import io.skiff.wire.record.RecordError;
import io.skiff.wire.record.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Produce (key 0), versions 3-13 (announced from 0, as Apache Kafka does): appends each
 * partition's batches through its {@link Partition}, with per-partition and per-record errors.
 * acks=0 gets no answer (and a closed connection if anything failed, so that the producer
 * notices). acks=1 is answered once the appends are done; acks=-1 once the high watermark has
 * passed them (the delayed-produce path: at once on a single node). In fsync durability mode
 * both also wait for the fsync. A request whose appends may block (a segment roll, a
 * recompression) runs on an append thread ({@link AppendLanes}) instead of the network thread,
 * keeping its connection's order. A request with a transactional batch that would open a
 * transaction is verified with the transaction coordinator first ({@link ProduceVerification},
 * through the {@link TransactionVerifier}; none: such batches get INVALID_TXN_STATE) on its
 * connection's lane, so that the connection's later requests still append after it.
 *
 * <p>Authorization, as Apache Kafka checks it, before anything else: transactional batches need
 * WRITE on the request's transactional id (or every partition gets
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED); each topic needs WRITE (TOPIC_AUTHORIZATION_FAILED for
 * its partitions, whether it exists or not; a topic id that names no topic stays UNKNOWN_TOPIC_ID).
 */
public final class ProduceHandler extends ApiHandler<ProduceRequest> {
    /** Produce versions before this cannot carry zstd batches. */
    static final short MIN_VERSION_FOR_ZSTD = 7;

    private final MetadataManager metadata;
    private final PartitionManager partitions;
    private final boolean fsync;
    private final LongSupplier clockMs;
    private final ScheduledExecutorService timeouts;
    private final AppendLanes lanes;
    private final TransactionVerifier verifier;
    private final Authorizer authorizer;
    private final BrokerTopicStats topicStats;

    /**
     * @param verifier the transaction coordinator's verification; null when there is no
     *     transaction coordinator (a transactional batch that would open a transaction is then
     *     refused with INVALID_TXN_STATE)
     */
    public ProduceHandler(
            MetadataManager metadata,
            PartitionManager partitions,
            boolean fsync,
            LongSupplier clockMs,
            ScheduledExecutorService timeouts,
            AppendLanes lanes,
            TransactionVerifier verifier,
            Authorizer authorizer) {
        this(metadata, partitions, fsync, clockMs, timeouts, lanes, verifier, authorizer, BrokerTopicStats.NONE);
    }

    /** As above, telling {@code topicStats} of every partition produced to (Kafka's BrokerTopicMetrics). */
    public ProduceHandler(
            MetadataManager metadata,
            PartitionManager partitions,
            boolean fsync,
            LongSupplier clockMs,
            ScheduledExecutorService timeouts,
            AppendLanes lanes,
            TransactionVerifier verifier,
            Authorizer authorizer,
            BrokerTopicStats topicStats) {
        super(ApiKeys.PRODUCE, 3, 13);
        this.topicStats = topicStats;
        this.authorizer = authorizer;
        this.metadata = metadata;
        this.partitions = partitions;
        this.fsync = fsync;
        this.clockMs = clockMs;
        this.timeouts = timeouts;
        this.lanes = lanes;
        this.verifier = verifier;
    }

    @Override
    public short advertisedMinVersion() {
        return 0;
    }

    @Override
    public void handle(RequestContext context, ProduceRequest request) {
        boolean[] denied = null;
        if (authorizer.enabled()) {
            if (hasTransactionalRecords(request)
                    && (request.transactionalId() == null
                            || !authorizer.authorize(
                                    context,
                                    AclOperation.WRITE,
                                    ResourceType.TRANSACTIONAL_ID,
                                    request.transactionalId()))) {
                refuseAll(context, request, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
                return;
            }
            denied = deniedTopics(context, request);
        }
        boolean[] deniedTopics = denied;
        Object connection = context.connectionKey();
        ProduceVerification verification = request.acks() == 0 || !validAcks(request.acks())
                ? null
                : ProduceVerification.find(metadata.image(), partitions, request, context.apiVersion, deniedTopics);
        if (verification != null) {
            lanes.submitAfter(
                    connection,
                    () -> verification.start(verifier, Math.max(0, request.timeoutMs()), timeouts),
                    () -> produceOffLoop(context, request, verification, deniedTopics));
        } else if (lanes.busy(connection) || mayBlock(context, request)) {
            lanes.submit(connection, () -> produceOffLoop(context, request, null, deniedTopics));
        } else {
            produce(context, request, null, deniedTopics);
        }
    }

    /** Per topic of the request, whether WRITE is denied on it; null when none is. */
    private boolean[] deniedTopics(RequestContext context, ProduceRequest request) {
        MetadataImage image = metadata.image();
        boolean[] denied = null;
        List<ProduceRequest.TopicProduceData> topicData = request.topicData();
        for (int i = 0; i < topicData.size(); i++) {
            ProduceRequest.TopicProduceData td = topicData.get(i);
            String name = td.name();
            if (context.apiVersion >= 13) {
                TopicImage topic = image.topic(td.topicId());
                name = topic == null ? null : topic.name();
            }
            if (name != null && !authorizer.authorize(context, AclOperation.WRITE, ResourceType.TOPIC, name)) {
                if (denied == null) {
                    denied = new boolean[topicData.size()];
                }
                denied[i] = true;
            }
        }
        return denied;
    }

    /** Whether any partition's first batch is transactional (Kafka's {@code hasTransactionalRecords}). */
    private static boolean hasTransactionalRecords(ProduceRequest request) {
        RecordBatch peek = null;
        for (ProduceRequest.TopicProduceData td : request.topicData()) {
            for (ProduceRequest.PartitionProduceData pd : td.partitionData()) {
                if (pd.records() instanceof ByteBufRecords r
                        && r.buffer().readableBytes() >= RecordBatchDescriptor.HEADER_SIZE) {
                    peek = peek == null ? new RecordBatch() : peek;
                    if (peek.wrap(r.buffer(), r.buffer().readerIndex()).isTransactional()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Answers every partition with {@code error} (acks=0: closes the connection, as for any failed ackless produce). */
    private static void refuseAll(RequestContext context, ProduceRequest request, Errors error) {
        if (request.acks() == 0) {
            context.closeConnection();
            return;
        }
        List<ProduceResponse.TopicProduceResponse> topics =
                new ArrayList<>(request.topicData().size());
        for (ProduceRequest.TopicProduceData td : request.topicData()) {
            List<ProduceResponse.PartitionProduceResponse> parts =
                    new ArrayList<>(td.partitionData().size());
            for (ProduceRequest.PartitionProduceData pd : td.partitionData()) {
                parts.add(new ProduceResponse.PartitionProduceResponse()
                        .setIndex(pd.index())
                        .setErrorCode(error.code)
                        .setBaseOffset(-1)
                        .setLogAppendTimeMs(-1)
                        .setLogStartOffset(-1));
            }
            ProduceResponse.TopicProduceResponse tr =
                    new ProduceResponse.TopicProduceResponse().setPartitionResponses(parts);
            if (context.apiVersion >= 13) {
                tr.setTopicId(td.topicId() == null ? Uuid.ZERO : td.topicId());
            } else {
                tr.setName(td.name());
            }
            topics.add(tr);
        }
        context.respond(new ProduceResponse().setResponses(topics));
    }

    private static boolean validAcks(short acks) {
        return acks == 0 || acks == 1 || acks == -1;
    }

    private void produceOffLoop(
            RequestContext context, ProduceRequest request, ProduceVerification verification, boolean[] denied) {
        context.offLoopWorkStarted(); // counts against request-time quotas
        try {
            produce(context, request, verification, denied);
        } catch (RuntimeException e) {
            if (!context.isCompleted()) {
                context.closeConnection();
            }
            throw e;
        } finally {
            context.offLoopWorkEnded();
        }
    }

    /** Whether appending any of the request's partitions would probably roll a segment or recompress. */
    private boolean mayBlock(RequestContext context, ProduceRequest request) {
        MetadataImage image = metadata.image();
        long nowMs = clockMs.getAsLong();
        for (ProduceRequest.TopicProduceData td : request.topicData()) {
            TopicImage topic = context.apiVersion >= 13 ? image.topic(td.topicId()) : image.topic(td.name());
            for (ProduceRequest.PartitionProduceData pd : td.partitionData()) {
                Partition partition = partitions.partition(topic, pd.index());
                if (partition != null
                        && pd.records() instanceof ByteBufRecords r
                        && partition.log().appendMayBlock(r.buffer(), nowMs)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void produce(
            RequestContext context, ProduceRequest request, ProduceVerification verification, boolean[] denied) {
        short acks = request.acks();
        boolean ackless = acks == 0;
        MetadataImage image = metadata.image();
        long nowMs = clockMs.getAsLong();
        boolean validAcks = validAcks(acks);
        boolean anyError = false;
        List<ProduceResponse.TopicProduceResponse> topics =
                new ArrayList<>(request.topicData().size());
        Waits waits = null;
        for (int ti = 0; ti < request.topicData().size(); ti++) {
            ProduceRequest.TopicProduceData td = request.topicData().get(ti);
            TopicImage topic = context.apiVersion >= 13 ? image.topic(td.topicId()) : image.topic(td.name());
            List<ProduceResponse.PartitionProduceResponse> partitionResponses =
                    new ArrayList<>(td.partitionData().size());
            for (ProduceRequest.PartitionProduceData pd : td.partitionData()) {
                ProduceResponse.PartitionProduceResponse out = new ProduceResponse.PartitionProduceResponse()
                        .setIndex(pd.index())
                        .setBaseOffset(-1)
                        .setLogAppendTimeMs(-1)
                        .setLogStartOffset(-1);
                Errors error;
                long appended = 0;
                long appendedBytes = 0;
                if (!validAcks) {
                    error = Errors.INVALID_REQUIRED_ACKS;
                } else if (denied != null && denied[ti]) {
                    error = Errors.TOPIC_AUTHORIZATION_FAILED;
                } else if (topic == null) {
                    error = context.apiVersion >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (topic.isInternal()) {
                    error = Errors.INVALID_TOPIC_EXCEPTION;
                    out.setErrorMessage("Cannot append to internal topic " + topic.name());
                } else {
                    Partition partition = partitions.partition(topic, pd.index());
                    error = partition == null
                            ? partitions.missing(topic, pd.index())
                            : partition.checkAppend(acks == -1);
                    if (error == Errors.NONE) {
                        error = checkRecords(context, pd.records());
                    }
                    ByteBuf records = error == Errors.NONE ? ((ByteBufRecords) pd.records()).buffer() : null;
                    ProduceVerification.Pending verified =
                            verification == null || records == null ? null : verification.of(records);
                    if (verified != null && verified.error != Errors.NONE) {
                        error = verification.produceError(verified.error);
                        out.setErrorMessage(verification.produceErrorMessage(verified.error));
                    } else if (error == Errors.NONE) {
                        VerificationGuard guard = verified == null ? VerificationGuard.SENTINEL : verified.guard;
                        int recordBytes = records.readableBytes();
                        AppendResult r = append(context, partition, records, nowMs, guard, out);
                        error = StorageErrors.of(r.outcome());
                        if (r.isSuccess()) {
                            appended = r.lastOffset() - r.firstOffset() + 1;
                            appendedBytes = recordBytes;
                        }
                        if (r.isSuccess() && !ackless) {
                            waits = awaitCommit(waits, partition, acks == -1, r.lastOffset(), out);
                        }
                    }
                }
                anyError |= error != Errors.NONE;
                if (topic != null && validAcks && !topic.isInternal() && (denied == null || !denied[ti])) {
                    topicStats.produced(topic.name(), error, appended, appendedBytes);
                }
                partitionResponses.add(out.setErrorCode(error.code));
            }
            ProduceResponse.TopicProduceResponse tr =
                    new ProduceResponse.TopicProduceResponse().setPartitionResponses(partitionResponses);
            if (context.apiVersion >= 13) {
                tr.setTopicId(td.topicId() == null ? Uuid.ZERO : td.topicId());
            } else {
                tr.setName(td.name());
            }
            topics.add(tr);
        }
        if (ackless) {
            if (anyError) {
                context.closeConnection();
            } else {
                context.respondNothing();
            }
            return;
        }
        ProduceResponse response = new ProduceResponse().setResponses(topics);
        if (waits == null) {
            context.respond(response);
        } else {
            waits.respondWhenDone(context, response, Math.max(0, request.timeoutMs()), timeouts);
        }
    }

    /** What Kafka refuses before appending: records it cannot read, zstd from clients too old for it. */
    private static Errors checkRecords(RequestContext context, Records records) {
        if (!(records instanceof ByteBufRecords)) {
            return Errors.CORRUPT_MESSAGE;
        }
        if (context.apiVersion < MIN_VERSION_FOR_ZSTD && usesZstd(((ByteBufRecords) records).buffer())) {
            // Produce versions before 7 may not carry zstd batches, as Apache Kafka says.
            return Errors.UNSUPPORTED_COMPRESSION_TYPE;
        }
        return Errors.NONE;
    }

    /** Appends one partition's records ({@code buf}, borrowed) and fills {@code out} from the result. */
    private static AppendResult append(
            RequestContext context,
            Partition partition,
            ByteBuf buf,
            long nowMs,
            VerificationGuard guard,
            ProduceResponse.PartitionProduceResponse out) {
        AppendResult r = partition.appendAsLeader(buf, nowMs, guard);
        if (r.isSuccess()) {
            out.setBaseOffset(r.firstOffset())
                    .setLogAppendTimeMs(r.logAppendTimeMs())
                    .setLogStartOffset(r.logStartOffset());
            return r;
        }
        out.setErrorMessage(r.errorMessage());
        if (context.apiVersion >= 8 && !r.recordErrors().isEmpty()) {
            List<ProduceResponse.BatchIndexAndErrorMessage> recordErrors = new ArrayList<>();
            for (RecordError re : r.recordErrors()) {
                recordErrors.add(new ProduceResponse.BatchIndexAndErrorMessage()
                        .setBatchIndex(re.batchIndex())
                        .setBatchIndexErrorMessage(re.message()));
            }
            out.setRecordErrors(recordErrors);
        }
        return r;
    }

    /**
     * What the answer for {@code out} must wait for: the fsync in fsync mode, and for acks=-1 the
     * high watermark passing the append. Returns {@code waits}, created on first need.
     */
    private Waits awaitCommit(
            Waits waits,
            Partition partition,
            boolean acksAll,
            long last,
            ProduceResponse.PartitionProduceResponse out) {
        if (fsync) {
            waits = Waits.add(waits, out, partition.log().awaitDurable(last));
        }
        if (acksAll) {
            CompletableFuture<Void> committed = partition.awaitHighWatermark(last + 1);
            if (committed != null) {
                waits = Waits.add(waits, out, committed);
            }
        }
        return waits;
    }

    /** Whether the first batch in {@code buf} (borrowed) is zstd-compressed. */
    private static boolean usesZstd(ByteBuf buf) {
        int at = buf.readerIndex() + RecordBatchDescriptor.ATTRIBUTES_OFFSET;
        return buf.readableBytes() >= RecordBatchDescriptor.HEADER_SIZE
                && (buf.getShort(at) & RecordBatchDescriptor.COMPRESSION_CODEC_MASK) == Codecs.ZSTD;
    }

    /** The partition answers of one request that wait for fsyncs or for the high watermark. */
    private static final class Waits {
        private final List<ProduceResponse.PartitionProduceResponse> outs = new ArrayList<>();
        private final List<CompletableFuture<Void>> futures = new ArrayList<>();

        static Waits add(Waits waits, ProduceResponse.PartitionProduceResponse out, CompletableFuture<Void> f) {
            Waits w = waits == null ? new Waits() : waits;
            w.outs.add(out);
            w.futures.add(f);
            return w;
        }

        /** Answers once every wait is over or {@code timeoutMs} passed, with each partition's outcome. */
        void respondWhenDone(
                RequestContext context, ProduceResponse response, int timeoutMs, ScheduledExecutorService timeouts) {
            CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
            ScheduledFuture<?> timer = timeouts.schedule(
                    () -> all.completeExceptionally(new TimeoutException()), timeoutMs, TimeUnit.MILLISECONDS);
            all.whenComplete((ok, failure) -> {
                timer.cancel(false);
                for (int i = 0; i < futures.size(); i++) {
                    Errors e = outcome(futures.get(i));
                    ProduceResponse.PartitionProduceResponse out = outs.get(i);
                    if (e != Errors.NONE && out.errorCode() == Errors.NONE.code) {
                        out.setErrorCode(e.code);
                    }
                }
                context.respond(response);
            });
        }

        private static Errors outcome(CompletableFuture<Void> f) {
            if (!f.isDone()) {
                return Errors.REQUEST_TIMED_OUT;
            }
            if (!f.isCompletedExceptionally()) {
                return Errors.NONE;
            }
            try {
                f.join();
                return Errors.NONE;
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof NotCommittedException nc) {
                    return nc.error();
                }
                return cause instanceof TimeoutException ? Errors.REQUEST_TIMED_OUT : Errors.KAFKA_STORAGE_ERROR;
            } catch (RuntimeException e) {
                return Errors.KAFKA_STORAGE_ERROR;
            }
        }
    }
}
