package io.m365connector.actions;

import static io.m365connector.actions.MatrixAction.assertRecordSettled;
import static io.m365connector.actions.MatrixAction.attendees;
import static io.m365connector.actions.MatrixAction.attachmentsSent;
import static io.m365connector.actions.MatrixAction.cancellations;
import static io.m365connector.actions.MatrixAction.delivered;
import static io.m365connector.actions.MatrixAction.drafts;
import static io.m365connector.actions.MatrixAction.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.graph.FakeGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every outbound Graph call of every action × every failure Graph or the network can produce there,
 * with and without an Idempotency-Key, then the caller's retry (with the same key). One table of
 * steps and one of failures drive it: adding a step or a failure mode is one line.
 *
 * <p>Invariants asserted in every cell: at most one delivered mail or created event per request;
 * never a 500; the first answer is the one the table below says (a stable code that tells the
 * caller what to do); after the retry the idempotency record is settled (completed, or released for
 * a retry to resume) and the connection is still active; nothing is left half done behind a success.
 */
class GraphFailureMatrixTest {
    /**
     * Requests go to instances with the default 30 s timeout, which a loaded build machine never trips while the fakes
     * take in 6 MB of attachments; only a timeout cell's first request goes to {@link #IMPATIENT}.
     */
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final ConnectorHarness.Instance PATIENT = HARNESS.newInstance();
    /** A read timeout of 1 s (the smallest the setting allows): the timeout cells hold the answer 1.5 s. */
    private static final ConnectorHarness.Instance IMPATIENT = HARNESS.newInstance(env -> env.put("OUTBOUND_TIMEOUT_SECONDS", "1"));
    private static final Duration PAST_THE_TIMEOUT = Duration.ofMillis(1500);
    private static final Map<NationalCloud, ConnectorHarness.Connected> USERS = new EnumMap<>(NationalCloud.class);
    private static final Set<String> OK = Set.of("ok");

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    /** Where in an action a Graph (or upload) call is made. */
    enum Step {
        DRAFT_CREATE("POST", "/me/messages", MatrixAction.MAIL_VIA_DRAFT),
        ATTACHMENT_ADD("POST", "/me/messages/[^/]+/attachments", MatrixAction.MAIL_WITH_ATTACHMENTS),
        UPLOAD_SESSION_CREATE("POST", "/me/messages/[^/]+/attachments/createUploadSession", MatrixAction.MAIL_WITH_ATTACHMENTS),
        UPLOAD_CHUNK("PUT", "/upload/.+", MatrixAction.MAIL_WITH_ATTACHMENTS),
        DRAFT_SEND("POST", "/me/messages/[^/]+/send", MatrixAction.MAIL_VIA_DRAFT),
        SEND_MAIL_KEPT("POST", "/me/sendMail", MatrixAction.MAIL),
        SEND_MAIL("POST", "/me/sendMail", MatrixAction.MAIL_WITHOUT_SENT_ITEMS),
        EVENT_CREATE("POST", "/me/events", MatrixAction.EVENT_CREATE),
        EVENT_PATCH("PATCH", "/me/events/[^/]+", MatrixAction.EVENT_UPDATE),
        ATTENDEES_LOOKUP("GET", "/me/events/[^/]+", MatrixAction.EVENT_UPDATE_ATTENDEES),
        ATTENDEES_PATCH("PATCH", "/me/events/[^/]+", MatrixAction.EVENT_UPDATE_ATTENDEES),
        EVENT_LOOKUP("GET", "/me/events/[^/]+", MatrixAction.EVENT_CANCEL),
        EVENT_CANCEL("POST", "/me/events/[^/]+/cancel", MatrixAction.EVENT_CANCEL),
        EVENT_DELETE("DELETE", "/me/events/[^/]+", MatrixAction.EVENT_DELETE);

        final String method;
        final String path;
        final MatrixAction action;

        Step(String method, String path, MatrixAction action) {
            this.method = method;
            this.path = path;
            this.action = action;
        }

        boolean isMail() {
            return action.mail();
        }
    }

    /** Mail and event creation take an Idempotency-Key in this matrix; updates, cancels and deletes run without one. */
    private static boolean takesKey(MatrixAction action) {
        return action.mail() || action == MatrixAction.EVENT_CREATE;
    }


