package io.m365connector.connect;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sign-in that ended without a usable connection. Carries what the result page needs: where the
 * browser may go back to (only a return URL from a session we issued) and, when an administrator
 * must approve the app, the admin-consent link to forward.
 */
public final class SignInFailure extends ConnectorException implements Problem.ProblemExtensions {
    private final URI returnUrl;
    private final String adminConsentUrl;

    public SignInFailure(ProblemCode code, String detail, String connectionId, URI returnUrl, String adminConsentUrl) {
        super(code, detail, connectionId, null);
        this.returnUrl = returnUrl;
        this.adminConsentUrl = adminConsentUrl;
    }

    public static SignInFailure stateInvalid(String detail) {
        return new SignInFailure(ProblemCode.STATE_INVALID, detail, null, null, null);
    }

    public URI returnUrl() {
        return returnUrl;
    }

    public String adminConsentUrl() {
        return adminConsentUrl;
    }

    @Override
    public Map<String, Object> problemExtensions() {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (adminConsentUrl != null) {
            extra.put("adminConsentUrl", adminConsentUrl);
        }
        return extra;
    }
}
