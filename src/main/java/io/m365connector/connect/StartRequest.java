package io.m365connector.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.Feature;
import io.m365connector.platform.JsonFields;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.platform.TextRules;
import java.net.URI;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The body of POST /connections, validated as a whole: every field error is reported at once.
 *
 * @param connectionId set to reconnect an existing connection (add features, or after needs_reauth)
 * @param tenant       null for the cloud's configured default
 */
public record StartRequest(String ownerId, Set<Feature> features, NationalCloud cloud, String tenant,
                           String loginHint, String domainHint, URI returnUrl, String connectionId) {
    private static final Set<String> FIELDS = Set.of("ownerId", "features", "cloud", "tenant", "loginHint", "domainHint", "returnUrl", "connectionId");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9.-]{1,256}");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9.-]{1,253}");

    public static StartRequest parse(String body) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        JsonNode json = JsonFields.parseObject(body);
        JsonFields fields = new JsonFields(json, "", errors);
        fields.allowOnly(FIELDS);
        String ownerId = text(fields, "ownerId");
        if (ownerId == null) {
            errors.add("ownerId", "Required: your application's id for the user (1-256 characters).");
        } else if (ownerId.isBlank() || !ConnectionRef.isOwnerId(ownerId)) {
            errors.add("ownerId", "Must be 1-256 characters without control characters.");
        }
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        JsonNode rawFeatures = json.get("features");
        if (rawFeatures == null || !rawFeatures.isArray() || rawFeatures.isEmpty()) {
            errors.add("features", "Required: a non-empty array of " + Feature.allowedIds() + ".");
        } else {
            for (int i = 0; i < rawFeatures.size(); i++) {
                JsonNode f = rawFeatures.get(i);
                var feature = f.isTextual() ? Feature.fromId(f.asText()) : Optional.<Feature>empty();
                if (feature.isEmpty()) {
                    errors.add("features[" + i + "]", "Unknown feature " + f + ". Use " + Feature.allowedIds() + ".");
                } else {
                    features.add(feature.get());
                }
            }
        }
        String rawCloud = text(fields, "cloud");
        NationalCloud cloud = null;
        if (rawCloud == null) {
            errors.add("cloud", "Required: " + NationalCloud.allowedIds() + " (GCC uses global).");
        } else {
            cloud = NationalCloud.fromId(rawCloud).orElse(null);
            if (cloud == null) {
                errors.add("cloud", "Unknown cloud '" + rawCloud + "'. Use " + NationalCloud.allowedIds() + " (GCC uses global).");
            }
        }
        String tenant = text(fields, "tenant");
        if (tenant != null && !TENANT.matcher(tenant).matches()) {
            errors.add("tenant", "Must be organizations, common, a tenant id or a verified domain.");
        }
        String loginHint = text(fields, "loginHint");
        if (loginHint != null && (loginHint.length() > 256 || TextRules.hasControl(loginHint, false))) {
            errors.add("loginHint", "Must be at most 256 characters without control characters.");
        }
        String domainHint = text(fields, "domainHint");
        if (domainHint != null && !DOMAIN.matcher(domainHint).matches()) {
            errors.add("domainHint", "Must be a domain name, for example contoso.com.");
        }
        String rawReturn = text(fields, "returnUrl");
        URI returnUrl = null;
        if (rawReturn != null) {
            try {
                returnUrl = URI.create(rawReturn);
            } catch (IllegalArgumentException e) {
                errors.add("returnUrl", "Is not a URL.");
            }
        }
        String connectionId = text(fields, "connectionId");
        if (connectionId != null && !Connection.isValidId(connectionId)) {
            errors.add("connectionId", "Must be a connection id returned by this API (con_ and 32 hex digits).");
        }
        errors.throwIfAny();
        return new StartRequest(ownerId, features, cloud, tenant, loginHint, domainHint, returnUrl, connectionId);
    }

    /** A string field; the checks after it decide what characters are allowed. */
    private static String text(JsonFields fields, String field) {
        return fields.string(field, false, 4096, true);
    }
}
