package io.m365connector.connect;

import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionPage;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.ConnectionUpdates;
import io.m365connector.connection.Feature;
import io.m365connector.connection.OwnerQuery;
import io.m365connector.connection.StatusListener;
import io.m365connector.connection.SyncHealth;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.Settings;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.tokens.MsalClients;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** The web app backend's side of connecting: start (or restart) a connection, read its status, list an owner's, disconnect. */
public final class ConnectService {
    static final Duration LOGIN_LINK_LIFETIME = Duration.ofMinutes(30);
    /** How long after its login link expired a completion code still proves the sign-in. */
    static final Duration COMPLETION_LIFETIME = Duration.ofMinutes(30);

    private final Settings settings;
    private final MsalClients msal;
    private final LoginSessionStore sessions;
    private final ConnectionStore connections;
    private final Clock clock;
    private final ConnectionUpdates updates;
    private final Disconnects disconnects;
    private final StatusListener listener;
    private final SyncHealth.Source syncHealth;

    /** What else a disconnect does: before it, with the tokens still there; after it, on this instance. */
    public record Disconnects(Consumer<String> before, Consumer<String> after) {
    }

    /**
     * @param disconnects told the id of each connection being disconnected: {@code before} while its token still works (sync
     *                    deletes its Graph subscriptions; a failure there does not stop the disconnect), {@code after} once
     *                    the tokens are gone (drops cached access tokens on this instance)
     */
    public ConnectService(Settings settings, MsalClients msal, LoginSessionStore sessions, ConnectionStore connections, Clock clock,
                          Disconnects disconnects, StatusListener listener) {
        this(settings, msal, sessions, connections, clock, disconnects, listener, SyncHealth.Source.NONE);
    }

    /** @param syncHealth the sync part of a connection's status */
    public ConnectService(Settings settings, MsalClients msal, LoginSessionStore sessions, ConnectionStore connections, Clock clock,
                          Disconnects disconnects, StatusListener listener, SyncHealth.Source syncHealth) {
        this.syncHealth = Objects.requireNonNull(syncHealth, "'syncHealth' cannot be null.");
        this.settings = Objects.requireNonNull(settings, "'settings' cannot be null.");
        this.msal = Objects.requireNonNull(msal, "'msal' cannot be null.");
        this.sessions = Objects.requireNonNull(sessions, "'sessions' cannot be null.");
        this.connections = Objects.requireNonNull(connections, "'connections' cannot be null.");
        this.updates = new ConnectionUpdates(connections);
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.disconnects = Objects.requireNonNull(disconnects, "'disconnects' cannot be null.");
        this.listener = Objects.requireNonNull(listener, "'listener' cannot be null.");
    }

    /** The answer to POST /connections: where to send the user's browser. */
    public record Started(String connectionId, String status, String loginUrl, Instant expiresAt) {
    }

    public Started start(StartRequest request) {
        AppRegistration registration = msal.registration(request.cloud());
        URI returnUrl = request.returnUrl() == null ? null : settings.registeredReturnUrl(request.returnUrl().toString()).orElseThrow(() ->
                new RequestValidationException(List.of(new RequestValidationException.FieldError("returnUrl",
                        "Not in the allow-list (ALLOWED_RETURN_URLS); a return URL must be one of them exactly, character for character."))));
        Instant now = clock.instant();
        Connection connection = request.connectionId() == null
                ? connections.create(Connection.builder(Connection.newId(), request.ownerId(), request.cloud(), now)
                        .features(request.features()).refresh(Connection.RefreshState.NONE.withNextRefreshDue(now.plus(Connection.REMOVED_AFTER)))
                        .build()) // removed when nobody signs in to it: its first sign-in schedules the refreshes instead
                : reconnectable(request);
        Set<Feature> features = EnumSet.copyOf(request.features());
        features.addAll(connection.features());
        LoginSession session = sessions.create(new LoginSession(SessionIds.newSessionId(now), LoginSession.Kind.SIGN_IN,
                connection.id(), connection.cloud(), request.tenant() == null ? registration.defaultTenant() : request.tenant(),
                features, loginHint(request, connection), request.domainHint(), returnUrl, now, now.plus(LOGIN_LINK_LIFETIME),
                LoginSession.Phase.CREATED, null, null, null, null, connection.updatedAt(), connection.disconnects(), null));
        URI loginUrl = URI.create(settings.publicBaseUrl() + "/api/auth/login/" + session.id());
        return new Started(connection.id(), connection.status().id(), loginUrl.toString(), session.expiresAt());
    }

