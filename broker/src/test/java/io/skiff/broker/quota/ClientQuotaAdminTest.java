package io.skiff.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager.Decision;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ClientQuotaAdmin}: Apache Kafka's checks and answers of AlterClientQuotas and DescribeClientQuotas. */
class ClientQuotaAdminTest {
    private MetadataImage image = MetadataImage.EMPTY;

    private static Map<String, String> entity(String... typeAndName) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < typeAndName.length; i += 2) {
            m.put(typeAndName[i], typeAndName[i + 1]);
        }
        return m;
    }

    private static ClientQuotaAdmin.Alteration set(Map<String, String> entity, String key, Double value) {
        return new ClientQuotaAdmin.Alteration(entity, List.of(new ClientQuotaAdmin.Op(key, value)));
    }

    private ClientQuotaAdmin.Result alter(boolean validateOnly, ClientQuotaAdmin.Alteration... alterations) {
        return alterAll(validateOnly, alterations).get(0);
    }

    private List<ClientQuotaAdmin.Result> alterAll(boolean validateOnly, ClientQuotaAdmin.Alteration... alterations) {
        Decision<List<ClientQuotaAdmin.Result>> d =
                ClientQuotaAdmin.decide(image, Arrays.asList(alterations), validateOnly);
        for (MetadataRecord r : d.records()) {
            image = image.apply(r);
        }
        return d.value();
    }

    @Test
    void aQuotaIsSetChangedAndRemoved() {
        Map<String, String> alice = entity("user", "alice");
        assertThat(alter(false, set(alice, "producer_byte_rate", 1024.0)).error())
                .isEqualTo(Errors.NONE);
        assertThat(image.clientQuotas()).containsEntry(alice, Map.of("producer_byte_rate", 1024.0));
        alter(false, set(alice, "producer_byte_rate", 2048.0));
        assertThat(image.clientQuotas().get(alice)).containsEntry("producer_byte_rate", 2048.0);
        assertThat(alter(false, set(alice, "producer_byte_rate", null)).error()).isEqualTo(Errors.NONE);
        assertThat(image.clientQuotas()).doesNotContainKey(alice);
    }

    @Test
    void defaultEntitiesHaveANullName() {
        Map<String, String> defaultUser = entity("user", null);
        alter(false, set(defaultUser, "consumer_byte_rate", 10.0));
        assertThat(image.clientQuotas()).containsKey(defaultUser);
    }

    @Test
    void validateOnlyChangesNothing() {
        assertThat(alter(true, set(entity("client-id", "app"), "producer_byte_rate", 1.0))
                        .error())
                .isEqualTo(Errors.NONE);
        assertThat(image.clientQuotas()).isEmpty();
    }

    @Test
    void anUnchangedValueWritesNoRecord() {
        alter(false, set(entity("client-id", "app"), "producer_byte_rate", 1.0));
        Decision<List<ClientQuotaAdmin.Result>> d = ClientQuotaAdmin.decide(
                image, List.of(set(entity("client-id", "app"), "producer_byte_rate", 1.0)), false);
        assertThat(d.records()).isEmpty();
    }

    @Test
    void badValuesGetKafkasErrorsAndChangeNothing() {
        Map<String, String> app = entity("client-id", "app");
        assertResult(set(app, "producer_byte_rate", -1.0), "Quota producer_byte_rate must be greater than 0");
        assertResult(set(app, "producer_byte_rate", 0.0), "Quota producer_byte_rate must be greater than 0");
        assertResult(set(app, "producer_byte_rate", 1.5), "producer_byte_rate cannot be a fractional value.");
        assertResult(set(app, "unknown_key", 1.0), "Invalid configuration key unknown_key");
        assertResult(set(app, "connection_creation_rate", 1.0), "Invalid configuration key connection_creation_rate");
        assertResult(
                set(entity("ip", "127.0.0.1"), "producer_byte_rate", 1.0),
                "Invalid configuration key producer_byte_rate");
        assertResult(
                set(entity("ip", "127.0.0.1"), "connection_creation_rate", 3e9),
                "Proposed value for connection_creation_rate is too large for an INT.");
        assertThat(image.clientQuotas()).isEmpty();
    }

    @Test
    void aFractionalRequestPercentageIsAccepted() {
        assertThat(alter(false, set(entity("user", "u"), "request_percentage", 12.5))
                        .error())
                .isEqualTo(Errors.NONE);
    }

    @Test
    void badEntitiesGetKafkasErrors() {
        assertResult(set(entity(), "producer_byte_rate", 1.0), "Invalid empty client quota entity");
        assertResult(set(entity("group", "g"), "producer_byte_rate", 1.0), "Unhandled client quota entity type: group");
        assertResult(set(entity("user", ""), "producer_byte_rate", 1.0), "Empty user not supported");
        assertResult(
                set(entity("ip", "127.0.0.1", "user", "u"), "connection_creation_rate", 1.0),
                "Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId");
        assertResult(
                set(entity("ip", "no such host.invalid"), "connection_creation_rate", 1.0),
                "no such host.invalid is not a valid IP or resolvable host.");
    }

    @Test
    void aDuplicateKeyRefusesTheWholeEntity() {
        Map<String, String> app = entity("client-id", "app");
        ClientQuotaAdmin.Result r = alter(
                false,
                new ClientQuotaAdmin.Alteration(
                        app,
                        List.of(
                                new ClientQuotaAdmin.Op("producer_byte_rate", 1.0),
                                new ClientQuotaAdmin.Op("producer_byte_rate", 2.0))));
        assertThat(r.error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(r.message()).startsWith("Ignoring duplicate entity");
        assertThat(image.clientQuotas()).isEmpty();
    }

    @Test
    void removingAnUnknownKeyIsNoError() {
        assertThat(alter(false, set(entity("user", "u"), "whatever", null)).error())
                .isEqualTo(Errors.NONE);
    }

    private void assertResult(ClientQuotaAdmin.Alteration a, String message) {
        ClientQuotaAdmin.Result r = alter(false, a);
        assertThat(r.error()).as(message).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(r.message()).isEqualTo(message);
    }

    // ---------------------------------------------------------------------------------------
    // describe

    private void given(Map<String, String> entity) {
        alter(false, set(entity, "producer_byte_rate", 100.0));
    }

    private static ClientQuotaAdmin.Component exact(String type, String name) {
        return new ClientQuotaAdmin.Component(type, ClientQuotaAdmin.MATCH_EXACT, name);
    }

    private static ClientQuotaAdmin.Component byDefault(String type) {
        return new ClientQuotaAdmin.Component(type, ClientQuotaAdmin.MATCH_DEFAULT, null);
    }

    private static ClientQuotaAdmin.Component specified(String type) {
        return new ClientQuotaAdmin.Component(type, ClientQuotaAdmin.MATCH_SPECIFIED, null);
    }

    private List<Map<String, String>> describe(boolean strict, ClientQuotaAdmin.Component... components) {
        ClientQuotaAdmin.Described d = ClientQuotaAdmin.describe(image, Arrays.asList(components), strict);
        assertThat(d.error()).isEqualTo(Errors.NONE);
        return new ArrayList<>(d.entries().keySet());
    }

    @Test
    void describeMatchesExactDefaultAndSpecifiedEntities() {
        Map<String, String> alice = entity("user", "alice");
        Map<String, String> defaultUser = entity("user", null);
        Map<String, String> aliceApp = entity("user", "alice", "client-id", "app");
        Map<String, String> app = entity("client-id", "app");
        given(alice);
        given(defaultUser);
        given(aliceApp);
        given(app);
        assertThat(describe(false, exact("user", "alice"))).containsExactlyInAnyOrder(alice, aliceApp);
        assertThat(describe(true, exact("user", "alice"))).containsExactly(alice);
        assertThat(describe(true, byDefault("user"))).containsExactly(defaultUser);
        assertThat(describe(false, specified("user"))).containsExactlyInAnyOrder(alice, defaultUser, aliceApp);
        assertThat(describe(true, specified("user"), specified("client-id"))).containsExactly(aliceApp);
        assertThat(describe(false)).hasSize(4);
        assertThat(describe(true)).isEmpty();
    }

    @Test
    void badFiltersGetKafkasErrors() {
        assertDescribeError(Errors.UNSUPPORTED_VERSION, "Unsupported entity type group", exact("group", "g"));
        assertDescribeError(Errors.INVALID_REQUEST, "Invalid empty entity type.", exact("", "g"));
        assertDescribeError(
                Errors.INVALID_REQUEST,
                "Entity type user cannot appear more than once in the filter.",
                exact("user", "a"),
                specified("user"));
        assertDescribeError(
                Errors.INVALID_REQUEST,
                "Request specified MATCH_TYPE_EXACT, but set match string to null.",
                exact("user", null));
        assertDescribeError(
                Errors.INVALID_REQUEST,
                "Invalid entity filter component combination. IP filter component should not be used with"
                        + " user or clientId filter component.",
                specified("ip"),
                specified("user"));
        assertDescribeError(
                Errors.INVALID_REQUEST, "Unknown match type 7", new ClientQuotaAdmin.Component("user", (byte) 7, null));
    }

    private void assertDescribeError(Errors error, String message, ClientQuotaAdmin.Component... components) {
        ClientQuotaAdmin.Described d = ClientQuotaAdmin.describe(image, Arrays.asList(components), false);
        assertThat(d.error()).isEqualTo(error);
        assertThat(d.message()).isEqualTo(message);
        assertThat(d.entries()).isNull();
    }
}
