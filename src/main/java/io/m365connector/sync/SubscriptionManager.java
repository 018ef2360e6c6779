package io.m365connector.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.kiota.HttpMethod;
import io.m365connector.graph.GraphException;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphTemplates;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.OutlookPrefer;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Keeps one Graph subscription per synced resource alive: created when missing, renewed a day before it
 * expires (which also reauthorizes it), created anew when Graph no longer knows it (404 on renew,
 * {@code subscriptionRemoved}). Its lifecycle notifications go to the same receiver. A resource whose
 * subscription cannot be made (Graph refused the endpoint, the 1,000-per-mailbox limit, no public https
 * URL) is synced by the timer alone, and its state says why.
 *
 * <p>Graph's subscription JSON is written and read here rather than through the SDK's {@code Subscription} model, which
 * derives from {@code Entity} and would cost a cold sync worker ~1,100 class loads (BENCHMARKS.md, issue 24);
 * {@code DeltaJsonTest} checks the bodies against the SDK's own serialization.
 */
final class SubscriptionManager {
    private static final Logger LOG = Logger.getLogger(SubscriptionManager.class.getName());
    /** Asked-for lifetime: under the 4,230 minutes older pages give for Outlook (10,080 on newer ones); Graph answers the real expiry. */
    static final Duration LIFETIME = Duration.ofMinutes(4_200);
    /** Renewed when less than this is left. */
    static final Duration RENEW_BEFORE = Duration.ofHours(24);
    private static final SecureRandom RANDOM = new SecureRandom();
    // The SDK's URI templates of /subscriptions and /subscriptions/{id}.
    private static final String SUBSCRIPTIONS = "{+baseurl}/subscriptions" + GraphTemplates.COLLECTION_QUERY;
    private static final String SUBSCRIPTION = "{+baseurl}/subscriptions/{subscription%2Did}{?%24select}";

    private final Subscriptions held;
    private final SyncStates states;
    private final NotificationUrls urls;
    private final Clock clock;
    /** Whether a connection is active: a subscription held by one that is not (a disconnect whose clean-up failed) gives way. */
    private final Predicate<String> active;

    SubscriptionManager(Subscriptions held, SyncStates states, NotificationUrls urls, Clock clock, Predicate<String> active) {
        this.held = held;
        this.states = states;
        this.urls = urls;
        this.clock = clock;
        this.active = active;
    }

    /**
     * Makes sure the resource has a subscription that outlives the next renewal: {@code force} renews now
     * (reauthorization); {@code verify} asks Graph whether it still has it (the timer's runs: Graph may have
     * dropped it without a word, and nothing else would notice before the renewal a day ahead of expiry).
     *
     * @return whether a new subscription was made: a change between the delta the caller read and this moment
     *         was notified to no one
     */
    boolean ensure(GraphSession session, SyncResource resource, boolean force, boolean verify) {
        String connectionId = session.connectionId();
        Instant now = clock.instant();
        Optional<SyncStates.SubscriptionState> current = states.subscription(connectionId, resource).filter(s -> s.subscriptionId() != null);
        if (urls.notification().isEmpty()) {
            states.saveSubscription(connectionId, resource, new SyncStates.SubscriptionState(null, null, "notification_url_not_public", now, null));
            return false;
        }
        boolean creating = false;
        try {
            if (current.isPresent() && movedFrom(current.get())) {
                // PUBLIC_BASE_URL changed: a renewal would keep Graph delivering to the old URLs (and Graph does not let a
                // subscription's lifecycleNotificationUrl change), so the subscription is made again for the new ones
                delete(session, current.get().subscriptionId());
            } else {
                // A subscription whose last renewal or check failed is renewed at the next chance, however long it has left.
                boolean fresh = current.isPresent() && current.get().problem() == null && current.get().expiresAt() != null
                        && now.isBefore(current.get().expiresAt().minus(RENEW_BEFORE));
                if (fresh && !force) {
                    if (!verify || exists(session, current.get().subscriptionId())) {
                        return false;
                    }
                    held.remove(current.get().subscriptionId()); // Graph no longer has it: a new one
                } else if (current.isPresent() && renew(session, resource, current.get())) {
                    return false;
                }
            }
            creating = true;
            create(session, resource);
            return true;
        } catch (ConnectorException e) {
            failed(connectionId, resource, creating ? Optional.empty() : current, e, now);
            return false;
        }
    }