    public ConnectionView status(ConnectionRef ref) {
        Connection connection = existing(ref);
        return ConnectionView.of(connection, syncHealth.of(connection));
    }

    /**
     * POST /connections/{id}/completion: answers the connection when {@code request} is the completion code a sign-in of
     * it handed the browser that finished that sign-in, else {@code completion_invalid}. A web app uses a connection for
     * its signed-in user only after this answers 200 in that user's session: a login link forwarded to someone else is
     * finished in their browser, and the code goes there, never back to the user who started it (SECURITY.md). Valid until
     * {@link #COMPLETION_LIFETIME} after the login link expired; asking again is fine.
     */
    public ConnectionView completion(ConnectionRef ref, CompletionRequest request) {
        Connection connection = existing(ref);
        Instant now = clock.instant();
        String hash = Secrets.sha256(CompletionRequest.code(request.sessionId(), request.secret()));
        String id = connection.id();
        boolean fresh = sessions.find(request.sessionId()).filter(s -> s.kind() == LoginSession.Kind.SIGN_IN
                && s.phase() == LoginSession.Phase.COMPLETED && id.equals(s.connectionId())
                && now.isBefore(s.expiresAt().plus(COMPLETION_LIFETIME))).isPresent();
        if (!fresh || !holds(connection, hash)) {
            throw invalidCompletion(id);
        }
        if (!connection.proof().confirmed()) { // recorded once: the list shows which connections a sign-in of their owner proved
            connection = updates.apply(connection.id(), current -> holds(current, hash) && !current.proof().confirmed()
                    ? Optional.of(current.toBuilder().proof(new Connection.SignInProof(hash, current.proof().sessionHash(), now)).build())
                    : Optional.<Connection>empty()).orElseThrow(ref::notFound).after();
            if (!holds(connection, hash)) {
                throw invalidCompletion(connection.id()); // another sign-in replaced it meanwhile
            }
        }
        return ConnectionView.of(connection, syncHealth.of(connection));
    }

    /** Whether the connection holds the tokens of the sign-in that handed out this code (an older sign-in's code proves nothing). */
    private static boolean holds(Connection connection, String completionHash) {
        return connection.proof() != null && Secrets.same(completionHash, connection.proof().completionHash());
    }

    private static ConnectorException invalidCompletion(String connectionId) {
        return new ConnectorException(ProblemCode.COMPLETION_INVALID, "This completion code is not the one the sign-in whose tokens "
                + connectionId + " holds handed out, or it expired. Do not use the connection for this user: the sign-in was finished "
                + "in another browser, or long ago. Start connecting again.");
    }

    /** A page of one owner's connections, newest first (the caller's owner header was checked by the request). */
    public ConnectionList list(ListConnectionsRequest request) {
        OwnerQuery query = request.query();
        ConnectionPage page = connections.listByOwner(query);
        return new ConnectionList(query.ownerId(), page.connections().stream().map(ConnectionView::of).toList(),
                page.next() == null ? null : ListCursor.of(query.ownerId(), query.statuses(), page.next()));
    }

