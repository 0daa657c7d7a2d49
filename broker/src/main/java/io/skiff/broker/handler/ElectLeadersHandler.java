package io.skiff.broker.handler;

import io.skiff.broker.cluster.RequestedElection;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.ElectLeadersRequest;
import io.skiff.wire.message.ElectLeadersResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ElectLeaders (key 43), versions 0-2: preferred or unclean elections decided by
 * {@link RequestedElection} and written as partition changes to the metadata; needs ALTER on the
 * cluster (CLUSTER_AUTHORIZATION_FAILED for every requested partition otherwise).
 */
public final class ElectLeadersHandler extends ApiHandler<ElectLeadersRequest> {
    private final MetadataManager metadata;
    private final Authorizer authorizer;

    public ElectLeadersHandler(MetadataManager metadata, Authorizer authorizer) {
        super(ApiKeys.ELECT_LEADERS, 0, 2);
        this.metadata = metadata;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, ElectLeadersRequest request) {
        Map<String, List<Integer>> requested = null;
        if (request.topicPartitions() != null) {
            requested = new LinkedHashMap<>();
            for (ElectLeadersRequest.TopicPartitions t : request.topicPartitions()) {
                requested.computeIfAbsent(t.topic(), k -> new ArrayList<>()).addAll(t.partitions());
            }
        }
        byte type = context.apiVersion >= 1 ? request.electionType() : RequestedElection.PREFERRED;
        if (!authorizer.authorize(context, AclOperation.ALTER, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME)) {
            List<RequestedElection.Result> denied = new ArrayList<>();
            if (requested != null) {
                requested.forEach((topic, ps) -> ps.forEach(
                        p -> denied.add(new RequestedElection.Result(topic, p, Errors.CLUSTER_AUTHORIZATION_FAILED))));
            }
            context.respond(response(Errors.CLUSTER_AUTHORIZATION_FAILED, denied));
            return;
        }
        Map<String, List<Integer>> targets = requested;
        metadata.write(image -> {
                    RequestedElection.Outcome o = RequestedElection.decide(image, type, targets);
                    return new MetadataManager.Decision<>(o.records(), o.results());
                })
                .whenComplete((results, error) -> {
                    if (error != null) {
                        List<RequestedElection.Result> failed = new ArrayList<>();
                        if (targets != null) {
                            targets.forEach((topic, ps) -> ps.forEach(p ->
                                    failed.add(new RequestedElection.Result(topic, p, Errors.UNKNOWN_SERVER_ERROR))));
                        }
                        context.respond(response(Errors.NONE, failed));
                    } else {
                        context.respond(response(Errors.NONE, results));
                    }
                });
    }

    private static ElectLeadersResponse response(Errors top, List<RequestedElection.Result> results) {
        Map<String, ElectLeadersResponse.ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        for (RequestedElection.Result r : results) {
            byTopic.computeIfAbsent(
                            r.topic(),
                            t -> new ElectLeadersResponse.ReplicaElectionResult()
                                    .setTopic(t)
                                    .setPartitionResult(new ArrayList<>()))
                    .partitionResult()
                    .add(new ElectLeadersResponse.PartitionResult()
                            .setPartitionId(r.partition())
                            .setErrorCode(r.error().code)
                            .setErrorMessage(r.error() == Errors.NONE ? null : r.error().message));
        }
        return new ElectLeadersResponse()
                .setErrorCode(top.code)
                .setReplicaElectionResults(new ArrayList<>(byTopic.values()));
    }
}
