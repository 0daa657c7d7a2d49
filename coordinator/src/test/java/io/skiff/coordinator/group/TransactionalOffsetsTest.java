package io.skiff.coordinator.group;

import static io.skiff.coordinator.group.ClassicGroupTest.GROUP;
import static io.skiff.coordinator.group.ClassicGroupTest.META;
import static io.skiff.coordinator.group.ClassicGroupTest.awaitInitialRebalance;
import static io.skiff.coordinator.group.ClassicGroupTest.stableGroupOfThree;
import static io.skiff.coordinator.testing.GroupTestContext.assignment;
import static io.skiff.coordinator.testing.GroupTestContext.commitRequest;
import static io.skiff.coordinator.testing.GroupTestContext.consumerBeat;
import static io.skiff.coordinator.testing.GroupTestContext.consumerJoin;
import static io.skiff.coordinator.testing.GroupTestContext.joinRequest;
import static io.skiff.coordinator.testing.GroupTestContext.owned;
import static io.skiff.coordinator.testing.GroupTestContext.txnCommitRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.offsets.OffsetStore;
import io.skiff.coordinator.runtime.InMemoryCoordinatorLog;
import io.skiff.coordinator.testing.GroupTestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.DeleteGroupsRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.OffsetDeleteRequest;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * TxnOffsetCommit and the transaction markers that settle it: pending offsets per producer,
 * commit and abort, the order of transactional and plain commits, require_stable, KIP-447 fencing,
 * reload from the log, and what deletion and expiry do with pending offsets.
 */
class TransactionalOffsetsTest {
    private static final long PID = 4000L;
    private static final short EPOCH = 3;

    private static GroupTestContext withTopic() {
        GroupTestContext ctx = new GroupTestContext();
        ctx.topics.put("t", 6);
        return ctx;
    }

    private static OffsetStore offsets(GroupTestContext ctx) {
        return ctx.shard().offsets();
    }

    private static TxnOffsetCommitRequest txn(long producerId, int partition, long offset) {
        return txnCommitRequest("simple", producerId, "t", partition, offset).setProducerEpoch(EPOCH);
    }

    @Test
    void transactionalOffsetsAreWrittenAsTheProducersTransactionalBatchAndVisibleOnlyAfterTheCommitMarker() {
        GroupTestContext ctx = withTopic();
        assertThat(ctx.txnCommitError(txn(PID, 0, 10))).isEqualTo(Errors.NONE);
        assertThat(ctx.log().offsets())
                .extracting(InMemoryCoordinatorLog.Entry::toString)
                .containsExactly("record " + PID + "/" + EPOCH);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(-1L);
        assertThat(offsets(ctx).pendingTransactionalOffset(PID, "simple", "t", 0).committedOffset)
                .isEqualTo(10L);
        assertThat(ctx.classicGroup("simple").isSimpleGroup()).isTrue();

        assertThat(ctx.endTransaction(PID, EPOCH, true)).isEqualTo(Errors.NONE);
        assertThat(ctx.log().offsets())
                .extracting(InMemoryCoordinatorLog.Entry::toString)
                .containsExactly("record " + PID + "/" + EPOCH, "COMMIT " + PID + "/" + EPOCH + " c0");
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(10L);
        assertThat(ctx.fetchPartition("simple", "t", 0, false).metadata()).isEqualTo("txn");
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple")).isFalse();
        assertThat(offsets(ctx).producersWithPendingOffsets()).isEmpty();
    }

    @Test
    void abortMarkerDropsThePendingOffsetsAndKeepsTheCommittedOne() {
        GroupTestContext ctx = withTopic();
        ctx.commit(8, commitRequest("simple", "", -1, "t", 0, 5));
        ctx.txnCommitError(txn(PID, 0, 10));
        assertThat(ctx.endTransaction(PID, EPOCH, false)).isEqualTo(Errors.NONE);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(5L);
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple", "t", 0))
                .isFalse();
    }

    @Test
    void aPlainCommitWrittenAfterTheTransactionalOneWinsAndOneWrittenBeforeLoses() {
        GroupTestContext ctx = withTopic();
        // Partition 0: transactional 10, then plain 20, then the commit marker: 20 stays.
        ctx.txnCommitError(txn(PID, 0, 10));
        ctx.commit(8, commitRequest("simple", "", -1, "t", 0, 20));
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(20L);
        // Partition 1: plain 20, then transactional 10: the transaction's is the later record.
        ctx.commit(8, commitRequest("simple", "", -1, "t", 1, 20));
        ctx.txnCommitError(txn(PID, 1, 10));
        ctx.endTransaction(PID, EPOCH, true);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(20L);
        assertThat(ctx.committed("simple", "t", 1)).isEqualTo(10L);
        // A reload decides the same from the record offsets in the log.
        ctx.start();
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(20L);
        assertThat(ctx.committed("simple", "t", 1)).isEqualTo(10L);
    }

