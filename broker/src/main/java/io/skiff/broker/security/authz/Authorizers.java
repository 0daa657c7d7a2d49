package io.skiff.broker.security.authz;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the broker's {@link Authorizer} from its configuration. Stateless. */
public final class Authorizers {
    private static final Logger LOG = LoggerFactory.getLogger(Authorizers.class);

    private Authorizers() {}

    /**
     * {@link Authorizer#ALLOW_ALL} without {@code authorizer.class.name}; otherwise an
     * {@link AclAuthorizer} with {@code super.users} and {@code allow.everyone.if.no.acl.found},
     * listening to {@code metadata} (loaded with its ACLs before this returns).
     */
    public static Authorizer fromConfig(BrokerConfig config, MetadataManager metadata) {
        if (!config.authorizerEnabled()) {
            return Authorizer.ALLOW_ALL;
        }
        AclAuthorizer authorizer = new AclAuthorizer(
                AclAuthorizer.parseSuperUsers(config.getString(BrokerConfig.SUPER_USERS)),
                config.getBoolean(BrokerConfig.ALLOW_EVERYONE_IF_NO_ACL_FOUND));
        metadata.addListener(authorizer);
        LOG.info("Authorizer on: {}", authorizer);
        return authorizer;
    }
}
