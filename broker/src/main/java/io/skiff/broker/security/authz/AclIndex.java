package io.skiff.broker.security.authz;

import io.skiff.broker.network.KafkaPrincipal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ACLs of one metadata image arranged for lookups: per resource type, literal ACLs by name
 * (the wildcard {@code *} among them) and the prefixed ACLs. Built once per change of the ACLs,
 * then only read: immutable and thread-safe; a lookup allocates nothing.
 */
final class AclIndex {
    static final AclIndex EMPTY = new AclIndex(List.of());

    /** One ACL's entry, with its principal parsed once. */
    record Entry(AclBinding binding, KafkaPrincipal principal, boolean anyUser, boolean anyHost) {
        static Entry of(AclBinding b) {
            String p = b.principal();
            int colon = p.indexOf(':');
            KafkaPrincipal principal =
                    colon < 0 ? null : new KafkaPrincipal(p.substring(0, colon), p.substring(colon + 1));
            return new Entry(
                    b, principal, AclBinding.WILDCARD_PRINCIPAL.equals(p), AclBinding.WILDCARD_HOST.equals(b.host()));
        }
    }

    /** The ACLs of one resource type. */
    static final class Section {
        final Map<String, List<Entry>> literal = new HashMap<>();
        final List<Entry> prefixed = new ArrayList<>();
    }

    private final Section[] sections = new Section[ResourceType.values().length];
    private final List<AclBinding> all;

    private AclIndex(Collection<AclBinding> bindings) {
        List<AclBinding> list = new ArrayList<>(bindings.size());
        for (AclBinding b : bindings) {
            list.add(b);
            Section s = sections[b.resourceType().ordinal()];
            if (s == null) {
                s = new Section();
                sections[b.resourceType().ordinal()] = s;
            }
            Entry e = Entry.of(b);
            if (b.patternType() == PatternType.PREFIXED) {
                s.prefixed.add(e);
            } else {
                s.literal
                        .computeIfAbsent(b.resourceName(), k -> new ArrayList<>())
                        .add(e);
            }
        }
        this.all = Collections.unmodifiableList(list);
    }

    static AclIndex of(Collection<AclBinding> bindings) {
        return bindings.isEmpty() ? EMPTY : new AclIndex(bindings);
    }

    /** The ACLs of {@code type}, or null when there are none. */
    Section section(ResourceType type) {
        return sections[type.ordinal()];
    }

    /** Every ACL. */
    List<AclBinding> all() {
        return all;
    }
}
