package io.skiff.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SingleNodeChecksTest {
    /** A combined single node as Kafka's quick start configures one, plus {@code extra}. */
    private static Map<String, String> combined(String... extra) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        for (int i = 0; i < extra.length; i += 2) {
            p.put(extra[i], extra[i + 1]);
        }
        return p;
    }

    @Test
    void thisNodeAsItsOwnQuorumIsAcceptedAndItsControllerListenerIsNotBound() {
        BrokerConfig c = new BrokerConfig(combined("controller.quorum.voters", "1@127.0.0.1:9093"));
        assertThat(c.listeners()).extracting(EndPoint::toString).containsExactly("PLAINTEXT://127.0.0.1:9092");
        new BrokerConfig(combined("controller.quorum.bootstrap.servers", "127.0.0.1:9093"));
        new BrokerConfig(combined(
                "controller.quorum.bootstrap.servers",
                "localhost:9093",
                "listeners",
                "PLAINTEXT://:9092,CONTROLLER://:9093"));
        new BrokerConfig(combined("controller.quorum.voters", "1@[::1]:9093"));
        new BrokerConfig(combined("process.roles", "controller, broker", "controller.quorum.voters", ""));
    }

    @Test
    void rolesOtherThanBrokerAndControllerTogetherAreRefused() {
        assertThatThrownBy(() -> new BrokerConfig(combined("process.roles", "broker")))
                .hasMessageContaining("Invalid value broker for configuration process.roles")
                .hasMessageContaining("broker-only");
        assertThatThrownBy(() -> new BrokerConfig(combined("process.roles", "controller")))
                .hasMessageContaining("Invalid value controller for configuration process.roles")
                .hasMessageContaining("controller-only");
        assertThatThrownBy(() -> new BrokerConfig(combined("process.roles", "broker,observer")))
                .hasMessageContaining("process.roles")
                .hasMessageContaining("unknown role 'observer'");
    }

    @Test
    void severalVotersMakeAReplicatedQuorumWhoseVoterAddressMustBeAControllerListener() {
        BrokerConfig c = new BrokerConfig(combined(
                "controller.quorum.voters",
                "1@127.0.0.1:9093,2@127.0.0.2:9093,3@127.0.0.3:9093",
                "controller.quorum.bootstrap.servers",
                "127.0.0.2:9093,127.0.0.3:9093",
                "metadata.log.dir",
                "/tmp/elsewhere"));
        assertThat(c.quorum().replicated()).isTrue();
        assertThat(c.quorum().voters()).extracting(QuorumConfig.Voter::nodeId).containsExactly(1, 2, 3);
        assertThat(c.quorum().self().address()).isEqualTo("127.0.0.1:9093");
        assertThat(c.quorum().metadataDir()).hasToString("/tmp/elsewhere");
        assertThatThrownBy(() ->
                        new BrokerConfig(combined("controller.quorum.voters", "1@127.0.0.1:9094,2@127.0.0.2:9093")))
                .hasMessageContaining("controller.quorum.voters")
                .hasMessageContaining("no controller listener of this node");
        assertThat(new BrokerConfig(combined("controller.quorum.voters", "1@127.0.0.1:9093"))
                        .quorum()
                        .replicated())
                .isFalse();
    }

    @Test
    void votersNamingAnotherNodeAreRefused() {
        assertThatThrownBy(() -> new BrokerConfig(
                        combined("controller.quorum.voters", "2@127.0.0.1:9093,3@127.0.0.2:9093,4@127.0.0.3:9093")))
                .hasMessageContaining(
                        "Invalid value 2@127.0.0.1:9093,3@127.0.0.2:9093,4@127.0.0.3:9093 for configuration"
                                + " controller.quorum.voters")
                .hasMessageContaining("does not name this node (node.id=1)");
        assertThatThrownBy(() -> new BrokerConfig(combined("controller.quorum.voters", "3@127.0.0.1:9093")))
                .hasMessageContaining("names node 3, but this is node 1");
        assertThatThrownBy(() -> new BrokerConfig(combined("controller.quorum.voters", "1@a:9093,1@b:9093")))
                .hasMessageContaining("names node 1 twice");
        assertThatThrownBy(() -> new BrokerConfig(combined("controller.quorum.voters", "localhost:9093")))
                .hasMessageContaining("controller.quorum.voters")
                .hasMessageContaining("expected id@host:port");
    }

    @Test
    void bootstrapServersOtherThanThisNodesControllerListenerAreRefused() {
        assertThatThrownBy(() -> new BrokerConfig(
                        combined("controller.quorum.bootstrap.servers", "127.0.0.1:9093,10.0.0.2:9093")))
                .hasMessageContaining("controller.quorum.bootstrap.servers")
                .hasMessageContaining("names 2 servers");
        // 192.0.2.1 is TEST-NET-1: never an address of this machine.
        assertThatThrownBy(() -> new BrokerConfig(combined(
                        "controller.quorum.bootstrap.servers",
                        "192.0.2.1:9093",
                        "listeners",
                        "PLAINTEXT://:9092,CONTROLLER://:9093")))
                .hasMessageContaining(
                        "Invalid value 192.0.2.1:9093 for configuration controller.quorum.bootstrap.servers")
                .hasMessageContaining("is not the address of a controller listener of this node");
        assertThatThrownBy(() -> new BrokerConfig(combined("controller.quorum.bootstrap.servers", "127.0.0.1:9094")))
                .hasMessageContaining("is not the address of a controller listener");
        assertThatThrownBy(() -> new BrokerConfig(combined(
                        "controller.quorum.bootstrap.servers",
                        "127.0.0.1:9093",
                        "listeners",
                        "PLAINTEXT://127.0.0.1:9092")))
                .hasMessageContaining("is not the address of a controller listener");
    }

    @Test
    void listenersOfEveryProtocolAreAccepted() {
        BrokerConfig c = new BrokerConfig(Map.of(
                "listeners",
                "PLAINTEXT://:9092,SSL://:9093,SASL_PLAINTEXT://:9094,EXTERNAL://:9095",
                "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,EXTERNAL:SASL_SSL"));
        assertThat(c.listeners())
                .extracting(e -> e.securityProtocol)
                .containsExactly("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    }

    @Test
    void protocolMapEntriesNoListenerUsesAreAccepted() {
        BrokerConfig c = new BrokerConfig(Map.of(
                "listeners",
                "PLAINTEXT://:9092",
                "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL"));
        assertThat(c.listeners()).hasSize(1);
    }

    @Test
    void controllerListenersAreNotAdvertisedToClients() {
        BrokerConfig c = new BrokerConfig(
                combined("advertised.listeners", "PLAINTEXT://broker.example:9092,CONTROLLER://broker.example:9093"));
        assertThat(c.advertisedListeners())
                .extracting(EndPoint::toString)
                .containsExactly("PLAINTEXT://broker.example:9092");
        assertThatThrownBy(() -> new BrokerConfig(combined("advertised.listeners", "CONTROLLER://broker.example:9093")))
                .hasMessageContaining("advertised.listeners")
                .hasMessageContaining("no broker listener is advertised");
    }

    @Test
    void interBrokerListenerMustBeOneOfThisNodesBrokerListeners() {
        new BrokerConfig(combined("inter.broker.listener.name", "plaintext"));
        assertThatThrownBy(() -> new BrokerConfig(combined("inter.broker.listener.name", "INTERNAL")))
                .hasMessageContaining("Invalid value INTERNAL for configuration inter.broker.listener.name");
        assertThatThrownBy(() -> new BrokerConfig(combined("inter.broker.listener.name", "CONTROLLER")))
                .hasMessageContaining("inter.broker.listener.name");
    }

    @Test
    void metadataLogDirMustBeTheFirstLogDir(@TempDir Path dir) {
        Path data = dir.resolve("data");
        new BrokerConfig(Map.of("log.dirs", data + "," + dir.resolve("more"), "metadata.log.dir", data + "/"));
        assertThatThrownBy(() -> new BrokerConfig(Map.of(
                        "log.dirs",
                        data.toString(),
                        "metadata.log.dir",
                        dir.resolve("kraft").toString())))
                .hasMessageContaining("Invalid value " + dir.resolve("kraft") + " for configuration metadata.log.dir")
                .hasMessageContaining("set it to " + data);
    }
}
