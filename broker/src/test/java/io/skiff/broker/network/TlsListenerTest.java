package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.security.ListenerSecurities;
import io.skiff.broker.security.ScramCredentials;
import io.skiff.wire.message.ApiVersionsRequest;
import io.skiff.wire.protocol.ApiKeys;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS listeners over real sockets: an SSL session's principal is the client certificate's name
 * through ssl.principal.mapping.rules (ANONYMOUS without one), a listener that requires client
 * certificates refuses a client without one, and garbage or a plaintext request on a TLS port
 * closes only that connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsListenerTest {
    private static TestCertificates certs;
    private static SkiffServer server;
    private static final CopyOnWriteArrayList<Session> SESSIONS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create();
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,MTLS://127.0.0.1:0");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL");
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", certs.serverKeyStore.toString());
        props.put("ssl.keystore.password", TestCertificates.PASSWORD);
        props.put("listener.name.mtls.ssl.client.auth", "required");
        props.put("listener.name.mtls.ssl.truststore.type", "PKCS12");
        props.put("listener.name.mtls.ssl.truststore.location", certs.serverTrustStore.toString());
        props.put("listener.name.mtls.ssl.truststore.password", TestCertificates.PASSWORD);
        props.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]*),OU=([^,]*),.*$/$1@$2/U,DEFAULT");
        BrokerConfig config = new BrokerConfig(props);
        StubHandler handler = new StubHandler(ApiKeys.API_VERSIONS, 0, 4, rc -> {
            SESSIONS.add(rc.session());
            return rc.api.newResponse();
        });
        server = new SkiffServer(
                config,
                new ApiDispatcher(false).register(handler),
                NeverThrottle.INSTANCE,
                new ConnectionQuotas(ConnectionQuotas.Limits.of(config), System::currentTimeMillis),
                ListenerSecurities.of(config, ScramCredentials.NONE));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.shutdown();
        certs.delete();
    }

    @Test
    void aClientCertificateIsMappedToThePrincipal() throws Exception {
        Session s = apiVersionsOver(tlsSocket("MTLS", true));
        assertThat(s.securityProtocol()).isEqualTo(SecurityProtocol.SSL);
        assertThat(s.principal()).isEqualTo(KafkaPrincipal.user("ALICE@ENG"));
    }

    @Test
    void withoutAClientCertificateTheSessionIsAnonymous() throws Exception {
        Session s = apiVersionsOver(tlsSocket("SSL", false));
        assertThat(s.principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
        assertThat(s.listenerName()).isEqualTo("SSL");
    }

    @Test
    void aListenerThatRequiresCertificatesRefusesAClientWithout() throws Exception {
        try (SSLSocket socket = tlsSocket("MTLS", false)) {
            boolean refused;
            try {
                socket.startHandshake();
                socket.getOutputStream().write(apiVersions());
                refused = socket.getInputStream().read() < 0;
            } catch (IOException expected) {
                refused = true;
            }
            assertThat(refused).isTrue();
        }
        // the listener still serves clients with a certificate
        assertThat(apiVersionsOver(tlsSocket("MTLS", true)).principal().name()).isEqualTo("ALICE@ENG");
    }

    @Test
    void garbageOnATlsPortClosesOnlyThatConnection() throws Exception {
        assertClosedAfterWriting(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        assertThat(apiVersionsOver(tlsSocket("SSL", false)).listenerName()).isEqualTo("SSL");
    }

    @Test
    void aPlaintextRequestOnATlsPortClosesOnlyThatConnection() throws Exception {
        assertClosedAfterWriting(apiVersions());
        assertThat(apiVersionsOver(tlsSocket("SSL", false)).listenerName()).isEqualTo("SSL");
    }

    private static void assertClosedAfterWriting(byte[] bytes) throws Exception {
        int before = SESSIONS.size();
        try (Socket socket = new Socket("127.0.0.1", server.boundPort("SSL"))) {
            socket.getOutputStream().write(bytes);
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // a TLS alert may come first; the connection then ends
                }
            } catch (SocketException reset) {
                // closed by the server
            }
        }
        assertThat(SESSIONS).hasSize(before);
    }

    private static Session apiVersionsOver(SSLSocket socket) throws Exception {
        int before = SESSIONS.size();
        try (socket) {
            socket.getOutputStream().write(apiVersions());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            if (size <= 0) {
                throw new EOFException("bad answer");
            }
            in.readFully(new byte[size]);
        }
        assertThat(SESSIONS).hasSize(before + 1);
        return SESSIONS.get(before);
    }

    private static byte[] apiVersions() {
        return Pipeline.request(ApiKeys.API_VERSIONS, 2, 1, "tls-test", new ApiVersionsRequest());
    }

    private static SSLSocket tlsSocket(String listener, boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certs.clientTrustStore)) {
            trust.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCertificate) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(certs.clientKeyStore)) {
                keys.load(in, TestCertificates.PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, TestCertificates.PASSWORD.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.boundPort(listener));
        socket.setSoTimeout(20_000);
        return socket;
    }
}
