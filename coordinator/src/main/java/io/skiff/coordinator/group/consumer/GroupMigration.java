package io.skiff.coordinator.group.consumer;

import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.GroupMetrics;
import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.group.GroupStore;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupHandler;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.wire.protocol.Errors;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's online migration of a group between the classic and the consumer protocol, under
 * {@code group.consumer.migration.policy}:
 * <ul>
 *   <li><b>Upgrade</b> (policy upgrade or bidirectional): the first ConsumerGroupHeartbeat to a
 *       classic group with members whose protocol type is "consumer" turns it into a consumer
 *       group; its members stay, using the classic protocol, served by
 *       {@link ClassicMembersHandler}. Refused with GROUP_ID_NOT_FOUND otherwise.</li>
 *   <li><b>Downgrade</b> (policy downgrade or bidirectional): when the last member using the
 *       consumer protocol leaves (or is fenced, or is replaced by a static member joining with
 *       the classic protocol) and members are left, all using the classic protocol, the group
 *       becomes a classic group; a rebalance follows unless the replacing static member keeps
 *       the assignment.</li>
 *   <li>Classic members may join a consumer group unless the policy is disabled
 *       (INCONSISTENT_GROUP_PROTOCOL).</li>
 * </ul>
 * A conversion is one batch: the old group's tombstones, then the records creating the new one
 * (see {@link GroupConversion}). Timers are the caller's business. Shard-thread only.
 */
final class GroupMigration {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMigration.class);

    private final GroupStore store;
    private final GroupCoordinatorConfig config;
    private final TopicsView topics;
    private final GroupMetrics metrics;
    private final ClassicGroupHandler classic;
    private final MetadataHash metadataHash;

    GroupMigration(
            GroupStore store,
            GroupCoordinatorConfig config,
            TopicsView topics,
            GroupMetrics metrics,
            ClassicGroupHandler classic,
            MetadataHash metadataHash) {
        this.store = store;
        this.config = config;
        this.topics = topics;
        this.metrics = metrics;
        this.classic = classic;
        this.metadataHash = metadataHash;
    }

    /**
     * The consumer group the classic group {@code from} would become (detached), after Kafka's
     * checks: the policy allows upgrades, the group uses the consumer embedded protocol and fits
     * the consumer group size limit.
     *
     * @throws CoordinatorException GROUP_ID_NOT_FOUND, with Kafka's message, if it cannot upgrade
     */
    ConsumerGroup upgradeCandidate(ClassicGroup from) {
        String groupId = from.groupId();
        String reason;
        if (!config.upgradeEnabled()) {
            reason = "online upgrade is disabled";
        } else if (!from.usesConsumerProtocol()) {
            reason = "the group does not use the consumer embedded protocol";
        } else if (from.numMembers() > config.consumerGroupMaxSize()) {
            reason = "the group size exceeds the consumer group maximum size";
        } else {
            return GroupConversion.toConsumerGroup(from, topics, metadataHash);
        }
        LOG.info("Group {}: cannot upgrade the classic group to a consumer group because {}.", groupId, reason);
        throw new CoordinatorException(
                Errors.GROUP_ID_NOT_FOUND,
                "Cannot upgrade classic group " + groupId + " to consumer group because " + reason + ".");
    }

    /**
     * Replaces the classic group {@code from} by {@code to} (its {@link #upgradeCandidate}): the
     * parked requests of the classic group are told to rejoin, then its tombstone and the
     * consumer group's records are appended.
     */
    void upgrade(OperationContext ctx, ClassicGroup from, ConsumerGroup to) {
        String groupId = from.groupId();
        classic.onUpgrade(ctx, from);
        ctx.append(GroupRecords.groupMetadataTombstone(groupId));
        for (CoordinatorRecord r : GroupConversion.consumerGroupRecords(to)) {
            ctx.append(r);
        }
        metrics.increment("consumer.upgrades");
        LOG.info(
                "Group {}: converted the classic group (generation {}, {} members) to a consumer group.",
                groupId,
                from.generationId(),
                from.numMembers());
    }

    /** Whether classic members may join the consumer group (the policy is not disabled). */
    void throwIfClassicMembersCannotJoin(ConsumerGroup group) {
        if (!config.upgradeEnabled() && !config.downgradeEnabled()) {
            LOG.info(
                    "Group {}: a classic member cannot join the consumer group because the group migration is "
                            + "disabled.",
                    group.groupId());
            throw new CoordinatorException(
                    Errors.INCONSISTENT_GROUP_PROTOCOL,
                    "Cannot join the consumer group " + group.groupId()
                            + " with the classic protocol because the group migration is disabled.");
        }
    }

    /**
     * Whether fencing {@code leaving} turns {@code group} into a classic group: every member
     * left uses the classic protocol, somebody is left, the policy allows it, and the group fits
     * the classic group size limit.
     */
    boolean canDowngradeWithout(ConsumerGroup group, Collection<ConsumerGroupMember> leaving) {
        int left = group.numMembers() - leaving.size();
        if (!group.allMembersUseClassicProtocolExcept(leaving) || left <= 0) {
            return false;
        }
        return downgradeAllowed(group, left);
    }

    /**
     * Whether a static member joining with the classic protocol in place of {@code replaced}
     * turns {@code group} into a classic group: {@code replaced} was the last member using the
     * consumer protocol.
     */
    boolean canDowngradeReplacing(ConsumerGroup group, ConsumerGroupMember replaced) {
        if (replaced.useClassicProtocol() || !group.allMembersUseClassicProtocolExcept(List.of(replaced))) {
            return false;
        }
        return downgradeAllowed(group, group.numMembers());
    }

    private boolean downgradeAllowed(ConsumerGroup group, int size) {
        if (!config.downgradeEnabled()) {
            LOG.info(
                    "Group {}: cannot downgrade the consumer group to a classic group because the online downgrade "
                            + "is disabled.",
                    group.groupId());
            return false;
        }
        if (size > config.classicGroupMaxSize()) {
            LOG.info(
                    "Group {}: cannot downgrade the consumer group to a classic group because its size is greater "
                            + "than the classic group maximum size.",
                    group.groupId());
            return false;
        }
        return true;
    }

    /**
     * Replaces {@code group} by a classic group of generation {@code generation} without the
     * members in {@code leaving}: the consumer group's tombstones (of every member, leaving ones
     * included), then the classic group's record. The members' classic sessions start, and the
     * group rebalances if {@code rebalanceReason} is not null.
     *
     * @param lastMemberId a member to list last (a static member joining with the classic protocol), or null
     */
    void downgrade(
            OperationContext ctx,
            ConsumerGroup group,
            Set<String> leaving,
            String lastMemberId,
            int generation,
            String rebalanceReason) {
        String groupId = group.groupId();
        ClassicGroup converted =
                GroupConversion.toClassicGroup(group, leaving, lastMemberId, generation, ctx.nowMs(), topics, metrics);
        for (CoordinatorRecord r : ConsumerGroupHandler.deletionRecords(group)) {
            ctx.append(r);
        }
        ctx.append(GroupRecords.groupMetadata(groupId, converted.toRecordValue(converted.groupAssignment())));
        ClassicGroup live = store.classicGroupOrNull(groupId);
        classic.onDowngrade(ctx, live, converted, rebalanceReason);
        metrics.increment("consumer.downgrades");
        LOG.info(
                "Group {}: converted the consumer group to a classic group of generation {} with {} members.",
                groupId,
                generation,
                live.numMembers());
    }
}
