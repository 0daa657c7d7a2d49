package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transaction coordinator with real clients: {@code KafkaProducer.initTransactions()}, the
 * Admin client's {@code listTransactions} / {@code describeTransactions}, Kafka's
 * {@code kafka-transactions.sh} (TransactionsCommand), and raw requests with bad input, each answered
 * as Apache Kafka 4.3.1 answers (run with {@code -Dskiff.compat.reference=host:port} to check the
 * expectations against Kafka itself). Markers are not written to data partitions yet, so no
 * transaction here is committed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionCoordinatorCompatTest {
    private static final String TOPIC = "txn-coordinator-compat";

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    @BeforeAll
    static void topic() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        } catch (ExecutionException e) {
            // A reference broker keeps its topics between runs.
            if (!(e.getCause() instanceof TopicExistsException) || !SkiffBrokerExtension.isReference()) {
                throw e;
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String transactionalId, Integer timeoutMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        if (timeoutMs != null) {
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs);
        }
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** initTransactions() of a fresh producer with {@code transactionalId}, closed afterwards. */
    private static void initTransactions(String transactionalId) {
        try (KafkaProducer<byte[], byte[]> p = producer(transactionalId, null)) {
            p.initTransactions();
        }
    }

    private static TransactionDescription describe(Admin admin, String transactionalId) throws Exception {
        return admin.describeTransactions(List.of(transactionalId))
                .description(transactionalId)
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void initTransactionsGivesEpochZeroAndTheAdminClientListsAndDescribesIt() throws Exception {
        initTransactions("compat-init");
        try (Admin admin = Clients.admin(BROKER)) {
            Collection<TransactionListing> listings =
                    admin.listTransactions().all().get(30, TimeUnit.SECONDS);
            TransactionListing listing = listings.stream()
                    .filter(l -> l.transactionalId().equals("compat-init"))
                    .findFirst()
                    .orElseThrow();
            assertThat(listing.state()).isEqualTo(TransactionState.EMPTY);
            TransactionDescription d = describe(admin, "compat-init");
            assertThat(d.state()).isEqualTo(TransactionState.EMPTY);
            assertThat(d.producerId()).isEqualTo(listing.producerId());
            assertThat(d.producerEpoch()).isZero();
            assertThat(d.transactionTimeoutMs()).isEqualTo(60_000);
            assertThat(d.transactionStartTimeMs()).isEmpty();
            assertThat(d.topicPartitions()).isEmpty();
            assertThat(d.coordinatorId()).isNotNegative();
        }
    }

    @Test
    void aNewInstanceOfTheSameTransactionalIdBumpsTheEpochAndKeepsTheProducerId() throws Exception {
        initTransactions("compat-bump");
        try (Admin admin = Clients.admin(BROKER)) {
            TransactionDescription first = describe(admin, "compat-bump");
            initTransactions("compat-bump");
            TransactionDescription second = describe(admin, "compat-bump");
            assertThat(second.producerId()).isEqualTo(first.producerId());
            assertThat(second.producerEpoch()).isEqualTo((short) (first.producerEpoch() + 1));
            assertThat(admin.listTransactions(
                                    new ListTransactionsOptions().filterProducerIds(List.of(first.producerId())))
                            .all()
                            .get(30, TimeUnit.SECONDS))
                    .extracting(TransactionListing::transactionalId)
                    .containsExactly("compat-bump");
        }
    }

    @Test
    void aTransactionTimeoutAboveTheMaximumIsRefused() {
        try (KafkaProducer<byte[], byte[]> p = producer("compat-timeout", 900_001)) {
            // kafka-clients reports INVALID_TRANSACTION_TIMEOUT as an unexpected error with the error's message.
            assertThatThrownBy(p::initTransactions)
                    .isInstanceOf(KafkaException.class)
                    .hasMessageContaining(Errors.INVALID_TRANSACTION_TIMEOUT.message());
        }
    }

    @Test
    void describingAnUnknownTransactionalIdIsTransactionalIdNotFound() throws Exception {
        initTransactions("compat-known");
        try (Admin admin = Clients.admin(BROKER)) {
            assertThatThrownBy(() -> describe(admin, "compat-never-seen"))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TransactionalIdNotFoundException.class);
        }
    }

    /** Reads a response body of one version. */
    interface Parser<R> {
        R parse(Readable readable, short version);
    }

    private static <R> R call(ApiKeys api, short version, ApiMessage request, Parser<R> parser) throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            int corr = c.send(api, version, request);
            return parser.parse(new ByteBufferAccessor(c.receive(corr, api.responseHeaderVersion(version))), version);
        }
    }

    private static Errors addPartition(String transactionalId, long producerId, short epoch, String topic, int p)
            throws Exception {
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics =
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                .setName(topic)
                .setPartitions(List.of(p)));
        AddPartitionsToTxnResponseData r = call(
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                (short) 3,
                new AddPartitionsToTxnRequestData()
                        .setV3AndBelowTransactionalId(transactionalId)
                        .setV3AndBelowProducerId(producerId)
                        .setV3AndBelowProducerEpoch(epoch)
                        .setV3AndBelowTopics(topics),
                AddPartitionsToTxnResponseData::new);
        return Errors.forCode(r.resultsByTopicV3AndBelow()
                .iterator()
                .next()
                .resultsByPartition()
                .iterator()
                .next()
                .partitionErrorCode());
    }

    private static Errors endTxn(String transactionalId, long producerId, short epoch, boolean commit)
            throws Exception {
        EndTxnResponseData r = call(
                ApiKeys.END_TXN,
                (short) 3,
                new EndTxnRequestData()
                        .setTransactionalId(transactionalId)
                        .setProducerId(producerId)
                        .setProducerEpoch(epoch)
                        .setCommitted(commit),
                EndTxnResponseData::new);
        return Errors.forCode(r.errorCode());
    }

    private static EndTxnResponseData endTxnV5(String transactionalId, long producerId, short epoch, boolean commit)
            throws Exception {
        return call(
                ApiKeys.END_TXN,
                (short) 5,
                new EndTxnRequestData()
                        .setTransactionalId(transactionalId)
                        .setProducerId(producerId)
                        .setProducerEpoch(epoch)
                        .setCommitted(commit),
                EndTxnResponseData::new);
    }

    @Test
    void versionTwoEndTxnAbortsWithoutATransactionBumpingTheEpochAndAnswersItsRetry() throws Exception {
        initTransactions("compat-tv2");
        try (Admin admin = Clients.admin(BROKER)) {
            TransactionDescription d = describe(admin, "compat-tv2");
            long pid = d.producerId();
            short epoch = (short) d.producerEpoch();
            EndTxnResponseData aborted = endTxnV5("compat-tv2", pid, epoch, false);
            assertThat(Errors.forCode(aborted.errorCode())).isEqualTo(Errors.NONE);
            assertThat(aborted.producerId()).isEqualTo(pid);
            assertThat(aborted.producerEpoch()).isEqualTo((short) (epoch + 1));
            // The retry (old epoch) gets the same answer; a commit with the new epoch has nothing to commit.
            EndTxnResponseData retried = endTxnV5("compat-tv2", pid, epoch, false);
            assertThat(Errors.forCode(retried.errorCode())).isEqualTo(Errors.NONE);
            assertThat(retried.producerEpoch()).isEqualTo((short) (epoch + 1));
            assertThat(Errors.forCode(endTxnV5("compat-tv2", pid, (short) (epoch + 1), true)
                            .errorCode()))
                    .isEqualTo(Errors.INVALID_TXN_STATE);
            assertThat(Errors.forCode(endTxnV5("compat-tv2", pid, (short) (epoch + 5), false)
                            .errorCode()))
                    .isEqualTo(Errors.PRODUCER_FENCED);
            TransactionDescription after = describe(admin, "compat-tv2");
            assertThat(after.state()).isEqualTo(TransactionState.COMPLETE_ABORT);
            assertThat(after.producerEpoch()).isEqualTo(epoch + 1);
        }
    }

    @Test
    void badTransactionalRequestsGetKafkasErrorsAndLeaveTheTransactionAlone() throws Exception {
        initTransactions("compat-bad");
        try (Admin admin = Clients.admin(BROKER)) {
            TransactionDescription d = describe(admin, "compat-bad");
            long pid = d.producerId();
            short epoch = (short) d.producerEpoch();
            assertThat(endTxn("compat-bad", pid, epoch, true)).isEqualTo(Errors.INVALID_TXN_STATE);
            assertThat(endTxn("compat-bad", pid, epoch, false)).isEqualTo(Errors.INVALID_TXN_STATE);
            assertThat(endTxn("compat-bad", pid + 1, epoch, true)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
            assertThat(endTxn("compat-bad", pid, (short) (epoch + 1), true)).isEqualTo(Errors.PRODUCER_FENCED);
            assertThat(endTxn("compat-never-initialized", pid, epoch, true))
                    .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
            assertThat(addPartition("compat-bad", pid, epoch, "no-such-topic", 0))
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(addPartition("compat-bad", pid, epoch, TOPIC, 7)).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(addPartition("compat-bad", pid, (short) (epoch + 1), TOPIC, 0))
                    .isEqualTo(Errors.PRODUCER_FENCED);
            assertThat(addPartition("compat-bad", pid + 1, epoch, TOPIC, 0))
                    .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
            // Clients may not add internal topics themselves (AddOffsetsToTxn does it for them).
            assertThat(addPartition("compat-bad", pid, epoch, "__transaction_state", 0))
                    .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED);
            TransactionDescription after = describe(admin, "compat-bad");
            assertThat(after.state()).isEqualTo(TransactionState.EMPTY);
            assertThat(after.producerEpoch()).isEqualTo(d.producerEpoch());
            assertThat(after.topicPartitions()).isEmpty();
        }
    }

    @Test
    void kafkaTransactionsToolListsAndDescribesAsAgainstKafka() throws Exception {
        initTransactions("compat-tool");
        KafkaTool.Result list = KafkaTool.run(
                "org.apache.kafka.tools.TransactionsCommand", "--bootstrap-server", BROKER.bootstrapServers(), "list");
        assertThat(list.exitCode()).as(list.output()).isZero();
        List<String> lines = list.output().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines.get(0).split("\\s+"))
                .containsExactly("TransactionalId", "Coordinator", "ProducerId", "TransactionState");
        assertThat(lines)
                .anySatisfy(l -> assertThat(l.split("\\s+"))
                        .hasSize(4)
                        .startsWith("compat-tool")
                        .endsWith("Empty"));

        KafkaTool.Result describe = KafkaTool.run(
                "org.apache.kafka.tools.TransactionsCommand",
                "--bootstrap-server",
                BROKER.bootstrapServers(),
                "describe",
                "--transactional-id",
                "compat-tool");
        assertThat(describe.exitCode()).as(describe.output()).isZero();
        List<String> rows = describe.output().lines().filter(l -> !l.isBlank()).toList();
        assertThat(rows.get(0).split("\\s+"))
                .containsExactly(
                        "CoordinatorId",
                        "TransactionalId",
                        "ProducerId",
                        "ProducerEpoch",
                        "TransactionState",
                        "TransactionTimeoutMs",
                        "CurrentTransactionStartTimeMs",
                        "TransactionDurationMs",
                        "TopicPartitions");
        // Tab-separated columns; an Empty transaction has no start time, duration or partitions.
        String[] row = rows.get(1).split("\t", -1);
        assertThat(row).hasSize(10);
        assertThat(row[1].trim()).isEqualTo("compat-tool");
        assertThat(row[3].trim()).isEqualTo("0");
        assertThat(row[4].trim()).isEqualTo("Empty");
        assertThat(row[5].trim()).isEqualTo("60000");
        assertThat(row[6].trim()).isEqualTo("None");
        assertThat(row[7].trim()).isEqualTo("None");
        assertThat(row[8].trim()).isEmpty();
    }

    @Test
    void kafkasDumpLogSegmentsDecodesTheTransactionLogSkiffWrote() throws Exception {
        Path dataDir = BROKER.dataDir();
        initTransactions("compat-dump");
        long pid;
        short epoch;
        try (Admin admin = Clients.admin(BROKER)) {
            TransactionDescription d = describe(admin, "compat-dump");
            pid = d.producerId();
            epoch = (short) d.producerEpoch();
        }
        assertThat(addPartition("compat-dump", pid, epoch, TOPIC, 1)).isEqualTo(Errors.NONE);
        int partition = Math.abs("compat-dump".hashCode()) % 50;
        Path segment = dataDir.resolve("__transaction_state-" + partition).resolve("00000000000000000000.log");
        KafkaTool.Result dump = KafkaTool.run(
                "org.apache.kafka.tools.DumpLogSegments", "--transaction-log-decoder", "--files", segment.toString());
        assertThat(dump.exitCode()).as(dump.output()).isZero();
        List<String> records = dump.output()
                .lines()
                .filter(l -> l.contains("\"transactionalId\":\"compat-dump\""))
                .toList();
        assertThat(records).as(dump.output()).hasSize(2);
        String key = "key: {\"type\":\"0\",\"data\":{\"transactionalId\":\"compat-dump\"}} payload: {\"version\":\"1\","
                + "\"data\":{\"producerId\":" + pid + ",\"previousProducerId\":" + pid + ",\"producerEpoch\":0,"
                + "\"transactionTimeoutMs\":60000,";
        assertThat(records.get(0))
                .contains(key + "\"transactionStatus\":0,\"transactionPartitions\":null,")
                .contains("\"transactionStartTimestampMs\":-1}}");
        assertThat(records.get(1))
                .contains(key + "\"transactionStatus\":1,\"transactionPartitions\":[{\"topic\":\"" + TOPIC
                        + "\",\"partitionIds\":[1]}],");
        assertThat(dump.output()).doesNotContain("Unknown").doesNotContain("isvalid: false");
    }
}
