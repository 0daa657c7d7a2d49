package io.skiff.coordinator.group;

import static io.skiff.coordinator.group.ClassicGroupTest.GROUP;
import static io.skiff.coordinator.group.ClassicGroupTest.META;
import static io.skiff.coordinator.group.ClassicGroupTest.awaitInitialRebalance;
import static io.skiff.coordinator.group.ClassicGroupTest.stableGroupOfThree;
import static io.skiff.coordinator.testing.GroupTestContext.commitRequest;
import static io.skiff.coordinator.testing.GroupTestContext.joinRequest;
import static io.skiff.coordinator.testing.GroupTestContext.rc;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupState;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.DeleteGroupsRequest;
import io.skiff.wire.message.DeleteGroupsResponse;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.ListGroupsRequest;
import io.skiff.wire.message.ListGroupsResponse;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.message.OffsetDeleteRequest;
import io.skiff.wire.message.OffsetDeleteResponse;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** OffsetCommit, OffsetFetch, OffsetDelete, offset expiry, and group listing and deletion. */
class OffsetsTest {

    private static GroupTestContext withTopic() {
        GroupTestContext ctx = new GroupTestContext();
        ctx.topics.put("t", 6);
        return ctx;
    }

    @Test
    void simpleConsumerCommitsToAGroupWithoutMembersAndFetchesBack() {
        GroupTestContext ctx = withTopic();
        OffsetCommitRequest r = commitRequest("simple", "", -1, "t", 3, 42);
        assertThat(ctx.commitError(8, r)).isEqualTo(Errors.NONE.code);
        assertThat(ctx.committed("simple", "t", 3)).isEqualTo(42L);
        assertThat(ctx.committed("simple", "t", 4)).isEqualTo(-1L);
        ClassicGroup group = ctx.classicGroup("simple");
        assertThat(group.isSimpleGroup()).isTrue();
        assertThat(group.state()).isEqualTo(ClassicGroupState.EMPTY);

        // Version 1 fetch: one group, per-partition results, no top-level error.
        OffsetFetchResponse v1 = ctx.fetch(
                1,
                new OffsetFetchRequest()
                        .setGroupId("simple")
                        .setTopics(new ArrayList<>(List.of(new OffsetFetchRequest.OffsetFetchRequestTopic()
                                .setName("t")
                                .setPartitionIndexes(new ArrayList<>(List.of(3)))))));
        assertThat(v1.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(42L);
        assertThat(v1.topics().get(0).partitions().get(0).metadata()).isEqualTo("m");
        // Version 7 fetch of all the group's offsets.
        OffsetFetchResponse all = ctx.fetch(
                7, new OffsetFetchRequest().setGroupId("simple").setTopics(null).setRequireStable(true));
        assertThat(all.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(all.topics()).hasSize(1);
        assertThat(all.topics().get(0).partitions().get(0).partitionIndex()).isEqualTo(3);
    }

    @Test
    void offsetFetchIsBatchedFromVersion8() {
        GroupTestContext ctx = withTopic();
        ctx.commit(8, commitRequest("a", "", -1, "t", 0, 10));
        ctx.commit(8, commitRequest("b", "", -1, "t", 0, 20));
        OffsetFetchResponse r = ctx.fetch(
                8,
                new OffsetFetchRequest()
                        .setRequireStable(true)
                        .setGroups(new ArrayList<>(List.of(
                                new OffsetFetchRequest.OffsetFetchRequestGroup()
                                        .setGroupId("a")
                                        .setTopics(null),
                                new OffsetFetchRequest.OffsetFetchRequestGroup()
                                        .setGroupId("b")
                                        .setTopics(null),
                                new OffsetFetchRequest.OffsetFetchRequestGroup()
                                        .setGroupId("unknown")
                                        .setTopics(null)))));
        assertThat(r.groups())
                .extracting(OffsetFetchResponse.OffsetFetchResponseGroup::groupId)
                .containsExactly("a", "b", "unknown");
        assertThat(r.groups().get(0).topics().get(0).partitions().get(0).committedOffset())
                .isEqualTo(10L);
        assertThat(r.groups().get(1).topics().get(0).partitions().get(0).committedOffset())
                .isEqualTo(20L);
        assertThat(r.groups().get(2).topics()).isEmpty();
        assertThat(r.groups().get(2).errorCode()).isEqualTo(Errors.NONE.code);
    }

    @Test
    void commitsByMembersAreCheckedAgainstGenerationAndMembership() {
        GroupTestContext ctx = withTopic();
        List<String> ids = stableGroupOfThree(ctx);
        String member = ids.get(1);
        assertThat(ctx.commitError(8, commitRequest(GROUP, member, 1, "t", 0, 5)))
                .isEqualTo(Errors.NONE.code);
        assertThat(ctx.commitError(8, commitRequest(GROUP, member, 2, "t", 0, 5)))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code);
        assertThat(ctx.commitError(8, commitRequest(GROUP, "stranger", 1, "t", 0, 5)))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        // A simple consumer (no member id, generation -1) may not commit to a group with members.
        assertThat(ctx.commitError(8, commitRequest(GROUP, "", -1, "t", 0, 5)))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code);
        // During the sync phase commits are refused with REBALANCE_IN_PROGRESS.
        for (String id : ids) {
            ctx.join(5, joinRequest(GROUP, id, null, META));
        }
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.COMPLETING_REBALANCE);
        assertThat(ctx.commitError(8, commitRequest(GROUP, member, 2, "t", 0, 6)))
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(5L);
    }

    @Test
    void commitToUnknownGroupWithGenerationIsIllegalGenerationBeforeV9AndGroupIdNotFoundAfter() {
        GroupTestContext ctx = withTopic();
        assertThat(ctx.commitError(8, commitRequest("nope", "m", 3, "t", 0, 1)))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code);
        assertThat(ctx.commitError(9, commitRequest("nope", "m", 3, "t", 0, 1)))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
    }

    @Test
    void oversizedMetadataFailsOnlyItsPartition() {
        GroupTestContext ctx = withTopic();
        OffsetCommitRequest r = commitRequest("g", "", -1, "t", 0, 1);
        r.topics()
                .get(0)
                .partitions()
                .add(new OffsetCommitRequest.OffsetCommitRequestPartition()
                        .setPartitionIndex(1)
                        .setCommittedOffset(2)
                        .setCommittedMetadata("x".repeat(4097)));
        r.topics()
                .get(0)
                .partitions()
                .add(new OffsetCommitRequest.OffsetCommitRequestPartition()
                        .setPartitionIndex(2)
                        .setCommittedOffset(3)
                        .setCommittedMetadata("x".repeat(4096)));
        OffsetCommitResponse response = ctx.commit(8, r);
        assertThat(response.topics().get(0).partitions())
                .extracting(OffsetCommitResponse.OffsetCommitResponsePartition::errorCode)
                .containsExactly(Errors.NONE.code, Errors.OFFSET_METADATA_TOO_LARGE.code, Errors.NONE.code);
        assertThat(ctx.committed("g", "t", 1)).isEqualTo(-1L);
        assertThat(ctx.committed("g", "t", 2)).isEqualTo(3L);
    }

    @Test
    void commitsForUnknownTopicsOrPartitionsFailPerPartition() {
        GroupTestContext ctx = withTopic();
        OffsetCommitRequest r = commitRequest("g", "", -1, "t", 6, 1);
        r.topics()
                .add(new OffsetCommitRequest.OffsetCommitRequestTopic()
                        .setName("missing")
                        .setPartitions(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(0)
                                .setCommittedOffset(1)))));
        OffsetCommitResponse response = ctx.commit(8, r);
        assertThat(response.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
        assertThat(response.topics().get(1).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
        // Version 10 names topics by id.
        Uuid id = ctx.topics.topicId("t");
        OffsetCommitRequest byId = new OffsetCommitRequest()
                .setGroupId("g")
                .setGenerationIdOrMemberEpoch(-1)
                .setTopics(new ArrayList<>(List.of(
                        new OffsetCommitRequest.OffsetCommitRequestTopic()
                                .setTopicId(id)
                                .setPartitions(
                                        new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                                .setPartitionIndex(1)
                                                .setCommittedOffset(7)))),
                        new OffsetCommitRequest.OffsetCommitRequestTopic()
                                .setTopicId(Uuid.random())
                                .setPartitions(
                                        new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                                .setPartitionIndex(0)
                                                .setCommittedOffset(1)))))));
        OffsetCommitResponse v10 = ctx.commit(10, byId);
        // As in Kafka, the partitions refused for their topic come first.
        assertThat(v10.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code);
        assertThat(v10.topics().get(1).topicId()).isEqualTo(id);
        assertThat(v10.topics().get(1).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.committed("g", "t", 1)).isEqualTo(7L);
    }

    @Test
    void unknownPartitionsKeepTheirErrorWhenTheGroupRefusesTheOthers() {
        GroupTestContext ctx = withTopic();
        OffsetCommitRequest r = commitRequest("nobody", "m", 3, "t", 0, 1);
        r.topics()
                .get(0)
                .partitions()
                .add(new OffsetCommitRequest.OffsetCommitRequestPartition()
                        .setPartitionIndex(9)
                        .setCommittedOffset(1));
        OffsetCommitResponse response = ctx.commit(9, r);
        assertThat(response.topics()).hasSize(1);
        assertThat(response.topics().get(0).partitions())
                .extracting(
                        OffsetCommitResponse.OffsetCommitResponsePartition::partitionIndex,
                        OffsetCommitResponse.OffsetCommitResponsePartition::errorCode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(9, Errors.UNKNOWN_TOPIC_OR_PARTITION.code),
                        org.assertj.core.groups.Tuple.tuple(0, Errors.GROUP_ID_NOT_FOUND.code));
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAfterRetentionSinceItBecameEmptyAndTheGroupGoes() {
        GroupTestContext ctx = new GroupTestContext(b -> b.offsetsRetentionMs(3_600_000L));
        ctx.topics.put("t", 6);
        CompletableFuture<JoinGroupResponse> j = ctx.joinDynamic(GROUP, META);
        awaitInitialRebalance(ctx);
        String id = j.join().memberId();
        ctx.sync(GROUP, id, 1, Map.of(id, new byte[0])).join();
        ctx.commit(8, commitRequest(GROUP, id, 1, "t", 0, 100));
        long retentionMs = ctx.config.offsetsRetentionMs();
        // While the member is there (Stable, subscribed to t) the offset does not expire.
        for (long elapsed = 0; elapsed < retentionMs + 600_000; elapsed += 5_000) {
            ctx.advance(5_000);
            ctx.heartbeat(GROUP, id, 1);
        }
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(100L);
        ctx.leave(GROUP, id);
        assertThat(ctx.classicGroup(GROUP).state()).isEqualTo(ClassicGroupState.EMPTY);
        ctx.advance(retentionMs - 600_000);
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(100L);
        ctx.advance(1_200_000);
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(-1L);
        assertThat(ctx.classicGroup(GROUP)).isNull();
    }

    @Test
    void simpleGroupOffsetsExpireAfterRetentionSinceTheirCommit() {
        GroupTestContext ctx = withTopic();
        ctx.commit(8, commitRequest("simple", "", -1, "t", 0, 1));
        ctx.advance(ctx.config.offsetsRetentionMs() / 2);
        ctx.commit(8, commitRequest("simple", "", -1, "t", 1, 1));
        ctx.advance(ctx.config.offsetsRetentionMs() / 2 + ctx.config.offsetsRetentionCheckIntervalMs());
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(-1L);
        assertThat(ctx.committed("simple", "t", 1)).isEqualTo(1L);
        ctx.advance(ctx.config.offsetsRetentionMs());
        assertThat(ctx.committed("simple", "t", 1)).isEqualTo(-1L);
        assertThat(ctx.classicGroup("simple")).isNull();
    }

    @Test
    void explicitRetentionOfOldCommitVersionsIsHonoured() {
        GroupTestContext ctx = withTopic();
        OffsetCommitRequest r = commitRequest("old", "", -1, "t", 0, 9).setRetentionTimeMs(60_000);
        assertThat(ctx.commitError(2, r)).isEqualTo(Errors.NONE.code);
        ctx.advance(ctx.config.offsetsRetentionCheckIntervalMs());
        assertThat(ctx.committed("old", "t", 0)).isEqualTo(-1L);
    }

    @Test
    void offsetDeleteRefusesSubscribedTopicsAndNonConsumerGroupsInUse() {
        GroupTestContext ctx = withTopic();
        ctx.topics.put("other", 1);
        List<String> ids = stableGroupOfThree(ctx);
        ctx.commit(8, commitRequest(GROUP, ids.get(0), 1, "t", 0, 1));
        ctx.commit(8, commitRequest(GROUP, ids.get(0), 1, "other", 0, 1));
        OffsetDeleteResponse r = ctx.coordinator
                .deleteOffsets(
                        rc(0),
                        new OffsetDeleteRequest()
                                .setGroupId(GROUP)
                                .setTopics(new ArrayList<>(List.of(
                                        new OffsetDeleteRequest.OffsetDeleteRequestTopic()
                                                .setName("t")
                                                .setPartitions(new ArrayList<>(
                                                        List.of(new OffsetDeleteRequest.OffsetDeleteRequestPartition()
                                                                .setPartitionIndex(0)))),
                                        new OffsetDeleteRequest.OffsetDeleteRequestTopic()
                                                .setName("other")
                                                .setPartitions(new ArrayList<>(
                                                        List.of(new OffsetDeleteRequest.OffsetDeleteRequestPartition()
                                                                .setPartitionIndex(0))))))))
                .join();
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(r.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code);
        assertThat(r.topics().get(1).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.committed(GROUP, "t", 0)).isEqualTo(1L);
        assertThat(ctx.committed(GROUP, "other", 0)).isEqualTo(-1L);
        assertThat(ctx.coordinator
                        .deleteOffsets(rc(0), new OffsetDeleteRequest().setGroupId("unknown"))
                        .join()
                        .errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code);
    }

    @Test
    void offsetDeleteOfANonConsumerGroupWithMembersIsNonEmptyGroup() {
        GroupTestContext ctx = withTopic();
        CompletableFuture<JoinGroupResponse> j =
                ctx.join(3, joinRequest("connect", "", null, META).setProtocolType("connect"));
        awaitInitialRebalance(ctx);
        assertThat(j.join().errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(ctx.coordinator
                        .deleteOffsets(rc(0), new OffsetDeleteRequest().setGroupId("connect"))
                        .join()
                        .errorCode())
                .isEqualTo(Errors.NON_EMPTY_GROUP.code);
    }

    @Test
    void deleteGroupsDeletesEmptyGroupsWithTheirOffsets() {
        GroupTestContext ctx = withTopic();
        stableGroupOfThree(ctx);
        ctx.commit(8, commitRequest("simple", "", -1, "t", 0, 1));
        DeleteGroupsResponse r = ctx.coordinator
                .deleteGroups(
                        rc(2),
                        new DeleteGroupsRequest().setGroupsNames(new ArrayList<>(List.of(GROUP, "simple", "unknown"))))
                .join();
        assertThat(r.results())
                .extracting(DeleteGroupsResponse.DeletableGroupResult::errorCode)
                .containsExactly(Errors.NON_EMPTY_GROUP.code, Errors.NONE.code, Errors.GROUP_ID_NOT_FOUND.code);
        assertThat(ctx.classicGroup("simple")).isNull();
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(-1L);
        // Tombstones are durable: a restart does not bring the group back.
        ctx.start();
        assertThat(ctx.classicGroup("simple")).isNull();
        assertThat(ctx.classicGroup(GROUP)).isNotNull();
    }

    @Test
    void listGroupsFiltersByStateAndTypeCaseInsensitively() {
        GroupTestContext ctx = withTopic();
        stableGroupOfThree(ctx);
        ctx.commit(8, commitRequest("simple", "", -1, "t", 0, 1));
        ListGroupsResponse all =
                ctx.coordinator.listGroups(rc(5), new ListGroupsRequest()).join();
        assertThat(all.groups())
                .extracting(ListGroupsResponse.ListedGroup::groupId)
                .containsExactlyInAnyOrder(GROUP, "simple");
        ListGroupsResponse stable = ctx.coordinator
                .listGroups(rc(5), new ListGroupsRequest().setStatesFilter(new ArrayList<>(List.of("STABLE"))))
                .join();
        assertThat(stable.groups()).hasSize(1);
        assertThat(stable.groups().get(0).groupState()).isEqualTo("Stable");
        assertThat(stable.groups().get(0).protocolType()).isEqualTo("consumer");
        assertThat(stable.groups().get(0).groupType()).isEqualTo("classic");
        ListGroupsResponse consumers = ctx.coordinator
                .listGroups(rc(5), new ListGroupsRequest().setTypesFilter(new ArrayList<>(List.of("Consumer"))))
                .join();
        assertThat(consumers.groups()).isEmpty();
        ListGroupsResponse unknownType = ctx.coordinator
                .listGroups(rc(5), new ListGroupsRequest().setTypesFilter(new ArrayList<>(List.of("nonsense"))))
                .join();
        assertThat(unknownType.groups()).isEmpty();
        // Version 3 ignores filters it cannot carry.
        assertThat(ctx.coordinator
                        .listGroups(rc(3), new ListGroupsRequest())
                        .join()
                        .groups())
                .hasSize(2);
    }

    @Test
    void groupsOfPartitionsNotLoadedHereGetNotCoordinatorAndLoadingPartitionsLoadInProgress() {
        GroupTestContext ctx = new GroupTestContext(b -> b.offsetsTopicPartitions(3));
        ctx.topics.put("t", 1);
        String elsewhere = null;
        for (int i = 0; elsewhere == null; i++) {
            if (ctx.coordinator.partitionFor("group-" + i) == 2) {
                elsewhere = "group-" + i;
            }
        }
        ctx.coordinator.onResignation(2, 1).join();
        assertThat(ctx.commitError(8, commitRequest(elsewhere, "", -1, "t", 0, 1)))
                .isEqualTo(Errors.NOT_COORDINATOR.code);
        assertThat(ctx.join(5, joinRequest(elsewhere, "", null, META)).join().errorCode())
                .isEqualTo(Errors.NOT_COORDINATOR.code);

        // A partition whose load has not run yet answers COORDINATOR_LOAD_IN_PROGRESS.
        io.skiff.coordinator.testing.DirectExecutor idle = new io.skiff.coordinator.testing.DirectExecutor();
        java.util.List<Runnable> parked = new ArrayList<>();
        GroupCoordinator loading = new GroupCoordinator(ctx.config, ctx.topics, ctx.clock, ctx.timer, p -> parked::add);
        loading.onElection(2, 0, ctx.logs.get(2));
        assertThat(loading.commitOffsets(rc(8), commitRequest(elsewhere, "", -1, "t", 0, 1))
                        .join()
                        .topics()
                        .get(0)
                        .partitions()
                        .get(0)
                        .errorCode())
                .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code);
        assertThat(loading.heartbeat(
                                rc(4),
                                new io.skiff.wire.message.HeartbeatRequest()
                                        .setGroupId(elsewhere)
                                        .setMemberId("m"))
                        .join()
                        .errorCode())
                .isEqualTo(Errors.NONE.code);
        assertThat(loading.listGroups(rc(5), new ListGroupsRequest()).join().errorCode())
                .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code);
        // Once the load task runs the partition is served.
        int ran = 0;
        while (ran < parked.size()) {
            idle.execute(parked.get(ran++));
        }
        assertThat(loading.shard(2).status()).isEqualTo(io.skiff.coordinator.runtime.CoordinatorShard.Status.ACTIVE);
        CompletableFuture<Void> unloaded = loading.onResignation(2, 1);
        while (ran < parked.size()) {
            idle.execute(parked.get(ran++));
        }
        assertThat(unloaded).isDone();
    }

    @Test
    void partitionOfAGroupIsKafkasAbsHashModuloPartitions() {
        GroupTestContext ctx = new GroupTestContext(b -> b.offsetsTopicPartitions(50));
        assertThat(ctx.coordinator.partitionFor("my-group")).isEqualTo(Math.abs("my-group".hashCode()) % 50);
        // Kafka's Utils.abs maps Integer.MIN_VALUE to 0: "polygenelubricants" hashes to Integer.MIN_VALUE.
        assertThat("polygenelubricants".hashCode()).isEqualTo(Integer.MIN_VALUE);
        assertThat(ctx.coordinator.partitionFor("polygenelubricants")).isZero();
    }
}
