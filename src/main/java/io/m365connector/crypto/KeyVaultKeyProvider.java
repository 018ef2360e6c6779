package io.m365connector.crypto;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Reads the token encryption key from a Key Vault secret (base64 of 32 random bytes). The current
 * version is cached per instance for {@code currentKeyTtl}, so a rotation (a new secret version) is
 * picked up within that time without a call per request; older versions are immutable and cached
 * for the life of the instance once read. While Key Vault is unreachable (or answers 429/5xx), the version already known
 * stays current; a missing secret or a refused read still fails.
 */
public final class KeyVaultKeyProvider implements KeyProvider {
    private static final Logger LOG = Logger.getLogger(KeyVaultKeyProvider.class.getName());
    /** While Key Vault is out, how long the known current key is used before Key Vault is asked again. */
    static final Duration STALE_RETRY = Duration.ofMinutes(1);
    private final SecretClient secrets;
    private final String secretName;
    private final Clock clock;
    private final Duration currentKeyTtl;
    private final Map<String, EncryptionKey> byVersion = new ConcurrentHashMap<>();
    private volatile EncryptionKey current;
    private volatile Instant currentReadAt = Instant.MIN;

    public KeyVaultKeyProvider(SecretClient secrets, String secretName, Clock clock, Duration currentKeyTtl) {
        this.secrets = Objects.requireNonNull(secrets, "'secrets' cannot be null.");
        this.secretName = Objects.requireNonNull(secretName, "'secretName' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.currentKeyTtl = Objects.requireNonNull(currentKeyTtl, "'currentKeyTtl' cannot be null.");
    }

    @Override
    public EncryptionKey current() {
        EncryptionKey cached = current;
        if (cached != null && clock.instant().isBefore(currentReadAt.plus(currentKeyTtl))) {
            return cached;
        }
        synchronized (this) {
            if (current != null && clock.instant().isBefore(currentReadAt.plus(currentKeyTtl))) {
                return current;
            }
            EncryptionKey key;
            try {
                key = read(null);
            } catch (KeyUnavailableException e) {
                if (current == null || !e.passing()) {
                    throw e;
                }
                // Key Vault out for a while: the version this instance knows seals and opens as before (a rotation made
                // meanwhile is picked up once it answers); failing instead would stop every sign-in and refresh.
                LOG.warning("Could not read the current token key again (" + e.getMessage() + "); going on with version "
                        + current.version() + " and asking again in " + STALE_RETRY.toSeconds() + " s");
                currentReadAt = clock.instant().minus(currentKeyTtl).plus(STALE_RETRY);
                return current;
            }
            byVersion.put(key.version(), key);
            current = key;
            currentReadAt = clock.instant();
            return key;
        }
    }

    @Override
    public EncryptionKey version(String version) {
        Objects.requireNonNull(version, "'version' cannot be null.");
        EncryptionKey cached = byVersion.get(version);
        if (cached != null) {
            return cached;
        }
        EncryptionKey key = read(version);
        byVersion.put(version, key);
        return key;
    }

    private EncryptionKey read(String version) {
        String what = "Key Vault secret '" + secretName + "'" + (version == null ? "" : " version " + version);
        KeyVaultSecret secret;
        try {
            secret = version == null ? secrets.getSecret(secretName) : secrets.getSecret(secretName, version);
        } catch (ResourceNotFoundException e) {
            throw new KeyUnavailableException(what + " does not exist in " + secrets.getVaultUrl()
                    + ". Create it (base64 of 32 random bytes) or fix TOKEN_KEY_SECRET_NAME.", e);
        } catch (HttpResponseException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
            String hint = status == 401 || status == 403
                    ? " The app's identity needs the 'Key Vault Secrets User' role on the vault."
                    : " Key Vault answered HTTP " + status + "; try again later.";
            throw new KeyUnavailableException("Cannot read " + what + "." + hint, e, status == 429 || status >= 500);
        } catch (RuntimeException e) {
            throw new KeyUnavailableException("Key Vault " + secrets.getVaultUrl() + " is unreachable ("
                    + e.getClass().getSimpleName() + "). Check network access and TOKEN_KEY_VAULT_URL; try again later.", e, true);
        }
        String readVersion = secret.getProperties() == null ? null : secret.getProperties().getVersion();
        if (readVersion == null || readVersion.isBlank()) {
            throw new KeyUnavailableException(what + " came back without a version.", null);
        }
        byte[] material;
        try {
            material = Base64.getDecoder().decode(secret.getValue().trim());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new KeyUnavailableException(what + " is not base64. Store 32 random bytes in base64 (openssl rand -base64 32).", null);
        }
        if (material.length != 32) {
            throw new KeyUnavailableException(what + " holds " + material.length
                    + " bytes; it must hold 32 (openssl rand -base64 32).", null);
        }
        return new EncryptionKey(readVersion, material);
    }
}
