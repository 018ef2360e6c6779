package io.m365connector.connect;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection;
import io.m365connector.platform.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The links a blocked user forwards to an administrator, and the administrator's answer. A link is used up only by an
 * approval: declined, cancelled, or signed in with an account that may not approve, it opens the admin-consent page again
 * (as the page then says), for this administrator or another one it is forwarded to.
 */
final class AdminConsentLinks {
    private static final Logger LOG = Logger.getLogger(AdminConsentLinks.class.getName());

    static final Duration LIFETIME = Duration.ofDays(7);

    private final Settings settings;
    private final LoginSessionStore sessions;
    private final Clock clock;

    AdminConsentLinks(Settings settings, LoginSessionStore sessions, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "'settings' cannot be null.");
        this.sessions = Objects.requireNonNull(sessions, "'sessions' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    /** Creates an admin-consent session for the cloud and features of a user's sign-in and returns its link. */
    String link(LoginSession userSession) {
        return link(userSession, userSession.tenantIsId() ? userSession.tenant() : "organizations");
    }

    /**
     * For a sign-in that connected without some permissions: a link for the user's tenant's administrator; null when none are
     * missing, or when its session could not be stored (the user is connected; the page then shows no link rather than fail).
     */
    String forMissing(LoginSession userSession, Connection connected) {
        if (connected.missingScopes().isEmpty() || connected.account() == null) {
            return null;
        }
        try {
            return link(userSession, connected.account().tenantId());
        } catch (RuntimeException e) {
            LOG.warning("No admin consent link for connection " + connected.id() + " (" + e.getClass().getSimpleName() + ")");
            return null;
        }
    }

    /**
     * The same, for the user's own tenant once a sign-in named it (its ID token's tid): the administrator then signs in there
     * (Learn, admin consent: use the tenant's id when it is known), not to whichever tenant their account belongs to.
     */
    String link(LoginSession userSession, String tenant) {
        Instant now = clock.instant();
        LoginSession admin = new LoginSession(SessionIds.newSessionId(now), LoginSession.Kind.ADMIN_CONSENT, null,
                userSession.cloud(), tenant, userSession.features(), null, null, null, now, now.plus(LIFETIME),
                LoginSession.Phase.CREATED, null, null, null, null, null, null, null);
        sessions.create(admin);
        return settings.publicBaseUrl() + "/api/auth/adminconsent/" + admin.id();
    }

    /** The callback of an admin-consent session the callback claimed: approved (the link used up), or why not. */
    CallbackOutcome answer(LoginSession session, CallbackParams params) {
        CallbackOutcome outcome = AdminConsentResults.of(session, params);
        try {
            sessions.update(session.completed());
        } catch (ConcurrentUpdateException e) {
            // the same approval came back twice at once: approved either way
        }
        return outcome;
    }
}
