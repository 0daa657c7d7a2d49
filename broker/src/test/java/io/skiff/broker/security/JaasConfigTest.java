package io.skiff.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Kafka's sasl.jaas.config syntax; errors never quote the text. */
class JaasConfigTest {
    @Test
    void readsTheModuleAndItsOptions() {
        JaasConfig c = JaasConfig.parse("org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"admin\" password=\"a\\\"b\" user_alice=alice-secret;");
        assertThat(c.loginModule()).isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule");
        assertThat(c.options())
                .containsEntry("username", "admin")
                .containsEntry("password", "a\"b")
                .containsEntry("user_alice", "alice-secret");
        assertThat(c.toString()).doesNotContain("alice-secret");
    }

    @Test
    void refusesTextWithoutFlagOrEndOrWithTwoModules() {
        assertThatThrownBy(() -> JaasConfig.parse("M user_a=\"secret\";")).hasMessageNotContaining("secret\"");
        assertThatThrownBy(() -> JaasConfig.parse("M required user_a=\"x\"")).hasMessageContaining("not ended");
        assertThatThrownBy(() -> JaasConfig.parse("M required; N required;")).hasMessageContaining("more than one");
    }
}