    /** What goes wrong at the step. {@code acted}: Graph carried the request out before the failure. */
    enum Failure {
        REFUSED_BEFORE_SENDING(false),
        TIMEOUT_AFTER_ACTING(true),
        RESET_AFTER_ACTING(true),
        GATEWAY_TIMEOUT_504_AFTER_ACTING(true),
        SERVER_ERROR_500(false),
        BAD_GATEWAY_502(false),
        UNAVAILABLE_503(false),
        UNAUTHORIZED_401(false),
        CLAIMS_CHALLENGE_401(false),
        FORBIDDEN_403(false),
        NOT_FOUND_404(false),
        CONFLICT_409(false),
        THROTTLED_429_BRIEFLY(false),
        THROTTLED_429_BEYOND_THE_BUDGET(false);

        final boolean acted;

        Failure(boolean acted) {
            this.acted = acted;
        }

        boolean ambiguous() {
            return this == TIMEOUT_AFTER_ACTING || this == RESET_AFTER_ACTING || this == GATEWAY_TIMEOUT_504_AFTER_ACTING
                    || this == SERVER_ERROR_500 || this == BAD_GATEWAY_502;
        }

        void inject(FakeGraph graph, ConnectorHarness harness, Step step, NationalCloud cloud) {
            String m = step.method;
            String p = step.path;
            switch (this) {
                case REFUSED_BEFORE_SENDING -> harness.routing.refuseNext(cloud.graphHost(), m, p);
                case TIMEOUT_AFTER_ACTING -> graph.delayNext(m, p, PAST_THE_TIMEOUT);
                case RESET_AFTER_ACTING -> graph.dropNext(m, p, true);
                case GATEWAY_TIMEOUT_504_AFTER_ACTING -> graph.failNext(m, p, 504, "GatewayTimeout", "The gateway timed out.", null, true);
                case SERVER_ERROR_500 -> graph.failNext(m, p, 500, "generalException", "General exception while processing.", null, false);
                case BAD_GATEWAY_502 -> graph.failNext(m, p, 502, "BadGateway", "Bad gateway.", null, false);
                case UNAVAILABLE_503 -> graph.failNext(m, p, 503, "serviceNotAvailable", "Service unavailable.", 1, false);
                case UNAUTHORIZED_401 -> graph.failNext(m, p, 401, "InvalidAuthenticationToken", "Access token has expired or is not yet "
                        + "valid.", null, false);
                case CLAIMS_CHALLENGE_401 -> graph.challengeNext(m, p);
                case FORBIDDEN_403 -> graph.failNext(m, p, 403, "ErrorAccessDenied", "Access is denied.", null, false);
                case NOT_FOUND_404 -> graph.failNext(m, p, 404, "ErrorItemNotFound", "The specified object was not found in the store.",
                        null, false);
                case CONFLICT_409 -> graph.failNext(m, p, 409, "ErrorIrresolvableConflict", "The send or update operation could not be "
                        + "performed because the change key passed in the request does not match the current change key for the item.",
                        null, false);
                case THROTTLED_429_BRIEFLY -> graph.failNext(m, p, 429, "ApplicationThrottled", "Application is over its MailboxConcurrency "
                        + "limit.", 1, false);
                case THROTTLED_429_BEYOND_THE_BUDGET -> graph.failNext(m, p, 429, "ApplicationThrottled", "Application is over its "
                        + "MailboxConcurrency limit.", 120, false);
            }
        }
    }

    /**
     * The specification of the first answer: "ok" or the problem code. Upload chunks go to a
     * pre-authenticated URL outside the Graph SDK: any failure there ends the attempt (the retry
     * starts from a new draft).
     */
    static Set<String> expectedFirst(Step step, Failure failure) {
        if (step == Step.UPLOAD_CHUNK) {
            return switch (failure) {
                case REFUSED_BEFORE_SENDING, TIMEOUT_AFTER_ACTING, RESET_AFTER_ACTING, GATEWAY_TIMEOUT_504_AFTER_ACTING, SERVER_ERROR_500,
                        BAD_GATEWAY_502, UNAVAILABLE_503, THROTTLED_429_BRIEFLY, THROTTLED_429_BEYOND_THE_BUDGET -> Set.of("temporarily_unavailable");
                default -> Set.of("graph_error");
            };
        }
        return switch (failure) {
            case REFUSED_BEFORE_SENDING, UNAVAILABLE_503, UNAUTHORIZED_401, CLAIMS_CHALLENGE_401, THROTTLED_429_BRIEFLY -> OK;
            case THROTTLED_429_BEYOND_THE_BUDGET -> Set.of("throttled");
            case FORBIDDEN_403 -> Set.of("mailbox_access_denied");
            case NOT_FOUND_404 -> Set.of("not_found");
            case CONFLICT_409 -> Set.of("concurrent_update");
            default -> ambiguous(step, failure);
        };
    }

