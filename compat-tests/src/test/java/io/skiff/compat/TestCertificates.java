package io.skiff.compat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Key stores and trust stores made by the JDK's keytool for one test class, in a directory of its
 * own: a self-signed server certificate for localhost and 127.0.0.1, a self-signed client
 * certificate ({@code CN=alice,OU=eng,O=skiff}), each side's trust store holding the other's
 * certificate, and PEM forms of the server's key and certificate. Every store's password is
 * {@link #PASSWORD}.
 */
final class TestCertificates {
    static final String PASSWORD = "test-store-secret";
    static final String CLIENT_DN = "CN=alice,OU=eng,O=skiff";

    final Path dir;
    final Path serverKeyStore;
    final Path serverTrustStore;
    final Path clientKeyStore;
    final Path clientTrustStore;
    /** The server's private key (unencrypted PKCS#8) followed by its certificate, in PEM. */
    final Path serverPem;
    /** The server's certificate in PEM (what a client trusts). */
    final String serverCertificatePem;
    /** The server's private key in PEM. */
    final String serverKeyPem;

    private TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        serverKeyStore = dir.resolve("server.p12");
        serverTrustStore = dir.resolve("server-trust.p12");
        clientKeyStore = dir.resolve("client.p12");
        clientTrustStore = dir.resolve("client-trust.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost,O=skiff",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                serverKeyStore.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        keytool(
                "-genkeypair",
                "-alias",
                "client",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                CLIENT_DN,
                "-storetype",
                "PKCS12",
                "-keystore",
                clientKeyStore.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        Path serverCert = dir.resolve("server.crt");
        Path clientCert = dir.resolve("client.crt");
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "server",
                "-keystore",
                serverKeyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                serverCert.toString());
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "client",
                "-keystore",
                clientKeyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                clientCert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "server",
                "-file",
                serverCert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                clientTrustStore.toString(),
                "-storepass",
                PASSWORD);
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "client",
                "-file",
                clientCert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                serverTrustStore.toString(),
                "-storepass",
                PASSWORD);
        serverCertificatePem = Files.readString(serverCert);
        serverKeyPem = privateKeyPem(serverKeyStore, "server");
        serverPem = dir.resolve("server.pem");
        Files.writeString(serverPem, serverKeyPem + serverCertificatePem);
    }

    /** New stores in a fresh temporary directory. */
    static TestCertificates create() {
        try {
            return new TestCertificates(Files.createTempDirectory("skiff-certs-"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make test certificates", e);
        }
    }

    void delete() {
        SkiffBrokerExtension.deleteRecursively(dir);
    }

    private static String privateKeyPem(Path keyStore, String alias) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Key key = ks.getKey(alias, PASSWORD.toCharArray());
        Certificate[] chain = ks.getCertificateChain(alias);
        if (chain == null || key == null) {
            throw new IllegalStateException("no key " + alias);
        }
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(
                    "keytool " + String.join(" ", args) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