    /**
     * Deletes the tokens: the row shows disconnected and holds nothing that can be decrypted; it is removed, with what sync
     * kept, {@link Connection#REMOVED_AFTER} later (a reconnect before then keeps it).
     */
    public ConnectionView disconnect(ConnectionRef ref) {
        String connectionId = existing(ref).id();
        try {
            disconnects.before().accept(connectionId);
        } catch (RuntimeException e) {
            // cleanup at Microsoft is best effort: the disconnect itself must not fail on it
        }
        Instant now = clock.instant();
        ConnectionUpdates.Change change = updates.apply(connectionId, current -> {
            if (current.status() == ConnectionStatus.DISCONNECTED && current.tokens() == null) {
                // Disconnected already, but a reconnect may have started since: its sign-in, left open, must not connect the
                // connection after this disconnect. The count is what SignInGuard compares; the row's time stays that of the
                // disconnect, which the disconnect's status event is known by.
                return Optional.of(current.toBuilder().disconnects(current.disconnects() + 1)
                        .refresh(current.refresh().nextRefreshDue() != null ? current.refresh()
                                : current.refresh().withNextRefreshDue(now.plus(Connection.REMOVED_AFTER))).build()); // a row from before removals
            }
            Connection disconnected = current.toBuilder()
                    .status(ConnectionStatus.DISCONNECTED)
                    .tokens(null)
                    .proof(null) // no sign-in's tokens left to prove
                    .disconnects(current.disconnects() + 1)
                    .refresh(new Connection.RefreshState(null, now.plus(Connection.REMOVED_AFTER), current.refresh().lastRefreshAt(), null, 0,
                            current.refresh().lastUsedAt())) // its removal, with what sync kept (RefreshWorker)
                    .updatedAt(now)
                    .build();
            listener.beforeChange(current, disconnected); // the web app's event, queued before the row
            return Optional.of(disconnected);
        }).orElseThrow(ref::notFound);
        if (change.statusChanged() || change.before().tokens() != null) {
            disconnects.after().accept(connectionId);
            listener.statusChanged(change.before(), change.after());
        } else {
            listener.unchanged(change.after()); // a retried disconnect finishes a clean-up that failed
        }
        return ConnectionView.of(change.after());
    }

    /**
     * The request's hint, else, to reconnect a connection that keeps its account, that account: Microsoft then offers it
     * rather than whichever account the browser is signed in to, which would end in account_mismatch.
     */
    private static String loginHint(StartRequest request, Connection connection) {
        if (request.loginHint() != null || connection.account() == null || connection.status() == ConnectionStatus.DISCONNECTED) {
            return request.loginHint();
        }
        return connection.account().userPrincipalName();
    }

    private Connection reconnectable(StartRequest request) {
        // Another owner's connection answers as an unknown id does (404), as on every other route: the answer never tells
        // a caller that a connection it does not own exists.
        Connection existing = existing(ConnectionRef.of(request.connectionId(), request.ownerId()));
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        if (existing.cloud() != request.cloud()) {
            errors.add("cloud", "Connection " + existing.id() + " is in the " + existing.cloud().id()
                    + " cloud; a connection cannot move. Create a new connection instead.");
        }
        errors.throwIfAny();
        return keptForSignIn(existing);
    }

    /**
     * A disconnected (or never signed in) connection whose removal is near stays until this sign-in's link expired, with an
     * hour to spare: a conditional write, so a removal that read the row before it fails and leaves the connection.
     */
    private Connection keptForSignIn(Connection existing) {
        Instant keepUntil = clock.instant().plus(LOGIN_LINK_LIFETIME).plus(Duration.ofHours(1));
        if (!removedBefore(existing, keepUntil)) {
            return existing;
        }
        return updates.apply(existing.id(), current -> removedBefore(current, keepUntil)
                        ? Optional.of(current.toBuilder().refresh(current.refresh().withNextRefreshDue(keepUntil)).build()) : Optional.empty())
                .orElseThrow(() -> ConnectionRef.of(existing.id(), existing.ownerId()).notFound()).after();
    }

    private static boolean removedBefore(Connection c, Instant time) {
        return c.removable() && c.refresh().nextRefreshDue() != null && c.refresh().nextRefreshDue().isBefore(time);
    }

    private Connection existing(ConnectionRef ref) {
        if (!Connection.isValidId(ref.id())) {
            throw ref.notFound();
        }
        return ref.admit(connections.find(ref.id()).orElseThrow(ref::notFound));
    }
}
