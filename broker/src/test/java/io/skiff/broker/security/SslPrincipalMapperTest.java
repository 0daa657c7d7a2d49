package io.skiff.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** ssl.principal.mapping.rules as Kafka reads them. */
class SslPrincipalMapperTest {
    @Test
    void defaultKeepsTheDistinguishedName() {
        assertThat(SslPrincipalMapper.parse("DEFAULT").name("CN=alice,OU=eng")).isEqualTo("CN=alice,OU=eng");
        assertThat(SslPrincipalMapper.parse("").name("CN=a")).isEqualTo("CN=a");
    }

    @Test
    void theFirstMatchingRuleWinsWithItsCaseChange() {
        SslPrincipalMapper m = SslPrincipalMapper.parse(
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, RULE:^CN=(.*?),OU=(.*?)$/$1@$2/U, DEFAULT");
        assertThat(m.name("CN=Kafka,OU=ServiceUsers,O=x")).isEqualTo("kafka");
        assertThat(m.name("CN=bob,OU=eng")).isEqualTo("BOB@ENG");
        assertThat(m.name("O=other")).isEqualTo("O=other");
    }

    @Test
    void aNameNoRuleMatchesCannotBeMapped() {
        assertThatThrownBy(() -> SslPrincipalMapper.parse("RULE:^CN=(.*)$/$1/").name("O=x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No rules apply");
    }

    @Test
    void malformedRulesAreRefused() {
        assertThatThrownBy(() -> SslPrincipalMapper.parse("RULE:^CN=(.*)$"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SslPrincipalMapper.parse("NOPE")).isInstanceOf(IllegalArgumentException.class);
    }
}
