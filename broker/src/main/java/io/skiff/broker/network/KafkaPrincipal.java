package io.skiff.broker.network;

import java.util.Objects;

/**
 * Who a connection acts as, as Apache Kafka names it: a principal type ({@code User} for every
 * built-in authentication) and a name, written {@code type:name} as in ACLs. Connections that do
 * not authenticate (PLAINTEXT) act as {@link #ANONYMOUS}. Immutable.
 *
 * @param principalType the type, {@code User} for every principal Kafka's authenticators produce
 * @param name          the user name
 */
public record KafkaPrincipal(String principalType, String name) {
    public static final String USER_TYPE = "User";
    /** The principal of connections on listeners without authentication. */
    public static final KafkaPrincipal ANONYMOUS = new KafkaPrincipal(USER_TYPE, "ANONYMOUS");

    public KafkaPrincipal {
        Objects.requireNonNull(principalType, "principalType");
        Objects.requireNonNull(name, "name");
    }

    /** A principal of type {@code User}. */
    public static KafkaPrincipal user(String name) {
        return new KafkaPrincipal(USER_TYPE, name);
    }

    /** {@code type:name}, the form ACLs and logs use. */
    @Override
    public String toString() {
        return principalType + ":" + name;
    }
}
