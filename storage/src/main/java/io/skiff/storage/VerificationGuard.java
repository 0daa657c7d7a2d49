package io.skiff.storage;

/**
 * The token that ties a transactional produce to the verification that allowed it (KIP-890):
 * {@link PartitionLog#maybeStartTransactionVerification} hands one out before the broker asks the
 * transaction coordinator whether the partition is in the producer's transaction, and the append
 * carries it back. The log keeps the guard until the producer's next transactional batch or
 * marker is written; a marker landing between the verification and the append removes it, so the
 * late append no longer matches and is refused (INVALID_TXN_STATE) instead of reopening a finished
 * transaction. Compared by identity. Immutable and thread-safe.
 */
public final class VerificationGuard {
    /** "No verification": what a producer with an ongoing transaction needs, and what matches nothing. */
    public static final VerificationGuard SENTINEL = new VerificationGuard();

    VerificationGuard() {}

    /** Whether {@code requestGuard}, carried by an append, is this (non-sentinel) guard. */
    boolean verify(VerificationGuard requestGuard) {
        return requestGuard != SENTINEL && requestGuard == this;
    }

    @Override
    public String toString() {
        return this == SENTINEL
                ? "VerificationGuard(SENTINEL)"
                : "VerificationGuard@" + Integer.toHexString(hashCode());
    }
}
