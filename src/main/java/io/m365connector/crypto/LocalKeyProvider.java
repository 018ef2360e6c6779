package io.m365connector.crypto;

/**
 * A key from the LOCAL_TOKEN_KEY setting, for Azurite-only development and tests. The settings
 * refuse it on Azure unless ALLOW_LOCAL_KEY_IN_AZURE is true.
 */
public final class LocalKeyProvider implements KeyProvider {
    /** The version recorded on rows sealed with the local key. */
    public static final String VERSION = "local";

    private final EncryptionKey key;

    public LocalKeyProvider(byte[] material) {
        this.key = new EncryptionKey(VERSION, material);
    }

    @Override
    public EncryptionKey current() {
        return key;
    }

    @Override
    public EncryptionKey version(String version) {
        if (!VERSION.equals(version)) {
            throw new KeyUnavailableException("Tokens were sealed under key version '" + version
                    + "', which the local key provider does not have. They were written with Key Vault: configure TOKEN_KEY_VAULT_URL.", null);
        }
        return key;
    }
}
