package io.m365connector.connect;

import java.util.Map;

/** The parameters Entra ID sends to the callback, from the query string (GET) or the form (POST). */
public record CallbackParams(String code, String state, String error, String errorDescription, String adminConsent, String tenant) {
    public static CallbackParams from(Map<String, String> params) {
        return new CallbackParams(params.get("code"), params.get("state"), params.get("error"),
                params.get("error_description"), params.get("admin_consent"), params.get("tenant"));
    }

    @Override
    public String toString() {
        return "CallbackParams[hasCode=" + (code != null) + ", error=" + error + "]";
    }
}
