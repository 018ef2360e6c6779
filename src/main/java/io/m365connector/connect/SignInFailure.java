package io.m365connector.connect;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.StorageUnavailableException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A sign-in that ended without a usable connection. Carries what the result page needs: where the
 * browser may go back to (only a return URL from a session we issued) and, when an administrator
 * must approve the app, the admin-consent link to forward.
 */
public final class SignInFailure extends ConnectorException implements Problem.ProblemExtensions {
    private static final Logger LOG = Logger.getLogger(SignInFailure.class.getName());
    private final URI returnUrl;
    private final String adminConsentUrl;

    public SignInFailure(ProblemCode code, String detail, String connectionId, URI returnUrl, String adminConsentUrl) {
        this(code, detail, connectionId, returnUrl, adminConsentUrl, null);
    }

    private SignInFailure(ProblemCode code, String detail, String connectionId, URI returnUrl, String adminConsentUrl, Throwable cause) {
        super(code, detail, connectionId, cause);
        this.returnUrl = returnUrl;
        this.adminConsentUrl = adminConsentUrl;
    }

    /**
     * Whatever ended a sign-in route, as the failure its result page shows; after the session was used, with the way back
     * to the app ({@code connectionId}, {@code returnUrl}: the web app hears {@code error=<code>}), before that with none.
     * What is not already one is logged here.
     */
    public static SignInFailure of(RuntimeException e, String connectionId, URI returnUrl) {
        if (e instanceof SignInFailure failure) {
            return failure;
        }
        ProblemCode code = e instanceof ConnectorException known ? known.code() : ProblemCode.INTERNAL_ERROR;
        String detail;
        if (e instanceof StorageUnavailableException storage) {
            LOG.log(Level.WARNING, storage.code().code() + ": " + storage.detail());
            detail = "The connection service cannot reach its storage right now, so nothing was saved. Go back to the app and "
                    + "connect again in a few minutes.";
        } else if (e instanceof ConnectorException known && known.code().httpStatus() < 500) {
            detail = known.detail();
        } else if (e instanceof ConnectorException known) {
            LOG.log(Level.WARNING, known.code().code() + ": " + known.detail());
            detail = "The connection service could not finish. Try again in a few minutes.";
        } else {
            LOG.log(Level.SEVERE, "Unexpected " + e.getClass().getName() + " in a sign-in route");
            detail = "Something went wrong. Go back to the app and try again.";
        }
        return new SignInFailure(code, detail, connectionId, returnUrl, null, e);
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