    @Test
    void eachProducersMarkerSettlesOnlyItsOwnOffsets() {
        GroupTestContext ctx = withTopic();
        ctx.txnCommitError(txn(1L, 0, 10));
        ctx.txnCommitError(txn(2L, 1, 11));
        ctx.txnCommitError(txn(2L, 0, 12));
        ctx.endTransaction(1L, EPOCH, true);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(10L);
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple", "t", 0))
                .as("producer 2 still has an offset for t-0")
                .isTrue();
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple", "t", 1))
                .isTrue();
        ctx.endTransaction(2L, EPOCH, false);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(10L);
        assertThat(ctx.committed("simple", "t", 1)).isEqualTo(-1L);
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple")).isFalse();
        // A marker of a producer without pending offsets is written and changes nothing.
        assertThat(ctx.endTransaction(99L, EPOCH, true)).isEqualTo(Errors.NONE);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(10L);
    }

    @Test
    void requireStableAnswersUnstableOffsetCommitForPartitionsWithPendingOffsets() {
        GroupTestContext ctx = withTopic();
        ctx.commit(8, commitRequest("simple", "", -1, "t", 0, 5));
        ctx.commit(8, commitRequest("simple", "", -1, "t", 1, 7));
        ctx.txnCommitError(txn(PID, 0, 10));
        ctx.txnCommitError(txn(PID, 2, 30));

        OffsetFetchResponse.OffsetFetchResponsePartitions unstable = ctx.fetchPartition("simple", "t", 0, true);
        assertThat(unstable.errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code);
        assertThat(unstable.committedOffset()).isEqualTo(-1L);
        assertThat(ctx.fetchPartition("simple", "t", 2, true).errorCode())
                .isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code);
        assertThat(ctx.fetchPartition("simple", "t", 1, true).committedOffset()).isEqualTo(7L);
        // Without require_stable: the committed offset, the pending one is not visible.
        OffsetFetchResponse.OffsetFetchResponsePartitions plain = ctx.fetchPartition("simple", "t", 0, false);
        assertThat(plain.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(plain.committedOffset()).isEqualTo(5L);
        assertThat(ctx.fetchPartition("simple", "t", 2, false).committedOffset())
                .isEqualTo(-1L);

        // All of the group's offsets (v7, one group): the committed partitions, t-0 unstable.
        OffsetFetchResponse all = ctx.fetch(
                7, new OffsetFetchRequest().setGroupId("simple").setTopics(null).setRequireStable(true));
        assertThat(all.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(all.topics().get(0).partitions())
                .extracting(p -> p.partitionIndex() + ":" + p.committedOffset() + ":" + p.errorCode())
                .containsExactly("0:-1:" + Errors.UNSTABLE_OFFSET_COMMIT.code, "1:7:0");
        // Version 6 has no require_stable: never unstable.
        OffsetFetchResponse v6 = ctx.fetch(
                6, new OffsetFetchRequest().setGroupId("simple").setTopics(null).setRequireStable(true));
        assertThat(v6.topics().get(0).partitions())
                .extracting(p -> p.partitionIndex() + ":" + p.committedOffset() + ":" + p.errorCode())
                .containsExactly("0:5:0", "1:7:0");

        ctx.endTransaction(PID, EPOCH, true);
        assertThat(ctx.fetchPartition("simple", "t", 0, true).committedOffset()).isEqualTo(10L);
        assertThat(ctx.fetchPartition("simple", "t", 2, true).committedOffset()).isEqualTo(30L);
    }

    @Test
    void reloadRebuildsCommittedAbortedAndStillOpenTransactionsFromTheLog() {
        GroupTestContext ctx = withTopic();
        ctx.txnCommitError(txn(1L, 0, 10));
        ctx.txnCommitError(txn(2L, 1, 20));
        ctx.txnCommitError(txn(3L, 2, 30));
        ctx.endTransaction(1L, EPOCH, true);
        ctx.endTransaction(2L, EPOCH, false);

        ctx.start();
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(10L);
        assertThat(ctx.committed("simple", "t", 1)).isEqualTo(-1L);
        assertThat(ctx.committed("simple", "t", 2)).isEqualTo(-1L);
        assertThat(offsets(ctx).producersWithPendingOffsets()).containsExactly(3L);
        assertThat(ctx.fetchPartition("simple", "t", 2, true).errorCode())
                .isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code);
        // The transaction left open at the end of the log ends after the reload.
        assertThat(ctx.endTransaction(3L, EPOCH, true)).isEqualTo(Errors.NONE);
        assertThat(ctx.committed("simple", "t", 2)).isEqualTo(30L);
        ctx.start();
        assertThat(ctx.committed("simple", "t", 2)).isEqualTo(30L);
        assertThat(offsets(ctx).producersWithPendingOffsets()).isEmpty();
    }

