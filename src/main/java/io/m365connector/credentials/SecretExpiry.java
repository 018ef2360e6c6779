package io.m365connector.credentials;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/** Where a client secret's expiry is read from when it lives in Key Vault (its {@code expires} attribute). */
@FunctionalInterface
public interface SecretExpiry {
    SecretExpiry NONE = url -> Optional.empty();

    /** The secret's {@code expires} attribute; empty when it has none. Throws when the vault cannot be read. */
    Optional<Instant> expiresOn(URI secretUrl);
}
