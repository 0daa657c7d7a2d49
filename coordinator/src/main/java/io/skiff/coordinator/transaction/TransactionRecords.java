package io.skiff.coordinator.transaction;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.coordinator.record.TransactionLogKey;
import io.skiff.coordinator.record.TransactionLogValue;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.RecordSerde;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The records of {@code __transaction_state} in Apache Kafka 4.3.1's exact format, and the
 * {@link RecordSerde} that reads them back:
 *
 * <pre>
 * key   = int16 0 (TransactionLogKey's type) | TransactionLogKey v0 { transactional_id }
 * value = int16 1 | TransactionLogValue v1 { producer_id, producer_epoch, timeout_ms, status,
 *         partitions (null when Empty), last_update_ms, start_ms, tagged: previous_producer_id,
 *         next_producer_id, client_transaction_version }              (null value: a tombstone)
 * </pre>
 *
 * Value version 1 is what Kafka writes while {@code transaction.version} is finalized at 2, as Skiff
 * announces it; version 0 values (written by older brokers) are read too. Stateless.
 */
public final class TransactionRecords implements RecordSerde {
    /** The record type of every record (the key schema's type id). */
    public static final short TRANSACTION_LOG = TransactionLogKey.API_KEY;
    /** The value version written (Kafka's with transaction version 2 finalized). */
    public static final short VALUE_VERSION = 1;

    public static final TransactionRecords SERDE = new TransactionRecords();

    private TransactionRecords() {}

    /** The record of {@code m} as it is after an operation. */
    public static CoordinatorRecord record(TransactionMetadata m) {
        if (m.state == TransactionState.EMPTY && !m.partitions.isEmpty()) {
            throw new IllegalStateException("an Empty transaction has no partitions: " + m);
        }
        List<TransactionLogValue.PartitionsSchema> partitions = null;
        if (m.state != TransactionState.EMPTY) {
            Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
            for (TxnTopicPartition tp : m.partitions) {
                byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
            }
            partitions = new ArrayList<>(byTopic.size());
            for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                partitions.add(new TransactionLogValue.PartitionsSchema()
                        .setTopic(e.getKey())
                        .setPartitionIds(e.getValue()));
            }
        }
        TransactionLogValue value = new TransactionLogValue()
                .setProducerId(m.producerId)
                .setPreviousProducerId(m.prevProducerId)
                .setNextProducerId(m.nextProducerId)
                .setProducerEpoch(m.producerEpoch)
                .setTransactionTimeoutMs(m.txnTimeoutMs)
                .setTransactionStatus(m.state.id)
                .setTransactionPartitions(partitions)
                .setTransactionLastUpdateTimestampMs(m.txnLastUpdateTimestampMs)
                .setTransactionStartTimestampMs(m.txnStartTimestampMs)
                .setClientTransactionVersion(m.clientTransactionVersion.featureLevel);
        return CoordinatorRecord.of(TRANSACTION_LOG, key(m.transactionalId), VALUE_VERSION, value);
    }

    /** The tombstone that removes an expired transactional id. */
    public static CoordinatorRecord tombstone(String transactionalId) {
        return CoordinatorRecord.tombstone(TRANSACTION_LOG, key(transactionalId));
    }

    private static TransactionLogKey key(String transactionalId) {
        return new TransactionLogKey().setTransactionalId(transactionalId);
    }

    /** The transactional id of a record of this serde. */
    public static String transactionalId(CoordinatorRecord record) {
        return ((TransactionLogKey) record.key()).transactionalId();
    }

    /** The metadata a (non-tombstone) record holds; the last producer epoch is not in it. */
    public static TransactionMetadata metadata(CoordinatorRecord record) {
        TransactionLogValue v = (TransactionLogValue) record.value();
        TransactionMetadata m = new TransactionMetadata(transactionalId(record));
        m.producerId = v.producerId();
        m.prevProducerId = v.previousProducerId();
        m.nextProducerId = v.nextProducerId();
        m.producerEpoch = v.producerEpoch();
        m.txnTimeoutMs = v.transactionTimeoutMs();
        m.state = TransactionState.fromId(v.transactionStatus());
        m.partitions = new LinkedHashSet<>();
        if (m.state != TransactionState.EMPTY && v.transactionPartitions() != null) {
            for (TransactionLogValue.PartitionsSchema p : v.transactionPartitions()) {
                for (Integer index : p.partitionIds()) {
                    m.partitions.add(new TxnTopicPartition(p.topic(), index));
                }
            }
        }
        m.txnLastUpdateTimestampMs = v.transactionLastUpdateTimestampMs();
        m.txnStartTimestampMs = v.transactionStartTimestampMs();
        m.clientTransactionVersion = TransactionVersion.fromFeatureLevel(v.clientTransactionVersion());
        return m;
    }

    @Override
    public CoordinatorRecord decode(ByteBuffer keyBytes, ByteBuffer valueBytes) {
        ByteBuf key = Unpooled.wrappedBuffer(keyBytes);
        ByteBuf value = valueBytes == null ? null : Unpooled.wrappedBuffer(valueBytes);
        try {
            short type = key.readShort();
            if (type != TRANSACTION_LOG) {
                return null;
            }
            TransactionLogKey k = new TransactionLogKey(key, (short) 0);
            if (value == null) {
                return CoordinatorRecord.tombstone(type, k);
            }
            short version = value.readShort();
            if (version < 0 || version > VALUE_VERSION) {
                throw new IllegalStateException("unknown transaction log value version " + version);
            }
            return CoordinatorRecord.of(type, k, version, new TransactionLogValue(value, version));
        } finally {
            key.release();
            if (value != null) {
                value.release();
            }
        }
    }
}
