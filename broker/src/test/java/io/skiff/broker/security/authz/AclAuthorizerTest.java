package io.skiff.broker.security.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.KafkaPrincipal;
import io.skiff.wire.protocol.Uuid;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The authorizer's decisions, as Apache Kafka's StandardAuthorizer makes them. */
class AclAuthorizerTest {
    private static final KafkaPrincipal ALICE = KafkaPrincipal.user("alice");
    private static final KafkaPrincipal BOB = KafkaPrincipal.user("bob");
    private static final String HOST = "10.0.0.1";

    private static AclBinding allow(
            ResourceType type, String name, PatternType pattern, String principal, AclOperation op) {
        return new AclBinding(type, name, pattern, principal, "*", op, AclPermissionType.ALLOW);
    }

    private static AclBinding deny(
            ResourceType type, String name, PatternType pattern, String principal, AclOperation op) {
        return new AclBinding(type, name, pattern, principal, "*", op, AclPermissionType.DENY);
    }

    private static AclAuthorizer with(boolean allowEveryone, AclBinding... acls) {
        return with(Set.of(), allowEveryone, acls);
    }

    private static AclAuthorizer with(Set<KafkaPrincipal> superUsers, boolean allowEveryone, AclBinding... acls) {
        MetadataImage image = MetadataImage.EMPTY;
        for (AclBinding b : acls) {
            image = image.apply(b.toRecord(Uuid.random()));
        }
        AclAuthorizer authorizer = new AclAuthorizer(superUsers, allowEveryone);
        authorizer.onLoad(image);
        return authorizer;
    }

    private static boolean topic(AclAuthorizer a, KafkaPrincipal p, AclOperation op, String name) {
        return a.authorize(p, HOST, op, ResourceType.TOPIC, name);
    }

    @Test
    void literalAllowGrantsOnlyItsPrincipalItsOperationAndItsName() {
        AclAuthorizer a =
                with(false, allow(ResourceType.TOPIC, "orders", PatternType.LITERAL, "User:alice", AclOperation.READ));
        assertThat(topic(a, ALICE, AclOperation.READ, "orders")).isTrue();
        assertThat(topic(a, BOB, AclOperation.READ, "orders")).isFalse();
        assertThat(topic(a, ALICE, AclOperation.WRITE, "orders")).isFalse();
        assertThat(topic(a, ALICE, AclOperation.READ, "orders2")).isFalse();
    }

