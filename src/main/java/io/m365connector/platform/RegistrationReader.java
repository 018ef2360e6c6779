package io.m365connector.platform;

import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings.ClientCertificate;
import io.m365connector.platform.Settings.ClientCredential;
import io.m365connector.platform.Settings.ClientSecret;
import io.m365connector.platform.Settings.CredentialCheck;
import io.m365connector.platform.Settings.FederatedManagedIdentity;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the enabled Microsoft 365 clouds and each one's app registration: client id, one credential
 * (secret, certificate or managed identity), default tenant, and what its health check needs.
 */
final class RegistrationReader {
    /** local.settings.sample.json's value for a client secret, for the user to replace. */
    static final String SAMPLE_SECRET_PLACEHOLDER = "paste-the-client-secret-here";
    /** local.settings.sample.json's value for a client id, for the user to replace. */
    static final String SAMPLE_CLIENT_ID_PLACEHOLDER = "paste-the-client-id-here";

    private static final String GUID = "(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private final RawSettings reader;
    private final HostingCloud hostingCloud;

    RegistrationReader(RawSettings reader, HostingCloud hostingCloud) {
        this.reader = reader;
        this.hostingCloud = hostingCloud;
    }

    Map<NationalCloud, AppRegistration> registrations() {
        Map<NationalCloud, AppRegistration> result = new EnumMap<>(NationalCloud.class);
        Optional<String> raw = reader.optional(Setting.M365_CLOUDS.settingName());
        if (raw.isEmpty()) {
            reader.problem(Setting.M365_CLOUDS, "is missing: say which Microsoft 365 clouds users connect from.");
            return result;
        }
        Set<NationalCloud> clouds = new LinkedHashSet<>();
        for (String part : raw.get().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Optional<NationalCloud> cloud = NationalCloud.fromId(part);
            if (cloud.isEmpty()) {
                reader.problem(Setting.M365_CLOUDS, "lists unknown cloud '" + part.trim() + "': use " + NationalCloud.allowedIds() + ".");
            } else {
                clouds.add(cloud.get());
            }
        }
        for (NationalCloud cloud : clouds) {
            registration(cloud).ifPresent(r -> result.put(cloud, r));
        }
        return result;
    }

    private Optional<AppRegistration> registration(NationalCloud cloud) {
        String because = " (required because M365_CLOUDS lists " + cloud.id() + ").";
        String idName = Setting.CLIENT_ID.nameFor(cloud);
        Optional<String> clientId = reader.optional(idName);
        if (clientId.isEmpty()) {
            reader.problem(idName, "is missing" + because, Setting.CLIENT_ID.example());
        } else if (clientId.get().equals(SAMPLE_CLIENT_ID_PLACEHOLDER)) {
            reader.problem(idName, "still holds the sample's placeholder: paste the application (client) id of your app registration "
                    + "(scripts/register-app prints it; docs/APP-REGISTRATION.md).", Setting.CLIENT_ID.example());
        } else if (!clientId.get().matches(GUID)) {
            reader.problem(idName, "must be the application (client) id, a GUID.", Setting.CLIENT_ID.example());
        }
        ClientCredential credential = credential(cloud, because);
        String tenant = reader.optional(Setting.TENANT.nameFor(cloud)).orElse("organizations");
        if (!tenant.matches("[A-Za-z0-9.-]{1,256}")) {
            reader.problem(Setting.TENANT.nameFor(cloud), "must be organizations, common, a tenant id or a domain.", "organizations");
        }
        CredentialCheck check = check(cloud, credential);
        if (clientId.isEmpty() || credential == null) {
            return Optional.empty();
        }
        return Optional.of(new AppRegistration(cloud, clientId.get().toLowerCase(Locale.ROOT), credential, tenant, check));
    }

    /** Exactly one of secret, certificate and managed identity. */
    private ClientCredential credential(NationalCloud cloud, String because) {
        String secretName = Setting.CLIENT_SECRET.nameFor(cloud);
        String certName = Setting.CLIENT_CERTIFICATE.nameFor(cloud);
        String identityName = Setting.MANAGED_IDENTITY_CREDENTIAL.nameFor(cloud);
        Optional<String> secret = reader.optional(secretName);
        Optional<String> cert = reader.optional(certName);
        Optional<String> identity = reader.optional(identityName);
        List<String> set = new ArrayList<>();
        secret.ifPresent(s -> set.add(secretName));
        cert.ifPresent(c -> set.add(certName));
        identity.ifPresent(i -> set.add(identityName));
        if (set.size() > 1) {
            reader.problem(String.join(" and ", set), (set.size() == 2 ? "are both set" : "are all set")
                    + ": keep one credential for the " + cloud.id() + " app registration.", null);
            return null;
        }
        if (secret.isPresent() && secret.get().equals(SAMPLE_SECRET_PLACEHOLDER)) {
            // the start would succeed and every sign-in fail at the callback: refused here, with what to do
            reader.problem(secretName, "still holds the sample's placeholder: create a client secret (az ad app credential reset --id <client id> --append "
                    + "--query password -o tsv, or scripts/register-app as docs/APP-CREDENTIALS.md shows) and paste its value.", null);
            return null;
        }
        if (secret.isPresent()) {
            return new ClientSecret(secret.get());
        }
        if (cert.isPresent()) {
            try {
                byte[] pfx = Base64.getMimeDecoder().decode(cert.get());
                String password = Optional.ofNullable(reader.raw(Setting.CLIENT_CERTIFICATE_PASSWORD.nameFor(cloud))).orElse("");
                return new ClientCertificate(pfx, password);
            } catch (IllegalArgumentException e) {
                reader.problem(certName, "is not base64 (expected a PKCS#12/PFX file in base64).", null);
                return null;
            }
        }
        if (identity.isPresent()) {
            return managedIdentity(cloud, identityName, identity.get());
        }
        reader.problem(secretName, "is missing" + because + " Set it, " + certName + " or " + identityName + ".",
                Setting.CLIENT_SECRET.example());
        return null;
    }

