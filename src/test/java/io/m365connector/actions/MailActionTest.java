package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.idempotency.IdempotencyRecord;
import io.m365connector.idempotency.TableIdempotencyStore;
import io.m365connector.platform.Secrets;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.LoseAnswerOnce;
import io.m365connector.testing.ProcessDeath;
import io.m365connector.testing.graph.RecordedRequest;
import io.m365connector.testing.graph.SentMail;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** POST /connections/{id}/mail over the real Graph SDK against the fake Graph at each cloud's host. */
class MailActionTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final String MAIL = "{\"to\":[{\"address\":\"candidate@fabrikam.com\",\"name\":\"Cand Idate\"}],"
            + "\"cc\":[\"hr@contoso.com\"],\"subject\":\"Your interview\",\"body\":{\"contentType\":\"html\",\"content\":\"<p>See you</p>\"},"
            + "\"importance\":\"high\"}";
    /** Two 1.5 MB files: more than one request carries, so this mail goes through a draft (one file added by its own POST). */
    private static final String DRAFTED = MAIL.replace("\"importance\":\"high\"", "\"importance\":\"high\",\"attachments\":["
            + file("a.bin", 1) + "," + file("b.bin", 2) + "]");

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenMailIsSentThenOneSendMailKeepsItInSentItemsTaggedAtTheCloudsGraphHost(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail\"");
        String upn = c.user().userPrincipalName();

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals(202, response.getStatusCode(), response.bodyText());
        assertEquals("sent", ConnectorHarness.json(response.bodyText()).get("status").asText());
        List<RecordedRequest> mine = mine(upn);
        assertEquals(List.of("POST /me/sendMail"), mine.stream().map(r -> r.method() + " " + r.path()).toList());
        assertTrue(mine.stream().allMatch(r -> r.host().equals(cloud.graphHost())), "every call went to " + cloud.graphHost());
        JsonNode body = ConnectorHarness.json(mine.get(0).body());
        assertTrue(body.get("SaveToSentItems").asBoolean(), "the copy is kept in Sent Items: " + body);
        JsonNode message = body.get("Message");
        assertEquals("Your interview", message.get("subject").asText());
        assertEquals("candidate@fabrikam.com", message.get("toRecipients").get(0).get("emailAddress").get("address").asText());
        assertEquals("Cand Idate", message.get("toRecipients").get(0).get("emailAddress").get("name").asText());
        assertEquals("hr@contoso.com", message.get("ccRecipients").get(0).get("emailAddress").get("address").asText());
        assertEquals("html", message.get("body").get("contentType").asText().toLowerCase());
        assertEquals("high", message.get("importance").asText().toLowerCase());
        assertEquals(MailMessages.MARKER_PROPERTY, message.get("singleValueExtendedProperties").get(0).get("id").asText(), "tagged to be found");
        List<SentMail> sent = HARNESS.graph.sentMail(upn);
        assertEquals(1, sent.size());
        assertEquals("Your interview", sent.get(0).message().get("subject").asText());
        assertEquals(1, HARNESS.graph.mail().messages(upn, "sentitems").size(), "the copy in Sent Items");
    }

    @Test
    void whenTheAttachmentsDoNotFitOneRequestThenADraftIsCreatedAndSent() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        String upn = c.user().userPrincipalName();

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), DRAFTED);

        assertEquals(202, response.getStatusCode(), response.bodyText());
        assertEquals(List.of("POST /me/messages", "POST /me/messages/{id}/attachments", "POST /me/messages/{id}/send"),
                mine(upn).stream().map(r -> r.method() + " " + r.path().replaceAll("/messages/[^/]+", "/messages/{id}")).toList());
        assertEquals(2, HARNESS.graph.sentMail(upn).get(0).message().get("attachments").size());
        assertEquals(0, HARNESS.graph.drafts(upn).size());
    }

    @Test
    void whenSendMailIsCarriedOutButAnswers504ThenTheCopyInSentItemsConfirmsItAndItIsNotSentTwice() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"mail\"");
        String upn = c.user().userPrincipalName();
        HARNESS.graph.failNext("POST", "/me/sendMail", 504, "GatewayTimeout", "The gateway timed out.", null, true);

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals(202, response.getStatusCode(), response.bodyText());
        assertEquals(1, HARNESS.graph.sentMail(upn).size());
        assertEquals(1, mine(upn).stream().filter(r -> r.path().equals("/me/sendMail")).count(), "not re-sent");
        assertTrue(mine(upn).stream().anyMatch(r -> r.method().equals("GET") && r.path().equals("/me/mailFolders/sentitems/messages")),
                "Sent Items was looked at");
    }

    /**
     * Graph's message is Graph's text, of no documented length; a refusal's answer is the key's stored outcome (a Table
     * string holds 64 KiB). Uncut, the outcome could not be stored: the retry waited for the lease and asked Graph again.
     */
    @Test
    void whenGraphRefusesWithAVeryLongMessageThenTheAnswerIsCutAndStoredAndTheRetryReplaysIt() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String upn = c.user().userPrincipalName();
        HARNESS.graph.failNext("POST", "/me/sendMail", 400, "ErrorInvalidRecipients", "recipient ".repeat(5_000), null, false);
        String key = UUID.randomUUID().toString();

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), key, MAIL);
        // on the moved clock: a record left open would be waited for until its lease ran out, then taken over
        FakeHttpResponse retried = HARNESS.newInstance(HARNESS.routing, new ClockSleeper(HARNESS.clock)).sendMail(c.connectionId(), key, MAIL);

        assertEquals(400, response.getStatusCode(), response.bodyText().substring(0, 300));
        String detail = ConnectorHarness.json(response.bodyText()).get("detail").asText();
        assertTrue(detail.length() < 1200 && detail.endsWith("\u2026"), detail.length() + " characters: " + detail.substring(0, 200));
        assertEquals("true", retried.getHeader("Idempotent-Replayed"), retried.bodyText().substring(0, 300));
        assertEquals(response.bodyText(), retried.bodyText());
        assertEquals(1, mine(upn).stream().filter(r -> r.path().equals("/me/sendMail")).count(), "sendMail called once");
    }

    @Test
    void whenSendMailAnswers504WithoutSendingThenDeliveryIsUnconfirmedAndARetryWithTheKeyLooksAgainButNeverSends() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"mail\"");
        String upn = c.user().userPrincipalName();
        HARNESS.graph.failNext("POST", "/me/sendMail", 504, "GatewayTimeout", "The gateway timed out.", null, false);
        String key = UUID.randomUUID().toString();

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), key, MAIL);
        long looks = mine(upn).stream().filter(r -> r.method().equals("GET")).count();
        FakeHttpResponse retried = HARNESS.sendMail(c.connectionId(), key, MAIL);

        assertEquals(502, response.getStatusCode(), response.bodyText());
        assertEquals("delivery_unconfirmed", ConnectorHarness.json(response.bodyText()).get("code").asText());
        assertTrue(ConnectorHarness.json(response.bodyText()).get("detail").asText().contains("Sent Items"), response.bodyText());
        assertEquals(3, looks, "looked three times");
        assertEquals(502, retried.getStatusCode(), retried.bodyText());
        assertNull(retried.getHeader("Idempotent-Replayed"), "the retry looked in Sent Items again rather than replaying");
        assertEquals(6, mine(upn).stream().filter(r -> r.method().equals("GET")).count(), "the retry looked three times more");
        assertEquals(0, HARNESS.graph.sentMail(upn).size());
        assertEquals(1, mine(upn).stream().filter(r -> r.path().equals("/me/sendMail")).count(), "sendMail called once");
    }

    @Test
    void whenExchangeIsStillSubmittingAfterAnAmbiguousSendMailThenARetryWithTheKeyFindsTheCopy() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String upn = c.user().userPrincipalName();
        HARNESS.graph.setSubmissionLag(4); // the Sent Items copy is missing from the next four lookups
        HARNESS.graph.failNext("POST", "/me/sendMail", 504, "GatewayTimeout", "The gateway timed out.", null, true);
        String key = UUID.randomUUID().toString();
        try {
            FakeHttpResponse first = HARNESS.sendMail(c.connectionId(), key, MAIL);
            FakeHttpResponse retried = HARNESS.sendMail(c.connectionId(), key, MAIL);

            assertEquals("delivery_unconfirmed", ConnectorHarness.json(first.bodyText()).get("code").asText(), first.bodyText());
            assertEquals(202, retried.getStatusCode(), "the retry looked again and found it: " + retried.bodyText());
            assertEquals(1, HARNESS.graph.sentMail(upn).size(), "delivered once");
            assertEquals(1, mine(upn).stream().filter(r -> r.path().equals("/me/sendMail")).count(), "never re-sent");
        } finally {
            HARNESS.graph.setSubmissionLag(0);
        }
    }

    @Test
    void whenSendMailFromASharedMailboxAnswers504AfterSendingThenItIsFoundInTheSharedMailboxsSentItems() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\",\"shared_mailbox\"");
        String shared = "desk-" + UUID.randomUUID().toString().substring(0, 6) + "@contoso.us";
        HARNESS.graph.grantMailboxAccess(c.user().userPrincipalName(), shared, true);
        HARNESS.graph.failNext("POST", "/users/[^/]+/sendMail", 504, "GatewayTimeout", "The gateway timed out.", null, true);

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(),
                MAIL.replace("{\"to\"", "{\"from\":\"" + shared + "\",\"to\""));

        assertEquals(202, response.getStatusCode(), response.bodyText());
        assertEquals(1, HARNESS.graph.sentMail(shared).size());
        assertEquals(1, HARNESS.graph.mail().messages(shared, "sentitems").size(), "kept in the shared mailbox's Sent Items");
        assertTrue(HARNESS.graph.requests().stream().anyMatch(r -> r.method().equals("GET")
                && r.path().equals("/users/" + shared + "/mailFolders/sentitems/messages")), "looked for in the shared mailbox");
    }

    @Test
    void whenAPlainMailsKeyHoldsADraftSendRecordOfAnEarlierVersionThenTheDraftIsOnlyLookedAtNeverSentAgain() {
        // A version before sendMail kept in Sent Items sent every such mail through a draft; its record may be open at an upgrade.
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String upn = c.user().userPrincipalName();
        String key = UUID.randomUUID().toString();
        openRecord(c.connectionId(), key, MAIL, "{\"marker\":\"" + UUID.randomUUID() + "\",\"draftId\":\"AAMkAGone=\","
                + "\"attachmentsUploaded\":true,\"sendAttempted\":true,\"directSend\":false}");

        FakeHttpResponse resumed = HARNESS.sendMail(c.connectionId(), key, MAIL);

        assertEquals(202, resumed.getStatusCode(), "the draft is gone from Drafts: sent by the earlier runner: " + resumed.bodyText());
        assertTrue(mine(upn).stream().anyMatch(r -> r.method().equals("GET") && r.path().equals("/me/messages/AAMkAGone=")), "the draft looked at");
        assertEquals(0, mine(upn).stream().filter(r -> r.method().equals("POST")).count(), "nothing sent again");
    }

    @Test
    void whenAPlainMailsKeyHoldsAnEarlierVersionsClaimBeforeItsDraftThenTheDraftPathFinishesIt() {
        // An earlier version claimed the key with the draft's marker and died before (or while) making the draft.
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        String upn = c.user().userPrincipalName();
        String key = UUID.randomUUID().toString();
        openRecord(c.connectionId(), key, MAIL, "{\"marker\":\"" + UUID.randomUUID() + "\",\"attachmentsUploaded\":false,"
                + "\"sendAttempted\":false,\"directSend\":false}");

        FakeHttpResponse resumed = HARNESS.sendMail(c.connectionId(), key, MAIL);

        assertEquals(202, resumed.getStatusCode(), resumed.bodyText());
        assertTrue(mine(upn).stream().anyMatch(r -> r.method().equals("GET") && r.path().equals("/me/mailFolders/drafts/messages")),
                "looked for the earlier runner's draft by its marker");
        assertTrue(mine(upn).stream().anyMatch(r -> r.method().equals("POST") && r.path().equals("/me/messages")), "sent through a draft");
        assertEquals(1, HARNESS.graph.sentMail(upn).size());
        assertEquals(0, HARNESS.graph.drafts(upn).size());
    }

    @Test
    void whenLookingAtTheDraftIsRefusedThenTheAnswerIsUnconfirmedNotAFinalRefusal() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String upn = c.user().userPrincipalName();
        HARNESS.graph.failNext("POST", "/me/messages/[^/]+/send", 504, "GatewayTimeout", "The gateway timed out.", null, false);
        HARNESS.graph.failNext("GET", "/me/messages/[^/]+", 403, "ErrorAccessDenied", "Access is denied.", null, false);
        String key = UUID.randomUUID().toString();

        FakeHttpResponse first = HARNESS.sendMail(c.connectionId(), key, DRAFTED);
        FakeHttpResponse retried = HARNESS.sendMail(c.connectionId(), key, DRAFTED);

        assertEquals("delivery_unconfirmed", ConnectorHarness.json(first.bodyText()).get("code").asText(), "not a final 403: " + first.bodyText());
        assertEquals("delivery_unconfirmed", ConnectorHarness.json(retried.bodyText()).get("code").asText(), retried.bodyText());
        assertNull(retried.getHeader("Idempotent-Replayed"), "the retry looked at the draft again");
        assertEquals(0, HARNESS.graph.sentMail(upn).size(), "never sent");
    }

    @Test
    void whenLookingInSentItemsIsThrottledThenThrottledComesBackWithRetryAfter() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        HARNESS.graph.failNext("POST", "/me/sendMail", 504, "GatewayTimeout", "The gateway timed out.", null, true);
        HARNESS.graph.failNext("GET", "/me/mailFolders/sentitems/messages", 429, "ApplicationThrottled", "Too many requests.", 120, false);

        FakeHttpResponse first = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals(429, first.getStatusCode(), first.bodyText());
        assertEquals("120", first.getHeader("Retry-After"), "what to wait, not an unconfirmed send");
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
    }

    /**
     * Table Storage stored the claim but its answer was lost; the storage client sends the same insert again and meets the
     * row (409). The row's claim id shows it is this request's own: the send goes on (it used to wait for itself, answer
     * request_in_progress, and every later retry found "about to call sendMail" and answered delivery_unconfirmed).
     */
    @Test
    void whenTheClaimsAnswerIsLostAndTheStorageClientRetriesThenTheSendGoesOnOnce() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"mail\"");
        String upn = c.user().userPrincipalName();
        ConnectorHarness.Instance warm = HARNESS.newInstance(HARNESS.routing, new ClockSleeper(HARNESS.clock));
        assertEquals(202, warm.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL).getStatusCode()); // tables exist
        LoseAnswerOnce lost = new LoseAnswerOnce(HARNESS.routing, "POST", ".*idempotency");
        String key = UUID.randomUUID().toString();

        FakeHttpResponse sent = HARNESS.newInstance(lost, new ClockSleeper(HARNESS.clock)).sendMail(c.connectionId(), key, MAIL);

        assertTrue(lost.happened(), "the claim's answer was lost");
        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        assertEquals(2, HARNESS.graph.sentMail(upn).size(), "this mail once (and the first)");
        FakeHttpResponse replay = HARNESS.sendMail(c.connectionId(), key, MAIL);
        assertEquals("true", replay.getHeader("Idempotent-Replayed"), "the outcome was stored on the claimed record");
    }

    /** The same for a later record ("about to send this draft", a replace on the ETag read): its retry meets its own write (412). */
    @Test
    void whenTheSendAttemptedRecordsAnswerIsLostAndTheStorageClientRetriesThenTheDraftIsSentOnce() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"mail\"");
        String upn = c.user().userPrincipalName();
        ConnectorHarness.Instance warm = HARNESS.newInstance(HARNESS.routing, new ClockSleeper(HARNESS.clock));
        assertEquals(202, warm.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL).getStatusCode()); // tables exist
        LoseAnswerOnce lost = new LoseAnswerOnce(HARNESS.routing, "PUT", ".*idempotency.*");

        FakeHttpResponse sent = HARNESS.newInstance(lost, new ClockSleeper(HARNESS.clock)).sendMail(c.connectionId(), UUID.randomUUID().toString(),
                DRAFTED);

        assertTrue(lost.happened(), "the answer of the record written before the send was lost");
        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        assertEquals(2, HARNESS.graph.sentMail(upn).size(), "the drafted mail once (and the first)");
        assertEquals(0, HARNESS.graph.drafts(upn).size(), "no draft left unsent");
    }

    @Test
    void whenTheKeysRecordCannotBeReadThenNothingIsSentAndTheAnswerIsUnconfirmed() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        String key = UUID.randomUUID().toString();
        openRecord(c.connectionId(), key, MAIL, "{\"marker\":\"x\",\"sentThrough\":\"a later version\"}");

        FakeHttpResponse resumed = HARNESS.sendMail(c.connectionId(), key, MAIL);

        assertEquals(502, resumed.getStatusCode(), resumed.bodyText());
        assertEquals("delivery_unconfirmed", ConnectorHarness.json(resumed.bodyText()).get("code").asText());
        assertEquals(0, mine(c.user().userPrincipalName()).size(), "no Graph call: it may have been sent");
    }

    @Test
    void whenLookingInSentItemsIsRefusedThenTheAnswerIsUnconfirmedAndARetryWithTheKeyLooksAgain() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"mail\"");
        String upn = c.user().userPrincipalName();
        HARNESS.graph.failNext("POST", "/me/sendMail", 504, "GatewayTimeout", "The gateway timed out.", null, true);
        HARNESS.graph.failNext("GET", "/me/mailFolders/sentitems/messages", 403, "ErrorAccessDenied", "Access is denied.", null, false);
        String key = UUID.randomUUID().toString();

        FakeHttpResponse first = HARNESS.sendMail(c.connectionId(), key, MAIL);
        FakeHttpResponse retried = HARNESS.sendMail(c.connectionId(), key, MAIL);

        assertEquals("delivery_unconfirmed", ConnectorHarness.json(first.bodyText()).get("code").asText(), "not a final 403: " + first.bodyText());
        assertEquals(202, retried.getStatusCode(), "the retry looked again and found the copy: " + retried.bodyText());
        assertEquals(1, HARNESS.graph.sentMail(upn).size());
        assertEquals(1, mine(upn).stream().filter(r -> r.path().equals("/me/sendMail")).count(), "never re-sent");
    }

    @Test
    void whenAKeptSendIsRecordedThenItsRecordHasOnlyFieldsEarlierVersionsRead() throws Exception {
        // An earlier version's JSON reader refuses unknown fields (and would start over); reading "send attempted" without a
        // draft id it fails the request without sending (MailProgress), and a retry served by this version settles it.
        JsonNode record = ConnectorHarness.json(MailProgress.keptSending().json());

        Set<String> fields = new HashSet<>();
        record.fieldNames().forEachRemaining(fields::add);
        assertEquals(Set.of("marker", "attachmentsUploaded", "sendAttempted", "directSend"), fields, record.toString());
        assertTrue(record.get("sendAttempted").asBoolean());
        assertTrue(MailProgress.read(Optional.of(record.toString()), "con_x").keptSend());
    }

    /** README, "Exactly once": a keyed send reads its record once and writes it twice, through a draft three times. */
    @Test
    void whenAKeyedMailIsSentThenItsRecordIsReadOnceAndWrittenTwiceOrThreeTimesThroughADraft() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"mail\"");
        KillSwitch recording = new KillSwitch(HARNESS.routing); // never armed: records the outbound requests
        ConnectorHarness.Instance instance = HARNESS.newInstance(recording, new ClockSleeper(HARNESS.clock));
        assertEquals(202, instance.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL).getStatusCode()); // a new instance's first

        for (String body : List.of(MAIL, DRAFTED)) {
            int before = recording.calls().size();
            assertEquals(202, instance.sendMail(c.connectionId(), UUID.randomUUID().toString(), body).getStatusCode());
            List<KillSwitch.Call> calls = recording.calls().subList(before, recording.calls().size());
            List<KillSwitch.Call> records = calls.stream().filter(call -> call.path().contains("idempotency")).toList();
            List<KillSwitch.Call> otherTables = calls.stream().filter(call -> (call.host() + call.path()).contains("devstoreaccount1")
                    && !call.path().contains("idempotency")).toList();
            assertEquals(1, records.stream().filter(call -> call.method().equals("GET")).count(), "the record read once: " + calls);
            assertEquals(body == MAIL ? 2 : 3, records.stream().filter(call -> !call.method().equals("GET")).count(), "writes: " + calls);
            assertEquals(List.of(), otherTables, "no other table touched");
        }
    }

    @Test
    void whenTheSameKeyArrivesTenTimesAtOnceThenExactlyOneMailIsSent() throws Exception {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String key = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<FakeHttpResponse>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                calls.add(pool.submit(() -> HARNESS.sendMail(c.connectionId(), key, MAIL)));
            }
            Set<String> bodies = new HashSet<>();
            int replayed = 0;
            for (Future<FakeHttpResponse> call : calls) {
                FakeHttpResponse r = call.get();
                assertEquals(202, r.getStatusCode(), r.bodyText());
                bodies.add(r.bodyText());
                replayed += "true".equals(r.getHeader("Idempotent-Replayed")) ? 1 : 0;
            }
            assertEquals(1, bodies.size(), "every caller got the same outcome");
            assertEquals(9, replayed);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
        assertEquals(1, mine(c.user().userPrincipalName()).stream().filter(r -> r.path().endsWith("/sendMail")).count());
    }

    @Test
    void whenAnotherInstanceHoldsTheKeyThenARequestWithItWaitsTwentySecondsThenAnswers409RequestInProgressAndSendsNothing() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String upn = c.user().userPrincipalName();
        // Where a fresh instance's keyed send makes its first Graph call after claiming the key (a run with another key).
        KillSwitch dry = new KillSwitch(HARNESS.routing);
        assertEquals(202, HARNESS.newInstance(dry, new ClockSleeper(HARNESS.clock)).sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL)
                .getStatusCode());
        int claimed = indexOf(dry.calls(), 0, call -> !call.method().equals("GET") && call.path().contains("idempotency"));
        int firstGraphCallAfterTheClaim = indexOf(dry.calls(), claimed, call -> call.host().startsWith("graph."));
        // Another instance claims the key and stops there (its process dies): the key's lease runs on.
        String key = UUID.randomUUID().toString();
        KillSwitch killed = new KillSwitch(HARNESS.routing).arm(firstGraphCallAfterTheClaim, KillSwitch.When.BEFORE_SENDING);
        try {
            HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)).sendMail(c.connectionId(), key, MAIL);
        } catch (ProcessDeath expected) {
            // no answer
        }
        int sent = HARNESS.graph.sentMail(upn).size();
        ClockSleeper waiting = new ClockSleeper(HARNESS.clock);

        FakeHttpResponse second = HARNESS.newInstance(HARNESS.routing, waiting).sendMail(c.connectionId(), key, MAIL);

        // docs/API.md: the others wait (up to 20 s) for its outcome, then 409 request_in_progress
        assertEquals(409, second.getStatusCode(), second.bodyText());
        assertEquals("request_in_progress", ConnectorHarness.json(second.bodyText()).get("code").asText());
        Duration waited = waiting.waits().stream().reduce(Duration.ZERO, Duration::plus);
        assertTrue(waited.compareTo(Duration.ofSeconds(20)) >= 0 && waited.compareTo(Duration.ofSeconds(21)) < 0, "waited " + waited);
        assertEquals(sent, HARNESS.graph.sentMail(upn).size(), "nothing sent while the key is held");
    }

    private static int indexOf(List<KillSwitch.Call> calls, int from, Predicate<KillSwitch.Call> test) {
        for (int i = from; i < calls.size(); i++) {
            if (test.test(calls.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such call after " + from + " in " + calls);
    }

    @Test
    void whenTheKeyIsReplayedAfterSuccessThenTheFirstOutcomeComesBackWithoutCallingGraph() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        String key = UUID.randomUUID().toString();
        FakeHttpResponse first = HARNESS.sendMail(c.connectionId(), key, MAIL);
        int calls = mine(c.user().userPrincipalName()).size();

        FakeHttpResponse replay = HARNESS.sendMail(c.connectionId(), key, MAIL.replace("{\"to\"", "{ \"to\""));

        assertEquals(202, replay.getStatusCode());
        assertEquals(first.bodyText(), replay.bodyText());
        assertEquals("true", replay.getHeader("Idempotent-Replayed"));
        assertNull(first.getHeader("Idempotent-Replayed"));
        assertEquals(calls, mine(c.user().userPrincipalName()).size(), "no Graph call for a replay");
    }

    @Test
    void whenTheKeyIsReusedWithAnotherBodyThen422AndNothingIsSent() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String key = UUID.randomUUID().toString();
        HARNESS.sendMail(c.connectionId(), key, MAIL);

        FakeHttpResponse reused = HARNESS.sendMail(c.connectionId(), key, MAIL.replace("Your interview", "Other"));

        assertEquals(422, reused.getStatusCode());
        assertEquals("idempotency_key_reused", ConnectorHarness.json(reused.bodyText()).get("code").asText());
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
    }

    @Test
    void whenTheDraftSendIsCarriedOutButAnswers504ThenTheMailIsNotSentTwice() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"mail\"");
        HARNESS.graph.failNext("POST", "/me/messages/[^/]+/send", 504, "GatewayTimeout", "The gateway timed out.", null, true);

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), DRAFTED);

        assertEquals(202, response.getStatusCode(), response.bodyText());
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
        assertEquals(1, mine(c.user().userPrincipalName()).stream().filter(r -> r.path().endsWith("/send")).count(), "not re-sent");
        assertTrue(mine(c.user().userPrincipalName()).stream().anyMatch(r -> r.method().equals("GET")), "the draft was checked");
    }

    @Test
    void whenTheDraftSendAnswers504WithoutSendingThenDeliveryIsUnconfirmedAndARetryWithTheKeyLooksAgainButNeverSends() {
        // Exchange submits a sent draft asynchronously, so "still a draft" does not prove "not sent":
        // the draft is looked at, never sent a second time.
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.graph.failNext("POST", "/me/messages/[^/]+/send", 504, "GatewayTimeout", "The gateway timed out.", null, false);
        String key = UUID.randomUUID().toString();

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), key, DRAFTED);
        FakeHttpResponse retried = HARNESS.sendMail(c.connectionId(), key, DRAFTED);

        assertEquals(502, response.getStatusCode(), response.bodyText());
        assertEquals("delivery_unconfirmed", ConnectorHarness.json(response.bodyText()).get("code").asText());
        assertEquals(502, retried.getStatusCode(), retried.bodyText());
        assertNull(retried.getHeader("Idempotent-Replayed"), "the retry looked at the draft again rather than replaying");
        assertEquals(0, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
        assertEquals(1, mine(c.user().userPrincipalName()).stream().filter(r -> r.path().endsWith("/send")).count(), "sent at most once");
        assertEquals(1, HARNESS.graph.drafts(c.user().userPrincipalName()).size(), "the draft stays for the user to check");
    }

    @Test
    void whenSendMailWithoutSentItemsIsDeliveredButAnswers504ThenARetryWithTheKeyNeverSendsASecondCopy() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.graph.failNext("POST", "/me/sendMail", 504, "GatewayTimeout", "The gateway timed out.", null, true);
        String key = UUID.randomUUID().toString();
        String direct = MAIL.replace("{\"to\"", "{\"saveToSentItems\":false,\"to\"");

        FakeHttpResponse first = HARNESS.sendMail(c.connectionId(), key, direct);
        FakeHttpResponse retried = HARNESS.sendMail(c.connectionId(), key, direct);

        assertEquals(502, first.getStatusCode(), first.bodyText());
        assertEquals("delivery_unconfirmed", ConnectorHarness.json(first.bodyText()).get("code").asText());
        assertEquals(first.bodyText(), retried.bodyText(), "the same answer again");
        assertEquals("true", retried.getHeader("Idempotent-Replayed"));
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size(), "delivered once, never twice");
        assertEquals(1, mine(c.user().userPrincipalName()).stream().filter(r -> r.path().equals("/me/sendMail")).count());
    }

    @Test
    void whenTheDraftCreationAnswers504AfterCreatingItThenTheDraftIsFoundByItsMarkerAndNothingIsLeftBehind() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"mail\"");
        HARNESS.graph.failNext("POST", "/me/messages", 504, "GatewayTimeout", "The gateway timed out.", null, true);

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), DRAFTED);

        assertEquals(202, response.getStatusCode(), "not 500: " + response.bodyText());
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
        assertEquals(0, HARNESS.graph.drafts(c.user().userPrincipalName()).size(), "the draft found by its marker was sent; none left");
        assertEquals(1, mine(c.user().userPrincipalName()).stream().filter(r -> r.method().equals("POST") && r.path().equals("/me/messages"))
                .count(), "created once");
    }

    @Test
    void whenExchangeIsStillSubmittingAfterAnAmbiguousSendThenItIsNotSentAgainAndARetryWithTheKeyConfirmsIt() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        HARNESS.graph.setSubmissionLag(4); // visible as a draft for four more reads after the send was accepted
        HARNESS.graph.failNext("POST", "/me/messages/[^/]+/send", 504, "GatewayTimeout", "The gateway timed out.", null, true);
        String key = UUID.randomUUID().toString();
        try {
            FakeHttpResponse first = HARNESS.sendMail(c.connectionId(), key, DRAFTED);
            FakeHttpResponse retried = HARNESS.sendMail(c.connectionId(), key, DRAFTED);

            assertEquals(502, first.getStatusCode(), first.bodyText());
            assertEquals("delivery_unconfirmed", ConnectorHarness.json(first.bodyText()).get("code").asText());
            assertEquals(202, retried.getStatusCode(), "the retry looked again and saw it sent: " + retried.bodyText());
            assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size(), "delivered once");
            assertEquals(1, mine(c.user().userPrincipalName()).stream().filter(r -> r.path().endsWith("/send")).count(), "never re-sent");
        } finally {
            HARNESS.graph.setSubmissionLag(0);
        }
    }

    @Test
    void whenGraphThrottlesBrieflyThenTheSendIsRetriedAfterRetryAfter() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.graph.failNext("POST", "/me/messages/[^/]+/send", 429, "ApplicationThrottled", "Too many requests.", 1, false);

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), DRAFTED);

        assertEquals(202, response.getStatusCode(), response.bodyText());
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
    }

    @Test
    void whenThrottlingOutlastsTheBudgetThenThrottledWithRetryAfterAndARetryWithTheKeyReusesTheDraft() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.graph.failNext("POST", "/me/messages/[^/]+/send", 429, "ApplicationThrottled", "Too many requests.", 120, false);
        String key = UUID.randomUUID().toString();

        FakeHttpResponse throttled = HARNESS.sendMail(c.connectionId(), key, DRAFTED);

        assertEquals(429, throttled.getStatusCode());
        assertEquals("120", throttled.getHeader("Retry-After"));
        assertEquals("throttled", ConnectorHarness.json(throttled.bodyText()).get("code").asText());
        assertEquals(0, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());

        FakeHttpResponse retried = HARNESS.sendMail(c.connectionId(), key, DRAFTED);

        assertEquals(202, retried.getStatusCode(), retried.bodyText());
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
        assertEquals(1, mine(c.user().userPrincipalName()).stream().filter(r -> r.method().equals("POST") && r.path().equals("/me/messages")).count(),
                "the retry sent the draft the first attempt created");
    }

    @Test
    void whenSendingFromASharedMailboxWithoutSendAsThenSendAsDenied() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\",\"shared_mailbox\"");
        String shared = "jobs-" + UUID.randomUUID().toString().substring(0, 6) + "@contoso.us";
        HARNESS.graph.grantMailboxAccess(c.user().userPrincipalName(), shared, false);

        FakeHttpResponse denied = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(),
                MAIL.replace("{\"to\"", "{\"from\":\"" + shared + "\",\"to\""));

        assertEquals(403, denied.getStatusCode(), denied.bodyText());
        assertEquals("send_as_denied", ConnectorHarness.json(denied.bodyText()).get("code").asText());

        HARNESS.graph.grantMailboxAccess(c.user().userPrincipalName(), shared, true);
        FakeHttpResponse ok = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(),
                MAIL.replace("{\"to\"", "{\"from\":\"" + shared + "\",\"to\""));
        assertEquals(202, ok.getStatusCode(), ok.bodyText());
        assertEquals(1, HARNESS.graph.sentMail(shared).size());
    }

    @Test
    void whenSharedMailboxFeatureIsMissingThenMissingPermissionsBeforeAnyGraphCall() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), null, MAIL.replace("{\"to\"", "{\"from\":\"jobs@contoso.com\",\"to\""));
        assertEquals(403, response.getStatusCode());
        assertEquals("missing_permissions", ConnectorHarness.json(response.bodyText()).get("code").asText());
        assertEquals(0, mine(c.user().userPrincipalName()).size());
    }

    @Test
    void whenAnAttachmentIsLargeThenItGoesThroughAnUploadSessionAndArrivesWhole() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"mail\"");
        byte[] big = new byte[5 * 1024 * 1024 + 123];
        new Random(7).nextBytes(big);
        byte[] small = "small file".getBytes();
        String body = MAIL.replace("\"importance\":\"high\"", "\"attachments\":[{\"name\":\"big.bin\",\"contentBase64\":\""
                + Base64.getEncoder().encodeToString(big) + "\"},{\"name\":\"small.txt\",\"contentType\":\"text/plain\",\"contentBase64\":\""
                + Base64.getEncoder().encodeToString(small) + "\"}]");

        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), body);

        assertEquals(202, response.getStatusCode(), response.bodyText());
        List<RecordedRequest> mine = mine(c.user().userPrincipalName());
        assertTrue(mine.stream().anyMatch(r -> r.path().endsWith("/attachments/createUploadSession")));
        JsonNode attachments = HARNESS.graph.sentMail(c.user().userPrincipalName()).get(0).message().get("attachments");
        assertEquals(2, attachments.size());
        for (JsonNode a : attachments) {
            byte[] content = Base64.getDecoder().decode(a.get("contentBytes").asText());
            assertTrue(Arrays.equals(a.get("name").asText().equals("big.bin") ? big : small, content), a.get("name").asText());
        }
        long puts = HARNESS.graph.requests().stream().filter(r -> r.method().equals("PUT")).count();
        assertEquals(2, puts, "5 MiB in chunks of 3.75 MiB");
        assertTrue(mine.stream().allMatch(r -> r.body() == null || r.body().length() < 4 * 1024 * 1024), "every request under Graph's 4 MB limit");
    }

    @Test
    void whenManySmallAttachmentsExceedOneRequestThenTheRestAreAddedOneByOne() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        StringBuilder attachments = new StringBuilder();
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] file = new byte[1_600_000];
            new Random(i).nextBytes(file);
            files.add(file);
            attachments.append(i == 0 ? "" : ",").append("{\"name\":\"part").append(i).append(".bin\",\"contentBase64\":\"")
                    .append(Base64.getEncoder().encodeToString(file)).append("\"}");
        }
        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(),
                MAIL.replace("\"importance\":\"high\"", "\"attachments\":[" + attachments + "]"));

        assertEquals(202, response.getStatusCode(), response.bodyText());
        List<RecordedRequest> mine = mine(c.user().userPrincipalName());
        assertTrue(mine.stream().noneMatch(r -> r.path().endsWith("/createUploadSession")), "no session for small files");
        assertEquals(2, mine.stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/attachments")).count());
        assertEquals(3, HARNESS.graph.sentMail(c.user().userPrincipalName()).get(0).message().get("attachments").size());
        assertTrue(mine.stream().allMatch(r -> r.body() == null || r.body().length() < 4 * 1024 * 1024), "every request under Graph's 4 MB limit");
    }

    @Test
    void whenTheRequestIsInvalidThenAllFieldErrorsComeBackAndGraphIsNotCalled() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        FakeHttpResponse response = HARNESS.sendMail(c.connectionId(), null, "{\"to\":[\"x\"],\"subject\":\"a\\r\\nb\",\"body\":{\"contentType\":\"rtf\"}}");
        assertEquals(400, response.getStatusCode());
        JsonNode problem = ConnectorHarness.json(response.bodyText());
        assertEquals(4, problem.get("errors").size(), problem.toString());
        assertEquals(0, mine(c.user().userPrincipalName()).size());
        FakeHttpResponse badKey = HARNESS.sendMail(c.connectionId(), "bad key with spaces", MAIL);
        assertEquals(400, badKey.getStatusCode());
    }

    private static String file(String name, int seed) {
        byte[] content = new byte[1_500_000];
        new Random(seed).nextBytes(content);
        return "{\"name\":\"" + name + "\",\"contentBase64\":\"" + Base64.getEncoder().encodeToString(content) + "\"}";
    }

    /** An open record of the key whose lease has run out, as a runner that died with this progress leaves it. */
    private static void openRecord(String connectionId, String key, String body, String progress) {
        Instant now = HARNESS.clock.instant();
        new TableIdempotencyStore(ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.idempotency())).tryCreate(
                new IdempotencyRecord(connectionId, Secrets.sha256(key), MailRequest.parse(body).fingerprint(), "mail",
                        IdempotencyRecord.State.IN_PROGRESS, now.minusSeconds(1), progress, null, null, now.minusSeconds(300), null));
    }

    private static List<RecordedRequest> mine(String upn) {
        return HARNESS.graph.requests().stream().filter(r -> upn.equals(r.userUpn()) || r.path().contains(upn)).toList();
    }
}
