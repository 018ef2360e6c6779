package io.m365connector.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Json;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.tokens.Connection;
import io.m365connector.tokens.Feature;
import java.net.URI;
import java.util.EnumSet;
import java.util.Iterator;
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
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body == null ? "" : body);
        } catch (Exception e) {
            throw new RequestValidationException(java.util.List.of(new RequestValidationException.FieldError("", "The body is not valid JSON.")));
        }
        if (json == null || !json.isObject()) {
            throw new RequestValidationException(java.util.List.of(new RequestValidationException.FieldError("", "The body must be a JSON object.")));
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                errors.add(name, "Unknown field. Allowed: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ".");
            }
        }
        String ownerId = text(json, "ownerId", errors);
        if (ownerId == null) {
            errors.add("ownerId", "Required: your application's id for the user (1-256 characters).");
        } else if (ownerId.isBlank() || ownerId.length() > 256 || hasControl(ownerId)) {
            errors.add("ownerId", "Must be 1-256 characters without control characters.");
        }
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        JsonNode rawFeatures = json.get("features");
        if (rawFeatures == null || !rawFeatures.isArray() || rawFeatures.isEmpty()) {
            errors.add("features", "Required: a non-empty array of " + Feature.allowedIds() + ".");
        } else {
            for (int i = 0; i < rawFeatures.size(); i++) {
                JsonNode f = rawFeatures.get(i);
                var feature = f.isTextual() ? Feature.fromId(f.asText()) : java.util.Optional.<Feature>empty();
                if (feature.isEmpty()) {
                    errors.add("features[" + i + "]", "Unknown feature " + f + ". Use " + Feature.allowedIds() + ".");
                } else {
                    features.add(feature.get());
                }
            }
        }
        String rawCloud = text(json, "cloud", errors);
        NationalCloud cloud = null;
        if (rawCloud == null) {
            errors.add("cloud", "Required: " + NationalCloud.allowedIds() + " (GCC uses global).");
        } else {
            cloud = NationalCloud.fromId(rawCloud).orElse(null);
            if (cloud == null) {
                errors.add("cloud", "Unknown cloud '" + rawCloud + "'. Use " + NationalCloud.allowedIds() + " (GCC uses global).");
            }
        }
        String tenant = text(json, "tenant", errors);
        if (tenant != null && !TENANT.matcher(tenant).matches()) {
            errors.add("tenant", "Must be organizations, common, a tenant id or a verified domain.");
        }
        String loginHint = text(json, "loginHint", errors);
        if (loginHint != null && (loginHint.length() > 256 || hasControl(loginHint))) {
            errors.add("loginHint", "Must be at most 256 characters without control characters.");
        }
        String domainHint = text(json, "domainHint", errors);
        if (domainHint != null && !DOMAIN.matcher(domainHint).matches()) {
            errors.add("domainHint", "Must be a domain name, for example contoso.com.");
        }
        String rawReturn = text(json, "returnUrl", errors);
        URI returnUrl = null;
        if (rawReturn != null) {
            try {
                returnUrl = URI.create(rawReturn);
            } catch (IllegalArgumentException e) {
                errors.add("returnUrl", "Is not a URL.");
            }
        }
        String connectionId = text(json, "connectionId", errors);
        if (connectionId != null && !Connection.isValidId(connectionId)) {
            errors.add("connectionId", "Must be a connection id returned by this API (con_ and 32 hex digits).");
        }
        errors.throwIfAny();
        return new StartRequest(ownerId, features, cloud, tenant, loginHint, domainHint, returnUrl, connectionId);
    }

    private static String text(JsonNode json, String field, RequestValidationException.Collector errors) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(field, "Must be a string.");
            return null;
        }
        return node.asText();
    }

    private static boolean hasControl(String value) {
        return value.chars().anyMatch(Character::isISOControl);
    }
}