    @Test
    void unknownTopicsAndPartitionsFailPerPartitionAndAreListedFirst() {
        GroupTestContext ctx = withTopic();
        TxnOffsetCommitRequest r = txn(PID, 0, 10);
        r.topics()
                .get(0)
                .partitions()
                .add(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(6)
                        .setCommittedOffset(1));
        r.topics()
                .add(new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic()
                        .setName("missing")
                        .setPartitions(
                                new ArrayList<>(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(0)
                                        .setCommittedOffset(1)))));
        TxnOffsetCommitResponse response = ctx.txnCommit(5, r);
        assertThat(response.topics())
                .extracting(t -> t.name() + ":" + partitionErrors(t))
                .containsExactly(
                        "t:[6=" + Errors.UNKNOWN_TOPIC_OR_PARTITION.code + ", 0=0]",
                        "missing:[0=" + Errors.UNKNOWN_TOPIC_OR_PARTITION.code + "]");
        assertThat(offsets(ctx).producersWithPendingOffsets()).containsExactly(PID);
        assertThat(ctx.log().size()).isEqualTo(1);
    }

    private static String partitionErrors(TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic t) {
        List<String> out = new ArrayList<>();
        for (TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition p : t.partitions()) {
            out.add(p.partitionIndex() + "=" + p.errorCode());
        }
        return out.toString();
    }

    @Test
    void oversizedMetadataFailsOnlyItsPartitionAndAnEmptyGroupIdEveryExistingOne() {
        GroupTestContext ctx = withTopic();
        TxnOffsetCommitRequest r = txn(PID, 0, 10);
        r.topics()
                .get(0)
                .partitions()
                .add(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(1)
                        .setCommittedOffset(1)
                        .setCommittedMetadata("x".repeat(ctx.config.offsetMetadataMaxBytes() + 1)));
        assertThat(partitionErrors(ctx.txnCommit(5, r).topics().get(0)))
                .isEqualTo("[0=0, 1=" + Errors.OFFSET_METADATA_TOO_LARGE.code + "]");
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple", "t", 1))
                .isFalse();

        TxnOffsetCommitRequest noGroup = txnCommitRequest("", PID, "t", 0, 10);
        noGroup.topics()
                .add(new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic()
                        .setName("missing")
                        .setPartitions(
                                new ArrayList<>(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(0)
                                        .setCommittedOffset(1)))));
        assertThat(ctx.txnCommit(5, noGroup).topics())
                .extracting(t -> t.name() + ":" + partitionErrors(t))
                .containsExactly(
                        "missing:[0=" + Errors.UNKNOWN_TOPIC_OR_PARTITION.code + "]",
                        "t:[0=" + Errors.INVALID_GROUP_ID.code + "]");
    }

    @Test
    void classicGroupFencesByGenerationMemberAndInstanceButNotACommitWithoutGroupMetadata() {
        GroupTestContext ctx = withTopic();
        List<String> ids = stableGroupOfThree(ctx);
        String member = ids.get(1);
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, member, 1, "t", 2, 10)))
                .isEqualTo(Errors.NONE);
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, member, 0, "t", 2, 10)))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, member, 2, "t", 2, 10)))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, "stranger", 1, "t", 2, 10)))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        // Versions 0-2 carry no group metadata: accepted in a group with members.
        TxnOffsetCommitRequest v2 = txnCommitRequest(GROUP, PID, "t", 3, 11);
        assertThat(partitionErrors(ctx.txnCommit(2, v2).topics().get(0))).isEqualTo("[3=0]");
        assertThat(offsets(ctx).pendingTransactionalOffset(PID, GROUP, "t", 3).committedOffset)
                .isEqualTo(11L);
    }

    @Test
    void classicGroupFencesAStaticMembersOldIncarnationAndAcceptsCommitsWhileCompletingTheRebalance() {
        GroupTestContext ctx = withTopic();
        CompletableFuture<JoinGroupResponse> a = ctx.join(5, joinRequest(GROUP, "", "instance-a", META));
        awaitInitialRebalance(ctx);
        String aId = a.join().memberId();
        // The group waits for the leader's SyncGroup: CompletingRebalance, where OffsetCommit would
        // get REBALANCE_IN_PROGRESS but a TxnOffsetCommit is accepted.
        assertThat(ctx.commitError(8, commitRequest(GROUP, aId, 1, "t", 0, 1)))
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS.code);
        assertThat(ctx.txnCommitError(
                        txnCommitRequest(GROUP, PID, EPOCH, aId, 1, "t", 0, 10).setGroupInstanceId("instance-a")))
                .isEqualTo(Errors.NONE);
        ctx.sync(GROUP, aId, 1, Map.of(aId, assignment("t", 0))).join();
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, "instance-a-old", 1, "t", 0, 10)
                        .setGroupInstanceId("instance-a")))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(ctx.txnCommitError(
                        txnCommitRequest(GROUP, PID, EPOCH, aId, 1, "t", 0, 10).setGroupInstanceId("instance-b")))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void unknownGroupWithAGenerationIsIllegalGenerationAndWithoutOneBecomesASimpleGroup() {
        GroupTestContext ctx = withTopic();
        assertThat(ctx.txnCommitError(txnCommitRequest("new", PID, EPOCH, "m", 1, "t", 0, 10)))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(ctx.classicGroup("new")).isNull();
        assertThat(ctx.log().size()).isZero();
        assertThat(ctx.txnCommitError(txnCommitRequest("new", PID, "t", 0, 10))).isEqualTo(Errors.NONE);
        assertThat(ctx.classicGroup("new").isSimpleGroup()).isTrue();
    }

    @Test
    void consumerGroupFencesByMemberEpochWithIllegalGenerationAndChecksOlderEpochsPerPartition() {
        GroupTestContext ctx = new GroupTestContext();
        ctx.topics.put("t", 2);
        ConsumerGroupHeartbeatResponse a = ctx.consumerHeartbeat(consumerJoin(GROUP, "a", List.of("t")));
        assertThat(a.memberEpoch()).isEqualTo(2);
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, "a", 2, "t", 0, 10)))
                .isEqualTo(Errors.NONE);
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, "a", 3, "t", 0, 10)))
                .as("a newer epoch")
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, "x", 2, "t", 0, 10)))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        // A producer without group metadata is not fenced, even in a group with members.
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, "t", 1, 10))).isEqualTo(Errors.NONE);
        // TxnOffsetCommit has no minimum version for consumer-protocol members.
        TxnOffsetCommitRequest v3 = txnCommitRequest(GROUP, PID, EPOCH, "a", 2, "t", 0, 12);
        assertThat(partitionErrors(ctx.txnCommit(3, v3).topics().get(0))).isEqualTo("[0=0]");

        // After b joins and a moves to epoch 3, epoch 2 still commits the partition a kept, but a
        // request naming the partition it gave away fails as a whole.
        ctx.consumerHeartbeat(consumerJoin(GROUP, "b", List.of("t")));
        ConsumerGroupHeartbeatResponse a2 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a.assignment())));
        ConsumerGroupHeartbeatResponse a3 = ctx.consumerHeartbeat(consumerBeat(GROUP, "a", 2, owned(a2.assignment())));
        assertThat(a3.memberEpoch()).isEqualTo(3);
        int kept = a2.assignment().topicPartitions().get(0).partitions().get(0);
        int gone = 1 - kept;
        assertThat(ctx.txnCommitError(txnCommitRequest(GROUP, PID, EPOCH, "a", 2, "t", kept, 20)))
                .isEqualTo(Errors.NONE);
        TxnOffsetCommitRequest both = txnCommitRequest(GROUP, PID, EPOCH, "a", 2, "t", kept, 21);
        both.topics()
                .get(0)
                .partitions()
                .add(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(gone)
                        .setCommittedOffset(21));
        assertThat(partitionErrors(ctx.txnCommit(5, both).topics().get(0)))
                .isEqualTo("[" + kept + "=" + Errors.ILLEGAL_GENERATION.code + ", " + gone + "="
                        + Errors.ILLEGAL_GENERATION.code + "]");
        assertThat(offsets(ctx).pendingTransactionalOffset(PID, GROUP, "t", kept).committedOffset)
                .isEqualTo(20L);
    }

    @Test
    void deletingAGroupWithPendingOffsetsDropsThemSoTheCommitMarkerFindsNothing() {
        GroupTestContext ctx = withTopic();
        ctx.commit(8, commitRequest("simple", "", -1, "t", 0, 5));
        ctx.txnCommitError(txn(PID, 0, 10));
        ctx.txnCommitError(txn(PID, 1, 11));
        short error = ctx.coordinator
                .deleteGroups(
                        GroupTestContext.rc(2),
                        new DeleteGroupsRequest().setGroupsNames(new ArrayList<>(List.of("simple"))))
                .join()
                .results()
                .get(0)
                .errorCode();
        assertThat(error).isEqualTo(Errors.NONE.code);
        assertThat(ctx.classicGroup("simple")).isNull();
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple")).isFalse();
        ctx.endTransaction(PID, EPOCH, true);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(-1L);
        assertThat(ctx.committed("simple", "t", 1)).isEqualTo(-1L);
        ctx.start();
        assertThat(ctx.committed("simple", "t", 1)).isEqualTo(-1L);
        assertThat(ctx.classicGroup("simple")).isNull();
    }

    @Test
    void offsetDeleteAndTopicDeletionDropPendingOffsetsOfTheirPartitions() {
        GroupTestContext ctx = withTopic();
        ctx.topics.put("u", 1);
        ctx.txnCommitError(txn(PID, 0, 10));
        ctx.txnCommitError(txnCommitRequest("simple", PID, "u", 0, 7).setProducerEpoch(EPOCH));
        short error = ctx.coordinator
                .deleteOffsets(
                        GroupTestContext.rc(0),
                        new OffsetDeleteRequest()
                                .setGroupId("simple")
                                .setTopics(new ArrayList<>(List.of(new OffsetDeleteRequest.OffsetDeleteRequestTopic()
                                        .setName("t")
                                        .setPartitions(new ArrayList<>(
                                                List.of(new OffsetDeleteRequest.OffsetDeleteRequestPartition()
                                                        .setPartitionIndex(0))))))))
                .join()
                .topics()
                .get(0)
                .partitions()
                .get(0)
                .errorCode();
        assertThat(error).isEqualTo(Errors.NONE.code);
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple", "t", 0))
                .isFalse();
        ctx.topics.remove("u");
        ctx.coordinator.onTopicsDeleted(List.of("u")).join();
        assertThat(offsets(ctx).hasPendingTransactionalOffsets("simple")).isFalse();
        ctx.endTransaction(PID, EPOCH, true);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(-1L);
        assertThat(offsets(ctx).get("simple", "u", 0)).isNull();
    }

    @Test
    void expiryKeepsAnOffsetAndTheGroupWhileATransactionHoldsOffsetsForThem() {
        GroupTestContext ctx = withTopic();
        ctx.commit(8, commitRequest("simple", "", -1, "t", 0, 5));
        ctx.txnCommitError(txn(PID, 0, 10));
        ctx.txnCommitError(txnCommitRequest("pending-only", PID, "t", 0, 1).setProducerEpoch(EPOCH));
        ctx.advance(ctx.config.offsetsRetentionMs() + ctx.config.offsetsRetentionCheckIntervalMs());
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(5L);
        assertThat(ctx.classicGroup("simple")).isNotNull();
        assertThat(ctx.classicGroup("pending-only")).isNotNull();
        ctx.endTransaction(PID, EPOCH, false);
        ctx.advance(ctx.config.offsetsRetentionCheckIntervalMs());
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(-1L);
        assertThat(ctx.classicGroup("simple")).isNull();
        assertThat(ctx.classicGroup("pending-only")).isNull();
    }

    @Test
    void markerOfAPartitionNotHostedHereIsNotCoordinatorAndWaitsForDurability() {
        GroupTestContext ctx = withTopic();
        assertThat(ctx.coordinator.completeTransaction(7, PID, EPOCH, 0, true).join())
                .isEqualTo(Errors.NOT_COORDINATOR);
        ctx.txnCommitError(txn(PID, 0, 10));
        ctx.log().holdAppends(true);
        CompletableFuture<Errors> marker = ctx.coordinator.completeTransaction(0, PID, EPOCH, 0, true);
        assertThat(marker).isNotDone();
        ctx.log().releaseAll();
        assertThat(marker.join()).isEqualTo(Errors.NONE);
        ctx.log().holdAppends(false);
        assertThat(ctx.committed("simple", "t", 0)).isEqualTo(10L);
        ctx.coordinator.close();
        assertThat(ctx.coordinator.completeTransaction(0, PID, EPOCH, 0, true).join())
                .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
    }
}
