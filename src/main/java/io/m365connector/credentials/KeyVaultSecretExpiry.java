package io.m365connector.credentials;

import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Reads a Key Vault secret's {@code expires} attribute with the app's identity (Key Vault Secrets
 * User may read it). Key Vault does not enforce it: an expired secret is still served, which is why
 * the connector warns ahead instead of relying on the vault.
 */
public final class KeyVaultSecretExpiry implements SecretExpiry {
    private final Function<String, SecretClient> clientForVault;
    private final Map<String, SecretClient> clients = new ConcurrentHashMap<>();

    /** @param clientForVault builds a client for a vault URL ({@code https://<name>.<suffix>}) */
    public KeyVaultSecretExpiry(Function<String, SecretClient> clientForVault) {
        this.clientForVault = clientForVault;
    }

    @Override
    public Optional<Instant> expiresOn(URI secretUrl) {
        String[] path = secretUrl.getPath().replaceAll("^/|/$", "").split("/");
        String vault = "https://" + secretUrl.getHost();
        SecretClient client = clients.computeIfAbsent(vault, clientForVault);
        KeyVaultSecret secret = client.getSecret(path[1], path.length > 2 ? path[2] : null);
        return Optional.ofNullable(secret.getProperties().getExpiresOn()).map(OffsetDateTime::toInstant);
    }
}
