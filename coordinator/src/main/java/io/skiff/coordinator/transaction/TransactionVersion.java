package io.skiff.coordinator.transaction;

/**
 * The transaction protocol a client uses ({@code transaction.version}, KIP-890): version 2 bumps
 * the producer epoch at every EndTxn and lets the produce path add partitions; older request
 * versions get versions 0/1, which behave alike here. The level is written in the
 * ClientTransactionVersion field of a record. Immutable.
 */
public enum TransactionVersion {
    TV_0((short) 0),
    TV_1((short) 1),
    TV_2((short) 2);

    /** The feature level. */
    public final short featureLevel;

    TransactionVersion(short featureLevel) {
        this.featureLevel = featureLevel;
    }

    /** Whether EndTxn bumps the epoch (version 2). */
    public boolean supportsEpochBump() {
        return this == TV_2;
    }

    /** The version of a feature level; levels above 2 are treated as 2. */
    public static TransactionVersion fromFeatureLevel(short level) {
        if (level <= 0) {
            return TV_0;
        }
        return level == 1 ? TV_1 : TV_2;
    }

    /** EndTxn versions 5+ come from transaction version 2 clients, as Kafka decides. */
    public static TransactionVersion forEndTxn(short requestVersion) {
        return requestVersion > 4 ? TV_2 : TV_0;
    }

    /** AddPartitionsToTxn versions 4+ (the broker's form) add partitions for version 2 clients. */
    public static TransactionVersion forAddPartitionsToTxn(short requestVersion) {
        return requestVersion > 3 ? TV_2 : TV_0;
    }
}
