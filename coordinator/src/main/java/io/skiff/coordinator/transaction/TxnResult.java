package io.skiff.coordinator.transaction;

import io.skiff.wire.protocol.Errors;

/**
 * The answer of InitProducerId or EndTxn: an error, and the producer id and epoch the producer
 * goes on with (-1 and -1 with an error, and for EndTxn of transaction version 1). Immutable.
 */
public record TxnResult(Errors error, long producerId, short producerEpoch) {
    /** Returned by a shard that needs a new producer id to answer: the call is made again with one. */
    static final TxnResult NEEDS_PRODUCER_ID =
            new TxnResult(Errors.NONE, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH);

    /** An answer with {@code error} and no producer id. */
    public static TxnResult error(Errors error) {
        return new TxnResult(error, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH);
    }

    public static TxnResult ok(long producerId, short producerEpoch) {
        return new TxnResult(Errors.NONE, producerId, producerEpoch);
    }
}
