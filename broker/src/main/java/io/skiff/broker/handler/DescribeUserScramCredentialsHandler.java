package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.DescribeUserScramCredentialsRequest;
import io.skiff.wire.message.DescribeUserScramCredentialsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DescribeUserScramCredentials (key 50), version 0, while Skiff stores no SCRAM credentials: every
 * user asked for is answered as Apache Kafka answers a user without credentials
 * (RESOURCE_NOT_FOUND; DUPLICATE_RESOURCE for a user named twice), and a request for all users
 * gets none. {@code kafka-configs.sh --describe --entity-type users} asks this after the user's
 * quotas. Stateless.
 */
public final class DescribeUserScramCredentialsHandler extends ApiHandler<DescribeUserScramCredentialsRequest> {
    public DescribeUserScramCredentialsHandler() {
        super(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, 0, 0);
    }

    @Override
    public void handle(RequestContext context, DescribeUserScramCredentialsRequest request) {
        Map<String, Boolean> duplicate = new LinkedHashMap<>();
        if (request.users() != null) {
            for (DescribeUserScramCredentialsRequest.UserName u : request.users()) {
                duplicate.put(u.name(), duplicate.containsKey(u.name()));
            }
        }
        List<DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult> results = new ArrayList<>();
        for (Map.Entry<String, Boolean> u : duplicate.entrySet()) {
            DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult r =
                    new DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult().setUser(u.getKey());
            if (u.getValue()) {
                r.setErrorCode(Errors.DUPLICATE_RESOURCE.code)
                        .setErrorMessage(
                                "Cannot describe SCRAM credentials for the same user twice in a single request: "
                                        + u.getKey());
            } else {
                r.setErrorCode(Errors.RESOURCE_NOT_FOUND.code)
                        .setErrorMessage("Attempt to describe a user credential that does not exist: " + u.getKey());
            }
            results.add(r.setCredentialInfos(new ArrayList<>()));
        }
        context.respond(new DescribeUserScramCredentialsResponse()
                .setErrorCode(Errors.NONE.code)
                .setResults(results));
    }
}
