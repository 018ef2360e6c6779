package io.m365connector.connect;

import io.m365connector.connection.Connection;
import io.m365connector.connection.Connection.Account;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.platform.ProblemCode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.logging.Logger;

/** What a completed sign-in may not overwrite: checked on the connection's row inside the write that stores the tokens. */
final class SignInGuard {
    private static final Logger LOG = Logger.getLogger(SignInGuard.class.getName());

    private SignInGuard() {
    }

    static void check(Connection current, Account account, LoginSession session) {
        refuseIfDisconnectedSince(current, session);
        refuseOtherAccount(current, account, session);
    }

    /**
     * A disconnect cancels the sign-ins started before it: a login page left open would otherwise make the connection
     * active again, perhaps with another account, after the web app was told it is disconnected. A session made for a
     * connection disconnected already (a reconnect) saw the row as it still is.
     */
    private static void refuseIfDisconnectedSince(Connection current, LoginSession session) {
        // The connection's DELETE count as it was when the session was made and as it is now (a repeated DELETE counts too,
        // and keeps the row's time). Sessions made by earlier versions have the row's own time then (one writer's clock,
        // never two instances'), or none: their start, with a minute for the two clocks, stands in.
        boolean disconnectedSince;
        if (session.connectionDisconnects() != null) {
            disconnectedSince = current.disconnects() != session.connectionDisconnects();
        } else if (session.connectionUpdatedAt() != null) {
            disconnectedSince = !current.updatedAt().truncatedTo(ChronoUnit.MILLIS)
                    .equals(session.connectionUpdatedAt().truncatedTo(ChronoUnit.MILLIS));
        } else {
            disconnectedSince = current.updatedAt().isAfter(session.createdAt().plus(Duration.ofMinutes(1)));
        }
        // Counted DELETEs tell it whatever the status now: a reconnect that finished since made the row active again, and the
        // tab left open from before the DELETE would take it over (tokens, proof). The older stand-ins change on any write.
        boolean refused = session.connectionDisconnects() != null ? disconnectedSince
                : current.status() == ConnectionStatus.DISCONNECTED && disconnectedSince;
        if (refused) {
            LOG.warning("Sign-in for connection " + current.id() + " refused: it was disconnected after this sign-in started");
            throw new SignInFailure(ProblemCode.STATE_INVALID, "This connection was disconnected after this sign-in started. "
                    + "Start connecting again from the app.", current.id(), session.returnUrl(), null);
        }
    }

    /** A connection belongs to the account that first signed in to it, until it is disconnected. */
    private static void refuseOtherAccount(Connection current, Account account, LoginSession session) {
        if (current.account() != null && current.status() != ConnectionStatus.DISCONNECTED
                && !(current.account().tenantId().equalsIgnoreCase(account.tenantId())
                && current.account().userObjectId().equalsIgnoreCase(account.userObjectId()))) {
            throw new SignInFailure(ProblemCode.ACCOUNT_MISMATCH, "This connection belongs to "
                    + Optional.ofNullable(current.account().userPrincipalName()).orElse("another account")
                    + ". Sign in with that account, or disconnect first.", current.id(), session.returnUrl(), null);
        }
    }
}
