package io.skiff.broker.handler;

import io.netty.buffer.ByteBuf;
import io.skiff.broker.log.ReplicaManager;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.storage.AppendResult;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.message.ProduceRequest;
import io.skiff.wire.message.ProduceResponse;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.RecordBatchDescriptor;
import io.skiff.wire.record.RecordError;
import io.skiff.wire.record.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Produce (key 0), versions 3-13 (announced from 0, as Apache Kafka does): appends each
 * partition's batches to its log, with per-partition and per-record errors. acks=0 gets no
 * answer (and a closed connection if anything failed, so that the producer notices), acks=1
 * and acks=-1 are answered once the appends are done and, in fsync durability mode, durable.
 */
public final class ProduceHandler extends ApiHandler<ProduceRequest> {
    /** Produce versions before this cannot carry zstd batches. */
    static final short MIN_VERSION_FOR_ZSTD = 7;

    private final MetadataManager metadata;
    private final ReplicaManager replicas;
    private final Cluster cluster;
    private final boolean fsync;
    private final LongSupplier clockMs;
    private final ScheduledExecutorService timeouts;

    public ProduceHandler(Cluster cluster, MetadataManager metadata, ReplicaManager replicas, boolean fsync,
                          LongSupplier clockMs, ScheduledExecutorService timeouts) {
        super(ApiKeys.PRODUCE, 3, 13);
        this.cluster = cluster;
        this.metadata = metadata;
        this.replicas = replicas;
        this.fsync = fsync;
        this.clockMs = clockMs;
        this.timeouts = timeouts;
    }

    @Override
    public short advertisedMinVersion() {
        return 0;
    }

    @Override
    public void handle(RequestContext context, ProduceRequest request) {
        short acks = request.acks();
        boolean ackless = acks == 0;
        MetadataImage image = metadata.image();
        long nowMs = clockMs.getAsLong();
        boolean validAcks = acks == 0 || acks == 1 || acks == -1;
        boolean anyError = false;
        List<ProduceResponse.TopicProduceResponse> topics = new ArrayList<>(request.topicData().size());
        List<CompletableFuture<?>> durable = fsync && !ackless ? new ArrayList<>() : null;
        for (ProduceRequest.TopicProduceData td : request.topicData()) {
            TopicImage topic = context.apiVersion >= 13 ? image.topic(td.topicId()) : image.topic(td.name());
            List<ProduceResponse.PartitionProduceResponse> partitions = new ArrayList<>(td.partitionData().size());
            for (ProduceRequest.PartitionProduceData pd : td.partitionData()) {
                ProduceResponse.PartitionProduceResponse out = new ProduceResponse.PartitionProduceResponse()
                    .setIndex(pd.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                Errors error = Errors.NONE;
                if (!validAcks) {
                    error = Errors.INVALID_REQUIRED_ACKS;
                } else if (topic == null) {
                    error = context.apiVersion >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (topic.isInternal()) {
                    error = Errors.INVALID_TOPIC_EXCEPTION;
                    out.setErrorMessage("Cannot append to internal topic " + topic.name());
                } else if (pd.index() < 0 || pd.index() >= topic.partitions()) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (acks == -1 && minInsyncReplicas(topic) > cluster.replicas().size()) {
                    error = Errors.NOT_ENOUGH_REPLICAS;
                } else {
                    PartitionLog log = replicas.log(new TopicPartition(topic.name(), pd.index()));
                    Records records = pd.records();
                    if (log == null) {
                        error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    } else if (!(records instanceof ByteBufRecords)) {
                        error = Errors.CORRUPT_MESSAGE;
                    } else if (context.apiVersion < MIN_VERSION_FOR_ZSTD
                        && usesZstd(((ByteBufRecords) records).buffer())) {
                        // Produce versions before 7 may not carry zstd batches, as Apache Kafka says.
                        error = Errors.UNSUPPORTED_COMPRESSION_TYPE;
                    } else {
                        ByteBuf buf = ((ByteBufRecords) records).buffer();
                        AppendResult r = log.appendAsLeader(buf, Cluster.LEADER_EPOCH, nowMs);
                        error = r.error();
                        if (r.isSuccess()) {
                            out.setBaseOffset(r.firstOffset()).setLogAppendTimeMs(r.logAppendTimeMs())
                                .setLogStartOffset(r.logStartOffset());
                            if (durable != null) {
                                durable.add(log.awaitDurable(r.lastOffset()));
                            }
                        } else {
                            out.setErrorMessage(r.errorMessage());
                            if (context.apiVersion >= 8 && !r.recordErrors().isEmpty()) {
                                List<ProduceResponse.BatchIndexAndErrorMessage> recordErrors = new ArrayList<>();
                                for (RecordError re : r.recordErrors()) {
                                    recordErrors.add(new ProduceResponse.BatchIndexAndErrorMessage()
                                        .setBatchIndex(re.batchIndex()).setBatchIndexErrorMessage(re.message()));
                                }
                                out.setRecordErrors(recordErrors);
                            }
                        }
                    }
                }
                anyError |= error != Errors.NONE;
                partitions.add(out.setErrorCode(error.code));
            }
            ProduceResponse.TopicProduceResponse tr = new ProduceResponse.TopicProduceResponse()
                .setPartitionResponses(partitions);
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
        if (durable == null || durable.isEmpty()) {
            context.respond(response);
            return;
        }
        respondWhenDurable(context, response, durable, request.timeoutMs());
    }

    /**
     * Answers once every append of the request is durable; partitions that succeeded get
     * REQUEST_TIMED_OUT if that takes longer than the request's timeout, KAFKA_STORAGE_ERROR if
     * the flush fails.
     */
    private void respondWhenDurable(RequestContext context, ProduceResponse response,
                                    List<CompletableFuture<?>> durable, int requestTimeoutMs) {
        List<ProduceResponse.TopicProduceResponse> topics = response.responses();
        CompletableFuture<Void> all = CompletableFuture.allOf(durable.toArray(new CompletableFuture<?>[0]));
        int timeoutMs = Math.max(0, requestTimeoutMs);
        var timer = timeouts.schedule(() -> all.completeExceptionally(new TimeoutException()),
            timeoutMs, TimeUnit.MILLISECONDS);
        all.whenComplete((ok, failure) -> {
            timer.cancel(false);
            if (failure != null) {
                Errors e = failure instanceof TimeoutException
                    || failure.getCause() instanceof TimeoutException
                    ? Errors.REQUEST_TIMED_OUT : Errors.KAFKA_STORAGE_ERROR;
                for (ProduceResponse.TopicProduceResponse t : topics) {
                    for (ProduceResponse.PartitionProduceResponse p : t.partitionResponses()) {
                        if (p.errorCode() == Errors.NONE.code) {
                            p.setErrorCode(e.code);
                        }
                    }
                }
            }
            context.respond(response);
        });
    }

    /** Whether the first batch in {@code buf} (borrowed) is zstd-compressed. */
    private static boolean usesZstd(ByteBuf buf) {
        int at = buf.readerIndex() + RecordBatchDescriptor.ATTRIBUTES_OFFSET;
        return buf.readableBytes() >= RecordBatchDescriptor.HEADER_SIZE
            && (buf.getShort(at) & RecordBatchDescriptor.COMPRESSION_CODEC_MASK) == Codecs.ZSTD;
    }

    private int minInsyncReplicas(TopicImage topic) {
        String v = topic.configs().get("min.insync.replicas");
        return v != null ? Integer.parseInt(v) : cluster.config().getInt("min.insync.replicas");
    }
}
