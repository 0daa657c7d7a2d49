package io.skiff.broker.handler;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.wire.message.DescribeUserScramCredentialsRequest;
import io.skiff.wire.message.DescribeUserScramCredentialsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DescribeUserScramCredentials (key 50), version 0: the mechanisms and iteration counts of the
 * users' SCRAM credentials in the metadata image (never salts or keys). A user without any is
 * RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE, as Apache Kafka answers; a request
 * for all users lists every user that has one. Needs DESCRIBE on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED for the whole request otherwise). Stateless.
 */
public final class DescribeUserScramCredentialsHandler extends ApiHandler<DescribeUserScramCredentialsRequest> {
    private final MetadataManager metadata;
    private final Authorizer authorizer;

    public DescribeUserScramCredentialsHandler(MetadataManager metadata, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, 0, 0);
        this.metadata = metadata;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, DescribeUserScramCredentialsRequest request) {
        if (!authorizer.authorizeCluster(context, AclOperation.DESCRIBE)) {
            context.respond(new DescribeUserScramCredentialsResponse()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code)
                    .setErrorMessage("Cluster authorization failed."));
            return;
        }
        MetadataImage image = metadata.image();
        Map<String, Boolean> duplicate = new LinkedHashMap<>();
        if (request.users() == null || request.users().isEmpty()) {
            for (String user : image.scramCredentials().keySet()) {
                duplicate.put(user, false);
            }
        } else {
            for (DescribeUserScramCredentialsRequest.UserName u : request.users()) {
                duplicate.put(u.name(), duplicate.containsKey(u.name()));
            }
        }
        List<DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult> results = new ArrayList<>();
        for (Map.Entry<String, Boolean> u : duplicate.entrySet()) {
            DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult r =
                    new DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult().setUser(u.getKey());
            List<DescribeUserScramCredentialsResponse.CredentialInfo> infos = new ArrayList<>();
            Map<Byte, MetadataRecord.UserScramCredentialChanged> credentials =
                    image.scramCredentials().get(u.getKey());
            if (u.getValue()) {
                r.setErrorCode(Errors.DUPLICATE_RESOURCE.code)
                        .setErrorMessage(
                                "Cannot describe SCRAM credentials for the same user twice in a single request: "
                                        + u.getKey());
            } else if (credentials == null) {
                r.setErrorCode(Errors.RESOURCE_NOT_FOUND.code)
                        .setErrorMessage("Attempt to describe a user credential that does not exist: " + u.getKey());
            } else {
                for (MetadataRecord.UserScramCredentialChanged c : credentials.values()) {
                    infos.add(new DescribeUserScramCredentialsResponse.CredentialInfo()
                            .setMechanism(c.mechanism())
                            .setIterations(c.iterations()));
                }
                r.setErrorCode(Errors.NONE.code);
            }
            results.add(r.setCredentialInfos(infos));
        }
        context.respond(new DescribeUserScramCredentialsResponse()
                .setErrorCode(Errors.NONE.code)
                .setResults(results));
    }
}
