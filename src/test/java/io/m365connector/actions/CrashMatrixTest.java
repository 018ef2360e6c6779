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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.graph.GraphRetry;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.ProcessDeath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The process dies at every point of every keyed action: for each action, a run without faults
 * lists every outbound request it makes (Table Storage reads and writes, Graph calls, upload
 * chunks), and one cell per request and per kill point ({@link KillSwitch.When}: before the request
 * leaves; after the far side carried it out, before the code saw the answer) kills an instance
 * there. "After the answer, before the record was saved" is the next request's "before". A new
 * instance then takes over with the same Idempotency-Key once the lease has run out (the clock is
 * moved, nothing sleeps), and the caller retries once more.
 *
 * <p>Asserted in every cell: at most one effect (a mail, a draft left behind, an event, a
 * cancellation); never a 500; the retry's answer is the one the README's "Exactly once" table gives
 * for a process death ({@link #allowed}); a 2xx means the effect happened exactly once; a second
 * retry answers the same and changes nothing; the record is settled; the connection stays active.
 */
class CrashMatrixTest {
    /** The default call timeout (30 s): a loaded build machine taking in 6 MB of attachments never trips it. */
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    /** The lease of the instances' call timeout, and a second more. */
    private static final Duration PAST_THE_LEASE = Idempotency.leaseFor(SettingsReader.read(HARNESS.env).http().timeout(), GraphRetry.BUDGET)
            .plusSeconds(1);
    private static final Instant BASE = HARNESS.clock.instant();
    private static final Map<NationalCloud, ConnectorHarness.Connected> USERS = new EnumMap<>(NationalCloud.class);
    private static final Map<String, List<KillSwitch.Call>> SEQUENCES = new ConcurrentHashMap<>();

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }


    /** What a caller may get back from the instance that took over, per action (README, "Exactly once"). */
    static Set<String> allowed(MatrixAction action) {
        return switch (action) {
            // a draft whose send may have left, or sendMail: never sent again, so possibly unconfirmed
            case MAIL, MAIL_VIA_DRAFT, MAIL_WITH_ATTACHMENTS, MAIL_WITHOUT_SENT_ITEMS -> Set.of("202", "delivery_unconfirmed");
            case EVENT_CREATE -> Set.of("201");
            case EVENT_UPDATE, EVENT_UPDATE_ATTENDEES, EVENT_CANCEL, EVENT_DELETE -> Set.of("200");
        };
    }

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        NationalCloud[] clouds = NationalCloud.values();
        int n = 0;
        for (MatrixAction action : MatrixAction.values()) {
            if (action == MatrixAction.MAIL_VIA_DRAFT) {
                // Its requests are a subset of MAIL_WITH_ATTACHMENTS's (the claim with the draft's marker, the draft with an
                // inline file, an attachment's POST, "send attempted", the send, the outcome), each killed there already;
                // its 3 MB would double this class's time for no new kill point.
                continue;
            }
            int longest = Stream.of(clouds).mapToInt(c -> sequence(action, c).size()).max().orElseThrow();
            for (int i = 0; i < longest; i++) {
                for (KillSwitch.When when : KillSwitch.When.values()) {
                    NationalCloud cloud = clouds[n++ % clouds.length]; // each cloud gets every kind of cell
                    List<KillSwitch.Call> sequence = sequence(action, cloud);
                    if (i < sequence.size()) {
                        cells.add(Arguments.of(action, cloud, i, sequence.get(i), when));
                    }
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} in {1}: killed at request {2} ({3}), {4}")
    @MethodSource("cells")
    void whenTheProcessDiesThereThenTheNextInstanceFinishesWithAtMostOneEffect(MatrixAction action, NationalCloud cloud, int ordinal,
                                                                              KillSwitch.Call call, KillSwitch.When when) {
        ConnectorHarness.Connected user = user(cloud);
        String upn = user.user().userPrincipalName();
        String subject = action + "/" + ordinal + "/" + when + "/" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        HARNESS.clock.set(BASE);
        String eventId = action.prepareEvent(HARNESS, user, subject);

        KillSwitch killed = new KillSwitch(HARNESS.routing).arm(ordinal, when);
        try {
            action.call(HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)), user, key, subject, eventId);
        } catch (ProcessDeath expected) {
            // the caller's connection drops: no answer
        }
        assertTrue(killed.dead(), "the instance died at request " + ordinal + ": " + killed.calls() + " vs " + sequence(action, cloud));
        assertEquals(call.shape(), killed.calls().get(ordinal).shape(), "the run took the same path as the run the cell was made from");
        assertAtMostOneEffect(action, upn, subject, eventId);

        HARNESS.clock.advance(PAST_THE_LEASE);
        ConnectorHarness.Instance next = HARNESS.newInstance(HARNESS.routing, new ClockSleeper(HARNESS.clock));
        FakeHttpResponse resumed = action.call(next, user, key, subject, eventId);
        System.out.println("CELL " + action + " " + cloud.id() + " #" + ordinal + " " + call.shape() + " " + when + " -> " + answer(resumed));

        String answer = answer(resumed);
        assertNotEquals(500, resumed.getStatusCode(), resumed.bodyText());
        assertTrue(allowed(action).contains(answer), action + " killed at " + call + " " + when + ": the next instance answered "
                + resumed.getStatusCode() + " " + resumed.bodyText());
        assertAtMostOneEffect(action, upn, subject, eventId);
        if (answer.startsWith("2")) {
            assertEffectOnce(action, upn, subject, eventId);
        }
        if (action == MatrixAction.MAIL && delivered(HARNESS, upn, subject) == 1) {
            assertEquals("202", answer, "a mail sendMail sent is found by its tag in Sent Items: " + resumed.bodyText());
        }

        FakeHttpResponse again = action.call(next, user, key, subject, eventId);
        assertEquals(answer, answer(again), "the caller's next retry: " + again.bodyText());
        assertAtMostOneEffect(action, upn, subject, eventId);
        if (answer.startsWith("2")) {
            assertEquals("true", again.getHeader("Idempotent-Replayed"), "a settled key replays its outcome");
            assertEffectOnce(action, upn, subject, eventId);
        }
        assertRecordSettled(HARNESS, user.connectionId(), key);
        assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(HARNESS.context).connections().find(user.connectionId()).orElseThrow().status());
    }

    /**
     * The outbound requests of one keyed run without faults, from a fresh instance (as every cell's first run is).
     * The second of two runs: the first may create the tables.
     */
    private static List<KillSwitch.Call> sequence(MatrixAction action, NationalCloud cloud) {
        return SEQUENCES.computeIfAbsent(action + "/" + cloud, k -> {
            referenceRun(action, cloud);
            return referenceRun(action, cloud);
        });
    }

    private static List<KillSwitch.Call> referenceRun(MatrixAction action, NationalCloud cloud) {
        ConnectorHarness.Connected user = user(cloud);
        String subject = "reference/" + action + "/" + UUID.randomUUID();
        HARNESS.clock.set(BASE);
        String eventId = action.prepareEvent(HARNESS, user, subject);
        KillSwitch recording = new KillSwitch(HARNESS.routing);
        FakeHttpResponse response = action.call(HARNESS.newInstance(recording, new ClockSleeper(HARNESS.clock)), user,
                UUID.randomUUID().toString(), subject, eventId);
        assertTrue(response.getStatusCode() < 300, "the reference run of " + action + " succeeds: " + response.bodyText());
        return recording.calls();
    }

    private static void assertAtMostOneEffect(MatrixAction action, String upn, String subject, String eventId) {
        if (action.mail()) {
            long mails = delivered(HARNESS, upn, subject);
            assertTrue(mails <= 1, "at most one mail: " + mails);
            assertTrue(mails + drafts(HARNESS, upn, subject) <= 1, "no draft left behind beside a sent mail, at most one draft: mails " + mails
                    + ", drafts " + drafts(HARNESS, upn, subject));
        } else if (action == MatrixAction.EVENT_CREATE) {
            assertTrue(events(HARNESS, upn, subject) <= 1, "at most one event");
        } else if (action == MatrixAction.EVENT_CANCEL) {
            assertTrue(cancellations(HARNESS, upn, eventId) <= 1, "attendees told at most once");
        } else if (action == MatrixAction.EVENT_UPDATE_ATTENDEES) {
            Map<String, String> attendees = attendees(HARNESS, upn, subject);
            assertEquals(1, attendees.values().stream().filter("resource"::equals).count(), "the room stays booked at every point: " + attendees);
        }
    }

    private static void assertEffectOnce(MatrixAction action, String upn, String subject, String eventId) {
        switch (action) {
            case MAIL, MAIL_VIA_DRAFT, MAIL_WITH_ATTACHMENTS, MAIL_WITHOUT_SENT_ITEMS -> {
                assertEquals(1, delivered(HARNESS, upn, subject), "202: sent exactly once");
                if (action == MatrixAction.MAIL_WITH_ATTACHMENTS) {
                    assertEquals(MatrixAction.ATTACHMENT_COUNT, attachmentsSent(HARNESS, upn, subject), "each attachment once");
                }
            }
            case EVENT_CREATE -> assertEquals(1, events(HARNESS, upn, subject), "201: exactly one event");
            case EVENT_UPDATE -> assertEquals(1, events(HARNESS, upn, MatrixAction.movedSubject(subject)), "200: the change is in the calendar");
            case EVENT_UPDATE_ATTENDEES -> {
                Map<String, String> attendees = attendees(HARNESS, upn, subject);
                assertEquals("required", attendees.get(MatrixAction.ADDED_ATTENDEE), "200: the new attendee is invited: " + attendees);
                assertEquals(3, attendees.size(), "the candidate, the new attendee and the room: " + attendees);
            }
            case EVENT_CANCEL -> {
                assertEquals(1, cancellations(HARNESS, upn, eventId), "200: attendees told once");
                assertEquals(0, events(HARNESS, upn, subject), "the cancelled event is gone");
            }
            case EVENT_DELETE -> assertEquals(0, events(HARNESS, upn, subject), "200: the event is gone");
        }
    }

    private static String answer(FakeHttpResponse response) {
        if (response.getStatusCode() < 300) {
            return String.valueOf(response.getStatusCode());
        }
        return ConnectorHarness.json(response.bodyText()).path("code").asText("none");
    }

    private static synchronized ConnectorHarness.Connected user(NationalCloud cloud) {
        return USERS.computeIfAbsent(cloud, c -> HARNESS.connect(c, "\"mail\",\"calendar\""));
    }
}
