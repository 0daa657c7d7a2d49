package io.skiff.coordinator.group;

import static io.skiff.coordinator.group.MigrationSupport.GROUP;
import static io.skiff.coordinator.group.MigrationSupport.TOPIC;
import static io.skiff.coordinator.group.MigrationSupport.metadata;
import static io.skiff.coordinator.group.MigrationSupport.stableClassicGroupOfTwo;
import static io.skiff.coordinator.testing.GroupTestContext.consumerBeat;
import static io.skiff.coordinator.testing.GroupTestContext.consumerJoin;
import static io.skiff.coordinator.testing.GroupTestContext.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.coordinator.group.MigrationSupport.Client;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.protocol.Errors;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code group.consumer.migration.policy}: which online conversions are allowed. */
class MigrationPolicyTest {

    private static GroupTestContext ctx(String policy) {
        GroupTestContext ctx = new GroupTestContext(b -> b.migrationPolicy(policy));
        ctx.topics.put(TOPIC, 6);
        return ctx;
    }

    private static ConsumerGroupHeartbeatResponse upgradeAttempt(GroupTestContext ctx) {
        stableClassicGroupOfTwo(ctx);
        return ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
    }

    /** A classic member joining (v5, two steps) a consumer group that "c" created. */
    private static JoinGroupResponse classicJoinAttempt(GroupTestContext ctx) {
        ctx.consumerHeartbeat(consumerJoin(GROUP, "c", List.of(TOPIC)));
        JoinGroupResponse first =
                ctx.join(5, joinRequest(GROUP, "", null, metadata(Set.of()))).join();
        if (first.errorCode() != Errors.MEMBER_ID_REQUIRED.code) {
            return first;
        }
        return ctx.join(5, joinRequest(GROUP, first.memberId(), null, metadata(Set.of())))
                .join();
    }

    @Test
    void disabledRefusesBothDirections() {
        ConsumerGroupHeartbeatResponse upgrade = upgradeAttempt(ctx("disabled"));
        assertThat(upgrade.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
        assertThat(upgrade.errorMessage())
                .isEqualTo("Cannot upgrade classic group mg to consumer group because online upgrade is disabled.");

        GroupTestContext ctx = ctx("disabled");
        JoinGroupResponse join = classicJoinAttempt(ctx);
        assertThat(join.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
        assertThat(join.memberId()).isEmpty();
        assertThat(ctx.consumerGroup(GROUP).numMembers()).isEqualTo(1);
    }

    @Test
    void downgradeOnlyRefusesUpgradesButLetsClassicMembersInAndOut() {
        assertThat(upgradeAttempt(ctx("downgrade")).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);

        GroupTestContext ctx = ctx("downgrade");
        JoinGroupResponse join = classicJoinAttempt(ctx);
        assertThat(join.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.consumerGroup(GROUP).member(join.memberId()).useClassicProtocol())
                .isTrue();
        ctx.consumerHeartbeat(consumerBeat(GROUP, "c", -1, null));
        assertThat(ctx.consumerGroup(GROUP)).isNull();
        assertThat(ctx.classicGroup(GROUP).allMemberIds()).containsExactly(join.memberId());
    }

    @Test
    void upgradeOnlyKeepsAGroupOfClassicMembersAConsumerGroup() {
        GroupTestContext ctx = ctx("upgrade");
        List<Client> clients = OnlineDowngradeTest.convergedMixedGroup(ctx);
        ConsumerGroup group = ctx.consumerGroup(GROUP);
        int epoch = group.groupEpoch();
        ConsumerGroupHeartbeatResponse left = ctx.consumerHeartbeat(consumerBeat(GROUP, "c", -1, null));
        assertThat(left.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.classicGroup(GROUP)).isNull();
        assertThat(ctx.consumerGroup(GROUP)).isSameAs(group);
        assertThat(group.numMembers()).isEqualTo(2);
        assertThat(group.numClassicProtocolMembers()).isEqualTo(2);
        assertThat(group.groupEpoch()).isEqualTo(epoch + 1);
        // The classic members are reassigned c's partitions when one of them rejoins.
        Client a = clients.get(0);
        ((MigrationSupport.ClassicClient) a).rejoin(ctx);
        assertThat(group.assignmentEpoch()).isEqualTo(epoch + 1);
        for (int round = 0; round < 4; round++) {
            clients.get(0).poll(ctx);
            clients.get(1).poll(ctx);
        }
        assertThat(clients.get(0).owned.size() + clients.get(1).owned.size()).isEqualTo(6);
        assertThat(ctx.sync(GROUP, a.id, group.groupEpoch(), Map.of()).join().errorCode())
                .isEqualTo(Errors.NONE.code);
    }

    @Test
    void bidirectionalIsTheDefaultAndThePolicyIsReadFromTheBrokerProperties() {
        assertThat(GroupCoordinatorConfig.defaults().upgradeEnabled()).isTrue();
        assertThat(GroupCoordinatorConfig.defaults().downgradeEnabled()).isTrue();
        GroupCoordinatorConfig up =
                GroupCoordinatorConfig.fromProperties(Map.of("group.consumer.migration.policy", "UPGRADE"));
        assertThat(up.upgradeEnabled()).isTrue();
        assertThat(up.downgradeEnabled()).isFalse();
        GroupCoordinatorConfig down =
                GroupCoordinatorConfig.fromProperties(Map.of("group.consumer.migration.policy", "downgrade"));
        assertThat(down.upgradeEnabled()).isFalse();
        assertThat(down.downgradeEnabled()).isTrue();
        GroupCoordinatorConfig off =
                GroupCoordinatorConfig.fromProperties(Map.of("group.consumer.migration.policy", "disabled"));
        assertThat(off.upgradeEnabled() || off.downgradeEnabled()).isFalse();
        assertThatThrownBy(
                        () -> GroupCoordinatorConfig.fromProperties(Map.of("group.consumer.migration.policy", "both")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group.consumer.migration.policy");
    }
}
