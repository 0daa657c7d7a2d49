package io.skiff.broker.handler;

import io.skiff.wire.protocol.Errors;

/**
 * The one error translation the transaction handlers share: clients of request versions older than
 * PRODUCER_FENCED know it as INVALID_PRODUCER_EPOCH, as Kafka answers them. Stateless.
 */
final class TransactionErrors {
    private TransactionErrors() {}

    /** {@code error} as a client of a version below {@code firstFencedVersion} understands it. */
    static Errors forVersion(Errors error, short version, int firstFencedVersion) {
        return error == Errors.PRODUCER_FENCED && version < firstFencedVersion ? Errors.INVALID_PRODUCER_EPOCH : error;
    }
}
