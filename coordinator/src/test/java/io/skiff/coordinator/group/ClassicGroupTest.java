package io.skiff.coordinator.group;

import static io.skiff.coordinator.testing.GroupTestContext.assignment;
import static io.skiff.coordinator.testing.GroupTestContext.joinRequest;
import static io.skiff.coordinator.testing.GroupTestContext.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupState;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The classic group protocol: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, with a manual clock. */
class ClassicGroupTest {
    static final String GROUP = "g";
    static final byte[] META = subscription(List.of("t"));

    /**
     * Lets the initial rebalance of a new group finish: members that join during the first
     * {@code group.initial.rebalance.delay.ms} extend it by another delay.
     */
    static void awaitInitialRebalance(GroupTestContext ctx) {
        ctx.advance(2L * ctx.config.initialRebalanceDelayMs());
    }

    /** Three dynamic members that joined within the initial delay and synced; returns member ids (leader first). */
    static List<String> stableGroupOfThree(GroupTestContext ctx) {
        List<CompletableFuture<JoinGroupResponse>> joins = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            joins.add(ctx.joinDynamic(GROUP, META));
        }
        awaitInitialRebalance(ctx);
        List<JoinGroupResponse> responses = new ArrayList<>();
        for (CompletableFuture<JoinGroupResponse> f : joins) {
            assertThat(f).isDone();
            responses.add(f.join());
        }
        String leader = responses.get(0).leader();
        List<String> ids = new ArrayList<>();
        ids.add(leader);
        for (JoinGroupResponse r : responses) {
            assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
            assertThat(r.generationId()).isEqualTo(1);
            if (!r.memberId().equals(leader)) {
                ids.add(r.memberId());
            }
        }
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            assignments.put(ids.get(i), assignment("t", i * 2, i * 2 + 1));
        }
        List<CompletableFuture<SyncGroupResponse>> syncs = new ArrayList<>();
        syncs.add(ctx.sync(GROUP, ids.get(1), 1, Map.of()));
        syncs.add(ctx.sync(GROUP, ids.get(2), 1, Map.of()));
        assertThat(syncs.get(0)).isNotDone();
        syncs.add(ctx.sync(GROUP, leader, 1, assignments));
        for (CompletableFuture<SyncGroupResponse> s : syncs) {
            assertThat(s.join().errorCode()).isEqualTo(Errors.NONE.code);
        }
        assertThat(syncs.get(0).join().assignment()).isEqualTo(assignments.get(ids.get(1)));
        assertThat(syncs.get(2).join().assignment()).isEqualTo(assignments.get(leader));
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);
        return ids;
    }

    @Test
    void joinV4AndAboveWithoutMemberIdGetsMemberIdRequired() {
        GroupTestContext ctx = new GroupTestContext();
        JoinGroupResponse first =
                ctx.join(4, joinRequest(GROUP, "", null, META)).join();
        assertThat(first.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code);
        assertThat(first.memberId()).startsWith("client-");
        assertThat(ctx.classicGroup(GROUP).isPendingMember(first.memberId())).isTrue();

        CompletableFuture<JoinGroupResponse> second = ctx.join(4, joinRequest(GROUP, first.memberId(), null, META));
        assertThat(second).isNotDone();
        awaitInitialRebalance(ctx);
        JoinGroupResponse joined = second.join();
        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(joined.memberId()).isEqualTo(first.memberId());
        assertThat(joined.leader()).isEqualTo(first.memberId());
        assertThat(joined.generationId()).isEqualTo(1);
        assertThat(joined.protocolName()).isEqualTo("range");
        assertThat(joined.members()).hasSize(1);
    }

    @Test
    void joinErrorResponsesHaveANullProtocolNameFromVersion7AndAnEmptyOneBefore() {
        GroupTestContext ctx = new GroupTestContext();
        for (int version = 4; version <= 9; version++) {
            JoinGroupResponse required =
                    ctx.join(version, joinRequest(GROUP, "", null, META)).join();
            assertThat(required.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code);
            JoinGroupResponse inconsistent = ctx.join(
                            version, joinRequest(GROUP, "", null, META).setProtocols(new ArrayList<>()))
                    .join();
            assertThat(inconsistent.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
            String expected = version >= 7 ? null : "";
            assertThat(required.protocolName())
                    .as("v%d MEMBER_ID_REQUIRED", version)
                    .isEqualTo(expected);
            assertThat(inconsistent.protocolName())
                    .as("v%d INCONSISTENT_GROUP_PROTOCOL", version)
                    .isEqualTo(expected);
        }
    }

    @Test
    void joinV3WithoutMemberIdJoinsAtOnce() {
        GroupTestContext ctx = new GroupTestContext();
        CompletableFuture<JoinGroupResponse> f = ctx.join(3, joinRequest(GROUP, "", null, META));
        assertThat(f).isNotDone();
        awaitInitialRebalance(ctx);
        assertThat(f.join().errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(f.join().memberId()).isNotEmpty();
    }

    @Test
    void pendingMemberThatNeverRejoinsExpiresAfterSessionTimeout() {
        GroupTestContext ctx = new GroupTestContext();
        JoinGroupResponse first =
                ctx.join(5, joinRequest(GROUP, "", null, META)).join();
        assertThat(ctx.classicGroup(GROUP).isPendingMember(first.memberId())).isTrue();
        ctx.advance(10_000);
        assertThat(ctx.classicGroup(GROUP).isPendingMember(first.memberId())).isFalse();
    }

    @Test
    void initialRebalanceDelayIsExtendedWhileMembersKeepJoining() {
        GroupTestContext ctx = new GroupTestContext();
        CompletableFuture<JoinGroupResponse> a = ctx.joinDynamic(GROUP, META);
        ctx.advance(2_000);
        CompletableFuture<JoinGroupResponse> b = ctx.joinDynamic(GROUP, META);
        ctx.advance(1_000);
        // The first delay ran out, but a member was added during it: the rebalance waits another delay.
        assertThat(a).isNotDone();
        ctx.advance(3_000);
        assertThat(a).isDone();
        assertThat(b).isDone();
        assertThat(a.join().generationId()).isEqualTo(1);
        assertThat(b.join().generationId()).isEqualTo(1);
    }

    @Test
    void threeMembersRebalanceEagerlyAndTheLeaderAssigns() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        ClassicGroup group = ctx.classicGroup(GROUP);
        assertThat(group.generationId()).isEqualTo(1);
        assertThat(group.leaderOrNull()).isEqualTo(ids.get(0));
        assertThat(group.numMembers()).isEqualTo(3);
        for (String id : ids) {
            assertThat(ctx.heartbeat(GROUP, id, 1).errorCode()).isEqualTo(Errors.NONE.code);
        }

        // A follower leaves: the others must rejoin.
        LeaveGroupResponse left = ctx.leave(GROUP, ids.get(2));
        assertThat(left.members().get(0).errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(group.state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        assertThat(ctx.heartbeat(GROUP, ids.get(1), 1).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
        CompletableFuture<JoinGroupResponse> r0 = ctx.join(5, joinRequest(GROUP, ids.get(0), null, META));
        assertThat(r0).isNotDone();
        CompletableFuture<JoinGroupResponse> r1 = ctx.join(5, joinRequest(GROUP, ids.get(1), null, META));
        assertThat(r0.join().generationId()).isEqualTo(2);
        assertThat(r0.join().members()).hasSize(2);
        assertThat(r1.join().members()).isEmpty();
        assertThat(group.state()).isEqualTo(ClassicGroupState.COMPLETING_REBALANCE);
    }

    @Test
    void cooperativeRebalanceRunsTwoGenerationsWhenMembersRejoinAfterRevoking() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        ClassicGroup group = ctx.classicGroup(GROUP);

        // A fourth member joins: first rebalance; everybody rejoins with the partitions it owns.
        CompletableFuture<JoinGroupResponse> newcomer = ctx.joinDynamic(GROUP, META);
        assertThat(group.state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        List<CompletableFuture<JoinGroupResponse>> rejoins = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] owning = subscription(List.of("t"), List.of(Map.entry("t", List.of(i * 2, i * 2 + 1))));
            rejoins.add(ctx.join(5, joinRequest(GROUP, ids.get(i), null, owning)));
        }
        assertThat(newcomer.join().generationId()).isEqualTo(2);
        String newId = newcomer.join().memberId();
        // The leader (cooperative-sticky) gives the new member nothing yet: partition 5 must be revoked first.
        Map<String, byte[]> gen2 = new LinkedHashMap<>();
        gen2.put(ids.get(0), assignment("t", 0, 1));
        gen2.put(ids.get(1), assignment("t", 2, 3));
        gen2.put(ids.get(2), assignment("t", 4));
        gen2.put(newId, assignment("t"));
        List<CompletableFuture<SyncGroupResponse>> syncs = new ArrayList<>();
        for (int i = 1; i < 3; i++) {
            syncs.add(ctx.sync(GROUP, ids.get(i), 2, Map.of()));
        }
        syncs.add(ctx.sync(GROUP, newId, 2, Map.of()));
        syncs.add(ctx.sync(GROUP, ids.get(0), 2, gen2));
        for (CompletableFuture<SyncGroupResponse> s : syncs) {
            assertThat(s.join().errorCode()).isEqualTo(Errors.NONE.code);
        }
        assertThat(group.state()).isEqualTo(ClassicGroupState.STABLE);

        // The member that revoked a partition rejoins with its new ownership: second rebalance.
        byte[] revoked = subscription(List.of("t"), List.of(Map.entry("t", List.of(4))));
        CompletableFuture<JoinGroupResponse> again = ctx.join(5, joinRequest(GROUP, ids.get(2), null, revoked));
        assertThat(group.state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        CompletableFuture<JoinGroupResponse> a0 = ctx.join(5, joinRequest(GROUP, ids.get(0), null, META));
        CompletableFuture<JoinGroupResponse> a1 = ctx.join(5, joinRequest(GROUP, ids.get(1), null, META));
        CompletableFuture<JoinGroupResponse> a3 = ctx.join(5, joinRequest(GROUP, newId, null, META));
        for (CompletableFuture<JoinGroupResponse> f : List.of(again, a0, a1, a3)) {
            assertThat(f.join().generationId()).isEqualTo(3);
        }
    }

    @Test
    void followerRejoiningWithSameMetadataInStableGetsCurrentGenerationWithoutRebalance() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        JoinGroupResponse r =
                ctx.join(5, joinRequest(GROUP, ids.get(1), null, META)).join();
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(r.generationId()).isEqualTo(1);
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);
    }

    @Test
    void leaderRejoiningInStableTriggersRebalance() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        ctx.join(5, joinRequest(GROUP, ids.get(0), null, META));
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
    }

    @Test
    void staticMemberRestartTakesOverWithoutRebalance() {
        GroupTestContext ctx = new GroupTestContext();
        CompletableFuture<JoinGroupResponse> a = ctx.join(5, joinRequest(GROUP, "", "instance-a", META));
        CompletableFuture<JoinGroupResponse> b = ctx.join(5, joinRequest(GROUP, "", "instance-b", META));
        awaitInitialRebalance(ctx);
        String leader = a.join().leader();
        String aId = a.join().memberId();
        String bId = b.join().memberId();
        assertThat(aId).startsWith("instance-a-");
        ctx.sync(GROUP, bId, 1, Map.of());
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        assignments.put(aId, assignment("t", 0));
        assignments.put(bId, assignment("t", 1));
        ctx.sync(GROUP, leader, 1, assignments).join();
        ClassicGroup group = ctx.classicGroup(GROUP);
        assertThat(group.state()).isEqualTo(ClassicGroupState.STABLE);
        long rebalancesBefore = ctx.coordinator.metrics().count("classic.rebalances");

        // instance-b restarts: it joins with no member id, same instance id, same protocols.
        JoinGroupResponse restarted =
                ctx.join(5, joinRequest(GROUP, "", "instance-b", META)).join();
        assertThat(restarted.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(restarted.memberId()).isNotEqualTo(bId).startsWith("instance-b-");
        assertThat(restarted.generationId()).isEqualTo(1);
        assertThat(group.state()).isEqualTo(ClassicGroupState.STABLE);
        assertThat(ctx.coordinator.metrics().count("classic.rebalances")).isEqualTo(rebalancesBefore);
        // It keeps its assignment.
        SyncGroupResponse s = ctx.sync(GROUP, restarted.memberId(), 1, Map.of()).join();
        assertThat(s.assignment()).isEqualTo(assignment("t", 1));
        // The old incarnation is fenced.
        assertThat(ctx.coordinator
                        .heartbeat(
                                GroupTestContext.rc(4),
                                new io.skiff.wire.message.HeartbeatRequest()
                                        .setGroupId(GROUP)
                                        .setMemberId(bId)
                                        .setGroupInstanceId("instance-b")
                                        .setGenerationId(1))
                        .join()
                        .errorCode())
                .isEqualTo(Errors.FENCED_INSTANCE_ID.code);
        // And the new member id is what the log remembers.
        ctx.start();
        assertThat(ctx.classicGroup(GROUP).hasMember(restarted.memberId())).isTrue();
        assertThat(ctx.classicGroup(GROUP).hasMember(bId)).isFalse();
    }

    @Test
    void staticMemberRestartWithOtherProtocolsTriggersRebalance() {
        GroupTestContext ctx = new GroupTestContext();
        CompletableFuture<JoinGroupResponse> a = ctx.join(5, joinRequest(GROUP, "", "instance-a", META));
        awaitInitialRebalance(ctx);
        String aId = a.join().memberId();
        ctx.sync(GROUP, aId, 1, Map.of(aId, assignment("t", 0))).join();
        // A protocol nobody else supports is refused outright...
        JoinGroupRequest unsupported = joinRequest(GROUP, "", "instance-a", META);
        unsupported.protocols().get(0).setName("roundrobin");
        assertThat(ctx.join(5, unsupported).join().errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
        // ...but a new preferred protocol next to the current one changes the group's choice: rebalance.
        JoinGroupRequest other = joinRequest(GROUP, "", "instance-a", META);
        other.protocols()
                .add(
                        0,
                        new JoinGroupRequest.JoinGroupRequestProtocol()
                                .setName("roundrobin")
                                .setMetadata(META));
        ctx.join(5, other);
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.COMPLETING_REBALANCE);
        assertThat(ctx.classicGroup(GROUP).generationId()).isEqualTo(2);
        assertThat(ctx.classicGroup(GROUP).protocolName()).isEqualTo("roundrobin");
    }

    @Test
    void sessionExpiryRemovesSilentMemberAndRebalances() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        for (int i = 0; i < 3; i++) {
            ctx.advance(4_000);
            ctx.heartbeat(GROUP, ids.get(0), 1);
            ctx.heartbeat(GROUP, ids.get(1), 1);
        }
        ClassicGroup group = ctx.classicGroup(GROUP);
        assertThat(group.hasMember(ids.get(2))).isFalse();
        assertThat(group.state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        assertThat(ctx.heartbeat(GROUP, ids.get(2), 1).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
    }

    @Test
    void membersThatDoNotRejoinWithinRebalanceTimeoutAreRemoved() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        CompletableFuture<JoinGroupResponse> leader = ctx.join(5, joinRequest(GROUP, ids.get(0), null, META));
        // The followers keep heartbeating (REBALANCE_IN_PROGRESS) but never rejoin.
        for (int i = 0; i < 16; i++) {
            ctx.advance(4_000);
            if (!leader.isDone()) {
                assertThat(ctx.heartbeat(GROUP, ids.get(1), 1).errorCode())
                        .isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
                ctx.heartbeat(GROUP, ids.get(2), 1);
            }
        }
        assertThat(leader).isDone();
        assertThat(leader.join().generationId()).isEqualTo(2);
        assertThat(leader.join().members()).hasSize(1);
    }

    @Test
    void leaveGroupIsBatchedFromVersion3() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        LeaveGroupResponse r = ctx.leave(GROUP, ids.get(1), "unknown", ids.get(2));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(r.members())
                .extracting(LeaveGroupResponse.MemberResponse::errorCode)
                .containsExactly(Errors.NONE.code, Errors.UNKNOWN_MEMBER_ID.code, Errors.NONE.code);
        assertThat(ctx.classicGroup(GROUP).numMembers()).isEqualTo(1);
    }

    @Test
    void leaveGroupBeforeVersion3ReportsTheMemberErrorAtTopLevel() {
        GroupTestContext ctx = new GroupTestContext();
        stableGroupOfThree(ctx);
        LeaveGroupResponse r = ctx.coordinator
                .leaveGroup(
                        GroupTestContext.rc(2),
                        new LeaveGroupRequest().setGroupId(GROUP).setMemberId("nobody"))
                .join();
        assertThat(r.errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        assertThat(r.members()).isEmpty();
        LeaveGroupResponse unknownGroup = ctx.coordinator
                .leaveGroup(
                        GroupTestContext.rc(5),
                        new LeaveGroupRequest()
                                .setGroupId("other")
                                .setMembers(new ArrayList<>(
                                        List.of(new LeaveGroupRequest.MemberIdentity().setMemberId("m")))))
                .join();
        assertThat(unknownGroup.members().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
    }

    @Test
    void staticMemberCanBeRemovedByInstanceId() {
        GroupTestContext ctx = new GroupTestContext();
        CompletableFuture<JoinGroupResponse> a = ctx.join(5, joinRequest(GROUP, "", "instance-a", META));
        awaitInitialRebalance(ctx);
        ctx.sync(GROUP, a.join().memberId(), 1, Map.of()).join();
        LeaveGroupResponse r = ctx.coordinator
                .leaveGroup(
                        GroupTestContext.rc(5),
                        new LeaveGroupRequest()
                                .setGroupId(GROUP)
                                .setMembers(new ArrayList<>(List.of(new LeaveGroupRequest.MemberIdentity()
                                        .setMemberId("")
                                        .setGroupInstanceId("instance-a")))))
                .join();
        assertThat(r.members().get(0).errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.EMPTY);
    }

    @Test
    void groupMaxSizeRejectsExtraMembers() {
        GroupTestContext ctx = new GroupTestContext(b -> b.classicGroupMaxSize(2));
        CompletableFuture<JoinGroupResponse> a = ctx.joinDynamic(GROUP, META);
        CompletableFuture<JoinGroupResponse> b = ctx.joinDynamic(GROUP, META);
        // Kafka counts the parked joins: a third member is turned away before it even gets an id.
        JoinGroupResponse rejected =
                ctx.join(5, joinRequest(GROUP, "", null, META)).join();
        assertThat(rejected.errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code);
        assertThat(rejected.memberId()).isEmpty();
        awaitInitialRebalance(ctx);
        assertThat(a.join().members()).hasSizeLessThanOrEqualTo(2);
        assertThat(ctx.classicGroup(GROUP).numMembers()).isEqualTo(2);
        assertThat(b.join().errorCode()).isEqualTo(Errors.NONE.code);
    }

    @Test
    void sessionTimeoutOutsideBrokerLimitsIsRejected() {
        GroupTestContext ctx = new GroupTestContext();
        JoinGroupRequest tooShort = joinRequest(GROUP, "", null, META).setSessionTimeoutMs(5_999);
        assertThat(ctx.join(5, tooShort).join().errorCode()).isEqualTo(Errors.INVALID_SESSION_TIMEOUT.code);
        JoinGroupRequest tooLong = joinRequest(GROUP, "", null, META).setSessionTimeoutMs(1_800_001);
        assertThat(ctx.join(5, tooLong).join().errorCode()).isEqualTo(Errors.INVALID_SESSION_TIMEOUT.code);
    }

    @Test
    void emptyGroupIdIsInvalid() {
        GroupTestContext ctx = new GroupTestContext();
        assertThat(ctx.join(5, joinRequest("", "", null, META)).join().errorCode())
                .isEqualTo(Errors.INVALID_GROUP_ID.code);
        assertThat(ctx.heartbeat("", "m", 1).errorCode()).isEqualTo(Errors.INVALID_GROUP_ID.code);
    }

    @Test
    void joinWithoutProtocolsIsInconsistent() {
        GroupTestContext ctx = new GroupTestContext();
        JoinGroupRequest none = joinRequest(GROUP, "", null, META).setProtocols(new ArrayList<>());
        JoinGroupResponse r = ctx.join(5, none).join();
        assertThat(r.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
        JoinGroupRequest noType = joinRequest(GROUP, "", null, META).setProtocolType("");
        assertThat(ctx.join(5, noType).join().errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
    }

    @Test
    void joinWithNoProtocolInCommonIsInconsistent() {
        GroupTestContext ctx = new GroupTestContext();
        ctx.joinDynamic(GROUP, META);
        JoinGroupRequest other = joinRequest(GROUP, "", null, META);
        other.protocols().get(0).setName("roundrobin");
        assertThat(ctx.join(5, other).join().errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
        JoinGroupRequest otherType = joinRequest(GROUP, "", null, META).setProtocolType("connect");
        assertThat(ctx.join(5, otherType).join().errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
    }

    @Test
    void protocolWithMostVotesAmongCommonProtocolsIsSelected() {
        GroupTestContext ctx = new GroupTestContext();
        List<CompletableFuture<JoinGroupResponse>> joins = new ArrayList<>();
        String[][] preferences = {
            {"range", "roundrobin", "sticky"}, {"roundrobin", "range"}, {"roundrobin", "range", "x"}
        };
        for (String[] prefs : preferences) {
            JoinGroupRequest r = joinRequest(GROUP, "", null, META).setProtocols(new ArrayList<>());
            for (String p : prefs) {
                r.protocols()
                        .add(new JoinGroupRequest.JoinGroupRequestProtocol()
                                .setName(p)
                                .setMetadata(META));
            }
            JoinGroupResponse first = ctx.join(5, r).join();
            joins.add(ctx.join(5, r.setMemberId(first.memberId())));
        }
        awaitInitialRebalance(ctx);
        assertThat(joins.get(0).join().protocolName()).isEqualTo("roundrobin");
    }

    @Test
    void syncForUnknownGroupOrMemberOrGenerationIsRefused() {
        GroupTestContext ctx = new GroupTestContext();
        assertThat(ctx.sync("nope", "m", 1, Map.of()).join().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        List<String> ids = stableGroupOfThree(ctx);
        assertThat(ctx.sync(GROUP, "stranger", 1, Map.of()).join().errorCode())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        assertThat(ctx.sync(GROUP, ids.get(1), 7, Map.of()).join().errorCode())
                .isEqualTo(Errors.ILLEGAL_GENERATION.code);
        assertThat(ctx.heartbeat(GROUP, ids.get(1), 7).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code);
    }

    @Test
    void syncFromVersion5WithoutProtocolTypeAndNameIsInconsistent() {
        GroupTestContext ctx = new GroupTestContext();
        io.skiff.wire.message.SyncGroupRequest r = new io.skiff.wire.message.SyncGroupRequest()
                .setGroupId(GROUP)
                .setMemberId("m")
                .setGenerationId(1);
        assertThat(ctx.coordinator.syncGroup(GroupTestContext.rc(5), r).join().errorCode())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
        assertThat(ctx.coordinator.syncGroup(GroupTestContext.rc(4), r).join().errorCode())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
    }

    @Test
    void syncDuringPreparingRebalanceIsRebalanceInProgress() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        ctx.join(5, joinRequest(GROUP, ids.get(0), null, META));
        assertThat(ctx.sync(GROUP, ids.get(1), 1, Map.of()).join().errorCode())
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
    }

    @Test
    void assignmentTooLargeToStoreFailsTheSyncAndRebalances() {
        GroupTestContext ctx = new GroupTestContext(b -> b.maxMessageBytes(10_000));
        CompletableFuture<JoinGroupResponse> a = ctx.joinDynamic(GROUP, META);
        CompletableFuture<JoinGroupResponse> b = ctx.joinDynamic(GROUP, META);
        awaitInitialRebalance(ctx);
        String leader = a.join().leader();
        String follower = a.join().memberId().equals(leader)
                ? b.join().memberId()
                : a.join().memberId();
        CompletableFuture<SyncGroupResponse> followerSync = ctx.sync(GROUP, follower, 1, Map.of());
        SyncGroupResponse leaderSync =
                ctx.sync(GROUP, leader, 1, Map.of(leader, new byte[20_000])).join();
        assertThat(leaderSync.errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code);
        assertThat(followerSync.join().errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code);
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        // The broker keeps serving the group.
        assertThat(ctx.heartbeat(GROUP, leader, 1).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
    }

    @Test
    void joinMetadataTooLargeToStoreDoesNotStopTheCoordinator() {
        GroupTestContext ctx = new GroupTestContext(b -> b.maxMessageBytes(10_000));
        CompletableFuture<JoinGroupResponse> a = ctx.joinDynamic(GROUP, new byte[20_000]);
        awaitInitialRebalance(ctx);
        String id = a.join().memberId();
        assertThat(ctx.sync(GROUP, id, 1, Map.of(id, new byte[0])).join().errorCode())
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code);
        // Other groups of the partition are unaffected.
        CompletableFuture<JoinGroupResponse> other = ctx.joinDynamic("other", META);
        awaitInitialRebalance(ctx);
        assertThat(other.join().errorCode()).isEqualTo(Errors.NONE.code);
    }

    @Test
    void syncResponsesWaitUntilTheAssignmentIsDurable() {
        GroupTestContext ctx = new GroupTestContext();
        CompletableFuture<JoinGroupResponse> a = ctx.joinDynamic(GROUP, META);
        awaitInitialRebalance(ctx);
        String id = a.join().memberId();
        ctx.log().holdAppends(true);
        CompletableFuture<SyncGroupResponse> sync = ctx.sync(GROUP, id, 1, Map.of(id, assignment("t", 0)));
        assertThat(sync).isNotDone();
        // Even a heartbeat, which writes nothing, waits for the earlier write.
        CompletableFuture<io.skiff.wire.message.HeartbeatResponse> hb = ctx.coordinator.heartbeat(
                GroupTestContext.rc(4),
                new io.skiff.wire.message.HeartbeatRequest()
                        .setGroupId(GROUP)
                        .setMemberId(id)
                        .setGenerationId(1));
        assertThat(hb).isNotDone();
        ctx.log().releaseAll();
        assertThat(sync.join().assignment()).isEqualTo(assignment("t", 0));
        assertThat(hb.join().errorCode()).isEqualTo(Errors.NONE.code);
    }

    @Test
    void failedWriteFailsWaitingResponsesAndReloadsTheLastDurableState() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        ctx.topics.put("t", 6);
        ctx.log().holdAppends(true);
        ctx.log().failNext(Errors.NOT_LEADER_OR_FOLLOWER);
        CompletableFuture<io.skiff.wire.message.OffsetCommitResponse> commit = ctx.coordinator.commitOffsets(
                GroupTestContext.rc(8), GroupTestContext.commitRequest(GROUP, ids.get(0), 1, "t", 0, 42));
        // A member leaves: the group rebalances, in memory only; the answer waits for the commit's write.
        CompletableFuture<LeaveGroupResponse> leave = ctx.coordinator.leaveGroup(
                GroupTestContext.rc(5),
                new LeaveGroupRequest()
                        .setGroupId(GROUP)
                        .setMembers(new ArrayList<>(
                                List.of(new LeaveGroupRequest.MemberIdentity().setMemberId(ids.get(2))))));
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        assertThat(commit).isNotDone();
        assertThat(leave).isNotDone();
        ctx.log().holdAppends(false);
        ctx.log().releaseAll();
        assertThat(commit.join().topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NOT_COORDINATOR.code);
        assertThat(leave.join().errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code);
        // The shard reloaded from the log: the group is back at its durable generation.
        assertThat(ctx.coordinator.shard(0).status())
                .isEqualTo(io.skiff.coordinator.runtime.CoordinatorShard.Status.ACTIVE);
        assertThat(ctx.classicGroup(GROUP).generationId()).isEqualTo(1);
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);
        assertThat(ctx.classicGroup(GROUP).numMembers()).isEqualTo(3);
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(-1L);
    }

    @Test
    void describeGroupsShowsMembersAndMetadataOfStableGroup() {
        GroupTestContext ctx = new GroupTestContext();
        List<String> ids = stableGroupOfThree(ctx);
        io.skiff.wire.message.DescribeGroupsResponse r = ctx.coordinator
                .describeGroups(
                        GroupTestContext.rc(5),
                        new io.skiff.wire.message.DescribeGroupsRequest()
                                .setGroups(new ArrayList<>(List.of(GROUP, "missing"))))
                .join();
        io.skiff.wire.message.DescribeGroupsResponse.DescribedGroup g =
                r.groups().get(0);
        assertThat(g.groupState()).isEqualTo("Stable");
        assertThat(g.protocolType()).isEqualTo("consumer");
        assertThat(g.protocolData()).isEqualTo("range");
        Set<String> described = new HashSet<>();
        for (io.skiff.wire.message.DescribeGroupsResponse.DescribedGroupMember m : g.members()) {
            described.add(m.memberId());
            assertThat(m.clientHost()).isEqualTo(GroupTestContext.CLIENT_HOST);
            assertThat(m.memberMetadata()).isEqualTo(META);
        }
        assertThat(described).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(r.groups().get(1).groupState()).isEqualTo("Dead");
        assertThat(r.groups().get(1).errorCode()).isEqualTo(Errors.NONE.code);
        io.skiff.wire.message.DescribeGroupsResponse v6 = ctx.coordinator
                .describeGroups(
                        GroupTestContext.rc(6),
                        new io.skiff.wire.message.DescribeGroupsRequest()
                                .setGroups(new ArrayList<>(List.of("missing"))))
                .join();
        assertThat(v6.groups().get(0).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
        assertThat(v6.groups().get(0).errorMessage()).isEqualTo("Group missing not found.");
    }
}
