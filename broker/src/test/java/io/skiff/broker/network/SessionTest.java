package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.wire.protocol.ApiKeys;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SessionTest {
    private static Session sasl() {
        return new Session("SASL_LISTENER", SecurityProtocol.SASL_PLAINTEXT, null);
    }

    @Test
    void aPlaintextSessionStartsAuthenticatedAsAnonymous() {
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
        Session s = new Session("PLAINTEXT", SecurityProtocol.PLAINTEXT, remote);
        assertThat(s.listenerName()).isEqualTo("PLAINTEXT");
        assertThat(s.securityProtocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(s.remoteAddress()).isSameAs(remote);
        assertThat(s.authState()).isEqualTo(AuthState.AUTHENTICATED);
        assertThat(s.principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
        assertThat(s.clientId()).isNull();
        assertThat(s.clientSoftwareName()).isEqualTo("unknown");
        assertThat(s.clientSoftwareVersion()).isEqualTo("unknown");
    }

    @Test
    void sessionsOnSaslListenersStartUnauthenticated() {
        assertThat(sasl().authState()).isEqualTo(AuthState.UNAUTHENTICATED);
        assertThat(new Session("S", SecurityProtocol.SASL_SSL, null).authState())
                .isEqualTo(AuthState.UNAUTHENTICATED);
        assertThat(new Session("S", SecurityProtocol.SSL, null).authState()).isEqualTo(AuthState.AUTHENTICATED);
        assertThat(sasl().principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
    }

    // One test per allowed and per rejected transition.

    @Test
    void unauthenticatedMayBecomeAuthenticated() {
        Session s = sasl();
        long before = Session.transitionsInto(AuthState.AUTHENTICATED);
        s.authenticated(KafkaPrincipal.user("alice"));
        assertThat(s.authState()).isEqualTo(AuthState.AUTHENTICATED);
        assertThat(s.principal().toString()).isEqualTo("User:alice");
        assertThat(Session.transitionsInto(AuthState.AUTHENTICATED)).isGreaterThan(before);
    }

    @Test
    void unauthenticatedMayFail() {
        Session s = sasl();
        long before = Session.transitionsInto(AuthState.FAILED);
        s.authenticationFailed();
        assertThat(s.authState()).isEqualTo(AuthState.FAILED);
        assertThat(s.principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
        assertThat(Session.transitionsInto(AuthState.FAILED)).isGreaterThan(before);
    }

    @Test
    void unauthenticatedCannotGoToItself() {
        Session s = sasl();
        assertThatThrownBy(() -> s.transitionTo(AuthState.UNAUTHENTICATED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot go from UNAUTHENTICATED to UNAUTHENTICATED");
        assertThat(s.authState()).isEqualTo(AuthState.UNAUTHENTICATED);
    }

    @Test
    void authenticatedCannotAuthenticateAgain() {
        Session s = Pipeline.plaintextSession();
        assertThatThrownBy(() -> s.authenticated(KafkaPrincipal.user("mallory")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(s.principal()).as("the principal is unchanged").isEqualTo(KafkaPrincipal.ANONYMOUS);
    }

    @Test
    void authenticatedCannotFail() {
        Session s = Pipeline.plaintextSession();
        assertThatThrownBy(s::authenticationFailed).isInstanceOf(IllegalStateException.class);
        assertThat(s.authState()).isEqualTo(AuthState.AUTHENTICATED);
    }

    @Test
    void authenticatedCannotGoBackToUnauthenticated() {
        Session s = Pipeline.plaintextSession();
        assertThatThrownBy(() -> s.transitionTo(AuthState.UNAUTHENTICATED)).isInstanceOf(IllegalStateException.class);
        assertThat(s.authState()).isEqualTo(AuthState.AUTHENTICATED);
    }

    @Test
    void failedCannotBecomeAuthenticated() {
        Session s = sasl();
        s.authenticationFailed();
        assertThatThrownBy(() -> s.authenticated(KafkaPrincipal.user("alice")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(s.authState()).isEqualTo(AuthState.FAILED);
        assertThat(s.principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
    }

    @Test
    void failedCannotGoBackToUnauthenticated() {
        Session s = sasl();
        s.authenticationFailed();
        assertThatThrownBy(() -> s.transitionTo(AuthState.UNAUTHENTICATED)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void failedCannotFailAgain() {
        Session s = sasl();
        s.authenticationFailed();
        assertThatThrownBy(s::authenticationFailed).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void whatEachStateAdmits() {
        for (ApiKeys api : ApiKeys.values()) {
            boolean sasl =
                    api == ApiKeys.API_VERSIONS || api == ApiKeys.SASL_HANDSHAKE || api == ApiKeys.SASL_AUTHENTICATE;
            assertThat(AuthState.UNAUTHENTICATED.admits(api))
                    .as("%s before authentication", api)
                    .isEqualTo(sasl);
            assertThat(AuthState.AUTHENTICATED.admits(api)).as("%s", api).isTrue();
            assertThat(AuthState.FAILED.admits(api)).as("%s after failure", api).isFalse();
        }
    }

    @Test
    void clientSoftwareFollowsKafkasRule() {
        for (String ok : new String[] {"a", "apache-kafka-java", "4.3.1", "librdkafka", "v1.2-rc.3", "X9"}) {
            assertThat(Session.validSoftwareString(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] {null, "", "-a", "a-", ".a", "a.", "a b", "a_b", "ä", "a/b"}) {
            assertThat(Session.validSoftwareString(bad)).as(String.valueOf(bad)).isFalse();
        }
        Session s = Pipeline.plaintextSession();
        assertThat(s.clientSoftware("ok", "bad version")).isFalse();
        assertThat(s.clientSoftwareName()).isEqualTo(Session.UNKNOWN_SOFTWARE);
        assertThat(s.clientSoftware("ok", "1.0")).isTrue();
        assertThat(s.clientSoftwareName()).isEqualTo("ok");
        assertThat(s.clientSoftwareVersion()).isEqualTo("1.0");
    }

    @Test
    void securityProtocolNamesAreReadAsConfigured() {
        assertThat(SecurityProtocol.forName("plaintext")).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(SecurityProtocol.forName("SASL_SSL").usesSasl).isTrue();
        assertThat(SecurityProtocol.forName("SASL_SSL").usesTls).isTrue();
        assertThatThrownBy(() -> SecurityProtocol.forName("TLS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown security protocol TLS");
    }
}
