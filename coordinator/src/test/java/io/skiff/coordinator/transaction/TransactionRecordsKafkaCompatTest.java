package io.skiff.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.runtime.CoordinatorRecord;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.coordinator.transaction.TransactionLog;
import org.apache.kafka.coordinator.transaction.TxnTransitMetadata;
import org.junit.jupiter.api.Test;

/**
 * The records Skiff writes to {@code __transaction_state} are Kafka 4.3.1's: Kafka's own
 * {@code TransactionLog} (which {@code DumpLogSegments --transaction-log-decoder} uses) reads them to
 * the same metadata, writes the same metadata to the same bytes, and Skiff reads Kafka's bytes.
 */
class TransactionRecordsKafkaCompatTest {

    private static TransactionMetadata sample(TransactionState state) {
        TransactionMetadata m = new TransactionMetadata("txn-é");
        m.producerId = 4242;
        m.prevProducerId = 4241;
        m.nextProducerId = state == TransactionState.PREPARE_COMMIT ? 5000 : -1;
        m.producerEpoch = 17;
        m.txnTimeoutMs = 60_000;
        m.state = state;
        if (state != TransactionState.EMPTY) {
            m.partitions.add(new TxnTopicPartition("orders", 0));
            m.partitions.add(new TxnTopicPartition("orders", 3));
            m.partitions.add(new TxnTopicPartition("__consumer_offsets", 12));
        }
        m.txnStartTimestampMs = state == TransactionState.EMPTY ? -1 : 1_700_000_000_000L;
        m.txnLastUpdateTimestampMs = 1_700_000_000_500L;
        m.clientTransactionVersion = TransactionVersion.TV_2;
        return m;
    }

    /** Every field written in a record, partitions as a sorted set (their order is not significant). */
    private static String fields(TransactionMetadata m) {
        return m.transactionalId() + " " + m.producerId() + " " + m.prevProducerId() + " " + m.nextProducerId() + " "
                + m.producerEpoch() + " " + m.txnTimeoutMs() + " " + m.state() + " " + new TreeSet<>(m.partitions())
                + " " + m.txnStartTimestampMs() + " " + m.txnLastUpdateTimestampMs() + " "
                + m.clientTransactionVersion();
    }

    private static Set<org.apache.kafka.common.TopicPartition> kafkaPartitions(TransactionMetadata m) {
        Set<org.apache.kafka.common.TopicPartition> out = new HashSet<>();
        for (TxnTopicPartition tp : m.partitions()) {
            out.add(new org.apache.kafka.common.TopicPartition(tp.topic(), tp.partition()));
        }
        return out;
    }

