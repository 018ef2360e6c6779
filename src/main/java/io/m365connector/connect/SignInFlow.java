package io.m365connector.connect;

import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.m365connector.cloud.GraphScopes;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection.Account;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.Feature;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.Settings;
import io.m365connector.tokens.EntraErrors;
import io.m365connector.tokens.MsalClients;
import io.m365connector.tokens.RefreshOutcomes;
import io.m365connector.tokens.TokenCacheSlot;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;

/**
 * The browser side of connecting: the login link sends the browser to Microsoft, the callback
 * redeems the code and stores the tokens. Also the admin-consent round trip.
 *
 * <p>Protections: the login link is bound to the first browser that opens it (a {@code __Host-}
 * cookie whose hash is stored); the state sent to Microsoft is {@code <session id>.<secret>} and is
 * accepted within its lifetime, from that browser only, its code redeemed once (that browser repeating it is sent back); PKCE (S256) binds the code to this
 * session's verifier; the ID token is checked for audience, issuer (cloud and tenant), nonce and
 * expiry; users are identified by tenant id + object id. Responses come back as a query string
 * (response_mode=query) because the callback is a cross-site navigation from Microsoft: a SameSite=Lax
 * cookie is sent with a top-level GET but not with a cross-site form POST.
 */
public final class SignInFlow {
    /** The browser-binding cookie. {@code __Host-}: Secure, Path=/, no Domain, so no other host can set it. */
    public static final String BROWSER_COOKIE = "__Host-m365c-browser";
    static final Duration SIGN_IN_WINDOW = Duration.ofMinutes(30);
    static final Duration ID_TOKEN_CLOCK_SKEW = Duration.ofMinutes(5);
    private static final Logger LOG = Logger.getLogger(SignInFlow.class.getName());

    private final Settings settings;
    private final MsalClients msal;
    private final LoginSessionStore sessions;
    private final TokenSealer sealer;
    private final RefreshOutcomes outcomes;
    private final AdminConsentLinks adminConsents;
    private final Clock clock;