    private static Set<String> ambiguous(Step step, Failure failure) {
        return switch (step) {
            case ATTACHMENT_ADD -> Set.of("temporarily_unavailable"); // never POSTed twice: the retry starts from a new draft
            case DRAFT_SEND -> failure.acted ? OK : Set.of("delivery_unconfirmed"); // gone from Drafts = sent; still a draft = unknown
            case SEND_MAIL_KEPT -> failure.acted ? OK : Set.of("delivery_unconfirmed"); // its copy in Sent Items = sent; none = unknown
            case SEND_MAIL -> Set.of("delivery_unconfirmed"); // nothing to look at: never repeated
            default -> OK; // repeatable, found by its marker or transactionId, or removed already
        };
    }

    /** Problem codes after which the caller's retry gets the same answer back (stored as final). */
    private static boolean finalAnswer(Step step, String code) {
        return code.equals("mailbox_access_denied") || code.equals("delivery_unconfirmed") && step == Step.SEND_MAIL;
    }

    /** The cells of some steps: each failure, with a key and (for actions that read one) without. */
    static Stream<Arguments> cells(Step... steps) {
        List<Arguments> cells = new ArrayList<>();
        for (Step step : steps) {
            for (Failure failure : Failure.values()) {
                cells.add(Arguments.of(step, failure, true));
                if (takesKey(step.action)) {
                    cells.add(Arguments.of(step, failure, false));
                }
            }
        }
        return cells.stream();
    }

    static final Step[] DRAFT = {Step.DRAFT_CREATE, Step.DRAFT_SEND};
    static final Step[] EVENT_CHANGES = {Step.EVENT_PATCH, Step.ATTENDEES_LOOKUP, Step.ATTENDEES_PATCH, Step.EVENT_LOOKUP, Step.EVENT_CANCEL,
        Step.EVENT_DELETE};

    static Stream<Arguments> draftCells() {
        return cells(DRAFT);
    }

    static Stream<Arguments> attachmentCells() {
        return cells(Step.ATTACHMENT_ADD);
    }

    static Stream<Arguments> uploadSessionCells() {
        return cells(Step.UPLOAD_SESSION_CREATE);
    }

    static Stream<Arguments> uploadChunkCells() {
        return cells(Step.UPLOAD_CHUNK);
    }

    static Stream<Arguments> sendMailCells() {
        return cells(Step.SEND_MAIL_KEPT, Step.SEND_MAIL);
    }

    static Stream<Arguments> eventCreateCells() {
        return cells(Step.EVENT_CREATE);
    }

    static Stream<Arguments> eventChangeCells() {
        return cells(EVENT_CHANGES);
    }

    @Test
    void whenTheMatrixIsSplitForProgressThenEveryStepIsInExactlyOnePart() {
        List<Step> parts = new ArrayList<>(List.of(DRAFT));
        parts.addAll(List.of(Step.ATTACHMENT_ADD, Step.UPLOAD_SESSION_CREATE, Step.UPLOAD_CHUNK));
        parts.addAll(List.of(Step.SEND_MAIL_KEPT, Step.SEND_MAIL));
        parts.add(Step.EVENT_CREATE);
        parts.addAll(List.of(EVENT_CHANGES));
        assertEquals(List.of(Step.values()), parts.stream().sorted().toList());
    }

    // The matrix in parts (nested classes): Maven's console reports each part when it ends, so a run of
    // several minutes shows progress instead of one line at the end.
    @Nested
    class DraftCreateAndSend {
        @ParameterizedTest(name = "{0} x {1}, key {2}")
        @MethodSource("io.m365connector.actions.GraphFailureMatrixTest#draftCells")
        void whenAStepFailsThenTheCallerGetsAStableAnswerAndNothingHappensTwice(Step step, Failure failure, boolean withKey) {
            cell(step, failure, withKey);
        }
    }

