package io.m365connector.testing.graph;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static io.m365connector.platform.Html.escape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.FakeServers;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.entra.FakeEntraId;
import io.m365connector.testing.entra.FakeUser;
import io.m365connector.testing.entra.IssuedAccessToken;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful fake of the parts of Microsoft Graph v1.0 the connector uses (drafts, send, sendMail,
 * attachment upload sessions, calendar events; rooms, getSchedule and findMeetingTimes through
 * {@link FakeScheduling}), over HTTPS at the four real Graph host names.
 *
 * <p>Bearer tokens are checked against the {@link FakeEntraId} that issued them: unknown, expired or
 * for another Graph host answers 401 InvalidAuthenticationToken; a missing delegated permission or
 * a mailbox the user has no access to answers 403 ErrorAccessDenied. Property names in request bodies
 * are case-insensitive, as in Graph. Errors carry Graph's body ({@code error.code}, {@code message},
 * {@code innerError} with date, request-id, client-request-id) and headers.
 *
 * <p>The read and sync side lives beside it: mail folders, received messages and attachments, and their
 * change log in {@link FakeMailStore} ({@link #mail()}); delta queries in {@link FakeDelta} ({@link #delta()});
 * calendarView; change-notification subscriptions and their delivery in {@link FakeSubscriptions}
 * ({@link #subscriptions()}); what each cloud serves in {@link SyncCloudSupport}. Drafts, sent mail and
 * events made here are changes there (a sent draft moves to Sent Items, a recipient of this fake gets it
 * in its inbox, event changes reach calendarView delta and event subscriptions).
 *
 * <p>Tests can inject faults ({@link #failNext}), add latency, look at the state (sent mail, drafts,
 * events, cancellations) and at every request received. A read-only HTML view of a mailbox is served
 * at {@code GET https://<graph host>/_fake/mailbox/{upn}} (no authentication).
 *
 * <p>No token or header is ever logged; the Authorization header is recorded redacted. Thread-safe.
 */
public final class FakeGraph implements AutoCloseable {
    static final String TRANSFORMER = "fake-graph";

    /** Graph refuses request bodies over 4 MB (HTTP 413); inline attachments must fit in this. */
    public static final int MAX_REQUEST_BODY = 4 * 1024 * 1024;
    /** Largest byte range one upload PUT may carry. */
    public static final int MAX_UPLOAD_CHUNK = 4 * 1024 * 1024;
    /**
     * Outlook refuses upload sessions for small files (ErrorAttachmentSizeShouldNotBeLessThanMinimumSize):
     * Microsoft's docs say to POST attachments under 3 MB; the limit measured in practice is 2 MiB.
     */
    public static final long MIN_UPLOAD_SESSION_SIZE = 2L * 1024 * 1024;
    /** Upload sessions are for files up to 150 MB. */
    public static final long MAX_UPLOAD_SESSION_SIZE = 150L * 1024 * 1024;

    private static final Duration UPLOAD_SESSION_LIFETIME = Duration.ofHours(6);
    private static final String JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
    private static final String ERROR_JSON = "application/json";
    private static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
    private static final DateTimeFormatter GRAPH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ERROR_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter EVENT_LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    private static final Set<String> UNSUPPORTED_QUERY = Set.of("$filter", "$search", "$orderby", "$skip", "$count", "$skiptoken", "$deltatoken");
    private static final Map<String, NationalCloud> CLOUD_BY_GRAPH_HOST = cloudByGraphHost();
    private static final Pattern EXTENDED_PROPERTY_FILTER = Pattern.compile(
            "singleValueExtendedProperties/any\\(\\s*(\\w+)\\s*:\\s*\\1/id eq '([^']*)' and \\1/value eq '([^']*)'\\s*\\)",
            Pattern.CASE_INSENSITIVE);

    private final FakeEntraId entra;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Object lock = new Object();

    // guarded by lock
    private final Map<String, Mailbox> mailboxes = new HashMap<>();
    private final Map<String, Map<String, Boolean>> grants = new HashMap<>();
    private final Map<String, String> displayNames = new HashMap<>();
    private final Map<String, UploadSession> uploads = new HashMap<>();
    private final List<ScriptedFault> faults = new ArrayList<>();
    /** Things that happen in the mailbox just before the next matching request is handled ({@link #beforeNext}). */
    private final List<Map.Entry<ScriptedFault, Runnable>> before = new ArrayList<>();
    /** Faults that let this many matching requests through first ({@link #failAfter}). */
    private final Map<ScriptedFault, Integer> passesFirst = new IdentityHashMap<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final List<String> unhandled = new ArrayList<>();

    private volatile Duration latency = Duration.ZERO;
    // guarded by lock: reads a submitted draft stays visible for, per draft id
    private int submissionLag;
    private final Map<String, Integer> submitting = new HashMap<>();
    /** Lookups of Sent Items a sendMail copy is not visible to yet, per value of its extended properties. */
    private final Map<String, Integer> submittingCopies = new HashMap<>();
    private final WireMockServer server;
    private final FakeScheduling scheduling;
    // guarded by lock
    private final Map<NationalCloud, SyncCloudSupport> syncSupport = new EnumMap<>(SyncCloudSupport.DOCUMENTED);
    private final FakeSubscriptions subscriptions;
    private final SubscriptionRequests subscriptionRequests;
    private final FakeMailStore mail;
    private final MailReads mailReads;
    private final CalendarReads calendarReads;
    private final FakeDelta delta;

    /** Starts the fake on a free local HTTPS port; token expiry is judged by the system clock. */
    public FakeGraph(FakeEntraId entra) {
        this(entra, Clock.systemUTC());
    }

    /** Starts the fake with its own clock (token expiry, timestamps); pass the clock the fake Entra ID uses. */
    public FakeGraph(FakeEntraId entra, Clock clock) {
        this.entra = Objects.requireNonNull(entra, "entra");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduling = new FakeScheduling(lock, this::events, clock);
        this.subscriptions = new FakeSubscriptions(lock, clock, this::syncSupport);
        this.mail = new FakeMailStore(lock, clock, subscriptions::changed, subscriptions::afterChange);
        this.subscriptionRequests = new SubscriptionRequests(lock, subscriptions, mail);
        this.mailReads = new MailReads(mail);
        this.calendarReads = new CalendarReads(this::events);
        this.delta = new FakeDelta(lock, mail, calendarReads);
        JournalTrimmer trimmer = new JournalTrimmer();
        this.server = FakeServers.https(new Endpoints(), trimmer);
        trimmer.server = server;
        server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(TRANSFORMER)));
    }

    /** Rooms, room lists, schedules (working hours, busy blocks) and room answers: set up state here. */
    public FakeScheduling scheduling() {
        return scheduling;
    }

    /** Mail folders, received messages and their changes: deliver, read, move and delete mail as a user's Outlook would. */
    public FakeMailStore mail() {
        return mail;
    }

    /** Delta queries: expire sync state, replay a page, limit page sizes. */
    public FakeDelta delta() {
        return delta;
    }

    /** Change-notification subscriptions: the endpoint notifications go to, delivery on the clock, lifecycle events. */
    public FakeSubscriptions subscriptions() {
        return subscriptions;
    }

    /** What Graph serves in {@code cloud} for reads and sync (default: {@link SyncCloudSupport#DOCUMENTED}). */
    public void setSyncSupport(NationalCloud cloud, SyncCloudSupport support) {
        synchronized (lock) {
            syncSupport.put(Objects.requireNonNull(cloud, "cloud"), Objects.requireNonNull(support, "support"));
        }
    }

    public SyncCloudSupport syncSupport(NationalCloud cloud) {
        synchronized (lock) {
            return syncSupport.get(cloud);
        }
    }

    /** Routes the Graph host of every national cloud to this fake. */
    public LocalCloudRouting routeInto(LocalCloudRouting routing) {
        for (String host : CLOUD_BY_GRAPH_HOST.keySet()) {
            routing.route(host, port());
        }
        return routing;
    }

    public int port() {
        return server.httpsPort();
    }

    /**
     * Lets {@code userUpn} use {@code /users/{mailboxUpn}/...} (with the .Shared permissions). With
     * {@code sendAs} the user may also send from that mailbox; without it sending from it answers 403
     * ErrorSendAsDenied. Granting again replaces the sendAs flag.
     */
    public void grantMailboxAccess(String userUpn, String mailboxUpn, boolean sendAs) {
        synchronized (lock) {
            grants.computeIfAbsent(key(userUpn), k -> new HashMap<>()).put(key(mailboxUpn), sendAs);
        }
    }

    /**
     * The next request with this method whose path (without {@code /v1.0} and query, URL-decoded, for
     * example {@code /me/messages/[^/]+/send}) matches the regex gets this Graph error. With
     * {@code performFirst} the request is handled normally first (the mail goes out, the event is
     * created) and the error replaces the answer: an ambiguous failure such as a 504 after the
     * operation was accepted. Faults are used in the order they were added.
     */
    public void failNext(String method, String pathRegex, int status, String errorCode, String message, Integer retryAfterSeconds,
            boolean performFirst) {
        ScriptedFault fault = new ScriptedFault(method, Pattern.compile(pathRegex), status, errorCode, message, retryAfterSeconds,
                performFirst, false);
        synchronized (lock) {
            faults.add(fault);
        }
    }

    /**
     * Like {@link #failNext} (not performed first), after {@code pass} matching requests were answered normally: for
     * example the second page of a delta, whose link has the first call's path.
     */
    public void failAfter(int pass, String method, String pathRegex, int status, String errorCode, String message) {
        ScriptedFault fault = new ScriptedFault(method, Pattern.compile(pathRegex), status, errorCode, message, null, false, false);
        synchronized (lock) {
            faults.add(fault);
            passesFirst.put(fault, pass);
        }
    }

    /**
     * After {@code pass} matching requests were answered normally, the next one is answered {@code status} with {@code body}
     * as it is, and not carried out: an answer that is not a Graph resource (an empty 200 from a proxy, a page cut short), to
     * check that the connector does not take it for one.
     */
    public void answerAfter(int pass, String method, String pathRegex, int status, String body) {
        ScriptedFault fault = new ScriptedFault(method, Pattern.compile(pathRegex), status, null, null, null, false, false, null,
                Duration.ZERO, Objects.requireNonNull(body, "body"));
        synchronized (lock) {
            faults.add(fault);
            passesFirst.put(fault, pass);
        }
    }

    /** Drops every scripted fault not used yet (a client that gave up before using them all). */
    public void clearFaults() {
        synchronized (lock) {
            faults.clear();
            passesFirst.clear();
        }
    }

    /**
     * Runs {@code action} (a change in a mailbox, say) when the next request with this method and path arrives, before it
     * is handled: for example a mail that arrives while the connector is creating a subscription.
     */
    public void beforeNext(String method, String pathRegex, Runnable action) {
        synchronized (lock) {
            before.add(Map.entry(new ScriptedFault(method, Pattern.compile(pathRegex), 0, null, null, null, false, false), action));
        }
    }

    /**
     * The next matching request gets no HTTP answer: the connection is reset. With {@code performFirst}
     * the operation is carried out before the connection drops.
     */
    public void dropNext(String method, String pathRegex, boolean performFirst) {
        ScriptedFault fault = new ScriptedFault(method, Pattern.compile(pathRegex), 0, null, null, null, performFirst, true);
        synchronized (lock) {
            faults.add(fault);
        }
    }

    /**
     * The next matching request is answered 401 with a Continuous Access Evaluation claims challenge
     * (not carried out), whatever its token: as Graph answers after a critical event. Returns the claims JSON.
     */
    public String challengeNext(String method, String pathRegex) {
        String claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + clock.instant().getEpochSecond() + "\"}}}";
        ScriptedFault fault = new ScriptedFault(method, Pattern.compile(pathRegex), 401, "InvalidAuthenticationToken",
                "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: "
                        + "TokenIssuedBeforeRevocationTimestamp", null, false, false, claims, Duration.ZERO);
        synchronized (lock) {
            faults.add(fault);
        }
        return claims;
    }

    /**
     * The next matching request is carried out and answered after {@code delay}: longer than the
     * client's timeout, it is the timeout after Graph acted.
     */
    public void delayNext(String method, String pathRegex, Duration delay) {
        ScriptedFault fault = new ScriptedFault(method, Pattern.compile(pathRegex), 0, null, null, null, true, false, null, delay);
        synchronized (lock) {
            faults.add(fault);
        }
    }

    /**
     * Exchange submits a sent draft asynchronously: after a send is accepted, the message stays
     * visible as a draft ({@code isDraft: true}) for the next {@code reads} reads of it, then is gone
     * from Drafts; a sendMail's copy kept in Sent Items is missing from the next {@code reads} lookups of it
     * by its extended property. It counts as sent (in {@link #sentMail}) from the moment the send was accepted.
     */
    public void setSubmissionLag(int reads) {
        synchronized (lock) {
            submissionLag = reads;
        }
    }

    /** Delay before every answer (handled requests change state first, then wait). */
    public void setLatency(Duration latency) {
        this.latency = latency == null ? Duration.ZERO : latency;
    }

    /**
     * An event the user did not organize: an invitation in {@code mailboxUpn}'s calendar
     * ({@code isOrganizer} false, organizer from the event or an external one). Returns its id.
     */
    public String addInvitation(String mailboxUpn, JsonNode event) {
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("event must be a JSON object");
        }
        String id = SyncValues.immutableId(); // kept in its immutable form; shown in either (SyncValues.eventDefaultId)
        try {
            addInvitation(mailboxUpn, event, id);
            return id;
        } finally {
            subscriptions.afterChange(); // its notifications, outside the lock
        }
    }

    private void addInvitation(String mailboxUpn, JsonNode event, String id) {
        synchronized (lock) {
            Mailbox mailbox = mailbox(mailboxUpn);
            ObjectNode ev = (ObjectNode) GraphJson.canonical(event);
            Instant now = clock.instant();
            ev.put("id", id);
            ev.put("iCalUId", iCalUId());
            ev.put("createdDateTime", GRAPH_TIME.format(now));
            ev.put("lastModifiedDateTime", GRAPH_TIME.format(now));
            ev.put("changeKey", randomToken(12));
            ev.put("isOrganizer", false);
            ev.put("isCancelled", false);
            if (!ev.hasNonNull("organizer")) {
                ev.set("organizer", GraphJson.recipient("organizer@fabrikam.example", "External Organizer"));
            }
            ObjectNode status = GraphJson.object();
            status.put("response", "notResponded");
            status.put("time", "0001-01-01T00:00:00Z");
            ev.set("responseStatus", status);
            ev.put("webLink", eventWebLink(NationalCloud.GLOBAL, id));
            normalizeEventTimes(ev);
            mailbox.events.put(id, ev);
            mail.eventSaved(mailbox.upn, ev);
        }
    }

    /** Messages sent from that mailbox (sent drafts and sendMail), in order. */
    public List<SentMail> sentMail(String mailboxUpn) {
        synchronized (lock) {
            Mailbox mailbox = mailboxes.get(key(mailboxUpn));
            if (mailbox == null) {
                return List.of();
            }
            List<SentMail> result = new ArrayList<>();
            for (SentMail m : mailbox.sent) {
                result.add(new SentMail(m.mailboxUpn(), m.sentAs(), m.message().deepCopy(), m.sentAt()));
            }
            return List.copyOf(result);
        }
    }

    /** The drafts (not yet sent) in that mailbox, with their attachments (contentBytes included). */
    public List<JsonNode> drafts(String mailboxUpn) {
        synchronized (lock) {
            Mailbox mailbox = mailboxes.get(key(mailboxUpn));
            return mailbox == null ? List.of() : copies(mailbox.drafts.values());
        }
    }

    /** The current (not deleted, not cancelled) events of that mailbox's calendar. */
    public List<JsonNode> events(String mailboxUpn) {
        synchronized (lock) {
            Mailbox mailbox = mailboxes.get(key(mailboxUpn));
            return mailbox == null ? List.of() : copies(mailbox.events.values());
        }
    }

    /** Meetings cancelled by their organizer in that mailbox, as {@code {"eventId": ..., "comment": ...}}. */
    public List<JsonNode> cancellations(String mailboxUpn) {
        synchronized (lock) {
            Mailbox mailbox = mailboxes.get(key(mailboxUpn));
            return mailbox == null ? List.of() : copies(mailbox.cancellations);
        }
    }

    /** Every request received, in order. */
    public List<RecordedRequest> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** The requests with this method (any case) whose path (without /v1.0, without query) matches the regex. */
    public List<RecordedRequest> requests(String method, String pathRegex) {
        Pattern pattern = Pattern.compile(pathRegex);
        synchronized (lock) {
            return requests.stream().filter(r -> r.method().equalsIgnoreCase(method) && pattern.matcher(r.path()).matches()).toList();
        }
    }

    /** Requests the fake does not implement (answered 404), as "METHOD https://host/path". */
    public List<String> unhandledRequests() {
        synchronized (lock) {
            return List.copyOf(unhandled);
        }
    }

    /**
     * Forgets mailboxes' contents (messages, sync state, subscriptions and pending notifications too), upload
     * sessions, faults and recorded requests; keeps grants, latency and the notification endpoint.
     */
    public void reset() {
        synchronized (lock) {
            mailboxes.clear();
            uploads.clear();
            submitting.clear();
            submittingCopies.clear();
            submissionLag = 0;
            faults.clear();
            passesFirst.clear();
            before.clear();
            requests.clear();
            unhandled.clear();
        }
        scheduling.reset();
        mail.reset();
        delta.reset();
        subscriptions.reset();
        synchronized (lock) {
            syncSupport.putAll(SyncCloudSupport.DOCUMENTED);
        }
        server.resetRequests();
    }

    @Override
    public void close() {
        server.stop();
    }

    // ---------------------------------------------------------------- WireMock glue

    private final class Endpoints implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return TRANSFORMER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Reply reply;
            try {
                reply = handle(event.getRequest());
            } catch (RuntimeException e) {
                // The exception names no header or token: only its type and message from this class.
                synchronized (lock) {
                    unhandled.add("FAILED " + event.getRequest().getMethod() + " " + pathOf(event.getRequest().getUrl()) + " "
                            + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                reply = Reply.empty(500);
            }
            ResponseDefinitionBuilder builder = ResponseDefinitionBuilder.responseDefinition().withStatus(reply.status);
            if (reply.dropConnection) {
                builder.withFault(Fault.CONNECTION_RESET_BY_PEER);
            }
            if (reply.contentType != null) {
                builder.withHeader("Content-Type", reply.contentType);
            }
            if (reply.binary != null) {
                builder.withBody(reply.binary);
            } else if (reply.body != null) {
                builder.withBody(reply.body);
            }
            reply.headers.forEach(builder::withHeader);
            long delay = latency.toMillis() + reply.delay.toMillis();
            if (delay > 0) {
                builder.withFixedDelay((int) Math.min(Integer.MAX_VALUE, delay));
            }
            return builder.build();
        }
    }

    /** Drops each request from WireMock's own journal once answered: the fake keeps its own (redacted) record. */
    private static final class JournalTrimmer implements ServeEventListener {
        volatile WireMockServer server;

        @Override
        public String getName() {
            return "fake-graph-journal-trimmer";
        }

        @Override
        public void afterComplete(ServeEvent serveEvent, Parameters parameters) {
            WireMockServer s = server;
            if (s != null) {
                s.removeServeEvent(serveEvent.getId());
            }
        }
    }

    // ---------------------------------------------------------------- dispatch

    private Reply handle(Request request) {
        String method = request.getMethod().getName().toUpperCase(Locale.ROOT);
        String host = hostOf(request);
        String url = request.getUrl();
        int q = url.indexOf('?');
        String rawPath = q < 0 ? url : url.substring(0, q);
        String query = q < 0 ? "" : url.substring(q + 1);
        String decoded = decodePath(rawPath);
        boolean versioned = decoded.equals("/v1.0") || decoded.startsWith("/v1.0/");
        String path = versioned ? (decoded.length() == 5 ? "/" : decoded.substring(5)) : decoded;
        byte[] body = request.getBody() == null ? new byte[0] : request.getBody();
        boolean upload = method.equals("PUT") && !versioned && path.startsWith("/upload/");

        String authorization = request.getHeader("Authorization");
        String token = bearerToken(authorization);
        IssuedAccessToken issued = token == null ? null : entra.accessToken(token).orElse(null);
        Map<String, String> headers = recordedHeaders(request);
        String clientRequestId = headers.get("client-request-id");
        String requestId = UUID.randomUUID().toString();
        Call call = new Call(method, host, rawPath, path, versioned, query, queryParams(query), headers, authorization, body, issued,
                requestId, clientRequestId == null || clientRequestId.isBlank() ? requestId : clientRequestId);

        ScriptedFault fault;
        Runnable beforeThis;
        synchronized (lock) {
            requests.add(new RecordedRequest(method, host, path, query, headers,
                    upload ? "[" + body.length + " bytes]" : new String(body, StandardCharsets.UTF_8),
                    issued == null ? null : issued.user().userPrincipalName()));
            fault = takeFault(method, path);
            Runnable happening = null;
            for (Iterator<Map.Entry<ScriptedFault, Runnable>> it = before.iterator(); it.hasNext() && happening == null; ) {
                Map.Entry<ScriptedFault, Runnable> next = it.next();
                if (next.getKey().method().equalsIgnoreCase(method) && next.getKey().path().matcher(path).matches()) {
                    it.remove();
                    happening = next.getValue();
                }
            }
            beforeThis = happening;
        }
        if (beforeThis != null) {
            beforeThis.run();
        }
        Reply reply;
        if (fault != null && !fault.performFirst()) {
            reply = fault.reply(call, clock.instant());
        } else {
            reply = route(call, upload);
            if (fault != null) {
                reply = fault.reply(call, clock.instant(), reply);
            }
        }
        subscriptions.afterChange(); // notifications of what this request changed, and retries now due
        if (!reply.dropConnection) {
            reply.headers.put("request-id", call.requestId());
            reply.headers.put("client-request-id", call.clientRequestId());
        }
        return reply;
    }

    private ScriptedFault takeFault(String method, String path) {
        for (Iterator<ScriptedFault> it = faults.iterator(); it.hasNext(); ) {
            ScriptedFault f = it.next();
            if (f.method().equalsIgnoreCase(method) && f.path().matcher(path).matches()) {
                if (passesFirst.getOrDefault(f, 0) > 0) {
                    passesFirst.merge(f, -1, Integer::sum);
                    continue;
                }
                it.remove();
                passesFirst.remove(f);
                return f;
            }
        }
        return null;
    }

    private Reply route(Call call, boolean upload) {
        if (!CLOUD_BY_GRAPH_HOST.containsKey(call.host())) {
            return notImplemented(call);
        }
        if (upload) {
            return uploadChunk(call);
        }
        if (!call.versioned()) {
            if (call.method().equals("GET") && call.path().startsWith("/_fake/mailbox/")) {
                return mailboxPage(call.path().substring("/_fake/mailbox/".length()));
            }
            return notImplemented(call);
        }
        List<String> segments = SubscriptionTargets.segments(call.path());
        if (!segments.isEmpty() && lower(segments.get(0)).equals("places") && call.method().equals("GET")) {
            return places(call, segments);
        }
        if (!segments.isEmpty() && lower(segments.get(0)).equals("subscriptions")) {
            return subscriptionsRoute(call, segments.subList(1, segments.size()));
        }
        String mailboxRef;
        List<String> rest;
        if (!segments.isEmpty() && lower(segments.get(0)).equals("me")) {
            mailboxRef = null;
            rest = segments.subList(1, segments.size());
        } else if (segments.size() >= 2 && lower(segments.get(0)).equals("users")) {
            mailboxRef = segments.get(1);
            rest = segments.subList(2, segments.size());
        } else {
            return notImplemented(call);
        }
        Operation op = operation(call.method(), rest);
        if (op == null) {
            return notImplemented(call);
        }
        if (op.kind().needsBody() && call.body().length > MAX_REQUEST_BODY) {
            return error(call, 413, "RequestEntityTooLarge", "The request body is " + call.body().length
                    + " bytes; Microsoft Graph accepts at most 4 MB per request. Attach large files with an upload session.");
        }
        Reply denied = authenticate(call);
        if (denied != null) {
            return denied;
        }
        FakeUser user = call.issued().user();
        synchronized (lock) {
            displayNames.putIfAbsent(key(user.userPrincipalName()), user.displayName());
            String mailboxUpn;
            boolean own;
            if (mailboxRef == null || mailboxRef.equalsIgnoreCase(user.userPrincipalName()) || mailboxRef.equalsIgnoreCase(user.objectId())) {
                mailboxUpn = user.userPrincipalName();
                own = true;
            } else if (grants.getOrDefault(key(user.userPrincipalName()), Map.of()).containsKey(key(mailboxRef))) {
                mailboxUpn = mailboxRef;
                own = false;
            } else {
                return accessDenied(call);
            }
            if (op.kind() == Kind.FIND_MEETING_TIMES && !scheduling.servesFindMeetingTimes(cloudOf(call.host()))) {
                return answer(call, scheduling.findMeetingTimesRefusal());
            }
            if (!hasScope(call.issued(), op.kind().permission(), own)) {
                return accessDenied(call);
            }
            Mailbox mailbox = mailbox(mailboxUpn);
            if (op.calendarId() != null && !op.calendarId().equals(mailbox.calendarId)) {
                return itemNotFound(call);
            }
            JsonNode json = null;
            if (op.kind().needsBody()) {
                String text = new String(call.body(), StandardCharsets.UTF_8);
                if (text.isBlank()) {
                    if (op.kind().bodyRequired()) {
                        return error(call, 400, "BadRequest", "Empty Payload. JSON content expected.");
                    }
                    json = GraphJson.object();
                } else {
                    json = GraphJson.parse(text);
                    if (json == null || !json.isObject()) {
                        return error(call, 400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set "
                                + "and payload is of valid JSON format.");
                    }
                    json = GraphJson.canonical(json);
                }
            }
            Context ctx = new Context(call, user, mailbox, own, (ObjectNode) json, cloudOf(call.host()));
            SyncRequest sync = syncRequest(call, rest, mailboxRef == null ? "me" : "users/" + mailboxRef, mailbox.upn, user, "");
            return switch (op.kind()) {
                case LIST_MESSAGES -> list(ctx, ctx.mailbox().drafts.values(), this::messageView, "messages");
                case LIST_FOLDER_MESSAGES -> listFolder(ctx, sync, op.itemId());
                case LIST_MAIL_FOLDERS -> answer(call, mailReads.folders(sync));
                case GET_MAIL_FOLDER -> answer(call, mailReads.folder(sync, op.itemId()));
                case MAIL_FOLDERS_DELTA -> answer(call, delta.mailFolders(sync));
                case FOLDER_MESSAGES_DELTA -> answer(call, delta.messages(sync, op.itemId()));
                case GET_ATTACHMENT -> answer(call, mailReads.attachment(sync, op.itemId(), op.subId(), false));
                case GET_ATTACHMENT_VALUE -> answer(call, mailReads.attachment(sync, op.itemId(), op.subId(), true));
                case CALENDAR_VIEW -> answer(call, calendarReads.calendarView(sync));
                case CALENDAR_VIEW_DELTA -> answer(call, delta.calendarView(sync));
                case CREATE_DRAFT -> createDraft(ctx);
                case GET_MESSAGE -> getMessage(ctx, sync, op.itemId());
                case PATCH_MESSAGE -> patchMessage(ctx, op.itemId());
                case DELETE_MESSAGE -> deleteMessage(ctx, sync, op.itemId());
                case SEND_DRAFT -> sendDraft(ctx, op.itemId());
                case LIST_ATTACHMENTS -> listAttachments(ctx, sync, op.itemId());
                case ADD_ATTACHMENT -> addAttachment(ctx, op.itemId());
                case CREATE_UPLOAD_SESSION -> createUploadSession(ctx, op.itemId());
                case SEND_MAIL -> sendMail(ctx);
                case LIST_EVENTS -> list(ctx, ctx.mailbox().events.values(), this::eventView, "events");
                case CREATE_EVENT -> createEvent(ctx);
                case GET_EVENT -> getEvent(ctx, SyncValues.eventImmutableId(op.itemId()));
                case PATCH_EVENT -> patchEvent(ctx, SyncValues.eventImmutableId(op.itemId()));
                case DELETE_EVENT -> deleteEvent(ctx, SyncValues.eventImmutableId(op.itemId()));
                case CANCEL_EVENT -> cancelEvent(ctx, op.itemId());
                case GET_SCHEDULE -> answer(call, scheduling.getSchedule(ctx.body(), preferredZone(call)));
                case FIND_MEETING_TIMES -> answer(call, scheduling.findMeetingTimes(mailbox.upn, ctx.body(), preferredZone(call)));
                case GET_CALENDAR -> json(200, calendar(ctx));
                case LIST_CALENDARS -> {
                    ObjectNode list = GraphJson.object();
                    list.put("@odata.context", baseUrl(ctx) + "/$metadata#users('" + mailbox.upn + "')/calendars");
                    list.set("value", GraphJson.array().add(calendar(ctx)));
                    yield json(200, list);
                }
            };
        }
    }

    /** /subscriptions[/{id}[/reauthorize]]: FakeSubscriptions, after the token is checked; not under the lock (the handshake calls out). */
    private Reply subscriptionsRoute(Call call, List<String> rest) {
        Reply denied = authenticate(call);
        if (denied != null) {
            return denied;
        }
        FakeUser user = call.issued().user();
        SyncRequest r;
        synchronized (lock) {
            displayNames.putIfAbsent(key(user.userPrincipalName()), user.displayName());
            mailbox(user.userPrincipalName());
            r = syncRequest(call, rest, "me", user.userPrincipalName(), user, new String(call.body(), StandardCharsets.UTF_8));
        }
        SyncAnswer answer = subscriptionRequests.handle(r);
        return answer == null ? notImplemented(call) : answer(call, answer);
    }

    /** The call as the sync classes see it; {@code body} only where they read it (subscriptions), not copied for every read. */
    private SyncRequest syncRequest(Call call, List<String> rest, String mailboxPath, String mailboxUpn, FakeUser user, String body) {
        NationalCloud cloud = cloudOf(call.host());
        return new SyncRequest(call.method(), call.host(), cloud, List.copyOf(rest), mailboxPath, mailboxUpn, user, call.issued().scopes(),
                call.issued().clientId(), call.params(), call.headers(), body, syncSupport.get(cloud));
    }

    private Reply answer(Call call, SyncAnswer answer) {
        Reply reply;
        if (answer.isError()) {
            reply = error(call, answer.status(), answer.errorCode(), answer.message());
        } else if (answer.raw() != null) {
            reply = new Reply(answer.status(), answer.contentType(), null);
            reply.binary = answer.raw();
        } else {
            reply = answer.json() == null ? Reply.empty(answer.status()) : json(answer.status(), answer.json());
        }
        reply.headers.putAll(answer.headers());
        return reply;
    }

    /** GET /places/...: rooms and room lists of the user's tenant (FakeScheduling), after the token is checked. */
    private Reply places(Call call, List<String> segments) {
        Reply denied = authenticate(call);
        if (denied != null) {
            return denied;
        }
        synchronized (lock) {
            return answer(call, scheduling.places(cloudOf(call.host()), call.issued().user().tenantId(), call.issued().scopes(), segments,
                    call.params(), "https://" + call.host() + "/v1.0"));
        }
    }

    private Reply answer(Call call, FakeScheduling.Answer answer) {
        return answer.errorCode() != null ? error(call, answer.status(), answer.errorCode(), answer.message())
                : json(answer.status(), answer.body());
    }

    /** The zone of {@code Prefer: outlook.timezone="..."}, or null. */
    private static String preferredZone(Call call) {
        String prefer = call.headers().get("Prefer");
        Matcher m = prefer == null ? null : Pattern.compile("outlook\\.timezone=\"([^\"]+)\"").matcher(prefer);
        return m != null && m.find() ? m.group(1) : null;
    }

    /** Which operation a method and the path after /me or /users/{id} name, or null. */
    private static Operation operation(String method, List<String> rest) {
        List<String> s = rest.stream().map(FakeGraph::lower).toList();
        int n = s.size();
        if (n == 2 && s.get(0).equals("calendar") && s.get(1).equals("getschedule") && method.equals("POST")) {
            return new Operation(Kind.GET_SCHEDULE, null, null);
        }
        if (n == 1 && s.get(0).equals("findmeetingtimes") && method.equals("POST")) {
            return new Operation(Kind.FIND_MEETING_TIMES, null, null);
        }
        if (n >= 1 && s.get(0).equals("messages")) {
            if (n == 1) {
                return method.equals("GET") ? new Operation(Kind.LIST_MESSAGES, null, null)
                        : method.equals("POST") ? new Operation(Kind.CREATE_DRAFT, null, null) : null;
            }
            String id = rest.get(1);
            if (n == 2) {
                return switch (method) {
                    case "GET" -> new Operation(Kind.GET_MESSAGE, id, null);
                    case "PATCH" -> new Operation(Kind.PATCH_MESSAGE, id, null);
                    case "DELETE" -> new Operation(Kind.DELETE_MESSAGE, id, null);
                    default -> null;
                };
            }
            if (n == 3 && s.get(2).equals("send") && method.equals("POST")) {
                return new Operation(Kind.SEND_DRAFT, id, null);
            }
            if (n == 3 && s.get(2).equals("attachments")) {
                return method.equals("GET") ? new Operation(Kind.LIST_ATTACHMENTS, id, null)
                        : method.equals("POST") ? new Operation(Kind.ADD_ATTACHMENT, id, null) : null;
            }
            if (n == 4 && s.get(2).equals("attachments") && s.get(3).equals("createuploadsession") && method.equals("POST")) {
                return new Operation(Kind.CREATE_UPLOAD_SESSION, id, null);
            }
            if (n == 4 && s.get(2).equals("attachments") && method.equals("GET")) {
                return new Operation(Kind.GET_ATTACHMENT, id, null, rest.get(3));
            }
            if (n == 5 && s.get(2).equals("attachments") && s.get(4).equals("$value") && method.equals("GET")) {
                return new Operation(Kind.GET_ATTACHMENT_VALUE, id, null, rest.get(3));
            }
            return null;
        }
        if (n >= 1 && s.get(0).equals("mailfolders") && method.equals("GET")) {
            return mailFolderOperation(s, rest);
        }
        if (n >= 1 && s.get(0).equals("calendarview") && method.equals("GET")) {
            return n == 1 ? new Operation(Kind.CALENDAR_VIEW, null, null) : n == 2 && isDelta(s.get(1))
                    ? new Operation(Kind.CALENDAR_VIEW_DELTA, null, null) : null;
        }
        if (n == 1 && s.get(0).equals("sendmail")) {
            return method.equals("POST") ? new Operation(Kind.SEND_MAIL, null, null) : null;
        }
        // Calendar: events | calendar/events | calendars/{id}/events, then optionally /{eventId}[/cancel]
        String calendarId = null;
        int eventsAt;
        if (n >= 1 && s.get(0).equals("events")) {
            eventsAt = 0;
        } else if (n >= 2 && s.get(0).equals("calendar") && s.get(1).equals("events")) {
            eventsAt = 1;
        } else if (n >= 3 && s.get(0).equals("calendars") && s.get(2).equals("events")) {
            eventsAt = 2;
            calendarId = rest.get(1);
        } else if (n == 1 && s.get(0).equals("calendar") && method.equals("GET")) {
            return new Operation(Kind.GET_CALENDAR, null, null);
        } else if (n == 1 && s.get(0).equals("calendars") && method.equals("GET")) {
            return new Operation(Kind.LIST_CALENDARS, null, null);
        } else if (n == 2 && s.get(0).equals("calendars") && method.equals("GET")) {
            return new Operation(Kind.GET_CALENDAR, null, rest.get(1));
        } else {
            return null;
        }
        int after = n - eventsAt - 1;
        if (after == 0) {
            return method.equals("GET") ? new Operation(Kind.LIST_EVENTS, null, calendarId)
                    : method.equals("POST") ? new Operation(Kind.CREATE_EVENT, null, calendarId) : null;
        }
        String eventId = rest.get(eventsAt + 1);
        if (after == 1) {
            return switch (method) {
                case "GET" -> new Operation(Kind.GET_EVENT, eventId, calendarId);
                case "PATCH" -> new Operation(Kind.PATCH_EVENT, eventId, calendarId);
                case "DELETE" -> new Operation(Kind.DELETE_EVENT, eventId, calendarId);
                default -> null;
            };
        }
        if (after == 2 && s.get(eventsAt + 2).equals("cancel") && method.equals("POST")) {
            return new Operation(Kind.CANCEL_EVENT, eventId, calendarId);
        }
        return null;
    }

    /** GET mailFolders | mailFolders/delta | mailFolders/{id} | mailFolders/{id}/messages | mailFolders/{id}/messages/delta. */
    private static Operation mailFolderOperation(List<String> s, List<String> rest) {
        int n = s.size();
        if (n == 1) {
            return new Operation(Kind.LIST_MAIL_FOLDERS, null, null);
        }
        if (n == 2) {
            return isDelta(s.get(1)) ? new Operation(Kind.MAIL_FOLDERS_DELTA, null, null) : new Operation(Kind.GET_MAIL_FOLDER, rest.get(1), null);
        }
        if (n == 3 && s.get(2).equals("messages")) {
            return new Operation(Kind.LIST_FOLDER_MESSAGES, rest.get(1), null);
        }
        if (n == 4 && s.get(2).equals("messages") && isDelta(s.get(3))) {
            return new Operation(Kind.FOLDER_MESSAGES_DELTA, rest.get(1), null);
        }
        return null;
    }

    /** The delta function as the SDK ({@code delta()}) and the docs ({@code delta}, {@code microsoft.graph.delta}) write it. */
    private static boolean isDelta(String segment) {
        String d = segment.startsWith("microsoft.graph.") ? segment.substring("microsoft.graph.".length()) : segment;
        return d.equals("delta") || d.equals("delta()");
    }

    // ---------------------------------------------------------------- authentication and permissions

    /** Null when the bearer token is good for this host, else the 401 answer. */
    private Reply authenticate(Call call) {
        String authorization = call.authorization();
        if (authorization == null || authorization.isBlank()) {
            return unauthorized(call, "Access token is empty.");
        }
        String token = bearerToken(authorization);
        if (token == null || token.isEmpty()) {
            return unauthorized(call, "Access token is empty.");
        }
        if (!token.contains(".")) {
            return unauthorized(call, "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE "
                    + "Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): "
                    + "'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.");
        }
        IssuedAccessToken issued = call.issued();
        if (issued == null) {
            return unauthorized(call, "Access token validation failure.");
        }
        if (issued.isExpiredAt(clock.instant())) {
            return unauthorized(call, "Lifetime validation failed, the token is expired.");
        }
        if (!issued.audienceHost().equalsIgnoreCase(call.host())) {
            return unauthorized(call, "Access token validation failure. Invalid audience.");
        }
        Optional<String> claims = entra.claimsChallengeFor(issued);
        if (claims.isPresent()) {
            Reply reply = error(call, 401, "InvalidAuthenticationToken", "Continuous access evaluation resulted in challenge with "
                    + "result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp");
            reply.headers.put("WWW-Authenticate", claimsChallengeHeader(cloudOf(call.host()), claims.get()));
            return reply;
        }
        return null;
    }

    private static boolean hasScope(IssuedAccessToken token, Permission permission, boolean own) {
        Set<String> accepted = own ? permission.own : permission.shared;
        for (String scope : token.scopes()) {
            if (accepted.contains(lower(scope))) {
                return true;
            }
        }
        return false;
    }

    /** Null when {@code user} may send as {@code address}: it is the user, or a mailbox granted with sendAs. */
    private Reply checkSendAs(Context ctx, String address) {
        if (address.equalsIgnoreCase(ctx.user().userPrincipalName())) {
            return null;
        }
        Boolean sendAs = grants.getOrDefault(key(ctx.user().userPrincipalName()), Map.of()).get(key(address));
        if (Boolean.TRUE.equals(sendAs)) {
            return null;
        }
        return error(ctx.call(), 403, "ErrorSendAsDenied", "The user account which was used to submit this request does not have the "
                + "right to send mail on behalf of the specified sending account., Cannot submit message.");
    }

    // ---------------------------------------------------------------- mail

    /** GET .../messages or .../events: every item of the mailbox's collection in its Graph view. */
    private Reply list(Context ctx, Collection<ObjectNode> items, BiFunction<Context, ObjectNode, ObjectNode> view,
                       String segment) {
        Reply unsupported = unsupportedQuery(ctx.call());
        if (unsupported != null) {
            return unsupported;
        }
        ArrayNode value = GraphJson.array();
        for (ObjectNode item : items) {
            value.add(view.apply(ctx, item));
        }
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", baseUrl(ctx) + "/$metadata#users('" + ctx.mailbox().upn + "')/" + segment);
        list.set("value", value);
        return json(200, list);
    }

    /**
     * GET .../mailFolders/drafts/messages with the $filter the connector uses to find its drafts: drafts
     * carrying a single-value extended property with a given value. Every other folder listing is
     * {@link MailReads#folderMessages}.
     */
    private Reply listFolder(Context ctx, SyncRequest sync, String folder) {
        String filter = ctx.call().params().get("$filter");
        Matcher m = filter == null ? null : EXTENDED_PROPERTY_FILTER.matcher(filter.trim());
        if (m != null && m.matches() && folder.equalsIgnoreCase("sentitems")) {
            return sentItemsWithProperty(ctx, m.group(2), m.group(3));
        }
        if (!folder.equalsIgnoreCase("drafts") || m == null || !m.matches()) {
            return answer(ctx.call(), mailReads.folderMessages(sync, folder));
        }
        List<ObjectNode> found = new ArrayList<>();
        for (ObjectNode draft : ctx.mailbox().drafts.values()) {
            for (JsonNode property : draft.path("singleValueExtendedProperties")) {
                if (property.path("id").asText().equalsIgnoreCase(m.group(2)) && property.path("value").asText().equals(m.group(3))) {
                    found.add(draft);
                }
            }
        }
        ArrayNode value = GraphJson.array();
        found.forEach(item -> value.add(messageView(ctx, item)));
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", baseUrl(ctx) + "/$metadata#users('" + ctx.mailbox().upn + "')/mailFolders('drafts')/messages");
        list.set("value", value);
        return json(200, list);
    }

    /**
     * GET .../mailFolders/sentitems/messages with the same extended-property $filter: the copies sendMail kept in Sent Items
     * carrying the tag (Microsoft's advice for finding a message sendMail sent: tag it with a single-value extended property,
     * then look it up in Sent Items; microsoft-graph-docs issue 3766). While Exchange still submits it ({@link
     * #setSubmissionLag}), the copy is not there yet.
     */
    private Reply sentItemsWithProperty(Context ctx, String propertyId, String value) {
        ArrayNode found = GraphJson.array();
        Integer lag = submittingCopies.get(value);
        if (lag != null && lag > 0) {
            submittingCopies.put(value, lag - 1);
        } else {
            submittingCopies.remove(value);
            mail.withExtendedProperty(ctx.mailbox().upn, "sentitems", propertyId, value).forEach(id -> found.addObject().put("id", id));
        }
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", baseUrl(ctx) + "/$metadata#users('" + ctx.mailbox().upn + "')/mailFolders('sentitems')/messages(id)");
        list.set("value", found);
        return json(200, list);
    }

    private Reply createDraft(Context ctx) {
        ObjectNode message = ctx.body();
        Reply bad = prepareAttachments(ctx.call(), message);
        if (bad != null) {
            return bad;
        }
        Instant now = clock.instant();
        String id = newItemId();
        message.put("id", id);
        message.put("createdDateTime", GRAPH_TIME.format(now));
        message.put("lastModifiedDateTime", GRAPH_TIME.format(now));
        message.put("changeKey", randomToken(12));
        message.put("isDraft", true);
        message.put("isRead", true);
        message.put("hasAttachments", message.path("attachments").size() > 0);
        message.put("conversationId", newItemId());
        message.put("webLink", messageWebLink(ctx.cloud(), id));
        message.put("receivedDateTime", SyncValues.time(now));
        ctx.mailbox().drafts.put(id, message);
        mail.draftSaved(ctx.mailbox().upn, message);
        return json(201, messageView(ctx, message));
    }

    private Reply getMessage(Context ctx, SyncRequest sync, String id) {
        Integer lag = submitting.get(id);
        if (lag != null) {
            if (lag <= 0) {
                submitting.remove(id);
                ctx.mailbox().drafts.remove(id);
            } else {
                submitting.put(id, lag - 1);
            }
        }
        ObjectNode draft = ctx.mailbox().drafts.get(id);
        if (draft == null || sync.immutableIds() || MailReads.basicOnly(sync)) {
            return answer(ctx.call(), mailReads.message(sync, id));
        }
        return json(200, messageView(ctx, draft));
    }

    private Reply patchMessage(Context ctx, String id) {
        ObjectNode draft = ctx.mailbox().drafts.get(id);
        if (draft == null) {
            return itemNotFound(ctx.call());
        }
        ObjectNode changes = ctx.body();
        for (String readOnly : List.of("id", "createdDateTime", "lastModifiedDateTime", "changeKey", "webLink", "isDraft", "attachments",
                "hasAttachments", "conversationId", "@odata.context", "@odata.etag")) {
            changes.remove(readOnly);
        }
        draft.setAll(changes);
        draft.put("lastModifiedDateTime", GRAPH_TIME.format(clock.instant()));
        draft.put("changeKey", randomToken(12));
        mail.draftSaved(ctx.mailbox().upn, draft);
        return json(200, messageView(ctx, draft));
    }

    /** DELETE of a draft removes it; of another message moves it to Deleted Items (from there: gone), as Outlook does. */
    private Reply deleteMessage(Context ctx, SyncRequest sync, String id) {
        if (ctx.mailbox().drafts.remove(id) != null) {
            mail.draftDeleted(ctx.mailbox().upn, id);
            return Reply.empty(204);
        }
        return mail.deletedThroughGraph(sync.mailboxUpn(), id) ? Reply.empty(204) : itemNotFound(ctx.call());
    }

    private Reply sendDraft(Context ctx, String id) {
        ObjectNode draft = ctx.mailbox().drafts.get(id);
        if (draft == null) {
            return itemNotFound(ctx.call());
        }
        Reply refused = checkDeliverable(ctx, draft);
        if (refused != null) {
            return refused;
        }
        // A draft still visible while Exchange submits it can be sent again, and is delivered again.
        deliver(ctx, draft.deepCopy(), true, id);
        if (submissionLag > 0) {
            submitting.put(id, submissionLag); // still visible as a draft while Exchange submits it
        } else {
            ctx.mailbox().drafts.remove(id);
        }
        return Reply.empty(202);
    }

    private Reply sendMail(Context ctx) {
        JsonNode message = ctx.body().get("message");
        if (message == null || !message.isObject()) {
            return error(ctx.call(), 400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");
        }
        ObjectNode copy = (ObjectNode) message.deepCopy();
        Reply bad = prepareAttachments(ctx.call(), copy);
        if (bad != null) {
            return bad;
        }
        Reply refused = checkDeliverable(ctx, copy);
        if (refused != null) {
            return refused;
        }
        JsonNode save = ctx.body().get("saveToSentItems");
        boolean saved = save == null || save.isNull() || save.asBoolean(true);
        deliver(ctx, copy, saved, null);
        if (saved && submissionLag > 0) {
            // Exchange accepts sendMail (202) and submits asynchronously: the Sent Items copy appears later
            copy.path("singleValueExtendedProperties").forEach(p -> submittingCopies.put(p.path("value").asText(), submissionLag));
        }
        return Reply.empty(202);
    }

    /** Recipients resolvable, and the user may send as the sending address. */
    private Reply checkDeliverable(Context ctx, ObjectNode message) {
        List<String> recipients = new ArrayList<>();
        for (String collection : List.of("toRecipients", "ccRecipients", "bccRecipients")) {
            recipients.addAll(GraphJson.addresses(message, collection));
        }
        if (recipients.isEmpty()) {
            return error(ctx.call(), 400, "ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be sent because "
                    + "it contains no recipients.");
        }
        for (String address : recipients) {
            if (address == null || !address.matches("[^@\\s]+@[^@\\s]+")) {
                return error(ctx.call(), 400, "ErrorInvalidRecipients", "At least one recipient isn't valid., Recipient '"
                        + (address == null ? "" : address) + "' isn't resolved. All recipients must be resolved before a message can be "
                        + "submitted.");
            }
        }
        return checkSendAs(ctx, sentAs(ctx, message));
    }

    private static String sentAs(Context ctx, ObjectNode message) {
        String from = GraphJson.address(message.get("from"));
        return from == null || from.isBlank() ? ctx.mailbox().upn : from;
    }

    /** Records the mail as sent; the mail store moves the draft ({@code draftId}, or null) to Sent Items and fills recipients' inboxes. */
    private void deliver(Context ctx, ObjectNode message, boolean saveToSentItems, String draftId) {
        Instant now = clock.instant();
        String sentAs = sentAs(ctx, message);
        ObjectNode from = GraphJson.recipient(sentAs, displayName(sentAs));
        message.set("from", from);
        message.set("sender", from.deepCopy());
        message.put("isDraft", false);
        message.put("sentDateTime", GRAPH_TIME.format(now));
        message.put("internetMessageId", "<" + randomToken(24) + "@" + domainOf(sentAs) + ">");
        message.put("hasAttachments", message.path("attachments").size() > 0);
        message.put("saveToSentItems", saveToSentItems);
        ctx.mailbox().sent.add(new SentMail(ctx.mailbox().upn, sentAs, message, now));
        mail.sent(ctx.mailbox().upn, message, saveToSentItems, draftId);
    }

    /** Checks inline attachments as Graph deserializes them, and gives each an id and size. */
    private Reply prepareAttachments(Call call, ObjectNode message) {
        JsonNode attachments = message.get("attachments");
        if (attachments == null || attachments.isNull()) {
            message.remove("attachments");
            return null;
        }
        if (!attachments.isArray()) {
            return error(call, 400, "BadRequest", "Invalid JSON. A collection was expected for property 'attachments'.");
        }
        for (JsonNode a : attachments) {
            Reply bad = prepareAttachment(call, a);
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    private Reply prepareAttachment(Call call, JsonNode node) {
        if (!node.isObject()) {
            return error(call, 400, "BadRequest", "Invalid JSON. An object was expected for an attachment.");
        }
        ObjectNode a = (ObjectNode) node;
        String type = GraphJson.text(a, "@odata.type");
        if (type == null) {
            return error(call, 400, "RequestBodyRead", "The property 'contentBytes' does not exist on type 'microsoft.graph.attachment'. "
                    + "Make sure to only use property names that are defined by the type or mark the type as open type.");
        }
        if (type.equalsIgnoreCase("#microsoft.graph.fileAttachment")) {
            String content = GraphJson.text(a, "contentBytes");
            if (content == null) {
                return error(call, 400, "ErrorInvalidRequest", "The file attachment '" + GraphJson.text(a, "name") + "' has no contentBytes.");
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(content);
            } catch (IllegalArgumentException e) {
                return error(call, 400, "RequestBodyRead", "Cannot convert the literal to the expected type 'Edm.Binary'.");
            }
            a.put("size", bytes.length);
        }
        a.put("id", newItemId());
        a.put("lastModifiedDateTime", GRAPH_TIME.format(clock.instant()));
        if (!a.has("isInline")) {
            a.put("isInline", false);
        }
        return null;
    }

    private Reply listAttachments(Context ctx, SyncRequest sync, String id) {
        ObjectNode draft = ctx.mailbox().drafts.get(id);
        if (draft == null) {
            return answer(ctx.call(), mailReads.attachments(sync, id));
        }
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", baseUrl(ctx) + "/$metadata#users('" + ctx.mailbox().upn + "')/messages('" + id + "')/attachments");
        list.set("value", draft.has("attachments") ? draft.get("attachments").deepCopy() : GraphJson.array());
        return json(200, list);
    }

    private Reply addAttachment(Context ctx, String id) {
        ObjectNode draft = ctx.mailbox().drafts.get(id);
        if (draft == null) {
            return itemNotFound(ctx.call());
        }
        ObjectNode attachment = ctx.body();
        Reply bad = prepareAttachment(ctx.call(), attachment);
        if (bad != null) {
            return bad;
        }
        attachmentsOf(draft).add(attachment);
        draft.put("hasAttachments", true);
        mail.draftSaved(ctx.mailbox().upn, draft);
        return json(201, attachment);
    }

    private Reply createUploadSession(Context ctx, String id) {
        ObjectNode draft = ctx.mailbox().drafts.get(id);
        if (draft == null) {
            return itemNotFound(ctx.call());
        }
        JsonNode item = ctx.body().get("attachmentItem");
        if (item == null || !item.isObject()) {
            return error(ctx.call(), 400, "ErrorInvalidParameter", "The value of the parameter 'AttachmentItem' is empty.");
        }
        String type = GraphJson.text(item, "attachmentType");
        if (type != null && !type.equalsIgnoreCase("file")) {
            return error(ctx.call(), 400, "ErrorInvalidRequest", "Only attachments of type 'file' can be uploaded in a session.");
        }
        String name = GraphJson.text(item, "name");
        JsonNode sizeNode = item.get("size");
        if (name == null || name.isBlank() || sizeNode == null || !sizeNode.canConvertToLong()) {
            return error(ctx.call(), 400, "ErrorInvalidRequest", "The attachment item needs a name and a size.");
        }
        long size = sizeNode.asLong();
        if (size < MIN_UPLOAD_SESSION_SIZE) {
            return error(ctx.call(), 400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
                    "Attachment size must be greater than the minimum size.");
        }
        if (size > MAX_UPLOAD_SESSION_SIZE) {
            return error(ctx.call(), 400, "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize",
                    "Attachment size must be less than the maximum size.");
        }
        String sessionId = newItemId();
        String secret = SecretsLedger.remember(randomToken(96));
        Instant expires = clock.instant().plus(UPLOAD_SESSION_LIFETIME);
        uploads.put(sessionId, new UploadSession(sessionId, secret, ctx.mailbox().upn, id, name, GraphJson.text(item, "contentType"),
                item.path("isInline").asBoolean(false), GraphJson.text(item, "contentId"), size, expires));
        ObjectNode session = GraphJson.object();
        session.put("@odata.context", baseUrl(ctx) + "/$metadata#microsoft.graph.uploadSession");
        session.put("uploadUrl", "https://" + ctx.call().host() + "/upload/" + urlEncode(sessionId) + "?authtoken=" + secret);
        session.put("expirationDateTime", GRAPH_TIME.format(expires));
        session.set("nextExpectedRanges", GraphJson.array().add("0-"));
        return json(201, session);
    }

    /** A PUT of a byte range to a pre-authenticated upload URL (no bearer token, as with Outlook's). */
    private Reply uploadChunk(Call call) {
        if (call.authorization() != null) {
            return error(call, 401, "InvalidAuthenticationToken", "The upload URL is pre-authenticated: send the PUT without an "
                    + "Authorization header.");
        }
        String sessionId = call.path().substring("/upload/".length());
        synchronized (lock) {
            UploadSession session = uploads.get(sessionId);
            if (session == null || !session.secret.equals(call.params().get("authtoken"))) {
                return itemNotFound(call);
            }
            if (!clock.instant().isBefore(session.expires)) {
                uploads.remove(sessionId);
                return itemNotFound(call);
            }
            String range = call.headers().get("Content-Range");
            Matcher m = range == null ? null : CONTENT_RANGE.matcher(range.trim());
            if (m == null || !m.matches()) {
                return error(call, 400, "ErrorInvalidRequest", "A Content-Range header (bytes first-last/total) is required.");
            }
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            long total = Long.parseLong(m.group(3));
            byte[] chunk = call.body();
            if (total != session.size) {
                return error(call, 400, "ErrorInvalidRequest", "The total size " + total + " in Content-Range differs from the size "
                        + session.size + " given when the session was created.");
            }
            if (first != session.received.size()) {
                return error(call, 416, "ErrorInvalidRange", "The uploaded fragment starts at byte " + first + "; the next expected byte is "
                        + session.received.size() + ".");
            }
            if (last < first || last >= total || chunk.length != last - first + 1) {
                return error(call, 400, "ErrorInvalidRequest", "Content-Range " + range + " does not match the " + chunk.length
                        + " bytes sent.");
            }
            if (chunk.length > MAX_UPLOAD_CHUNK) {
                return error(call, 400, "ErrorInvalidRequest", "A fragment may carry at most 4 MiB; this one has " + chunk.length + " bytes.");
            }
            session.received.writeBytes(chunk);
            if (session.received.size() < session.size) {
                ObjectNode progress = GraphJson.object();
                progress.put("expirationDateTime", GRAPH_TIME.format(session.expires));
                progress.set("nextExpectedRanges", GraphJson.array().add(session.received.size() + "-"));
                return json(200, progress);
            }
            uploads.remove(sessionId);
            Mailbox mailbox = mailboxes.get(key(session.mailboxUpn));
            ObjectNode draft = mailbox == null ? null : mailbox.drafts.get(session.messageId);
            if (draft == null) {
                return itemNotFound(call);
            }
            ObjectNode attachment = GraphJson.object();
            String attachmentId = newItemId();
            attachment.put("@odata.type", "#microsoft.graph.fileAttachment");
            attachment.put("id", attachmentId);
            attachment.put("lastModifiedDateTime", GRAPH_TIME.format(clock.instant()));
            attachment.put("name", session.name);
            attachment.put("contentType", session.contentType);
            attachment.put("size", session.size);
            attachment.put("isInline", session.inline);
            if (session.contentId != null) {
                attachment.put("contentId", session.contentId);
            }
            attachment.put("contentBytes", Base64.getEncoder().encodeToString(session.received.toByteArray()));
            attachmentsOf(draft).add(attachment);
            draft.put("hasAttachments", true);
            mail.draftSaved(session.mailboxUpn, draft);
            Reply done = Reply.empty(201);
            done.headers.put("Location", "https://" + call.host() + "/v1.0/users('" + session.mailboxUpn + "')/messages('"
                    + session.messageId + "')/attachments('" + attachmentId + "')");
            return done;
        }
    }

    private static ArrayNode attachmentsOf(ObjectNode message) {
        JsonNode existing = message.get("attachments");
        if (existing instanceof ArrayNode array) {
            return array;
        }
        ArrayNode array = GraphJson.array();
        message.set("attachments", array);
        return array;
    }

    /** What Graph answers for a message: attachments only with $expand=attachments; $select honoured. */
    private ObjectNode messageView(Context ctx, ObjectNode message) {
        ObjectNode view = GraphJson.object();
        view.put("@odata.context", baseUrl(ctx) + "/$metadata#users('" + ctx.mailbox().upn + "')/messages/$entity");
        view.put("@odata.etag", "W/\"" + message.path("changeKey").asText() + "\"");
        view.setAll(message.deepCopy());
        String expand = ctx.call().params().get("$expand");
        if (expand == null || !lower(expand).contains("attachments")) {
            view.remove("attachments");
        }
        return select(view, ctx.call().params().get("$select"));
    }

    // ---------------------------------------------------------------- events

    private Reply createEvent(Context ctx) {
        ObjectNode event = ctx.body();
        String transactionId = GraphJson.text(event, "transactionId");
        if (transactionId != null) {
            for (ObjectNode existing : ctx.mailbox().events.values()) {
                if (transactionId.equals(GraphJson.text(existing, "transactionId"))) {
                    return json(201, eventView(ctx, existing));
                }
            }
        }
        Instant now = clock.instant();
        String id = SyncValues.immutableId(); // kept in its immutable form; shown in either (eventView)
        event.put("id", id);
        event.put("createdDateTime", GRAPH_TIME.format(now));
        event.put("lastModifiedDateTime", GRAPH_TIME.format(now));
        event.put("changeKey", randomToken(12));
        event.put("iCalUId", iCalUId());
        event.put("webLink", eventWebLink(ctx.cloud(), id));
        event.put("isOrganizer", true);
        event.put("isCancelled", false);
        if (!event.hasNonNull("type")) {
            event.put("type", "singleInstance");
        }
        event.set("organizer", GraphJson.recipient(ctx.mailbox().upn, displayName(ctx.mailbox().upn)));
        ObjectNode status = GraphJson.object();
        status.put("response", "organizer");
        status.put("time", "0001-01-01T00:00:00Z");
        event.set("responseStatus", status);
        JsonNode attendees = event.get("attendees");
        if (attendees != null && attendees.isArray()) {
            for (JsonNode attendee : attendees) {
                if (attendee instanceof ObjectNode a && !a.hasNonNull("status")) {
                    ObjectNode none = GraphJson.object();
                    none.put("response", "none");
                    none.put("time", "0001-01-01T00:00:00Z");
                    a.set("status", none);
                }
            }
        }
        normalizeEventTimes(event);
        applyOnlineMeeting(ctx, event);
        ctx.mailbox().events.put(id, event);
        mail.eventSaved(ctx.mailbox().upn, event);
        // Graph answers the create before the rooms' mailboxes process the invitation: their answers show on a later GET.
        Reply created = json(201, eventView(ctx, event));
        scheduling.eventCreated(ctx.user().tenantId(), event);
        return created;
    }

    private Reply getEvent(Context ctx, String id) {
        ObjectNode event = ctx.mailbox().events.get(id);
        return event == null ? itemNotFound(ctx.call()) : json(200, eventView(ctx, event));
    }

    private Reply patchEvent(Context ctx, String id) {
        ObjectNode event = ctx.mailbox().events.get(id);
        if (event == null) {
            return itemNotFound(ctx.call());
        }
        ObjectNode changes = ctx.body();
        for (String readOnly : List.of("id", "iCalUId", "createdDateTime", "lastModifiedDateTime", "changeKey", "webLink", "isOrganizer",
                "organizer", "responseStatus", "onlineMeeting", "@odata.context", "@odata.etag")) {
            changes.remove(readOnly);
        }
        ObjectNode before = event.deepCopy();
        event.setAll(changes);
        event.put("lastModifiedDateTime", GRAPH_TIME.format(clock.instant()));
        event.put("changeKey", randomToken(12));
        normalizeEventTimes(event);
        if (changes.has("attendees") || changes.has("start") || changes.has("end")) {
            scheduling.eventUpdated(ctx.user().tenantId(), before, event);
        }
        applyOnlineMeeting(ctx, event);
        mail.eventSaved(ctx.mailbox().upn, event);
        return json(200, eventView(ctx, event));
    }

    private Reply deleteEvent(Context ctx, String id) {
        ObjectNode removed = ctx.mailbox().events.remove(id);
        if (removed == null) {
            return itemNotFound(ctx.call());
        }
        mail.eventRemoved(ctx.mailbox().upn, id, GraphJson.text(removed, "changeKey"));
        return Reply.empty(204);
    }

    /** Cancels the event named by {@code givenId} (either of its ids); the cancellation is recorded under the id given. */
    private Reply cancelEvent(Context ctx, String givenId) {
        String id = SyncValues.eventImmutableId(givenId);
        ObjectNode event = ctx.mailbox().events.get(id);
        if (event == null) {
            return itemNotFound(ctx.call());
        }
        if (!event.path("isOrganizer").asBoolean(false)) {
            return error(ctx.call(), 400, "ErrorAccessDenied", "Your request can't be completed. You need to be an organizer to cancel a "
                    + "meeting.");
        }
        ctx.mailbox().events.remove(id);
        mail.eventRemoved(ctx.mailbox().upn, id, GraphJson.text(event, "changeKey"));
        ObjectNode cancellation = GraphJson.object();
        cancellation.put("eventId", givenId);
        JsonNode comment = ctx.body().get("comment");
        if (comment == null || comment.isNull()) {
            cancellation.putNull("comment");
        } else {
            cancellation.put("comment", comment.asText());
        }
        ctx.mailbox().cancellations.add(cancellation);
        return Reply.empty(202);
    }

    private void applyOnlineMeeting(Context ctx, ObjectNode event) {
        if (event.path("isOnlineMeeting").asBoolean(false)) {
            if (!event.path("onlineMeeting").hasNonNull("joinUrl")) {
                ObjectNode meeting = GraphJson.object();
                meeting.put("joinUrl", joinUrl(ctx));
                event.set("onlineMeeting", meeting);
            }
            String provider = GraphJson.text(event, "onlineMeetingProvider");
            if (provider == null || provider.equalsIgnoreCase("unknown")) {
                event.put("onlineMeetingProvider", "teamsForBusiness");
            }
        } else {
            event.put("isOnlineMeeting", false);
            event.putNull("onlineMeeting");
            if (!event.hasNonNull("onlineMeetingProvider")) {
                event.put("onlineMeetingProvider", "unknown");
            }
        }
    }

    /** Graph answers local times with seven fraction digits: 2025-03-01T10:00:00.0000000. */
    private static void normalizeEventTimes(ObjectNode event) {
        for (String name : List.of("start", "end")) {
            JsonNode time = event.get(name);
            if (time instanceof ObjectNode t && t.hasNonNull("dateTime")) {
                try {
                    t.put("dateTime", EVENT_LOCAL_TIME.format(LocalDateTime.parse(t.get("dateTime").asText())));
                } catch (DateTimeParseException ignored) {
                    // kept as given
                }
            }
        }
    }

    private static final Pattern IMMUTABLE_PREFER = Pattern.compile("IdType\\s*=\\s*\"?ImmutableId\"?", Pattern.CASE_INSENSITIVE);

    private ObjectNode eventView(Context ctx, ObjectNode event) {
        ObjectNode view = GraphJson.object();
        view.put("@odata.context", baseUrl(ctx) + "/$metadata#users('" + ctx.mailbox().upn + "')/events/$entity");
        view.put("@odata.etag", "W/\"" + event.path("changeKey").asText() + "\"");
        view.setAll(event.deepCopy());
        if (!immutableIds(ctx)) {
            view.put("id", SyncValues.eventDefaultId(event.path("id").asText()));
        }
        return select(view, ctx.call().params().get("$select"));
    }

    /** Whether the request asked for immutable ids ({@code Prefer: IdType="ImmutableId"}) where the cloud serves them. */
    private boolean immutableIds(Context ctx) {
        String prefer = ctx.call().headers().get("Prefer");
        return syncSupport.get(ctx.cloud()).immutableIds() && prefer != null
                && IMMUTABLE_PREFER.matcher(prefer).find();
    }

    private ObjectNode calendar(Context ctx) {
        ObjectNode calendar = GraphJson.object();
        calendar.put("id", ctx.mailbox().calendarId);
        calendar.put("name", "Calendar");
        calendar.put("isDefaultCalendar", true);
        calendar.put("canEdit", true);
        calendar.put("canShare", ctx.own());
        calendar.set("owner", GraphJson.recipient(ctx.mailbox().upn, displayName(ctx.mailbox().upn)).get("emailAddress"));
        return calendar;
    }

    // ---------------------------------------------------------------- HTML view

    private Reply mailboxPage(String upn) {
        StringBuilder html = new StringBuilder();
        synchronized (lock) {
            Mailbox mailbox = mailboxes.get(key(upn));
            List<SentMail> sent = mailbox == null ? List.of() : mailbox.sent;
            List<ObjectNode> events = mailbox == null ? List.of() : List.copyOf(mailbox.events.values());
            html.append("<h1>Mailbox ").append(escape(upn)).append("</h1>\n");
            html.append("<h2>Sent mail (").append(sent.size()).append(")</h2>\n");
            if (sent.isEmpty()) {
                html.append("<p class=\"none\">Nothing sent.</p>\n");
            } else {
                html.append("<table id=\"sent\"><thead><tr><th>Sent</th><th>Subject</th><th>From</th><th>To</th><th>Attachments</th></tr>"
                        + "</thead><tbody>\n");
                for (SentMail m : sent) {
                    List<String> names = new ArrayList<>();
                    m.message().path("attachments").forEach(a -> names.add(a.path("name").asText()));
                    html.append("<tr><td>").append(escape(GRAPH_TIME.format(m.sentAt()))).append("</td><td>")
                            .append(escape(m.subject())).append("</td><td>").append(escape(m.sentAs())).append("</td><td>")
                            .append(escape(String.join(", ", GraphJson.addresses(m.message(), "toRecipients")))).append("</td><td>")
                            .append(escape(String.join(", ", names))).append("</td></tr>\n");
                }
                html.append("</tbody></table>\n");
            }
            html.append("<h2>Events (").append(events.size()).append(")</h2>\n");
            if (events.isEmpty()) {
                html.append("<p class=\"none\">No events.</p>\n");
            } else {
                html.append("<table id=\"events\"><thead><tr><th>Subject</th><th>Start</th><th>End</th><th>Join</th></tr></thead><tbody>\n");
                for (ObjectNode e : events) {
                    String joinUrl = GraphJson.text(e.get("onlineMeeting"), "joinUrl");
                    html.append("<tr><td>").append(escape(GraphJson.text(e, "subject"))).append("</td><td>")
                            .append(escape(when(e.get("start")))).append("</td><td>").append(escape(when(e.get("end"))))
                            .append("</td><td>");
                    if (joinUrl != null && joinUrl.startsWith("https://")) {
                        html.append("<a href=\"").append(escape(joinUrl)).append("\">").append(escape(joinUrl)).append("</a>");
                    }
                    html.append("</td></tr>\n");
                }
                html.append("</tbody></table>\n");
            }
        }
        Reply reply = new Reply(200, "text/html; charset=utf-8", Html.page("Mailbox " + upn + " - Fake Microsoft Graph", html.toString()));
        reply.headers.put("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        reply.headers.put("Cache-Control", "no-store");
        return reply;
    }

    private static String when(JsonNode time) {
        if (time == null || time.isNull()) {
            return "";
        }
        String dateTime = GraphJson.text(time, "dateTime");
        String zone = GraphJson.text(time, "timeZone");
        return (dateTime == null ? "" : dateTime) + (zone == null ? "" : " (" + zone + ")");
    }

    // ---------------------------------------------------------------- answers

    private Reply unsupportedQuery(Call call) {
        for (String name : call.params().keySet()) {
            if (UNSUPPORTED_QUERY.contains(lower(name))) {
                return error(call, 400, "BadRequest", "The fake Microsoft Graph does not implement " + name + ".");
            }
        }
        return null;
    }

    private static ObjectNode select(ObjectNode view, String select) {
        if (select == null || select.isBlank()) {
            return view;
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String s : select.split(",")) {
            wanted.add(lower(s.trim()));
        }
        ObjectNode out = GraphJson.object();
        view.fields().forEachRemaining(e -> {
            String name = e.getKey();
            if (name.startsWith("@odata.") || name.equals("id") || wanted.contains(lower(name))) {
                out.set(name, e.getValue());
            }
        });
        return out;
    }

    private Reply notImplemented(Call call) {
        synchronized (lock) {
            unhandled.add(call.method() + " https://" + call.host() + call.rawPath());
        }
        String segment = call.path().replaceAll("^/+", "");
        return error(call, 404, "ResourceNotFound", "Resource not found for the segment '" + segment + "'. (The fake Microsoft Graph "
                + "does not implement " + call.method() + " " + call.path() + ".)");
    }

    private Reply accessDenied(Call call) {
        return error(call, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }

    private Reply itemNotFound(Call call) {
        return error(call, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
    }

    private Reply unauthorized(Call call, String message) {
        Reply reply = error(call, 401, "InvalidAuthenticationToken", message);
        NationalCloud cloud = CLOUD_BY_GRAPH_HOST.getOrDefault(call.host(), NationalCloud.GLOBAL);
        reply.headers.put("WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"https://" + cloud.authorityHost()
                + "/common/oauth2/authorize\", client_id=\"" + GRAPH_APP_ID + "\"");
        return reply;
    }

    private Reply error(Call call, int status, String code, String message) {
        ObjectNode inner = GraphJson.object();
        inner.put("date", ERROR_DATE.format(clock.instant()));
        inner.put("request-id", call.requestId());
        inner.put("client-request-id", call.clientRequestId());
        ObjectNode error = GraphJson.object();
        error.put("code", code);
        error.put("message", message);
        error.set("innerError", inner);
        ObjectNode body = GraphJson.object();
        body.set("error", error);
        return new Reply(status, ERROR_JSON, GraphJson.write(body));
    }

    private static Reply json(int status, JsonNode body) {
        return new Reply(status, JSON, GraphJson.write(body));
    }

    // ---------------------------------------------------------------- helpers

    private Mailbox mailbox(String upn) {
        mail.state(upn); // a mailbox used here is a mailbox of the fake: mail sent to it lands in its inbox
        return mailboxes.computeIfAbsent(key(upn), k -> new Mailbox(upn.trim(), newItemId()));
    }

    private String displayName(String upn) {
        String known = displayNames.get(key(upn));
        if (known != null) {
            return known;
        }
        String local = upn.contains("@") ? upn.substring(0, upn.indexOf('@')) : upn;
        StringBuilder name = new StringBuilder();
        for (String part : local.split("[._-]+")) {
            if (!part.isEmpty()) {
                name.append(name.length() == 0 ? "" : " ").append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return name.length() == 0 ? upn : name.toString();
    }

    private String baseUrl(Context ctx) {
        return "https://" + ctx.call().host() + "/v1.0";
    }

    private static NationalCloud cloudOf(String host) {
        return CLOUD_BY_GRAPH_HOST.getOrDefault(host, NationalCloud.GLOBAL);
    }

    private static String outlookHost(NationalCloud cloud) {
        return switch (cloud) {
            case GLOBAL -> "outlook.office365.com";
            case USGOV -> "outlook.office365.us";
            case USGOVDOD -> "webmail.apps.mil";
            case CHINA -> "partner.outlook.cn";
        };
    }

    private static String teamsHost(NationalCloud cloud) {
        return switch (cloud) {
            case GLOBAL -> "teams.microsoft.com";
            case USGOV -> "gov.teams.microsoft.us";
            case USGOVDOD -> "dod.teams.microsoft.us";
            case CHINA -> "teams.microsoftonline.cn";
        };
    }

    static String messageWebLink(NationalCloud cloud, String id) {
        return "https://" + outlookHost(cloud) + "/owa/?ItemID=" + urlEncode(id) + "&exvsurl=1&viewmodel=ReadMessageItem";
    }

    private static String eventWebLink(NationalCloud cloud, String id) {
        return "https://" + outlookHost(cloud) + "/owa/?itemid=" + urlEncode(id) + "&exvsurl=1&path=/calendar/item";
    }

    private String joinUrl(Context ctx) {
        String context = "{\"Tid\":\"" + ctx.user().tenantId() + "\",\"Oid\":\"" + ctx.user().objectId() + "\"}";
        return "https://" + teamsHost(ctx.cloud()) + "/l/meetup-join/" + urlEncode("19:meeting_" + randomToken(36) + "@thread.v2")
                + "/0?context=" + urlEncode(context);
    }

    /** An id shaped like Exchange's: "AAMkA..." base64url, about 150 characters, ending in "=". */
    private String newItemId() {
        return "AAMkA" + randomToken(105) + "AAA=";
    }

    private String iCalUId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return "040000008200E00074C5B7101A82E00800000000" + HexFormat.of().withUpperCase().formatHex(b);
    }

    private String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "fake.example" : address.substring(at + 1);
    }

    private static List<JsonNode> copies(Iterable<? extends JsonNode> nodes) {
        List<JsonNode> result = new ArrayList<>();
        nodes.forEach(n -> result.add(n.deepCopy()));
        return List.copyOf(result);
    }

    private static String key(String upn) {
        return upn == null ? "" : lower(upn.trim());
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).trim();
    }

    /** Headers with case-insensitive names; the Authorization value is redacted. */
    private static Map<String, String> recordedHeaders(Request request) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (HttpHeader header : request.getHeaders().all()) {
            String value = String.join(", ", header.values());
            if (header.key().equalsIgnoreCase("Authorization")) {
                int space = value.indexOf(' ');
                value = (space > 0 ? value.substring(0, space) : "") + " [redacted]";
            }
            headers.put(header.key(), value);
        }
        return Collections.unmodifiableMap(headers);
    }

    private static Map<String, String> queryParams(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                params.putIfAbsent(name, value);
            }
        }
        return params;
    }

    /** Percent-decodes a path ('+' stays '+'); malformed escapes are kept as they are. */
    static String decodePath(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length() && isHex(raw.charAt(i + 1)) && isHex(raw.charAt(i + 2))) {
                out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String pathOf(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static String hostOf(Request request) {
        String host = request.getHeader("Host");
        if (host == null || host.isBlank()) {
            host = request.getHost();
        }
        if (host == null) {
            return "";
        }
        int colon = host.lastIndexOf(':');
        if (colon > 0 && !host.endsWith("]")) {
            host = host.substring(0, colon);
        }
        return lower(host);
    }

    private static Map<String, NationalCloud> cloudByGraphHost() {
        Map<String, NationalCloud> result = new LinkedHashMap<>();
        for (NationalCloud cloud : NationalCloud.values()) {
            result.put(cloud.graphHost(), cloud);
        }
        return Collections.unmodifiableMap(result);
    }

    // ---------------------------------------------------------------- state types

    private static final class Mailbox {
        final String upn;
        final String calendarId;
        final Map<String, ObjectNode> drafts = new LinkedHashMap<>();
        final List<SentMail> sent = new ArrayList<>();
        final Map<String, ObjectNode> events = new LinkedHashMap<>();
        final List<ObjectNode> cancellations = new ArrayList<>();

        Mailbox(String upn, String calendarId) {
            this.upn = upn;
            this.calendarId = calendarId;
        }
    }

    private static final class UploadSession {
        final String id;
        final String secret;
        final String mailboxUpn;
        final String messageId;
        final String name;
        final String contentType;
        final boolean inline;
        final String contentId;
        final long size;
        final Instant expires;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        UploadSession(String id, String secret, String mailboxUpn, String messageId, String name, String contentType, boolean inline,
                String contentId, long size, Instant expires) {
            this.id = id;
            this.secret = secret;
            this.mailboxUpn = mailboxUpn;
            this.messageId = messageId;
            this.name = name;
            this.contentType = contentType;
            this.inline = inline;
            this.contentId = contentId;
            this.size = size;
            this.expires = expires;
        }
    }

    private record ScriptedFault(String method, Pattern path, int status, String code, String message, Integer retryAfterSeconds,
            boolean performFirst, boolean drop, String claims, Duration delay, String rawBody) {
        ScriptedFault(String method, Pattern path, int status, String code, String message, Integer retryAfterSeconds,
                boolean performFirst, boolean drop) {
            this(method, path, status, code, message, retryAfterSeconds, performFirst, drop, null, Duration.ZERO);
        }

        ScriptedFault(String method, Pattern path, int status, String code, String message, Integer retryAfterSeconds,
                boolean performFirst, boolean drop, String claims, Duration delay) {
            this(method, path, status, code, message, retryAfterSeconds, performFirst, drop, claims, delay, null);
        }

        /** The fault's answer; a delayed fault answers what the request would have got, late. */
        Reply reply(Call call, Instant now, Reply normal) {
            if (!delay.isZero()) {
                normal.delay = delay;
                return normal;
            }
            return reply(call, now);
        }

        Reply reply(Call call, Instant now) {
            if (rawBody != null) {
                return new Reply(status, JSON, rawBody);
            }
            if (drop) {
                Reply reply = Reply.empty(200);
                reply.dropConnection = true;
                return reply;
            }
            ObjectNode inner = GraphJson.object();
            inner.put("date", ERROR_DATE.format(now));
            inner.put("request-id", call.requestId());
            inner.put("client-request-id", call.clientRequestId());
            ObjectNode error = GraphJson.object();
            error.put("code", code == null ? "UnknownError" : code);
            error.put("message", message == null ? "" : message);
            error.set("innerError", inner);
            ObjectNode body = GraphJson.object();
            body.set("error", error);
            Reply reply = new Reply(status, ERROR_JSON, GraphJson.write(body));
            if (retryAfterSeconds != null) {
                reply.headers.put("Retry-After", String.valueOf(retryAfterSeconds));
            }
            if (claims != null) {
                reply.headers.put("WWW-Authenticate", claimsChallengeHeader(NationalCloud.GLOBAL, claims));
            }
            return reply;
        }
    }

    /** The WWW-Authenticate value of a Continuous Access Evaluation challenge, as Graph sends it (claims in base64). */
    static String claimsChallengeHeader(NationalCloud cloud, String claimsJson) {
        return "Bearer realm=\"\", authorization_uri=\"https://" + cloud.authorityHost() + "/common/oauth2/authorize\", client_id=\""
                + GRAPH_APP_ID + "\", error=\"insufficient_claims\", claims=\""
                + Base64.getEncoder().encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8)) + "\"";
    }

    /** One request as the fake sees it. */
    private record Call(String method, String host, String rawPath, String path, boolean versioned, String query, Map<String, String> params,
            Map<String, String> headers, String authorization, byte[] body, IssuedAccessToken issued, String requestId,
            String clientRequestId) {
    }

    /** An authorized call on one mailbox, with its canonicalized JSON body. */
    private record Context(Call call, FakeUser user, Mailbox mailbox, boolean own, ObjectNode body, NationalCloud cloud) {
    }

    /** An operation on a mailbox; {@code subId} is an attachment's id under a message. */
    private record Operation(Kind kind, String itemId, String calendarId, String subId) {
        Operation(Kind kind, String itemId, String calendarId) {
            this(kind, itemId, calendarId, null);
        }
    }

    private enum Permission {
        MAIL_READ(Set.of("mail.read", "mail.readwrite", "mail.read.shared", "mail.readwrite.shared"),
                Set.of("mail.read.shared", "mail.readwrite.shared")),
        /** Reading messages without their bodies: Mail.ReadBasic is enough (user: list messages, permissions table). */
        MAIL_READ_BASIC(Set.of("mail.readbasic", "mail.read", "mail.readwrite", "mail.read.shared", "mail.readwrite.shared"),
                Set.of("mail.read.shared", "mail.readwrite.shared")),
        MAIL_WRITE(Set.of("mail.readwrite", "mail.readwrite.shared"), Set.of("mail.readwrite.shared")),
        MAIL_SEND(Set.of("mail.send", "mail.send.shared"), Set.of("mail.send.shared")),
        CALENDAR_READ(Set.of("calendars.read", "calendars.readwrite", "calendars.read.shared", "calendars.readwrite.shared"),
                Set.of("calendars.read.shared", "calendars.readwrite.shared")),
        CALENDAR_WRITE(Set.of("calendars.readwrite", "calendars.readwrite.shared"), Set.of("calendars.readwrite.shared")),
        /** getSchedule: Calendars.ReadBasic, Calendars.Read or Calendars.ReadWrite (calendar-getschedule permissions table). */
        FREE_BUSY(Set.of("calendars.readbasic", "calendars.read", "calendars.readwrite"), Set.of()),
        /** findMeetingTimes: Calendars.Read.Shared or Calendars.ReadWrite.Shared (user-findmeetingtimes permissions table). */
        MEETING_TIMES(Set.of("calendars.read.shared", "calendars.readwrite.shared"), Set.of());

        final Set<String> own;
        final Set<String> shared;

        Permission(Set<String> own, Set<String> shared) {
            this.own = own;
            this.shared = shared;
        }
    }

    private enum Kind {
        LIST_MESSAGES(Permission.MAIL_READ, false, false),
        LIST_FOLDER_MESSAGES(Permission.MAIL_READ_BASIC, false, false),
        LIST_MAIL_FOLDERS(Permission.MAIL_READ_BASIC, false, false),
        GET_MAIL_FOLDER(Permission.MAIL_READ_BASIC, false, false),
        MAIL_FOLDERS_DELTA(Permission.MAIL_READ_BASIC, false, false),
        FOLDER_MESSAGES_DELTA(Permission.MAIL_READ_BASIC, false, false),
        GET_ATTACHMENT(Permission.MAIL_READ, false, false),
        GET_ATTACHMENT_VALUE(Permission.MAIL_READ, false, false),
        CALENDAR_VIEW(Permission.CALENDAR_READ, false, false),
        CALENDAR_VIEW_DELTA(Permission.CALENDAR_READ, false, false),
        CREATE_DRAFT(Permission.MAIL_WRITE, true, true),
        GET_MESSAGE(Permission.MAIL_READ_BASIC, false, false),
        PATCH_MESSAGE(Permission.MAIL_WRITE, true, true),
        DELETE_MESSAGE(Permission.MAIL_WRITE, false, false),
        SEND_DRAFT(Permission.MAIL_SEND, true, false),
        LIST_ATTACHMENTS(Permission.MAIL_READ, false, false),
        ADD_ATTACHMENT(Permission.MAIL_WRITE, true, true),
        CREATE_UPLOAD_SESSION(Permission.MAIL_WRITE, true, true),
        SEND_MAIL(Permission.MAIL_SEND, true, true),
        LIST_EVENTS(Permission.CALENDAR_READ, false, false),
        CREATE_EVENT(Permission.CALENDAR_WRITE, true, true),
        GET_EVENT(Permission.CALENDAR_READ, false, false),
        PATCH_EVENT(Permission.CALENDAR_WRITE, true, true),
        DELETE_EVENT(Permission.CALENDAR_WRITE, false, false),
        CANCEL_EVENT(Permission.CALENDAR_WRITE, true, false),
        GET_CALENDAR(Permission.CALENDAR_READ, false, false),
        LIST_CALENDARS(Permission.CALENDAR_READ, false, false),
        GET_SCHEDULE(Permission.FREE_BUSY, true, true),
        FIND_MEETING_TIMES(Permission.MEETING_TIMES, true, false);

        private final Permission permission;
        private final boolean needsBody;
        private final boolean bodyRequired;

        Kind(Permission permission, boolean needsBody, boolean bodyRequired) {
            this.permission = permission;
            this.needsBody = needsBody;
            this.bodyRequired = bodyRequired;
        }

        Permission permission() {
            return permission;
        }

        boolean needsBody() {
            return needsBody;
        }

        boolean bodyRequired() {
            return bodyRequired;
        }
    }

    private static final class Reply {
        final int status;
        final String contentType;
        final String body;
        final Map<String, String> headers = new LinkedHashMap<>();
        boolean dropConnection;
        Duration delay = Duration.ZERO;
        byte[] binary;

        Reply(int status, String contentType, String body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }

        static Reply empty(int status) {
            return new Reply(status, null, null);
        }
    }
}