    @Test
    void kafkaReadsSkiffsRecordsAndWritesTheSameBytesInEveryWrittenState() {
        for (TransactionState state : new TransactionState[] {
            TransactionState.EMPTY,
            TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT,
            TransactionState.PREPARE_ABORT,
            TransactionState.COMPLETE_COMMIT,
            TransactionState.COMPLETE_ABORT
        }) {
            TransactionMetadata m = sample(state);
            CoordinatorRecord record = TransactionRecords.record(m);
            byte[] key = record.keyBytes();
            byte[] value = record.valueBytes();
            assertThat(key).isEqualTo(TransactionLog.keyToBytes(m.transactionalId()));
            TransactionLog.ReadResult read = TransactionLog.read(ByteBuffer.wrap(key), ByteBuffer.wrap(value));
            assertThat(read).isInstanceOf(TransactionLog.TxnRecord.class);
            TransactionLog.TxnRecord txn = (TransactionLog.TxnRecord) read;
            assertThat(txn.transactionId()).isEqualTo(m.transactionalId());
            org.apache.kafka.coordinator.transaction.TransactionMetadata k = txn.metadata();
            assertThat(k.producerId()).isEqualTo(m.producerId());
            assertThat(k.prevProducerId()).isEqualTo(m.prevProducerId());
            assertThat(k.producerEpoch()).isEqualTo(m.producerEpoch());
            assertThat(k.txnTimeoutMs()).isEqualTo(m.txnTimeoutMs());
            assertThat(k.state().id()).isEqualTo(state.id);
            assertThat(k.topicPartitions()).isEqualTo(kafkaPartitions(m));
            assertThat(k.txnStartTimestamp()).isEqualTo(m.txnStartTimestampMs());
            assertThat(k.txnLastUpdateTimestamp()).isEqualTo(m.txnLastUpdateTimestampMs());
            assertThat(k.clientTransactionVersion().featureLevel()).isEqualTo((short) 2);

            // Kafka writes the same metadata (transaction.version 2 finalized) to bytes Skiff reads back.
            TxnTransitMetadata transit = new TxnTransitMetadata(
                    m.producerId(),
                    m.prevProducerId(),
                    m.nextProducerId(),
                    m.producerEpoch(),
                    (short) -1,
                    m.txnTimeoutMs(),
                    org.apache.kafka.coordinator.transaction.TransactionState.fromId(state.id),
                    new HashSet<>(kafkaPartitions(m)),
                    m.txnStartTimestampMs(),
                    m.txnLastUpdateTimestampMs(),
                    org.apache.kafka.server.common.TransactionVersion.TV_2);
            byte[] kafkaValue =
                    TransactionLog.valueToBytes(transit, org.apache.kafka.server.common.TransactionVersion.TV_2);
            CoordinatorRecord decoded =
                    TransactionRecords.SERDE.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(kafkaValue));
            TransactionMetadata back = TransactionRecords.metadata(decoded);
            assertThat(fields(back)).isEqualTo(fields(m));
            if (m.partitions().size() <= 1) {
                assertThat(kafkaValue).isEqualTo(value);
            } else {
                // Kafka groups partitions through a hash map: same length, maybe another order.
                assertThat(kafkaValue).hasSameSizeAs(value);
            }
        }
    }

    @Test
    void skiffReadsVersionZeroValuesOfOlderBrokers() {
        TransactionMetadata m = sample(TransactionState.ONGOING);
        m.clientTransactionVersion = TransactionVersion.TV_0;
        m.prevProducerId = -1;
        m.nextProducerId = -1;
        TxnTransitMetadata transit = new TxnTransitMetadata(
                m.producerId(),
                -1,
                -1,
                m.producerEpoch(),
                (short) -1,
                m.txnTimeoutMs(),
                org.apache.kafka.coordinator.transaction.TransactionState.ONGOING,
                new HashSet<>(kafkaPartitions(m)),
                m.txnStartTimestampMs(),
                m.txnLastUpdateTimestampMs(),
                org.apache.kafka.server.common.TransactionVersion.TV_0);
        byte[] v0 = TransactionLog.valueToBytes(transit, org.apache.kafka.server.common.TransactionVersion.TV_0);
        assertThat(ByteBuffer.wrap(v0).getShort()).isZero();
        CoordinatorRecord decoded = TransactionRecords.SERDE.decode(
                ByteBuffer.wrap(TransactionLog.keyToBytes(m.transactionalId())), ByteBuffer.wrap(v0));
        assertThat(fields(TransactionRecords.metadata(decoded))).isEqualTo(fields(m));
    }

    @Test
    void tombstonesAndForeignRecordTypes() {
        CoordinatorRecord tombstone = TransactionRecords.tombstone("gone");
        assertThat(tombstone.valueBytes()).isNull();
        assertThat(TransactionLog.read(ByteBuffer.wrap(tombstone.keyBytes()), null))
                .isEqualTo(new TransactionLog.TxnTombstone("gone"));
        ByteBuffer foreign =
                ByteBuffer.allocate(4).putShort((short) 9).putShort((short) 0).flip();
        assertThat(TransactionRecords.SERDE.decode(foreign, null)).isNull();
    }
}