    @Nested
    class AttachmentAdd {
        @ParameterizedTest(name = "{0} x {1}, key {2}")
        @MethodSource("io.m365connector.actions.GraphFailureMatrixTest#attachmentCells")
        void whenAStepFailsThenTheCallerGetsAStableAnswerAndNothingHappensTwice(Step step, Failure failure, boolean withKey) {
            cell(step, failure, withKey);
        }
    }

    @Nested
    class UploadSessionCreate {
        @ParameterizedTest(name = "{0} x {1}, key {2}")
        @MethodSource("io.m365connector.actions.GraphFailureMatrixTest#uploadSessionCells")
        void whenAStepFailsThenTheCallerGetsAStableAnswerAndNothingHappensTwice(Step step, Failure failure, boolean withKey) {
            cell(step, failure, withKey);
        }
    }

    @Nested
    class UploadChunk {
        @ParameterizedTest(name = "{0} x {1}, key {2}")
        @MethodSource("io.m365connector.actions.GraphFailureMatrixTest#uploadChunkCells")
        void whenAStepFailsThenTheCallerGetsAStableAnswerAndNothingHappensTwice(Step step, Failure failure, boolean withKey) {
            cell(step, failure, withKey);
        }
    }

    @Nested
    class SendMail {
        @ParameterizedTest(name = "{0} x {1}, key {2}")
        @MethodSource("io.m365connector.actions.GraphFailureMatrixTest#sendMailCells")
        void whenAStepFailsThenTheCallerGetsAStableAnswerAndNothingHappensTwice(Step step, Failure failure, boolean withKey) {
            cell(step, failure, withKey);
        }
    }

    @Nested
    class EventCreate {
        @ParameterizedTest(name = "{0} x {1}, key {2}")
        @MethodSource("io.m365connector.actions.GraphFailureMatrixTest#eventCreateCells")
        void whenAStepFailsThenTheCallerGetsAStableAnswerAndNothingHappensTwice(Step step, Failure failure, boolean withKey) {
            cell(step, failure, withKey);
        }
    }

    @Nested
    class EventChanges {
        @ParameterizedTest(name = "{0} x {1}, key {2}")
        @MethodSource("io.m365connector.actions.GraphFailureMatrixTest#eventChangeCells")
        void whenAStepFailsThenTheCallerGetsAStableAnswerAndNothingHappensTwice(Step step, Failure failure, boolean withKey) {
            cell(step, failure, withKey);
        }
    }

