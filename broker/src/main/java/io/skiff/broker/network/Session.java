package io.skiff.broker.network;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection as the broker sees it: the listener it came in on and that listener's
 * security protocol, the remote address, the authenticated principal, where authentication
 * stands ({@link AuthState}), and what the client said about itself: the client id of its latest
 * request header and the software name and version of its latest valid ApiVersions (v3+)
 * request. Handlers read it through {@link RequestContext#session()}.
 *
 * <p>One instance per connection, created when the connection is accepted. Its mutable state
 * changes on the connection's event loop; every field is safe to read from any thread.
 */
public final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** The client software name and version until the client sends a valid ApiVersions v3+ request. */
    public static final String UNKNOWN_SOFTWARE = "unknown";

    private static final LongAdder[] TRANSITIONS_INTO = new LongAdder[AuthState.values().length];

    static {
        for (int i = 0; i < TRANSITIONS_INTO.length; i++) {
            TRANSITIONS_INTO[i] = new LongAdder();
        }
    }

    private final String listenerName;
    private final SecurityProtocol securityProtocol;
    private final InetSocketAddress remoteAddress;
    private volatile AuthState authState;
    private volatile KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;
    private volatile String clientId;
    private volatile String clientSoftwareName = UNKNOWN_SOFTWARE;
    private volatile String clientSoftwareVersion = UNKNOWN_SOFTWARE;
    /** What the client quotas cache for this connection (its resolved quotas); opaque here. */
    private volatile Object quotaState;
    /** The SASL exchange in progress or done (mechanism, server state); opaque here. */
    private volatile Object saslExchange;

    private volatile RawSaslTokens rawSaslTokens;

    /**
     * A new connection. Sessions on a SASL listener start {@link AuthState#UNAUTHENTICATED};
     * the others are {@link AuthState#AUTHENTICATED} as {@link KafkaPrincipal#ANONYMOUS} from the start.
     *
     * @param remoteAddress the client's address, or null where the transport has none (tests)
     */
    public Session(String listenerName, SecurityProtocol securityProtocol, InetSocketAddress remoteAddress) {
        this.listenerName = listenerName;
        this.securityProtocol = securityProtocol;
        this.remoteAddress = remoteAddress;
        this.authState = securityProtocol.usesSasl ? AuthState.UNAUTHENTICATED : AuthState.AUTHENTICATED;
    }

    public String listenerName() {
        return listenerName;
    }

    public SecurityProtocol securityProtocol() {
        return securityProtocol;
    }

    /** The client's address, or null where the transport has none. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    public AuthState authState() {
        return authState;
    }

    /** The principal requests act as: {@link KafkaPrincipal#ANONYMOUS} until an exchange names another. */
    public KafkaPrincipal principal() {
        return principal;
    }

    /** The client id of the latest request header (null before the first request, or if the client sent null). */
    public String clientId() {
        return clientId;
    }

    public String clientSoftwareName() {
        return clientSoftwareName;
    }

    public String clientSoftwareVersion() {
        return clientSoftwareVersion;
    }

    /** Records a successful authentication exchange: the session acts as {@code authenticated} from now on. */
    public void authenticated(KafkaPrincipal authenticated) {
        synchronized (this) {
            transitionTo(AuthState.AUTHENTICATED);
            this.principal = authenticated;
        }
    }

    /**
     * Records the principal of a finished TLS handshake on an SSL listener (the client certificate's
     * mapped name, or {@link KafkaPrincipal#ANONYMOUS} without one); SASL sessions take theirs from
     * the SASL exchange instead.
     */
    void tlsPrincipal(KafkaPrincipal fromCertificate) {
        if (securityProtocol.usesSasl) {
            throw new IllegalStateException("a SASL session takes its principal from SASL");
        }
        this.principal = fromCertificate;
    }

    /** What the SASL exchange of this connection keeps between requests, null before a handshake; opaque here. */
    public Object saslExchange() {
        return saslExchange;
    }

    /** Sets the SASL exchange state of this connection (on its event loop). */
    public void saslExchange(Object exchange) {
        this.saslExchange = exchange;
    }

    /** The exchange that reads bare token frames (after a SaslHandshake v0), or null. */
    public RawSaslTokens rawSaslTokens() {
        return rawSaslTokens;
    }

    /** Sets (or clears, with null) the exchange that reads bare token frames (on its event loop). */
    public void rawSaslTokens(RawSaslTokens tokens) {
        this.rawSaslTokens = tokens;
    }

    /** Records a failed authentication exchange: the connection admits nothing more. */
    public void authenticationFailed() {
        transitionTo(AuthState.FAILED);
    }

    /**
     * Moves to {@code next} if {@link AuthState#canTransitionTo} allows it, logs the change and
     * counts it; throws {@link IllegalStateException} otherwise, leaving the state as it was.
     */
    synchronized void transitionTo(AuthState next) {
        AuthState current = authState;
        if (!current.canTransitionTo(next)) {
            throw new IllegalStateException("session from " + remoteAddress + " on " + listenerName + " cannot go from "
                    + current + " to " + next);
        }
        authState = next;
        TRANSITIONS_INTO[next.ordinal()].increment();
        LOG.debug("Session from {} on {}: {} -> {}", remoteAddress, listenerName, current, next);
    }

    /** How many sessions (of every broker in this JVM) have moved into {@code state} since start. */
    public static long transitionsInto(AuthState state) {
        return TRANSITIONS_INTO[state.ordinal()].sum();
    }

    /** The client quotas' cache for this connection, null until they set one. */
    public Object quotaState() {
        return quotaState;
    }

    /** Sets the client quotas' cache for this connection. */
    public void quotaState(Object state) {
        this.quotaState = state;
    }

    void clientId(String id) {
        this.clientId = id;
    }

    /**
     * Records the client software of an ApiVersions v3+ request if both strings are valid (as
     * Apache Kafka does, which answers INVALID_REQUEST to the others and keeps what it had).
     * Returns whether they were recorded.
     */
    boolean clientSoftware(String name, String version) {
        if (!validSoftwareString(name) || !validSoftwareString(version)) {
            return false;
        }
        this.clientSoftwareName = name;
        this.clientSoftwareVersion = version;
        return true;
    }

    /** Kafka's rule: letters, digits, '-' and '.', starting and ending with a letter or digit. */
    static boolean validSoftwareString(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        int last = s.length() - 1;
        for (int i = 0; i <= last; i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && ((c != '-' && c != '.') || i == 0 || i == last)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Session(" + listenerName + "/" + securityProtocol + " from " + remoteAddress + ", " + authState + " as "
                + principal + ", clientId=" + clientId + ", software=" + clientSoftwareName + "/"
                + clientSoftwareVersion + ")";
    }
}
