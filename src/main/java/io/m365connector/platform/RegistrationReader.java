package io.m365connector.platform;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings.ClientCertificate;
import io.m365connector.platform.Settings.ClientCredential;
import io.m365connector.platform.Settings.ClientSecret;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the enabled Microsoft 365 clouds and each one's app registration (client id, credential, tenant). */
final class RegistrationReader {
    private final SettingsReader reader;

    RegistrationReader(SettingsReader reader) {
        this.reader = reader;
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
        } else if (!clientId.get().matches("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            reader.problem(idName, "must be the application (client) id, a GUID.", Setting.CLIENT_ID.example());
        }
        String secretName = Setting.CLIENT_SECRET.nameFor(cloud);
        String certName = Setting.CLIENT_CERTIFICATE.nameFor(cloud);
        Optional<String> secret = reader.optional(secretName);
        Optional<String> cert = reader.optional(certName);
        ClientCredential credential = null;
        if (secret.isPresent() && cert.isPresent()) {
            reader.problem(secretName, "and " + certName + " are both set: keep one.", null);
        } else if (secret.isPresent()) {
            credential = new ClientSecret(secret.get());
        } else if (cert.isPresent()) {
            try {
                byte[] pfx = Base64.getMimeDecoder().decode(cert.get());
                String password = Optional.ofNullable(reader.raw(Setting.CLIENT_CERTIFICATE_PASSWORD.nameFor(cloud))).orElse("");
                credential = new ClientCertificate(pfx, password);
            } catch (IllegalArgumentException e) {
                reader.problem(certName, "is not base64 (expected a PKCS#12/PFX file in base64).", null);
            }
        } else {
            reader.problem(secretName, "is missing" + because + " Set it or " + certName + ".", Setting.CLIENT_SECRET.example());
        }
        String tenant = reader.optional(Setting.TENANT.nameFor(cloud)).orElse("organizations");
        if (!tenant.matches("[A-Za-z0-9.-]{1,256}")) {
            reader.problem(Setting.TENANT.nameFor(cloud), "must be organizations, common, a tenant id or a domain.", "organizations");
        }
        if (clientId.isEmpty() || credential == null) {
            return Optional.empty();
        }
        return Optional.of(new AppRegistration(cloud, clientId.get().toLowerCase(Locale.ROOT), credential, tenant));
    }
}
