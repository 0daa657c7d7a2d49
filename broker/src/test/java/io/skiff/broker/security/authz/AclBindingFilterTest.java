package io.skiff.broker.security.authz;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Filter matching as DescribeAcls and DeleteAcls apply it, in every form Kafka's tools send. */
class AclBindingFilterTest {
    private static final AclBinding LITERAL = new AclBinding(
            ResourceType.TOPIC,
            "orders",
            PatternType.LITERAL,
            "User:alice",
            "*",
            AclOperation.READ,
            AclPermissionType.ALLOW);
    private static final AclBinding WILDCARD = new AclBinding(
            ResourceType.TOPIC, "*", PatternType.LITERAL, "User:bob", "*", AclOperation.WRITE, AclPermissionType.ALLOW);
    private static final AclBinding PREFIXED = new AclBinding(
            ResourceType.TOPIC,
            "ord",
            PatternType.PREFIXED,
            "User:alice",
            "*",
            AclOperation.READ,
            AclPermissionType.DENY);
    private static final AclBinding GROUP = new AclBinding(
            ResourceType.GROUP,
            "orders",
            PatternType.LITERAL,
            "User:alice",
            "*",
            AclOperation.READ,
            AclPermissionType.ALLOW);

    private static AclBindingFilter filter(ResourceType type, String name, PatternType pattern) {
        return new AclBindingFilter(type, name, pattern, null, null, AclOperation.ANY, AclPermissionType.ANY);
    }

    @Test
    void anyMatchesEveryBinding() {
        AclBindingFilter any = filter(ResourceType.ANY, null, PatternType.ANY);
        assertThat(any.matches(LITERAL) && any.matches(WILDCARD) && any.matches(PREFIXED) && any.matches(GROUP))
                .isTrue();
    }

    @Test
    void matchFindsTheLiteralTheWildcardAndThePrefixesThatApplyToAName() {
        AclBindingFilter match = filter(ResourceType.TOPIC, "orders", PatternType.MATCH);
        assertThat(match.matches(LITERAL)).isTrue();
        assertThat(match.matches(WILDCARD)).isTrue();
        assertThat(match.matches(PREFIXED)).isTrue();
        assertThat(match.matches(GROUP)).isFalse();
        assertThat(filter(ResourceType.TOPIC, "other", PatternType.MATCH).matches(PREFIXED))
                .isFalse();
    }

    @Test
    void aConcretePatternTypeMatchesThatTypeAndExactName() {
        assertThat(filter(ResourceType.TOPIC, "orders", PatternType.LITERAL).matches(LITERAL))
                .isTrue();
        assertThat(filter(ResourceType.TOPIC, "orders", PatternType.LITERAL).matches(WILDCARD))
                .isFalse();
        assertThat(filter(ResourceType.TOPIC, "ord", PatternType.PREFIXED).matches(PREFIXED))
                .isTrue();
        assertThat(filter(ResourceType.TOPIC, "orders", PatternType.PREFIXED).matches(PREFIXED))
                .isFalse();
        assertThat(filter(ResourceType.ANY, "orders", PatternType.ANY).matches(GROUP))
                .isTrue();
    }

    @Test
    void entryFieldsFilterByPrincipalHostOperationAndPermission() {
        AclBindingFilter f = new AclBindingFilter(
                ResourceType.ANY, null, PatternType.ANY, "User:alice", "*", AclOperation.READ, AclPermissionType.DENY);
        assertThat(f.matches(PREFIXED)).isTrue();
        assertThat(f.matches(LITERAL)).isFalse();
        assertThat(f.matches(WILDCARD)).isFalse();
    }

    @Test
    void unknownCodesMakeAnUnknownFilter() {
        assertThat(new AclBindingFilter(
                                ResourceType.forCode((byte) 42),
                                null,
                                PatternType.ANY,
                                null,
                                null,
                                AclOperation.ANY,
                                AclPermissionType.ANY)
                        .isUnknown())
                .isTrue();
        assertThat(filter(ResourceType.ANY, null, PatternType.ANY).isUnknown()).isFalse();
    }
}
