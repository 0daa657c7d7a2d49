package io.skiff.broker.security.authz;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Adds, removes and lists ACLs in the metadata log with Apache Kafka's checks and messages
 * (CreateAcls, DeleteAcls, DescribeAcls). Additions and removals are decided on the metadata
 * thread against the current image; an ACL equal to an existing one is not added twice, and its
 * creation still succeeds, as in Kafka. Thread-safe.
 */
public final class AclAdmin {
    /** The outcome of one creation, or of one deletion filter (with the bindings it removed). */
    public record Outcome(Errors error, String message, List<AclBinding> deleted) {
        static final Outcome OK = new Outcome(Errors.NONE, null, List.of());

        static Outcome error(Errors error, String message) {
            return new Outcome(error, message, List.of());
        }
    }

    private final MetadataManager metadata;

    public AclAdmin(MetadataManager metadata) {
        this.metadata = metadata;
    }

    /** The ACLs that pass {@code filter}, in the order they were added. */
    public List<AclBinding> describe(AclBindingFilter filter) {
        List<AclBinding> out = new ArrayList<>();
        for (MetadataRecord.AclCreated r : metadata.image().acls().values()) {
            AclBinding b = AclBinding.of(r);
            if (filter.matches(b)) {
                out.add(b);
            }
        }
        return out;
    }

    /** Adds {@code bindings}; one outcome per binding, in order. */
    public CompletableFuture<List<Outcome>> create(List<AclBinding> bindings) {
        return metadata.write(image -> decideCreate(image, bindings));
    }

    /** Removes every ACL that passes one of {@code filters}; one outcome per filter, in order. */
    public CompletableFuture<List<Outcome>> delete(List<AclBindingFilter> filters) {
        return metadata.write(image -> decideDelete(image, filters));
    }

    private static MetadataManager.Decision<List<Outcome>> decideCreate(
            MetadataImage image, List<AclBinding> bindings) {
        Set<AclBinding> existing = new HashSet<>();
        Set<Uuid> ids = new HashSet<>(image.acls().keySet());
        for (MetadataRecord.AclCreated r : image.acls().values()) {
            existing.add(AclBinding.of(r));
        }
        List<MetadataRecord> records = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>(bindings.size());
        for (AclBinding b : bindings) {
            String invalid = invalidReason(b);
            if (invalid != null) {
                outcomes.add(Outcome.error(Errors.INVALID_REQUEST, invalid));
                continue;
            }
            if (existing.add(b)) {
                Uuid id;
                do {
                    id = Uuid.random();
                } while (!ids.add(id));
                records.add(b.toRecord(id));
            }
            outcomes.add(Outcome.OK);
        }
        return new MetadataManager.Decision<>(records, outcomes);
    }

    /** Why Kafka refuses to create {@code b}, or null when it may be created. */
    static String invalidReason(AclBinding b) {
        if (b.resourceType() == ResourceType.CLUSTER && !ResourceType.CLUSTER_NAME.equals(b.resourceName())) {
            return "The only valid name for the CLUSTER resource is " + ResourceType.CLUSTER_NAME;
        }
        if (b.resourceName().isEmpty()) {
            return "Invalid empty resource name";
        }
        if (b.resourceType() == ResourceType.UNKNOWN || b.resourceType() == ResourceType.ANY) {
            return "Invalid resourceType " + b.resourceType();
        }
        if (b.patternType() != PatternType.LITERAL && b.patternType() != PatternType.PREFIXED) {
            return "Invalid patternType " + b.patternType();
        }
        if (b.operation() == AclOperation.UNKNOWN || b.operation() == AclOperation.ANY) {
            return "Invalid operation " + b.operation();
        }
        if (b.permissionType() != AclPermissionType.ALLOW && b.permissionType() != AclPermissionType.DENY) {
            return "Invalid permissionType " + b.permissionType();
        }
        if (b.principal().indexOf(':') <= 0) {
            return "Could not parse principal from `" + b.principal() + "` (no colon is present separating the"
                    + " principal type from the principal name)";
        }
        return null;
    }

    private static MetadataManager.Decision<List<Outcome>> decideDelete(
            MetadataImage image, List<AclBindingFilter> filters) {
        Set<Uuid> removed = new LinkedHashSet<>();
        List<Outcome> outcomes = new ArrayList<>(filters.size());
        for (AclBindingFilter f : filters) {
            if (f.resourceType() == ResourceType.UNKNOWN || f.patternType() == PatternType.UNKNOWN) {
                outcomes.add(Outcome.error(Errors.INVALID_REQUEST, "Unknown patternFilter."));
                continue;
            }
            if (f.operation() == AclOperation.UNKNOWN || f.permissionType() == AclPermissionType.UNKNOWN) {
                outcomes.add(Outcome.error(Errors.INVALID_REQUEST, "Unknown entryFilter."));
                continue;
            }
            List<AclBinding> deleted = new ArrayList<>();
            for (Map.Entry<Uuid, MetadataRecord.AclCreated> e : image.acls().entrySet()) {
                AclBinding b = AclBinding.of(e.getValue());
                if (f.matches(b)) {
                    deleted.add(b);
                    removed.add(e.getKey());
                }
            }
            outcomes.add(new Outcome(Errors.NONE, null, deleted));
        }
        List<MetadataRecord> records = new ArrayList<>(removed.size());
        for (Uuid id : removed) {
            records.add(new MetadataRecord.AclRemoved(id));
        }
        return new MetadataManager.Decision<>(records, outcomes);
    }
}