    /** One cell: the failure injected at the step, the caller's first answer, then the caller's retry. */
    private void cell(Step step, Failure failure, boolean withKey) {
        NationalCloud cloud = NationalCloud.values()[(step.ordinal() + failure.ordinal()) % NationalCloud.values().length];
        ConnectorHarness.Connected user = user(cloud);
        String upn = user.user().userPrincipalName();
        String subject = step + "/" + failure + "/" + UUID.randomUUID();
        String key = withKey && takesKey(step.action) ? UUID.randomUUID().toString() : null;
        String eventId = step.action.prepareEvent(HARNESS, user, subject);
        int entraCallsBefore = HARNESS.entra.tokenRequests().size();

        failure.inject(HARNESS.graph, HARNESS, step, cloud);
        FakeHttpResponse first = step.action.call(failure == Failure.TIMEOUT_AFTER_ACTING ? IMPATIENT : PATIENT, user, key, subject, eventId);

        String firstCode = outcome(first);
        assertNotEquals(500, first.getStatusCode(), first.bodyText());
        assertTrue(expectedFirst(step, failure).contains(firstCode), step + " x " + failure + ": expected "
                + expectedFirst(step, failure) + " but got " + first.getStatusCode() + " " + first.bodyText());
        if (firstCode.equals("throttled") || firstCode.equals("temporarily_unavailable") && first.bodyText().contains("retryAfterSeconds")) {
            assertNotNull(first.getHeader("Retry-After"), "a wait is given as Retry-After");
        }
        if (failure == Failure.CLAIMS_CHALLENGE_401 && step != Step.UPLOAD_CHUNK) {
            assertTrue(HARNESS.entra.tokenRequests().subList(entraCallsBefore, HARNESS.entra.tokenRequests().size()).stream()
                    .anyMatch(form -> String.valueOf(form.get("claims")).contains("nbf")), "the challenge's claims reached Entra ID");
        }
        assertAtMostOnce(step, upn, subject, eventId);
        if (step.isMail()) {
            int expected = firstCode.equals("ok") || step == Step.SEND_MAIL && failure.acted ? 1 : 0;
            assertEquals(expected, delivered(HARNESS, upn, subject), "mail delivered after the first answer");
        }
        if (key == null && takesKey(step.action)) {
            return; // without a key a second request is a new request
        }

        FakeHttpResponse retried = step.action.call(PATIENT, user, key, subject, eventId);

        String retriedCode = outcome(retried);
        assertNotEquals(500, retried.getStatusCode(), retried.bodyText());
        if (!firstCode.equals("ok") && key != null && finalAnswer(step, firstCode)) {
            assertEquals(firstCode, retriedCode, "a final answer is replayed");
            assertEquals("true", retried.getHeader("Idempotent-Replayed"));
        } else if ((step == Step.DRAFT_SEND || step == Step.SEND_MAIL_KEPT) && firstCode.equals("delivery_unconfirmed")) {
            assertEquals("delivery_unconfirmed", retriedCode, "the retry only looks (at the draft, in Sent Items): still unknown");
            assertEquals(null, retried.getHeader("Idempotent-Replayed"), "it looked again");
        } else {
            assertTrue(retriedCode.equals("ok") || expectedOnRepeat(step.action, retriedCode), step + " x " + failure + " retried: "
                    + retried.getStatusCode() + " " + retried.bodyText());
        }
        assertAtMostOnce(step, upn, subject, eventId);
        if (step.isMail()) {
            boolean neverSent = firstCode.equals("delivery_unconfirmed") && !failure.acted || firstCode.equals("mailbox_access_denied");
            assertEquals(neverSent ? 0 : 1, delivered(HARNESS, upn, subject), "mail delivered after the retry");
            if (!neverSent) {
                assertEquals(0, drafts(HARNESS, upn, subject), "no draft left behind once the mail went out");
                assertAttachmentsOnce(step.action, upn, subject);
            }
        }
        if (key != null) {
            assertRecordSettled(HARNESS, user.connectionId(), key);
        }
        assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(HARNESS.context).connections().find(user.connectionId()).orElseThrow().status());
    }

    /** A repeated update/cancel/delete of something the first call already did may say it is gone. */
    private static boolean expectedOnRepeat(MatrixAction action, String code) {
        return (action == MatrixAction.EVENT_CANCEL || action == MatrixAction.EVENT_DELETE || action == MatrixAction.EVENT_UPDATE
                || action == MatrixAction.EVENT_UPDATE_ATTENDEES) && code.equals("not_found");
    }

    private static void assertAtMostOnce(Step step, String upn, String subject, String eventId) {
        if (step.isMail()) {
            assertTrue(delivered(HARNESS, upn, subject) <= 1, "at most one mail delivered");
        } else if (step.action == MatrixAction.EVENT_CREATE) {
            assertTrue(events(HARNESS, upn, subject) <= 1, "at most one event created");
        } else if (step.action == MatrixAction.EVENT_CANCEL) {
            assertTrue(cancellations(HARNESS, upn, eventId) <= 1, "attendees told at most once");
        } else if (step.action == MatrixAction.EVENT_UPDATE_ATTENDEES) {
            Map<String, String> attendees = attendees(HARNESS, upn, subject);
            assertEquals(1, attendees.values().stream().filter("resource"::equals).count(), "the room stays booked whatever failed: " + attendees);
        }
    }

    private static void assertAttachmentsOnce(MatrixAction action, String upn, String subject) {
        if (action != MatrixAction.MAIL_WITH_ATTACHMENTS) {
            return;
        }
        assertEquals(MatrixAction.ATTACHMENT_COUNT, attachmentsSent(HARNESS, upn, subject), "each attachment on the mail once");
    }

    private static String outcome(FakeHttpResponse response) {
        if (response.getStatusCode() < 300) {
            return "ok";
        }
        return ConnectorHarness.json(response.bodyText()).path("code").asText("none");
    }

    private static synchronized ConnectorHarness.Connected user(NationalCloud cloud) {
        return USERS.computeIfAbsent(cloud, c -> HARNESS.connect(c, "\"mail\",\"calendar\""));
    }
}