    /**
     * A check or renewal that failed (throttled, Graph unavailable) keeps a subscription that has not expired: it still
     * delivers, and the next run renews it (its problem makes it due). Forgetting its id would make a second one beside
     * it, which a disconnect could not delete. Without one (or when making one failed) the resource is synced by the timer.
     */
    private void failed(String connectionId, SyncResource resource, Optional<SyncStates.SubscriptionState> current, ConnectorException e,
                        Instant now) {
        Optional<SyncStates.SubscriptionState> alive = current.filter(s -> s.expiresAt() != null && now.isBefore(s.expiresAt()));
        if (alive.isPresent()) {
            LOG.info("Could not check or renew the " + resource.id() + " subscription of " + connectionId + " (" + e.code().code()
                    + "); it lives until " + alive.get().expiresAt() + " and is renewed at the next run");
            states.saveSubscription(connectionId, resource, new SyncStates.SubscriptionState(alive.get().subscriptionId(),
                    alive.get().expiresAt(), e.code().code(), now, alive.get().notificationUrl()));
            return;
        }
        LOG.info("No subscription for " + resource.id() + " of " + connectionId + " (" + e.code().code() + "): synced by the timer");
        states.saveSubscription(connectionId, resource, new SyncStates.SubscriptionState(null, null, e.code().code(), now, null));
    }

    /** Graph removed the subscription (or lost it): the next ensure creates a new one. */
    void forget(String connectionId, SyncResource resource) {
        states.subscription(connectionId, resource).map(SyncStates.SubscriptionState::subscriptionId).ifPresent(held::remove);
        states.saveSubscription(connectionId, resource, new SyncStates.SubscriptionState(null, null, null, clock.instant(), null));
    }

    /**
     * Deletes the subscription at Graph and here (disconnect); a subscription Graph no longer has is fine. The session is
     * opened only for a subscription there is: it takes a token (perhaps a refresh at Entra, whose refusal would announce
     * needs_reauth just before the disconnect).
     */
    void drop(String connectionId, SyncResource resource, Supplier<GraphSession> session) {
        states.subscription(connectionId, resource).map(SyncStates.SubscriptionState::subscriptionId)
                .ifPresent(id -> delete(session.get(), id));
    }

    private void delete(GraphSession session, String subscriptionId) {
        try {
            session.run(Safety.REMOVAL, c -> GraphJsonRequests.send(c, HttpMethod.DELETE, SUBSCRIPTION, Map.of("subscription%2Did", subscriptionId),
                    null));
        } catch (GraphException e) {
            if (e.code() != ProblemCode.NOT_FOUND) { // a 404: gone already (expired, removed by Graph, deleted by a dead instance)
                throw e;
            }
        }
        held.remove(subscriptionId);
    }

    /** Whether the subscription was made for other notification URLs than the app's now. */
    private boolean movedFrom(SyncStates.SubscriptionState current) {
        return current.notificationUrl() != null && !current.notificationUrl().equals(urls.notification().orElse(null));
    }

