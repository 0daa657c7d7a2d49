package io.skiff.broker.security.authz;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.KafkaPrincipal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Skiff's authorizer, with the semantics of Apache Kafka's StandardAuthorizer over the ACLs of the
 * metadata image:
 *
 * <ul>
 *   <li>a principal in {@code super.users} may do everything;
 *   <li>the ACLs that apply to a resource are the literal ones of its name, the literal wildcard
 *       {@code *} and the prefixed ones whose name starts the resource's; an entry applies when
 *       its principal is the caller's (or {@code User:*}) and its host the caller's (or {@code *});
 *   <li>a deny of the operation (or of ALL) wins over any allow; an allow of the operation, of
 *       ALL, or of one that implies it (READ, WRITE, DELETE or ALTER imply DESCRIBE; ALTER_CONFIGS
 *       implies DESCRIBE_CONFIGS; allows only) allows;
 *   <li>a resource with no ACL at all is allowed only with {@code allow.everyone.if.no.acl.found};
 *       a resource with ACLs, none of which allows the caller, is denied.
 * </ul>
 *
 * <p>A metadata listener: the index is rebuilt on the metadata thread whenever the ACLs change and
 * published through a volatile field, so lookups from any thread see one consistent set.
 * Thread-safe.
 */
public final class AclAuthorizer implements Authorizer, MetadataManager.Listener {
    /** The value of {@code authorizer.class.name} that names Apache Kafka's authorizer. */
    public static final String KAFKA_CLASS_NAME = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    /** Skiff's own name for this authorizer, also accepted in {@code authorizer.class.name}. */
    public static final String SKIFF_CLASS_NAME = "io.skiff.broker.security.authz.AclAuthorizer";

    private final Set<KafkaPrincipal> superUsers;
    private final boolean allowEveryoneIfNoAcl;
    private volatile AclIndex index = AclIndex.EMPTY;

    /**
     * @param superUsers           principals that may do everything ({@code super.users})
     * @param allowEveryoneIfNoAcl {@code allow.everyone.if.no.acl.found}
     */
    public AclAuthorizer(Set<KafkaPrincipal> superUsers, boolean allowEveryoneIfNoAcl) {
        this.superUsers = Set.copyOf(superUsers);
        this.allowEveryoneIfNoAcl = allowEveryoneIfNoAcl;
    }

    /** Whether {@code className} (the value of {@code authorizer.class.name}) names this authorizer. */
    public static boolean isThisAuthorizer(String className) {
        String n = className == null ? "" : className.trim();
        return n.equals(KAFKA_CLASS_NAME) || n.equals(SKIFF_CLASS_NAME);
    }

