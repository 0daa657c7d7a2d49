package io.skiff.broker.handler;

import io.skiff.broker.config.QuorumConfig;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.QuorumStatus;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.wire.message.DescribeQuorumRequest;
import io.skiff.wire.message.DescribeQuorumResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * DescribeQuorum (key 55), versions 0-2: the metadata quorum of partition {@code __cluster_metadata-0}
 * as its leader sees it (leader, epoch, high watermark, each voter's log end offset) and, from v2,
 * the voters' controller endpoints, so that {@code kafka-metadata-quorum.sh describe --status}
 * works. With a replicated quorum the answer comes from the Ratis leader, asked through the quorum;
 * a single node answers for itself. Needs DESCRIBE on the cluster, as in Kafka.
 */
public final class DescribeQuorumHandler extends ApiHandler<DescribeQuorumRequest> {
    static final String METADATA_TOPIC = "__cluster_metadata";

    private final MetadataManager metadata;
    private final QuorumConfig quorum;
    private final String controllerListener;
    private final Authorizer authorizer;

    public DescribeQuorumHandler(
            MetadataManager metadata, QuorumConfig quorum, String controllerListener, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_QUORUM, 0, 2);
        this.metadata = metadata;
        this.quorum = quorum;
        this.controllerListener = controllerListener;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, DescribeQuorumRequest request) {
        if (!authorizer.authorizeCluster(context, AclOperation.DESCRIBE)) {
            context.respond(new DescribeQuorumResponse()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code)
                    .setTopics(List.of()));
            return;
        }
        metadata.describeQuorum().whenComplete((status, e) -> {
            if (e != null) {
                context.respond(new DescribeQuorumResponse()
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code)
                        .setErrorMessage("no leader of the metadata quorum answered: " + e.getMessage())
                        .setTopics(List.of()));
                return;
            }
            context.respond(answer(request, status));
        });
    }

    private DescribeQuorumResponse answer(DescribeQuorumRequest request, QuorumStatus status) {
        List<DescribeQuorumResponse.TopicData> topics = new ArrayList<>();
        for (DescribeQuorumRequest.TopicData t : request.topics()) {
            List<DescribeQuorumResponse.PartitionData> partitions = new ArrayList<>();
            for (DescribeQuorumRequest.PartitionData p : t.partitions()) {
                DescribeQuorumResponse.PartitionData out =
                        new DescribeQuorumResponse.PartitionData().setPartitionIndex(p.partitionIndex());
                if (!METADATA_TOPIC.equals(t.topicName()) || p.partitionIndex() != 0) {
                    partitions.add(out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code)
                            .setCurrentVoters(List.of())
                            .setObservers(List.of()));
                    continue;
                }
                List<DescribeQuorumResponse.ReplicaState> voters = new ArrayList<>();
                for (QuorumStatus.Replica r : status.voters()) {
                    voters.add(new DescribeQuorumResponse.ReplicaState()
                            .setReplicaId(r.nodeId())
                            .setLogEndOffset(r.logEndOffset())
                            .setLastFetchTimestamp(-1)
                            .setLastCaughtUpTimestamp(r.lastCaughtUpTimestamp()));
                }
                partitions.add(out.setLeaderId(status.leaderId())
                        .setLeaderEpoch((int) status.leaderEpoch())
                        .setHighWatermark(status.highWatermark())
                        .setCurrentVoters(voters)
                        .setObservers(List.of()));
            }
            topics.add(new DescribeQuorumResponse.TopicData()
                    .setTopicName(t.topicName())
                    .setPartitions(partitions));
        }
        List<DescribeQuorumResponse.Node> nodes = new ArrayList<>();
        for (QuorumConfig.Voter v : quorum.voters()) {
            nodes.add(new DescribeQuorumResponse.Node()
                    .setNodeId(v.nodeId())
                    .setListeners(List.of(new DescribeQuorumResponse.Listener()
                            .setName(controllerListener)
                            .setHost(v.host())
                            .setPort(v.port()))));
        }
        return new DescribeQuorumResponse().setTopics(topics).setNodes(nodes);
    }
}