    private boolean exists(GraphSession session, String subscriptionId) {
        try {
            session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, SUBSCRIPTION, Map.of("subscription%2Did", subscriptionId), Map.of(), List.of()));
            return true;
        } catch (GraphException e) {
            if (e.code() == ProblemCode.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private boolean renew(GraphSession session, SyncResource resource, SyncStates.SubscriptionState current) {
        String subscriptionId = current.subscriptionId();
        byte[] change = renewal(clock.instant().plus(LIFETIME));
        try {
            JsonNode renewed = session.call(Safety.REPEATABLE, c -> readable(GraphJsonRequests.send(c, HttpMethod.PATCH, SUBSCRIPTION,
                    Map.of("subscription%2Did", subscriptionId), change, List.of())));
            record(session.connectionId(), resource, subscriptionId, renewed, null, current.notificationUrl());
            return true;
        } catch (GraphException e) {
            if (e.code() == ProblemCode.NOT_FOUND) {
                held.remove(subscriptionId); // expired or removed by Graph: a new one, not a retry (Graph's advice)
                return false;
            }
            throw e;
        }
    }

    private void create(GraphSession session, SyncResource resource) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String clientState = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] wanted = subscription(resource.subscriptionResource(), urls.notification().orElseThrow(), urls.lifecycle().orElse(null),
                clock.instant().plus(LIFETIME), clientState);
        JsonNode created;
        try {
            created = post(session, wanted);
        } catch (GraphException e) {
            if (!e.conflict() || !OrphanSubscriptions.remove(session, resource, held, active, id -> delete(session, id))) {
                throw e;
            }
            created = post(session, wanted);
        }
        record(session.connectionId(), resource, GraphValues.text(created, "id"), created, Secrets.sha256(clientState),
                urls.notification().orElse(null));
    }

    private static JsonNode post(GraphSession session, byte[] wanted) {
        try {
            return session.call(Safety.ONCE, c -> readable(GraphJsonRequests.postCreated(c, SUBSCRIPTIONS, Map.of(), wanted,
                    List.of(OutlookPrefer.IMMUTABLE_IDS))));
        } catch (GraphRetry.Ambiguous ambiguous) {
            // Graph may have made it, and it has no row here: the next create meets it as a duplicate (OrphanSubscriptions)
            throw ambiguous.failure().toException(session.connectionId());
        }
    }

    /** @param madeFor the notification URL the subscription was made for, kept when Graph's answer does not say (a renewal's may not) */
    private void record(String connectionId, SyncResource resource, String subscriptionId, JsonNode answer, String clientStateHash,
                        String madeFor) {
        OffsetDateTime answered = GraphValues.time(answer, "expirationDateTime");
        Instant expires = answered != null ? answered.toInstant() : clock.instant().plus(LIFETIME);
        if (clientStateHash != null) {
            held.save(new Subscriptions.Held(subscriptionId, connectionId, resource, clientStateHash, expires));
        }
        String url = GraphValues.text(answer, "notificationUrl");
        states.saveSubscription(connectionId, resource, new SyncStates.SubscriptionState(subscriptionId, expires, null, clock.instant(),
                url != null ? url : madeFor));
    }

    /** An answer whose expiry cannot be read is a broken answer inside the call (as the SDK's parsing failed there), not after it. */
    private static JsonNode readable(JsonNode answer) {
        try {
            GraphValues.time(answer, "expirationDateTime");
            return answer;
        } catch (DateTimeParseException e) {
            UncheckedIOException broken = GraphJsonRequests.brokenAnswer(
                    "Microsoft Graph's subscription answer had an unreadable expirationDateTime");
            broken.addSuppressed(e);
            throw broken;
        }
    }

    /** The body of POST /subscriptions, as the SDK serialized its {@code Subscription} model (null values left out). */
    static byte[] subscription(String resource, String notificationUrl, String lifecycleUrl, Instant expires, String clientState) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("changeType", "created,updated,deleted");
        body.put("clientState", clientState);
        body.put("expirationDateTime", graphTime(expires));
        if (lifecycleUrl != null) {
            body.put("lifecycleNotificationUrl", lifecycleUrl);
        }
        body.put("notificationUrl", notificationUrl);
        body.put("resource", resource);
        return Json.bytes(body);
    }

    /** The body of a renewal (PATCH /subscriptions/{id}). */
    static byte[] renewal(Instant expires) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("expirationDateTime", graphTime(expires));
        return Json.bytes(body);
    }

    /** As Kiota writes an OffsetDateTime (ISO_OFFSET_DATE_TIME), in UTC. */
    private static String graphTime(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