    private ClientCredential managedIdentity(NationalCloud cloud, String name, String clientId) {
        if (!clientId.matches(GUID)) {
            reader.problem(name, "must be the client id (a GUID) of this app's user-assigned managed identity.",
                    Setting.MANAGED_IDENTITY_CREDENTIAL.example());
            return null;
        }
        if (cloud.azureCloud() != hostingCloud) {
            // Entra ID exchanges a managed identity's token only in the identity's own cloud.
            reader.problem(name, "cannot work: this app's managed identity lives in the hosting cloud '" + hostingCloud.id()
                    + "' (HOSTING_CLOUD), and Microsoft Entra ID accepts a managed identity as federated credential only from its own cloud, "
                    + "so a " + cloud.id() + " app registration (Entra ID of Azure cloud '" + cloud.azureCloud().id() + "') cannot trust it. "
                    + "Use " + Setting.CLIENT_CERTIFICATE.nameFor(cloud) + " (or " + Setting.CLIENT_SECRET.nameFor(cloud) + ") for "
                    + cloud.id() + ", or host the app in Azure cloud '" + cloud.azureCloud().id() + "'.", null);
            return null;
        }
        return new FederatedManagedIdentity(clientId.toLowerCase(Locale.ROOT));
    }

    private CredentialCheck check(NationalCloud cloud, ClientCredential credential) {
        String tenantName = Setting.HOME_TENANT.nameFor(cloud);
        Optional<String> homeTenant = reader.optional(tenantName);
        if (homeTenant.isPresent() && !homeTenant.get().matches(GUID) && !homeTenant.get().matches("(?i)[a-z0-9-]+(\\.[a-z0-9-]+)+")) {
            reader.problem(tenantName, "must be the id (a GUID) of the tenant the app registration lives in: an app-only token is requested "
                    + "there (organizations and common cannot issue one).", Setting.HOME_TENANT.example());
            homeTenant = Optional.empty();
        }
        String expiresName = Setting.CLIENT_SECRET_EXPIRES.nameFor(cloud);
        String vaultName = Setting.CLIENT_SECRET_KEY_VAULT_URL.nameFor(cloud);
        Optional<Instant> expires = reader.optional(expiresName).flatMap(v -> expiry(expiresName, v));
        Optional<URI> vaultUrl = reader.optional(vaultName).flatMap(v -> secretUrl(vaultName, v));
        if ((expires.isPresent() || vaultUrl.isPresent()) && credential != null && !(credential instanceof ClientSecret)) {
            reader.problem(expires.isPresent() ? expiresName : vaultName, "describes a client secret, but the " + cloud.id()
                    + " registration uses a " + credential.kind().replace('_', ' ') + ": remove it.", null);
        } else if (expires.isPresent() && vaultUrl.isPresent()) {
            reader.problem(expiresName + " and " + vaultName, "are both set: keep one source of the secret's expiry.", null);
        }
        return new CredentialCheck(homeTenant.map(t -> t.toLowerCase(Locale.ROOT)), expires, vaultUrl);
    }

    /** A date ({@code 2027-06-30}, taken as the start of that day in UTC) or an instant. */
    private Optional<Instant> expiry(String name, String value) {
        try {
            return Optional.of(value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value));
        } catch (DateTimeParseException e) {
            reader.problem(name, "must be a date (UTC) like 2027-06-30, or an instant like 2027-06-30T12:00:00Z.", null);
            return Optional.empty();
        }
    }

    /** {@code https://<vault>.<hosting cloud's vault suffix>/secrets/<name>[/<version>]}. */
    private Optional<URI> secretUrl(String name, String value) {
        String example = "https://kv-m365-connector." + hostingCloud.keyVaultSuffix() + "/secrets/m365-global-client-secret";
        try {
            URI uri = URI.create(value);
            if ("https".equals(uri.getScheme()) && uri.getHost() != null && uri.getHost().endsWith("." + hostingCloud.keyVaultSuffix())
                    && uri.getPath() != null && uri.getPath().matches("/secrets/[0-9a-zA-Z-]{1,127}(/[0-9a-f]{32})?/?")) {
                return Optional.of(uri);
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        reader.problem(name, "must be a Key Vault secret URL in the hosting cloud '" + hostingCloud.id() + "'.", example);
        return Optional.empty();
    }
}
