package io.skiff.broker.security;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server side of SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) against stored
 * credentials: client-first message, server-first (combined nonce, salt, iterations), client-final
 * with the proof, server-final with the server signature. No channel binding (gs2 flag {@code n} or
 * {@code y}), no extensions (delegation tokens are not offered). A user without a credential gets
 * a made-up salt and fails at the proof like a wrong password, with the same message, so that the
 * answer does not tell which users exist. One instance per exchange; not thread-safe.
 */
final class ScramExchange implements SaslExchange {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Key of the made-up salts of unknown users, fresh per broker run. */
    private static final byte[] UNKNOWN_USER_KEY = randomBytes(32);

    private static final String INVALID_CREDENTIALS =
            "Authentication failed during authentication due to invalid" + " credentials with SASL mechanism ";

    private enum State {
        RECEIVE_CLIENT_FIRST,
        RECEIVE_CLIENT_FINAL,
        COMPLETE,
        FAILED
    }

    private final ScramMechanism mechanism;
    private final ScramCredentials credentials;
    private State state = State.RECEIVE_CLIENT_FIRST;
    private String user;
    private ScramCredential credential;
    private boolean knownUser;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;

    ScramExchange(ScramMechanism mechanism, ScramCredentials credentials) {
        this.mechanism = mechanism;
        this.credentials = credentials;
    }

    @Override
    public String mechanism() {
        return mechanism.mechanismName;
    }

    @Override
    public byte[] evaluate(byte[] response) throws SaslFailure {
        try {
            switch (state) {
                case RECEIVE_CLIENT_FIRST:
                    return clientFirst(new String(response, UTF_8));
                case RECEIVE_CLIENT_FINAL:
                    return clientFinal(new String(response, UTF_8));
                default:
                    throw new SaslFailure("Unexpected SASL token in state " + state);
            }
        } catch (SaslFailure e) {
            state = State.FAILED;
            throw e;
        }
    }

    private byte[] clientFirst(String message) throws SaslFailure {
        // gs2-header: ("n" | "y") "," [ "a=" authzid ] ","
        if (message.length() < 3
                || (message.charAt(0) != 'n' && message.charAt(0) != 'y')
                || message.charAt(1) != ',') {
            throw new SaslFailure("Invalid SCRAM client first message: channel binding is not supported");
        }
        int secondComma = message.indexOf(',', 2);
        if (secondComma < 0) {
            throw new SaslFailure("Invalid SCRAM client first message");
        }
        String authzid = message.substring(2, secondComma);
        gs2Header = message.substring(0, secondComma + 1);
        clientFirstBare = message.substring(secondComma + 1);
        String[] parts = clientFirstBare.split(",", -1);
        if (parts.length < 2 || !parts[0].startsWith("n=") || !parts[1].startsWith("r=") || parts[1].length() < 3) {
            throw new SaslFailure("Invalid SCRAM client first message");
        }
        if (parts.length > 2) {
            throw new SaslFailure("Authentication failed: SCRAM extensions (delegation tokens) are not supported");
        }
        user = saslName(parts[0].substring(2));
        if (!authzid.isEmpty() && !authzid.equals("a=" + parts[0].substring(2))) {
            throw new SaslFailure(
                    "Authentication failed: Client requested an authorization id that is different" + " from username");
        }
        credential = credentials.lookup(user, mechanism);
        knownUser = credential != null;
        if (!knownUser) {
            credential = new ScramCredential(
                    mechanism.hmac(UNKNOWN_USER_KEY, user.getBytes(UTF_8)),
                    randomBytes(32),
                    randomBytes(32),
                    ScramMechanism.MIN_ITERATIONS);
        }
        nonce = parts[1].substring(2) + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(24));
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credential.salt()) + ",i="
                + credential.iterations();
        state = State.RECEIVE_CLIENT_FINAL;
        return serverFirst.getBytes(UTF_8);
    }

    private byte[] clientFinal(String message) throws SaslFailure {
        int proofAt = message.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw new SaslFailure("Invalid SCRAM client final message");
        }
        String withoutProof = message.substring(0, proofAt);
        String[] parts = withoutProof.split(",", -1);
        if (parts.length != 2 || !parts[0].startsWith("c=") || !parts[1].startsWith("r=")) {
            throw new SaslFailure("Invalid SCRAM client final message");
        }
        String expectedBinding = Base64.getEncoder().encodeToString(gs2Header.getBytes(UTF_8));
        if (!parts[0].substring(2).equals(expectedBinding)) {
            throw new SaslFailure("Invalid SCRAM client final message: channel binding does not match");
        }
        if (!parts[1].substring(2).equals(nonce)) {
            throw new SaslFailure("Invalid SCRAM client final message: nonce does not match");
        }
        byte[] proof;
        try {
            proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
        } catch (IllegalArgumentException e) {
            throw new SaslFailure("Invalid SCRAM client final message: proof is not base64");
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(UTF_8);
        byte[] storedKey = credential.storedKey();
        byte[] clientSignature = mechanism.hmac(storedKey, authMessage);
        if (proof.length != clientSignature.length) {
            throw new SaslFailure(INVALID_CREDENTIALS + mechanism.mechanismName);
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        boolean verified = MessageDigest.isEqual(mechanism.hash(clientKey), storedKey);
        if (!verified || !knownUser) {
            throw new SaslFailure(INVALID_CREDENTIALS + mechanism.mechanismName);
        }
        byte[] serverSignature = mechanism.hmac(credential.serverKey(), authMessage);
        state = State.COMPLETE;
        return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(UTF_8);
    }

    /** Decodes a SCRAM saslname: "=2C" is ',' and "=3D" is '='. */
    static String saslName(String encoded) throws SaslFailure {
        StringBuilder out = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '=') {
                if (encoded.startsWith("=2C", i)) {
                    out.append(',');
                } else if (encoded.startsWith("=3D", i)) {
                    out.append('=');
                } else {
                    throw new SaslFailure("Invalid SCRAM user name");
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    @Override
    public String authorizationId() {
        return isComplete() ? user : null;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
