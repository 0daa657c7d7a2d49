package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.DescribeClusterRequest;
import io.skiff.wire.message.DescribeClusterResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * DescribeCluster (key 60), versions 0-2: the live brokers (this node alone on a single node; every
 * registered, unfenced broker of a cluster, the fenced ones too where v2 asks), their racks, the
 * cluster id and the active controller. Asking a broker for controller endpoints (endpoint type 2) gets
 * MISMATCHED_ENDPOINT_TYPE, as Apache Kafka answers.
 */
public final class DescribeClusterHandler extends ApiHandler<DescribeClusterRequest> {
    private static final byte BROKER_ENDPOINTS = 1;

    private final LocalNode node;
    private final Authorizer authorizer;

    public DescribeClusterHandler(LocalNode node, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_CLUSTER, 0, 2);
        this.node = node;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, DescribeClusterRequest request) {
        DescribeClusterResponse response = new DescribeClusterResponse().setEndpointType(BROKER_ENDPOINTS);
        if (context.apiVersion >= 1 && request.endpointType() != BROKER_ENDPOINTS) {
            context.respond(
                    response.setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code)
                            .setErrorMessage(
                                    "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER"));
            return;
        }
        List<DescribeClusterResponse.DescribeClusterBroker> brokers = new ArrayList<>(1);
        boolean includeFenced = context.apiVersion >= 2 && request.includeFencedBrokers();
        for (LocalNode.Broker b : node.brokers(context.listenerName, includeFenced)) {
            brokers.add(new DescribeClusterResponse.DescribeClusterBroker()
                    .setBrokerId(b.nodeId())
                    .setHost(b.host())
                    .setPort(b.port())
                    .setRack(b.rack())
                    .setIsFenced(b.fenced()));
        }
        response.setClusterId(node.clusterId())
                .setControllerId(node.controllerId())
                .setBrokers(brokers)
                .setClusterAuthorizedOperations(
                        !request.includeClusterAuthorizedOperations()
                                ? LocalNode.OPERATIONS_NOT_REQUESTED
                                : authorizer.authorizeCluster(context, AclOperation.DESCRIBE)
                                        ? authorizer.authorizedOperations(
                                                context, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME)
                                        : 0);
        context.respond(response);
    }
}
