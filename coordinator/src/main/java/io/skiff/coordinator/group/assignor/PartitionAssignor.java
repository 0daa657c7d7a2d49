package io.skiff.coordinator.group.assignor;

import io.skiff.wire.protocol.Uuid;
import java.util.Map;
import java.util.Set;

/**
 * A server-side assignor of the consumer group protocol (KIP-848): computes every member's
 * target assignment from the members' subscriptions and their current target assignments.
 * Implementations are stateless and thread-safe.
 */
public interface PartitionAssignor {

    /** The name members ask for in ConsumerGroupHeartbeat's ServerAssignor field. */
    String name();

    /**
     * @param members    member id -> subscription and current target assignment
     * @param partitions topic id -> partition count, for every subscribed topic that exists
     * @return member id -> topic id -> partitions, with an entry for every member
     */
    Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, MemberSubscription> members, Map<Uuid, Integer> partitions);

    /** What an assignor knows of one member. */
    final class MemberSubscription {
        public final String instanceId;
        public final String rackId;
        public final Set<Uuid> subscribedTopicIds;
        public final Map<Uuid, Set<Integer>> currentAssignment;

        public MemberSubscription(
                String instanceId,
                String rackId,
                Set<Uuid> subscribedTopicIds,
                Map<Uuid, Set<Integer>> currentAssignment) {
            this.instanceId = instanceId;
            this.rackId = rackId;
            this.subscribedTopicIds = subscribedTopicIds;
            this.currentAssignment = currentAssignment;
        }
    }
}
