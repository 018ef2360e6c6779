package io.m365connector.graph;

import com.microsoft.kiota.ApiException;
import com.microsoft.kiota.ApiExceptionBuilder;
import com.microsoft.kiota.ResponseHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Graph SDK exceptions as the SDK throws them, for unit tests. */
final class GraphFailures {
    private GraphFailures() {
    }

    static ApiException status(int status) {
        return new ApiExceptionBuilder().withMessage("HTTP " + status).withResponseStatusCode(status).withResponseHeaders(new ResponseHeaders())
                .build();
    }

    static ApiException status(int status, String header, String value) {
        ResponseHeaders headers = new ResponseHeaders();
        headers.add(header, value);
        return new ApiExceptionBuilder().withMessage("HTTP " + status).withResponseStatusCode(status).withResponseHeaders(headers).build();
    }

    static ApiException claimsChallenge(String claimsJson) {
        return status(401, "WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/"
                + "authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\""
                + Base64.getEncoder().encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8)) + "\"");
    }
}