    @Test
    void prefixedAclsMatchNamesStartingWithThePrefixAndWildcardsMatchEveryName() {
        AclAuthorizer a = with(
                false,
                allow(ResourceType.TOPIC, "app-", PatternType.PREFIXED, "User:alice", AclOperation.WRITE),
                allow(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:bob", AclOperation.READ));
        assertThat(topic(a, ALICE, AclOperation.WRITE, "app-events")).isTrue();
        assertThat(topic(a, ALICE, AclOperation.WRITE, "ap")).isFalse();
        assertThat(topic(a, BOB, AclOperation.READ, "anything")).isTrue();
        assertThat(topic(a, BOB, AclOperation.READ, "app-events")).isTrue();
    }

    @Test
    void denyWinsOverAllowWhereverEitherComesFrom() {
        AclAuthorizer a = with(
                false,
                allow(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:*", AclOperation.ALL),
                deny(ResourceType.TOPIC, "secret-", PatternType.PREFIXED, "User:alice", AclOperation.READ));
        assertThat(topic(a, ALICE, AclOperation.READ, "secret-plans")).isFalse();
        assertThat(topic(a, ALICE, AclOperation.WRITE, "secret-plans")).isTrue();
        assertThat(topic(a, BOB, AclOperation.READ, "secret-plans")).isTrue();
    }

    @Test
    void allowAclsImplyDescribeAndDescribeConfigsButDenyAclsImplyNothing() {
        AclAuthorizer a = with(
                false,
                allow(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                allow(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", AclOperation.ALTER_CONFIGS),
                allow(ResourceType.TOPIC, "u", PatternType.LITERAL, "User:alice", AclOperation.DESCRIBE),
                deny(ResourceType.TOPIC, "u", PatternType.LITERAL, "User:alice", AclOperation.READ));
        assertThat(topic(a, ALICE, AclOperation.DESCRIBE, "t")).isTrue();
        assertThat(topic(a, ALICE, AclOperation.DESCRIBE_CONFIGS, "t")).isTrue();
        assertThat(topic(a, ALICE, AclOperation.READ, "t")).isFalse();
        assertThat(topic(a, ALICE, AclOperation.DESCRIBE, "u")).isTrue();
    }

    @Test
    void hostsMatchExactlyOrByWildcard() {
        AclAuthorizer a = with(
                false,
                new AclBinding(
                        ResourceType.GROUP,
                        "g",
                        PatternType.LITERAL,
                        "User:alice",
                        HOST,
                        AclOperation.READ,
                        AclPermissionType.ALLOW));
        assertThat(a.authorize(ALICE, HOST, AclOperation.READ, ResourceType.GROUP, "g"))
                .isTrue();
        assertThat(a.authorize(ALICE, "10.0.0.2", AclOperation.READ, ResourceType.GROUP, "g"))
                .isFalse();
    }

    @Test
    void aResourceWithoutAnyAclFollowsAllowEveryoneIfNoAclFound() {
        AclBinding other = allow(ResourceType.TOPIC, "other", PatternType.LITERAL, "User:bob", AclOperation.READ);
        assertThat(topic(with(true, other), ALICE, AclOperation.READ, "free")).isTrue();
        assertThat(topic(with(false, other), ALICE, AclOperation.READ, "free")).isFalse();
        // A resource with ACLs, none of them for alice, is denied even with the flag.
        assertThat(topic(with(true, other), ALICE, AclOperation.READ, "other")).isFalse();
        assertThat(with(true).authorize(ALICE, HOST, AclOperation.READ, ResourceType.GROUP, "g"))
                .isTrue();
    }

    @Test
    void superUsersMayDoEverythingDespiteDenies() {
        AclAuthorizer a = with(
                Set.of(ALICE), false, deny(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:*", AclOperation.ALL));
        assertThat(topic(a, ALICE, AclOperation.DELETE, "t")).isTrue();
        assertThat(topic(a, BOB, AclOperation.READ, "t")).isFalse();
    }

    @Test
    void authorizedOperationsListTheAllowedOperationsOfTheResourceType() {
        AclAuthorizer a =
                with(false, allow(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", AclOperation.READ));
        int ops = a.authorizedOperations(ALICE, HOST, ResourceType.TOPIC, "t");
        assertThat(ops).isEqualTo((1 << AclOperation.READ.code) | (1 << AclOperation.DESCRIBE.code));
    }

    @Test
    void authorizeByResourceTypeNeedsAnAllowThatNoDenyCovers() {
        AclBinding allowApp = allow(ResourceType.TOPIC, "app-1", PatternType.LITERAL, "User:alice", AclOperation.WRITE);
        assertThat(with(false, allowApp).authorizeByResourceType(ALICE, HOST, AclOperation.WRITE, ResourceType.TOPIC))
                .isTrue();
        assertThat(with(
                                false,
                                allowApp,
                                deny(ResourceType.TOPIC, "app", PatternType.PREFIXED, "User:alice", AclOperation.WRITE))
                        .authorizeByResourceType(ALICE, HOST, AclOperation.WRITE, ResourceType.TOPIC))
                .isFalse();
        assertThat(with(false, allowApp).authorizeByResourceType(BOB, HOST, AclOperation.WRITE, ResourceType.TOPIC))
                .isFalse();
    }

    @Test
    void aclChangesInTheMetadataReachTheAuthorizer() {
        AclAuthorizer a = with(false);
        AclBinding b = allow(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", AclOperation.READ);
        MetadataRecord.AclCreated r = b.toRecord(Uuid.random());
        MetadataImage next = MetadataImage.EMPTY.apply(r);
        a.onChange(MetadataImage.EMPTY, next, List.of(r));
        assertThat(topic(a, ALICE, AclOperation.READ, "t")).isTrue();
        assertThat(a.acls()).containsExactly(b);
    }

    @Test
    void superUsersParseAsSemicolonSeparatedPrincipals() {
        assertThat(AclAuthorizer.parseSuperUsers(" User:admin ;User:alice;"))
                .containsExactlyInAnyOrder(KafkaPrincipal.user("admin"), ALICE);
        assertThatThrownBy(() -> AclAuthorizer.parseSuperUsers("admin")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutAnAuthorizerEverythingIsAllowedWithEveryOperationOfTheType() {
        Authorizer none = Authorizer.ALLOW_ALL;
        assertThat(none.enabled()).isFalse();
        assertThat(none.authorize(ALICE, HOST, AclOperation.DELETE, ResourceType.TOPIC, "t"))
                .isTrue();
        assertThat(none.authorizedOperations(ALICE, HOST, ResourceType.TOPIC, "t"))
                .isEqualTo((1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11));
    }
}
