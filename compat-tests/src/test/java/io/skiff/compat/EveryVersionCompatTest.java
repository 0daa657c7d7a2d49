package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The data-path APIs answer at every version they advertise, with real topics and partitions in
 * the request, so that every version-dependent field of the answer is exercised (a field a
 * version cannot carry must not be set).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EveryVersionCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    private static Uuid topicId;

    @BeforeAll
    static void topic() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            topicId = admin.createTopics(List.of(new NewTopic("versions", 1, (short) 1)))
                    .topicId("versions")
                    .get();
        }
    }

    private static ByteBuffer call(
            RawConnection c, ApiKeys api, short v, org.apache.kafka.common.protocol.ApiMessage body) throws Exception {
        int corr = c.send(api, v, body);
        return c.receive(corr, api.responseHeaderVersion(v));
    }

    @Test
    void produceAtEveryVersionFrom3() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            for (short v = 3; v <= ApiKeys.PRODUCE.latestVersion(); v++) {
                ProduceRequestData req =
                        new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
                ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData();
                if (v >= 13) {
                    td.setTopicId(topicId);
                } else {
                    td.setName("versions");
                }
                td.partitionData()
                        .add(new ProduceRequestData.PartitionProduceData()
                                .setIndex(0)
                                .setRecords(MemoryRecords.withRecords(
                                        Compression.NONE, new SimpleRecord(("v" + v).getBytes()))));
                req.topicData().add(td);
                ProduceResponseData r =
                        new ProduceResponseData(new ByteBufferAccessor(call(c, ApiKeys.PRODUCE, v, req)), v);
                assertThat(r.responses()
                                .iterator()
                                .next()
                                .partitionResponses()
                                .get(0)
                                .errorCode())
                        .as("Produce v%d", v)
                        .isEqualTo(Errors.NONE.code());
            }
        }
    }

    @Test
    void offsetForLeaderEpochAnswersAsKafkaDoesForAPartitionLedAtEpochZero() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            for (short v = 2; v <= ApiKeys.OFFSET_FOR_LEADER_EPOCH.latestVersion(); v++) {
                long end;
                try (var consumer = Clients.consumer(BROKER.bootstrapServers(), new java.util.Properties())) {
                    var tp = new org.apache.kafka.common.TopicPartition("versions", 0);
                    end = consumer.endOffsets(List.of(tp)).get(tp);
                }
                // Kafka 4.3.1 on a partition whose only epoch is 0: epoch 0 ends at the log end, others are
                // undefined, and a current epoch above the leader's is UNKNOWN_LEADER_EPOCH.
                int[][] cases = {{0, -1}, {0, 0}, {1, 0}, {-1, 0}, {0, 1}};
                for (int[] k : cases) {
                    org.apache.kafka.common.message.OffsetForLeaderEpochRequestData req =
                            new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData().setReplicaId(-1);
                    var t = new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                            .setTopic("versions");
                    t.partitions()
                            .add(
                                    new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData
                                                    .OffsetForLeaderPartition()
                                            .setPartition(0)
                                            .setLeaderEpoch(k[0])
                                            .setCurrentLeaderEpoch(k[1]));
                    req.topics().add(t);
                    var r = new org.apache.kafka.common.message.OffsetForLeaderEpochResponseData(
                            new ByteBufferAccessor(call(c, ApiKeys.OFFSET_FOR_LEADER_EPOCH, v, req)), v);
                    var p = r.topics().iterator().next().partitions().get(0);
                    if (k[1] > 0) {
                        assertThat(p.errorCode()).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
                    } else if (k[0] == 0) {
                        assertThat(p.errorCode()).isZero();
                        assertThat(p.leaderEpoch()).isZero();
                        assertThat(p.endOffset()).isEqualTo(end);
                    } else {
                        assertThat(p.errorCode()).isZero();
                        assertThat(p.leaderEpoch()).isEqualTo(-1);
                        assertThat(p.endOffset()).isEqualTo(-1L);
                    }
                }
            }
        }
    }

    @Test
    void fetchListOffsetsAndMetadataAtEveryVersion() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            for (short v = 4; v <= ApiKeys.FETCH.latestVersion(); v++) {
                FetchRequestData req = new FetchRequestData()
                        .setMaxWaitMs(0)
                        .setMinBytes(0)
                        .setMaxBytes(1 << 20)
                        .setSessionId(0)
                        .setSessionEpoch(-1)
                        .setIsolationLevel((byte) (v % 2));
                FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic()
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20)));
                if (v >= 13) {
                    t.setTopicId(topicId);
                } else {
                    t.setTopic("versions");
                }
                req.topics().add(t);
                FetchResponseData r = new FetchResponseData(new ByteBufferAccessor(call(c, ApiKeys.FETCH, v, req)), v);
                assertThat(r.responses().get(0).partitions().get(0).errorCode())
                        .as("Fetch v%d", v)
                        .isEqualTo(Errors.NONE.code());
            }
            for (short v = 1; v <= ApiKeys.LIST_OFFSETS.latestVersion(true); v++) {
                for (long ts : new long[] {-1L, -2L, 0L}) {
                    ListOffsetsRequestData req = new ListOffsetsRequestData().setReplicaId(-1);
                    req.topics()
                            .add(new ListOffsetsRequestData.ListOffsetsTopic()
                                    .setName("versions")
                                    .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                            .setPartitionIndex(0)
                                            .setTimestamp(ts))));
                    ListOffsetsResponseData r = new ListOffsetsResponseData(
                            new ByteBufferAccessor(call(c, ApiKeys.LIST_OFFSETS, v, req)), v);
                    assertThat(r.topics().get(0).partitions().get(0).errorCode())
                            .as("ListOffsets v%d ts %d", v, ts)
                            .isEqualTo(Errors.NONE.code());
                }
            }
            for (short v = 0; v <= ApiKeys.METADATA.latestVersion(); v++) {
                MetadataRequestData req = new MetadataRequestData();
                req.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("versions"));
                if (v >= 8 && v <= 10) {
                    req.setIncludeClusterAuthorizedOperations(true);
                }
                if (v >= 8) {
                    req.setIncludeTopicAuthorizedOperations(true);
                }
                MetadataResponseData r =
                        new MetadataResponseData(new ByteBufferAccessor(call(c, ApiKeys.METADATA, v, req)), v);
                assertThat(r.topics().find("versions").errorCode())
                        .as("Metadata v%d", v)
                        .isEqualTo(Errors.NONE.code());
            }
        }
    }
}
