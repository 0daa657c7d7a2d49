package io.skiff.broker.fetch;

/** Test support: what a {@link FetchPurgatory} holds, for tests outside its package. Stateless. */
public final class PurgatoryProbe {
    private PurgatoryProbe() {}

    /** Waiters in the purgatory's watch lists that have not completed. */
    public static int waiting(FetchPurgatory purgatory) {
        purgatory.purgeCompleted();
        return purgatory.watched();
    }
}