    public SignInFlow(Settings settings, MsalClients msal, LoginSessionStore sessions, TokenSealer sealer, RefreshOutcomes outcomes,
                      Clock clock) {
        this.settings = Objects.requireNonNull(settings, "'settings' cannot be null.");
        this.msal = Objects.requireNonNull(msal, "'msal' cannot be null.");
        this.sessions = Objects.requireNonNull(sessions, "'sessions' cannot be null.");
        this.sealer = Objects.requireNonNull(sealer, "'sealer' cannot be null.");
        this.outcomes = Objects.requireNonNull(outcomes, "'outcomes' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.adminConsents = new AdminConsentLinks(settings, sessions, clock);
    }

    /** GET /auth/login/{session}: binds the browser and sends it to the cloud's authorize endpoint. */
    public LoginStart beginLogin(String sessionId, String browserCookie) {
        LoginSession session = startable(sessionId, LoginSession.Kind.SIGN_IN, browserCookie);
        Started started = start(session, browserCookie);
        return new LoginStart(AuthorizeUrls.signIn(session, new AuthorizeUrls.Attempt(msal.registration(session.cloud()).clientId(),
                settings.redirectUri(), started.state, started.session.nonce(), Pkce.challenge(started.verifier))), started.browser);
    }

    /** GET /auth/adminconsent/{session}: sends an administrator to the cloud's admin-consent page. */
    public LoginStart beginAdminConsent(String sessionId, String browserCookie) {
        LoginSession session = startable(sessionId, LoginSession.Kind.ADMIN_CONSENT, browserCookie);
        Started started = start(session, browserCookie);
        return new LoginStart(AuthorizeUrls.adminConsent(session, msal.registration(session.cloud()).clientId(), settings.redirectUri(),
                started.state), started.browser);
    }

    /** GET or POST /auth/callback. */
    public CallbackOutcome complete(CallbackParams params, String browserCookie) {
        Claim claimed = claim(params.state(), browserCookie);
        LoginSession session = claimed.session();
        if (claimed.repeated()) {
            return session.kind() == LoginSession.Kind.ADMIN_CONSENT ? AdminConsentResults.of(session, params) : repeated(session);
        }
        // Its hash is stored with the sign-in's tokens (Connection.SignInProof); the code goes only to this browser, on success.
        String completionSecret = SessionIds.secret();
        try {
            return completeClaimed(session, params, completionSecret);
        } catch (RuntimeException e) {
            throw SignInFailure.of(e, session.connectionId(), session.returnUrl()); // with the way back to the app
        }
    }

    private CallbackOutcome completeClaimed(LoginSession session, CallbackParams params, String completionSecret) {
        if (session.kind() == LoginSession.Kind.ADMIN_CONSENT) {
            return adminConsents.answer(session, params);
        }
        if (params.error() != null) {
            ProblemCode code = EntraErrors.classify(params.error(), params.errorDescription());
            LOG.warning("Sign-in for connection " + session.connectionId() + " failed at Microsoft: " + code.code()
                    + " (" + params.error() + ": " + EntraErrors.summary(params.errorDescription()) + ")");
            String adminLink = code == ProblemCode.ADMIN_APPROVAL_REQUIRED || code == ProblemCode.CONSENT_REQUIRED
                    ? adminConsents.link(session) : null;
            throw new SignInFailure(code, Guidance.of(code).forUser(), session.connectionId(), session.returnUrl(), adminLink);
        }
        if (params.code() == null || params.code().isBlank()) {
            throw new SignInFailure(ProblemCode.INVALID_REQUEST, "Microsoft's response has neither a code nor an error.",
                    session.connectionId(), session.returnUrl(), null);
        }
        return redeem(session, params.code(), completionSecret);
    }

    private CallbackOutcome redeem(LoginSession session, String code, String completionSecret) {
        String completion = CompletionRequest.code(session.id(), completionSecret); // hashed whole: the secret with its session
        String verifier = sealer.open(session.id(), session.cloud(), session.sealedVerifier());
        TokenCacheSlot cache = TokenCacheSlot.empty();
        ConfidentialClientApplication app = msal.newApp(session.cloud(), session.tenant(), cache);
        IAuthenticationResult result;
        try {
            result = app.acquireToken(AuthorizationCodeParameters.builder(code, URI.create(settings.redirectUri()))
                    .scopes(Feature.scopesOf(session.features()))
                    .codeVerifier(verifier)
                    .build()).get();
        } catch (ExecutionException | CompletionException e) {
            throw redemptionFailure(session, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignInFailure(ProblemCode.TEMPORARILY_UNAVAILABLE, Guidance.of(ProblemCode.TEMPORARILY_UNAVAILABLE).forUser(),
                    session.connectionId(), session.returnUrl(), null);
        }
        Instant now = clock.instant();
        IdTokenClaims claims = IdTokenClaims.parse(result.idToken());
        try {
            claims.verify(msal.registration(session.cloud()).clientId(), session.cloud(), session.nonce(),
                    session.tenantIsId() ? Optional.of(session.tenant()) : Optional.empty(), now, ID_TOKEN_CLOCK_SKEW);
        } catch (ConnectorException e) {
            LOG.warning("Sign-in for connection " + session.connectionId() + " refused: " + e.detail());
            throw new SignInFailure(e.code(), e.detail(), session.connectionId(), session.returnUrl(), null);
        }
        if (!cache.holdsRefreshToken()) {
            // Without a refresh token the connection would stop working when this access token expires.
            LOG.warning("Sign-in for connection " + session.connectionId() + " refused: Entra ID issued no refresh token (offline_access)");
            throw new SignInFailure(ProblemCode.OFFLINE_ACCESS_MISSING, Guidance.of(ProblemCode.OFFLINE_ACCESS_MISSING).forUser(),
                    session.connectionId(), session.returnUrl(), adminConsents.link(session, claims.tenantId()));
        }
        Account account = new Account(claims.tenantId(), claims.objectId(), claims.preferredUsername());
        Connection saved = save(session, new RefreshOutcomes.SignIn(account, session.features(), GraphScopes.granted(result.scopes(), session.cloud()),
                sealer.seal(session.connectionId(), session.cloud(), cache.storable()), result.expiresOnDate().toInstant(),
                Secrets.sha256(completion), Secrets.sha256(session.id())));
        return new CallbackOutcome.Connected(saved.id(), saved.status(), session.returnUrl(), saved.missingScopes(), completion, adminConsents.forMissing(session, saved));
    }

    private Connection save(LoginSession session, RefreshOutcomes.SignIn signIn) {
        try {
            return outcomes.signedIn(session.connectionId(), signIn, current -> SignInGuard.check(current, signIn.account(), session));
        } catch (ConnectorException e) {
            if (e.code() != ProblemCode.NOT_FOUND) {
                throw e;
            }
            // Removed (Connection.REMOVED_AFTER its disconnect, or its creation) while this sign-in was under way: nothing stored
            LOG.warning("Sign-in for connection " + session.connectionId() + " refused: the connection was removed");
            throw new SignInFailure(ProblemCode.STATE_INVALID, "This connection no longer exists: it was removed " + Connection.REMOVED_AFTER.toDays()
                    + " days after it was disconnected or created. Start connecting again from the app.", session.connectionId(), session.returnUrl(), null);
        }
    }

    private SignInFailure redemptionFailure(LoginSession session, Throwable cause) {
        ProblemCode code;
        if (cause instanceof MsalServiceException service) {
            code = EntraErrors.ofRedemption(service);
            LOG.warning("Code redemption for connection " + session.connectionId() + " failed: " + code.code()
                    + " (" + service.errorCode() + ": " + EntraErrors.summary(service.getMessage()) + ")");
        } else {
            code = ProblemCode.TEMPORARILY_UNAVAILABLE;
            LOG.warning("Code redemption for connection " + session.connectionId() + " failed: "
                    + (cause == null ? "unknown" : cause.getClass().getName()));
        }
        String adminLink = code == ProblemCode.ADMIN_APPROVAL_REQUIRED || code == ProblemCode.CONSENT_REQUIRED
                ? adminConsents.link(session) : null;
        return new SignInFailure(code, Guidance.of(code).forUser(), session.connectionId(), session.returnUrl(), adminLink);
    }

    /** Finds the session a login or admin-consent link names and checks it may start (again) in this browser. */
    private LoginSession startable(String sessionId, LoginSession.Kind kind, String browserCookie) {
        LoginSession session = sessions.find(sessionId).filter(s -> s.kind() == kind).orElseThrow(() ->
                SignInFailure.stateInvalid("This link is not valid. Go back to the app and start connecting again."));
        Instant now = clock.instant();
        if (session.expiredAt(now)) {
            throw SignInFailure.stateInvalid("This link has expired. Go back to the app and start connecting again.");
        }
        if (session.phase() == LoginSession.Phase.COMPLETED) {
            throw SignInFailure.stateInvalid("This link was already used. Go back to the app and start connecting again.");
        }
        // An admin-consent link is meant to be forwarded, so any browser may (re)start it; a user's
        // login link belongs to the browser that opened it first.
        if (session.phase() == LoginSession.Phase.STARTED && kind == LoginSession.Kind.SIGN_IN
                && !(SessionIds.isValidSecret(browserCookie) && Secrets.same(Secrets.sha256(browserCookie), session.browserHash()))) {
            throw SignInFailure.stateInvalid("This link was opened in another browser. Go back to the app and start connecting again here.");
        }
        return session;
    }

    private Started start(LoginSession session, String browserCookie) {
        String browser = SessionIds.isValidSecret(browserCookie) ? browserCookie : SessionIds.secret();
        String stateSecret = SessionIds.secret();
        String verifier = Pkce.newVerifier();
        LoginSession started = session.started(Secrets.sha256(browser), Secrets.sha256(stateSecret), SessionIds.secret(),
                sealer.seal(session.id(), session.cloud(), verifier),
                session.kind() == LoginSession.Kind.ADMIN_CONSENT ? session.expiresAt() : signInDeadline(session));
        try {
            started = sessions.update(started);
        } catch (ConcurrentUpdateException e) {
            throw SignInFailure.stateInvalid("This link was opened twice at the same time. Go back to the app and start connecting again.");
        }
        return new Started(started, session.id() + "." + stateSecret, verifier, browser);
    }

    /**
     * {@link #SIGN_IN_WINDOW} from now to finish at Microsoft, but never past the link's own lifetime and one window: reopened
     * in the same browser again and again, a link would otherwise live for ever.
     */
    private Instant signInDeadline(LoginSession session) {
        Instant latest = session.createdAt().plus(ConnectService.LOGIN_LINK_LIFETIME).plus(SIGN_IN_WINDOW);
        Instant window = clock.instant().plus(SIGN_IN_WINDOW);
        return window.isBefore(latest) ? window : latest;
    }

    /**
     * The same browser brought the same response again (a reload while the first answer was slow): its sign-in, if it
     * connected, gets a new completion code, since the first answer may never have reached the browser.
     */
    private CallbackOutcome repeated(LoginSession session) {
        String completion = CompletionRequest.code(session.id(), SessionIds.secret());
        return outcomes.reissueCompletion(session.connectionId(), Secrets.sha256(session.id()), Secrets.sha256(completion))
                .map(c -> (CallbackOutcome) new CallbackOutcome.Connected(c.id(), c.status(), session.returnUrl(), c.missingScopes(),
                        c.proof().confirmed() ? null : completion, null)) // proved: the web app has its code; a reload makes no new link
                .orElseThrow(() -> new SignInFailure(ProblemCode.STATE_INVALID, "This sign-in response was already used. If you "
                        + "reloaded this page while it was loading, wait a few seconds and reload it; if this persists, go back to the app "
                        + "and connect again.", session.connectionId(), session.returnUrl(), null));
    }

    /** A session the callback may use, or one this browser used already with this very response (repeated). */
    private record Claim(LoginSession session, boolean repeated) {
    }

    /**
     * Checks state, lifetime and browser binding, then marks a sign-in's session used: a code is redeemed once. The same
     * browser bringing the same response again (a reload) is a repeat, for either kind.
     */
    private Claim claim(String state, String browserCookie) {
        String[] parts = state == null ? new String[0] : state.split("\\.");
        if (parts.length != 3 || !SessionIds.isValidSecret(parts[2])) {
            throw SignInFailure.stateInvalid("The response from Microsoft has no valid state. Start connecting again from the app.");
        }
        LoginSession session = sessions.find(parts[0] + "." + parts[1]).orElseThrow(() ->
                SignInFailure.stateInvalid("This sign-in is not known. Start connecting again from the app."));
        boolean sameBrowser = SessionIds.isValidSecret(browserCookie) && Secrets.same(Secrets.sha256(browserCookie), session.browserHash());
        if (session.phase() == LoginSession.Phase.COMPLETED && sameBrowser
                && Secrets.same(Secrets.sha256(parts[2]), session.stateHash()) && !session.expiredAt(clock.instant())) {
            return new Claim(session, true);
        }
        if (session.phase() != LoginSession.Phase.STARTED) {
            throw SignInFailure.stateInvalid("This sign-in response was already used. Start connecting again from the app.");
        }
        if (session.expiredAt(clock.instant())) {
            throw SignInFailure.stateInvalid("This sign-in took too long and expired. Start connecting again from the app.");
        }
        if (!Secrets.same(Secrets.sha256(parts[2]), session.stateHash())) {
            throw SignInFailure.stateInvalid("The response from Microsoft does not match this sign-in. Start connecting again from the app.");
        }
        if (!sameBrowser) {
            throw SignInFailure.stateInvalid("This sign-in was started in another browser, or the browser blocked the sign-in cookie. "
                    + "Start connecting again from the app in this browser.");
        }
        if (session.kind() == LoginSession.Kind.ADMIN_CONSENT) {
            return new Claim(session, false); // no code to redeem once: marked used when approved (approved)
        }
        try {
            sessions.update(session.completed());
        } catch (ConcurrentUpdateException e) {
            throw SignInFailure.stateInvalid("This sign-in response was already used. Start connecting again from the app.");
        }
        return new Claim(session, false);
    }

    private record Started(LoginSession session, String state, String verifier, String browser) {
        @Override
        public String toString() {
            return "Started[session=" + session.id() + "]";
        }
    }
}