    /**
     * Parses {@code super.users}: principals {@code Type:name} separated by semicolons. Throws
     * {@link IllegalArgumentException} naming an entry without a type.
     */
    public static Set<KafkaPrincipal> parseSuperUsers(String value) {
        Set<KafkaPrincipal> out = new HashSet<>();
        if (value == null) {
            return out;
        }
        for (String part : value.split(";")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int colon = p.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected a principal as Type:name, got '" + p + "'");
            }
            out.add(new KafkaPrincipal(p.substring(0, colon), p.substring(colon + 1)));
        }
        return out;
    }

    @Override
    public void onLoad(MetadataImage image) {
        index = AclIndex.of(bindings(image));
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        if (previous.acls() != next.acls()) {
            index = AclIndex.of(bindings(next));
        }
    }

    private static List<AclBinding> bindings(MetadataImage image) {
        List<AclBinding> out = new ArrayList<>(image.acls().size());
        for (MetadataRecord.AclCreated r : image.acls().values()) {
            out.add(AclBinding.of(r));
        }
        return out;
    }

    /** The ACLs in force now. */
    public List<AclBinding> acls() {
        return index.all();
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public boolean authorize(
            KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name) {
        if (superUsers.contains(principal)) {
            return true;
        }
        AclIndex.Section section = index.section(type);
        if (section == null) {
            return allowEveryoneIfNoAcl;
        }
        // 0: no ACL on the resource; 1: ACLs, none allowing; 2: allowed; -1: denied
        int state = scan(section.literal.get(name), principal, host, operation, 0);
        if (state < 0) {
            return false;
        }
        List<AclIndex.Entry> prefixed = section.prefixed;
        for (int i = 0; i < prefixed.size(); i++) {
            AclIndex.Entry e = prefixed.get(i);
            if (name.startsWith(e.binding().resourceName())) {
                state = Math.max(state, 1);
                int r = result(e, principal, host, operation);
                if (r < 0) {
                    return false;
                }
                state = Math.max(state, r);
            }
        }
        if (!AclBinding.WILDCARD_RESOURCE.equals(name)) {
            state = scan(section.literal.get(AclBinding.WILDCARD_RESOURCE), principal, host, operation, state);
            if (state < 0) {
                return false;
            }
        }
        return state == 2 || (state == 0 && allowEveryoneIfNoAcl);
    }

    private static int scan(
            List<AclIndex.Entry> entries, KafkaPrincipal principal, String host, AclOperation op, int state) {
        if (entries == null) {
            return state;
        }
        int s = Math.max(state, 1);
        for (int i = 0; i < entries.size(); i++) {
            int r = result(entries.get(i), principal, host, op);
            if (r < 0) {
                return -1;
            }
            s = Math.max(s, r);
        }
        return s;
    }

    /** -1 when {@code e} denies the action, 2 when it allows it, 0 when it does not apply. */
    private static int result(AclIndex.Entry e, KafkaPrincipal principal, String host, AclOperation op) {
        if (!e.anyUser() && !principal.equals(e.principal())) {
            return 0;
        }
        if (!e.anyHost() && !e.binding().host().equals(host)) {
            return 0;
        }
        AclOperation aclOp = e.binding().operation();
        boolean allow = e.binding().permissionType() == AclPermissionType.ALLOW;
        if (aclOp != AclOperation.ALL && aclOp != op && !(allow && implies(aclOp, op))) {
            return 0;
        }
        return allow ? 2 : -1;
    }

    /** Kafka's implied operations, for allow ACLs only. */
    static boolean implies(AclOperation granted, AclOperation requested) {
        if (requested == AclOperation.DESCRIBE) {
            return granted == AclOperation.READ
                    || granted == AclOperation.WRITE
                    || granted == AclOperation.DELETE
                    || granted == AclOperation.ALTER;
        }
        return requested == AclOperation.DESCRIBE_CONFIGS && granted == AclOperation.ALTER_CONFIGS;
    }

    @Override
    public boolean authorizeByResourceType(
            KafkaPrincipal principal, String host, AclOperation operation, ResourceType type) {
        // A name no ACL can be about settles super users, and types without any ACL.
        if (authorize(principal, host, operation, type, "hardcode")) {
            return true;
        }
        Set<String> denyLiteral = new HashSet<>();
        Set<String> denyPrefixed = new HashSet<>();
        List<AclBinding> allows = new ArrayList<>();
        for (AclBinding b : index.all()) {
            if (b.resourceType() != type
                    || (!b.host().equals(host) && !b.host().equals(AclBinding.WILDCARD_HOST))
                    || (!b.principal().equals(principal.toString())
                            && !b.principal().equals(AclBinding.WILDCARD_PRINCIPAL))
                    || (b.operation() != operation && b.operation() != AclOperation.ALL)) {
                continue;
            }
            if (b.permissionType() == AclPermissionType.DENY) {
                if (b.patternType() == PatternType.LITERAL) {
                    if (b.resourceName().equals(AclBinding.WILDCARD_RESOURCE)) {
                        return false;
                    }
                    denyLiteral.add(b.resourceName());
                } else if (b.patternType() == PatternType.PREFIXED) {
                    denyPrefixed.add(b.resourceName());
                }
            } else if (b.permissionType() == AclPermissionType.ALLOW) {
                allows.add(b);
            }
        }
        for (AclBinding allow : allows) {
            if (allow.patternType() == PatternType.LITERAL
                    && allow.resourceName().equals(AclBinding.WILDCARD_RESOURCE)) {
                return true;
            }
        }
        for (AclBinding allow : allows) {
            String name = allow.resourceName();
            if (allow.patternType() == PatternType.LITERAL && denyLiteral.contains(name)) {
                continue;
            }
            boolean dominated = false;
            for (int len = 1; len <= name.length() && !dominated; len++) {
                dominated = denyPrefixed.contains(name.substring(0, len));
            }
            if (!dominated) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int authorizedOperations(KafkaPrincipal principal, String host, ResourceType type, String name) {
        int bits = 0;
        for (AclOperation op : SupportedOperations.of(type)) {
            if (authorize(principal, host, op, type, name)) {
                bits |= 1 << op.code;
            }
        }
        return bits;
    }

    @Override
    public String toString() {
        return "AclAuthorizer(" + index.all().size() + " ACLs, super users " + superUsers
                + ", allow.everyone.if.no.acl.found=" + allowEveryoneIfNoAcl + ")";
    }
}
