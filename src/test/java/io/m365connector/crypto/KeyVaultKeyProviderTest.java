package io.m365connector.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.app.AzureClients;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.SealedTokens;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.FakeKeyVault;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real SecretClient against a Key Vault fake reached by the vault's real host name. */
class KeyVaultKeyProviderTest {
    private static final String SECRET = "token-encryption-key";
    private static final String CONNECTION = "con_00000000000000000000000000000001";

    private final FakeKeyVault vault = new FakeKeyVault();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private KeyVaultKeyProvider keys;

    @BeforeEach
    void setUp() {
        LocalCloudRouting routing = vault.routeInto(new LocalCloudRouting());
        OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), routing);
        keys = new KeyVaultKeyProvider(
                AzureClients.secretClient(FakeKeyVault.VAULT_URL, vault.credential(), http.azureHttpClient(), Sleeper.REAL),
                SECRET, clock, Duration.ofMinutes(10));
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    @Test
    void whenCurrentKeyIsReadThenVersionAndMaterialComeFromTheVault() {
        byte[] material = random();
        vault.putKey(SECRET, "v1a2b3", material, true);
        EncryptionKey key = keys.current();
        assertEquals("v1a2b3", key.version());
        assertTrue(Arrays.equals(material, key.material().toArray()));
    }

    @Test
    void whenCurrentKeyIsReadTwiceWithinTtlThenVaultIsCalledOnce() {
        vault.putKey(SECRET, "v1", random(), true);
        keys.current();
        clock.advance(Duration.ofMinutes(9));
        keys.current();
        assertEquals(1, vault.readsOf(SECRET));
    }

    @Test
    void whenKeyIsRotatedThenOldRowsStayReadableAndNewWritesUseTheNewVersion() {
        TokenSealer sealer = new TokenSealer(keys, new TokenCipher());
        vault.putKey(SECRET, "v1", random(), true);
        SealedTokens old = sealer.seal(CONNECTION, NationalCloud.USGOV, "{\"cache\":\"old\"}");
        assertEquals("v1", old.keyVersion());

        vault.putKey(SECRET, "v2", random(), true);
        clock.advance(Duration.ofMinutes(11));
        SealedTokens fresh = sealer.seal(CONNECTION, NationalCloud.USGOV, "{\"cache\":\"new\"}");

        assertEquals("v2", fresh.keyVersion());
        assertEquals("v2", keys.current().version(), "a row sealed under v1 is rewritten under v2 by its next write");
        assertEquals("{\"cache\":\"old\"}", sealer.open(CONNECTION, NationalCloud.USGOV, old));
        assertEquals("{\"cache\":\"new\"}", sealer.open(CONNECTION, NationalCloud.USGOV, fresh));
    }

    @Test
    void whenOlderVersionIsReadOnAFreshInstanceThenItIsFetchedByVersion() {
        vault.putKey(SECRET, "v1", random(), false);
        vault.putKey(SECRET, "v2", random(), true);
        assertEquals("v1", keys.version("v1").version());
        keys.version("v1");
        assertEquals(1, vault.readsOf(SECRET), "an immutable version is cached once read");
    }

    @Test
    void whenSecretDoesNotExistThenErrorSaysWhatToCreate() {
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class, keys::current);
        assertEquals(ProblemCode.KEY_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("Key Vault secret 'token-encryption-key' does not exist"), e.getMessage());
    }

    @Test
    void whenIdentityLacksTheRoleThenErrorNamesTheRole() {
        vault.denyAccess(SECRET);
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class, keys::current);
        assertTrue(e.getMessage().contains("'Key Vault Secrets User'"), e.getMessage());
    }

    @Test
    void whenSecretHasTheWrongSizeThenErrorSaysHowToMakeOne() {
        vault.putKey(SECRET, "v1", new byte[16], true);
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class, keys::current);
        assertTrue(e.getMessage().contains("holds 16 bytes; it must hold 32"), e.getMessage());
    }

    @Test
    void whenVaultIsUnreachableThenKeyUnavailableAndNothingIsSealed() {
        vault.stop();
        TokenSealer sealer = new TokenSealer(keys, new TokenCipher());
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> sealer.seal(CONNECTION, NationalCloud.GLOBAL, "{}"));
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        assertEquals(503, e.code().httpStatus());
    }

    /**
     * Key Vault out past the current key's 10 minutes: the version this instance knows keeps sealing and opening (sign-ins
     * and refreshes go on), and Key Vault is asked again a minute later; once it answers, a rotation made meanwhile applies.
     */
    @Test
    void whenVaultIsUnreachableAfterTheKeyWasReadThenTheKnownKeyStaysCurrent() {
        vault.putKey(SECRET, "v1", random(), true);
        TokenSealer sealer = new TokenSealer(keys, new TokenCipher());
        SealedTokens before = sealer.seal(CONNECTION, NationalCloud.GLOBAL, "{\"cache\":\"before\"}");
        vault.stop();
        clock.advance(Duration.ofMinutes(11));

        SealedTokens during = sealer.seal(CONNECTION, NationalCloud.GLOBAL, "{\"cache\":\"during\"}");

        assertEquals("v1", during.keyVersion());
        assertEquals("{\"cache\":\"before\"}", sealer.open(CONNECTION, NationalCloud.GLOBAL, before));
        assertEquals("{\"cache\":\"during\"}", sealer.open(CONNECTION, NationalCloud.GLOBAL, during));
    }

    /** A refusal is not an outage: the operator must act, so it fails as before even with a key known. */
    @Test
    void whenTheVaultRefusesAfterTheKeyWasReadThenItStillFails() {
        vault.putKey(SECRET, "v1", random(), true);
        keys.current();
        vault.denyAccess(SECRET);
        clock.advance(Duration.ofMinutes(11));

        KeyUnavailableException e = assertThrows(KeyUnavailableException.class, keys::current);
        assertTrue(e.getMessage().contains("'Key Vault Secrets User'"), e.getMessage());
    }

    private static byte[] random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
