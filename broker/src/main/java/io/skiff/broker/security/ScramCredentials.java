package io.skiff.broker.security;

/**
 * Where SCRAM mechanisms look up a user's stored credential (salted, never the password): the
 * broker reads them from the metadata image. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ScramCredentials {
    /** No credentials at all. */
    ScramCredentials NONE = (user, mechanism) -> null;

    /** The credential of {@code user} for {@code mechanism}, or null when it has none. */
    ScramCredential lookup(String user, ScramMechanism mechanism);
}
