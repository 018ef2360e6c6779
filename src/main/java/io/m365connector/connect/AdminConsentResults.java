package io.m365connector.connect;

import io.m365connector.platform.ProblemCode;
import io.m365connector.tokens.EntraErrors;
import java.util.logging.Logger;

/** What the callback of an administrator's consent says: approved, or why not. Nothing is stored either way. */
final class AdminConsentResults {
    private static final Logger LOG = Logger.getLogger(AdminConsentResults.class.getName());

    private AdminConsentResults() {
    }

    static CallbackOutcome of(LoginSession session, CallbackParams params) {
        // Entra ID sends admin_consent=True even when it failed: the error decides.
        if (params.error() != null) {
            ProblemCode code = EntraErrors.classify(params.error(), params.errorDescription());
            LOG.warning("Admin consent failed: " + code.code() + " (" + params.error() + ": " + EntraErrors.summary(params.errorDescription()) + ")");
            String detail = code == ProblemCode.USER_DECLINED
                    ? "The permissions were not approved. Open the approval link again to review them."
                    : Guidance.of(code).forAdmin();
            throw new SignInFailure(code, detail, null, null, null);
        }
        if (!"true".equalsIgnoreCase(params.adminConsent())) {
            throw new SignInFailure(ProblemCode.INVALID_REQUEST, "Microsoft's response does not confirm the approval.", null, null, null);
        }
        // The returned tenant is only informative: nothing is authorized on its basis.
        return new CallbackOutcome.AdminConsented(session.cloud());
    }
}
