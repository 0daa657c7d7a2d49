package io.skiff.broker.handler;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.ScramCredential;
import io.skiff.broker.security.ScramMechanism;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.wire.message.AlterUserScramCredentialsRequest;
import io.skiff.wire.message.AlterUserScramCredentialsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AlterUserScramCredentials (key 51), version 0: SCRAM credentials set and removed in the metadata
 * log, decided on the metadata thread. The client sends the salted password (kafka-configs.sh
 * computes it); the broker keeps salt, StoredKey, ServerKey and iterations, never the password.
 * One result per user; a user any of whose alterations is invalid (unknown mechanism, iterations
 * outside 4096-16384, an empty name, the same mechanism twice, removing a credential that does not
 * exist) gets that error and none of its alterations applied. Needs ALTER on the cluster: without it
 * every user named is answered CLUSTER_AUTHORIZATION_FAILED and nothing changes. Stateless.
 */
public final class AlterUserScramCredentialsHandler extends ApiHandler<AlterUserScramCredentialsRequest> {
    private final MetadataManager metadata;
    private final Authorizer authorizer;

    public AlterUserScramCredentialsHandler(MetadataManager metadata, Authorizer authorizer) {
        super(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, 0, 0);
        this.metadata = metadata;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, AlterUserScramCredentialsRequest request) {
        List<Alteration> alterations = new ArrayList<>();
        for (AlterUserScramCredentialsRequest.ScramCredentialDeletion d : request.deletions()) {
            alterations.add(new Alteration(d.name(), d.mechanism(), null, null, 0));
        }
        for (AlterUserScramCredentialsRequest.ScramCredentialUpsertion u : request.upsertions()) {
            alterations.add(new Alteration(u.name(), u.mechanism(), u.salt(), u.saltedPassword(), u.iterations()));
        }
        if (!authorizer.authorizeCluster(context, AclOperation.ALTER)) {
            Set<String> users = new LinkedHashSet<>();
            List<AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult> out = new ArrayList<>();
            for (Alteration a : alterations) {
                if (users.add(a.user)) {
                    out.add(result(a.user, Errors.CLUSTER_AUTHORIZATION_FAILED, null));
                }
            }
            context.respond(new AlterUserScramCredentialsResponse().setResults(out));
            return;
        }
        metadata.write(image -> decide(image, alterations)).whenComplete((results, error) -> {
            AlterUserScramCredentialsResponse response = new AlterUserScramCredentialsResponse();
            List<AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult> out = new ArrayList<>();
            if (error != null) {
                Map<String, String[]> failed = new LinkedHashMap<>();
                for (Alteration a : alterations) {
                    failed.put(a.user, null);
                }
                for (String user : failed.keySet()) {
                    out.add(result(user, Errors.UNKNOWN_SERVER_ERROR, "The metadata log could not be written"));
                }
            } else {
                out.addAll(results);
            }
            context.respond(response.setResults(out));
        });
    }

    private static MetadataManager.Decision<List<AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult>>
            decide(MetadataImage image, List<Alteration> alterations) {
        Map<String, List<Alteration>> byUser = new LinkedHashMap<>();
        for (Alteration a : alterations) {
            byUser.computeIfAbsent(a.user, k -> new ArrayList<>()).add(a);
        }
        List<MetadataRecord> records = new ArrayList<>();
        List<AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult> results = new ArrayList<>();
        for (Map.Entry<String, List<Alteration>> e : byUser.entrySet()) {
            String problem = null;
            Errors code = Errors.NONE;
            Set<Byte> seen = new HashSet<>();
            List<MetadataRecord> mine = new ArrayList<>();
            for (Alteration a : e.getValue()) {
                ScramMechanism m = ScramMechanism.forType(a.mechanism);
                if (e.getKey() == null || e.getKey().isEmpty()) {
                    code = Errors.UNACCEPTABLE_CREDENTIAL;
                    problem = "Username must not be empty";
                } else if (m == null) {
                    code = Errors.UNSUPPORTED_SASL_MECHANISM;
                    problem = "Unknown SCRAM mechanism";
                } else if (!seen.add(a.mechanism)) {
                    code = Errors.DUPLICATE_RESOURCE;
                    problem = "A user credential cannot be altered twice in the same request";
                } else if (a.salt == null && image.scramCredential(a.user, a.mechanism) == null) {
                    code = Errors.RESOURCE_NOT_FOUND;
                    problem = "Attempt to delete a user credential that does not exist";
                } else if (a.salt != null && a.iterations < ScramMechanism.MIN_ITERATIONS) {
                    code = Errors.UNACCEPTABLE_CREDENTIAL;
                    problem = "Too few iterations";
                } else if (a.salt != null && a.iterations > ScramMechanism.MAX_ITERATIONS) {
                    code = Errors.UNACCEPTABLE_CREDENTIAL;
                    problem = "Too many iterations";
                } else if (a.salt != null
                        && (a.salt.length == 0 || a.saltedPassword == null || a.saltedPassword.length == 0)) {
                    code = Errors.UNACCEPTABLE_CREDENTIAL;
                    problem = "Salt and salted password must not be empty";
                }
                if (problem != null) {
                    break;
                }
                if (a.salt == null) {
                    mine.add(MetadataRecord.UserScramCredentialChanged.removal(a.user, a.mechanism));
                } else {
                    ScramCredential c = m.credential(a.salt, a.saltedPassword, a.iterations);
                    mine.add(new MetadataRecord.UserScramCredentialChanged(
                            a.user, a.mechanism, c.salt(), c.storedKey(), c.serverKey(), c.iterations()));
                }
            }
            if (problem == null) {
                records.addAll(mine);
            }
            results.add(result(e.getKey(), code, problem));
        }
        return new MetadataManager.Decision<>(records, results);
    }

    private static AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult result(
            String user, Errors code, String message) {
        return new AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult()
                .setUser(user)
                .setErrorCode(code.code)
                .setErrorMessage(message);
    }

    private record Alteration(String user, byte mechanism, byte[] salt, byte[] saltedPassword, int iterations) {}
}
