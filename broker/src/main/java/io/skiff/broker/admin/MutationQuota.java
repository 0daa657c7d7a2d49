package io.skiff.broker.admin;

/**
 * The {@code controller_mutation_rate} quota of one topic-admin request (CreateTopics,
 * CreatePartitions, DeleteTopics): what each mutation, counted in partitions, is charged to. A
 * strict quota (the versions whose clients know THROTTLING_QUOTA_EXCEEDED) refuses every mutation
 * once the client's quota was already exhausted when the mutation came, and charges one that comes
 * before even if it takes the quota below zero; a permissive one (older versions) charges
 * everything and only throttles the answer. Made for one request and used on one thread.
 */
public interface MutationQuota {
    /** No quota: every mutation is accepted and nothing is throttled. */
    MutationQuota UNBOUNDED = new MutationQuota() {
        @Override
        public boolean tryRecord(int partitions) {
            return true;
        }

        @Override
        public int throttleTimeMs() {
            return 0;
        }
    };

    /**
     * Charges a mutation of {@code partitions} partitions; false when the quota refuses it (it is
     * then answered THROTTLING_QUOTA_EXCEEDED and nothing is charged).
     */
    boolean tryRecord(int partitions);

    /** The throttle time of the request's answer, in ms (0 for none). */
    int throttleTimeMs();
}
