package io.m365connector.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.TestPki;
import io.m365connector.testing.graph.FakeRoom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a cold instance loads of the Graph SDK's models for the write actions. Every model deriving from
 * {@code Entity} (a message, an attachment, an event) makes the JVM's verifier load the ~1,100 model classes that
 * {@code Entity.createFromDiscriminatorValue} names: a quarter of a cold send's time (BENCHMARKS.md, issue 24). So the
 * mail and event actions, the read API and sync write and read Graph's JSON themselves (GraphJsonRequests); this checks it
 * stays so. A fresh JVM sends a mail, creates, reads, updates and cancels an event, lists the inbox, reads a message,
 * views the calendar, syncs the inbox and the calendar (delta pages, subscriptions), lists rooms, asks for free/busy and
 * meeting times through the functions, with the JVM's class-load log on: {@code Entity} is never loaded, and of the SDK's models only small ones are (the error type, scheduling's value types).
 * The time this saves is a benchmark's (ColdStartBenchmark), not asserted here.
 */
class ActionFootprintTest {
    @Test
    void whenAColdInstanceSendsMailChangesAnEventReadsAndSyncsThenNoGraphEntityModelIsLoaded() throws Exception {
        try (ConnectorHarness h = new ConnectorHarness()) {
            h.graph.subscriptions().setEndpoint(h.graphEndpoint()); // validations answered by this JVM's receiver
            ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail\",\"calendar\",\"mail_read\",\"calendar_read\",\"rooms\"");
            h.graph.mail().addMailbox(c.user().userPrincipalName());
            h.graph.mail().deliverText(c.user().userPrincipalName(), "to read from cold");
            h.graph.scheduling().addRoom(c.user().tenantId(), FakeRoom.of("board@contoso.com", "Board Room", 12, "HQ"));
            Path dir = Files.createTempDirectory("footprint");
            Path ca = TestPki.shared().writeCaCertificate(dir.resolve("ca.der"));
            Path config = ColdStartBenchmark.writeChildConfig(h, c, ReceiverColdStartBenchmark.ChildStorage.CONNECTION_STRING, dir);
            Path log = dir.resolve("classload.log");

            String out = ColdStartBenchmark.runActionsChild(config, ca, List.of(ColdStartPhases.classLoadLog(log)));

            List<String> statuses = out.lines().filter(l -> l.startsWith("STATUS ")).toList();
            assertEquals(List.of("STATUS send 202", "STATUS create 201", "STATUS get 200", "STATUS update 200", "STATUS cancel 200",
                    "STATUS list-messages 200", "STATUS get-message 200", "STATUS list-events 200", "STATUS changes 200", "STATUS rooms 200", "STATUS availability 200",
                    "STATUS meeting-times 200"), statuses,
                    "every action answered as the API says: " + out);
            List<String> models = ColdStartPhases.classLoads(log).stream().map(ColdStartPhases.ClassLoad::className)
                    .filter(name -> name.startsWith("com.microsoft.graph.models.") && !name.contains("$$Lambda")).toList();
            assertTrue(ColdStartPhases.classLoads(log).size() > 3000, "the log is read");
            assertTrue(!models.contains("com.microsoft.graph.models.Entity"), "Entity was loaded, and with it " + models.size() + " models");
            // Free/busy and meeting times still use the SDK's small value models (ScheduleInformation, TimeSlot, ...: ~25, no
            // Entity among them); the Entity family would be over a thousand.
            assertTrue(models.size() < 40, "models loaded: " + models);
            assertEquals(1, h.graph.sentMail(c.user().userPrincipalName()).size(), "the mail was sent once");
            List<String> loaded = ColdStartPhases.classLoads(log).stream().map(ColdStartPhases.ClassLoad::className).toList();
            int sendDone = loaded.indexOf(ColdStartBenchmark.SendDone.class.getName());
            assertTrue(sendDone > 0, "the child marked the end of its send in the log");
            List<String> beforeSendDone = loaded.subList(0, sendDone);
            // The send writes and reads its JSON with the app's Jackson: Kiota's Gson (built with the SDK's fluent client) is
            // not made for it. Later actions that use the SDK's builders (an event's cancel, free/busy) do make it.
            assertTrue(beforeSendDone.stream().noneMatch(name -> name.startsWith("com.google.gson.")),
                    "the send loaded Gson: " + beforeSendDone.stream().filter(name -> name.startsWith("com.google.gson.")).limit(5).toList());
            assertTrue(loaded.contains("com.google.gson.Gson"), "the actions after the send made the SDK's client, and Gson with it");
            // The send's token was in the connection's stored cache: read from it directly, without building an MSAL client.
            List<String> msal = beforeSendDone.stream().filter(name -> name.startsWith("com.microsoft.aad.msal4j.")).toList();
            // (A few of MSAL's interfaces and exceptions are loaded by the verifier of the classes that name them.)
            assertTrue(!msal.contains("com.microsoft.aad.msal4j.ConfidentialClientApplication") && !msal.contains("com.microsoft.aad.msal4j.TokenCache")
                    && msal.size() < 10, "the send built an MSAL client (" + msal.size() + " classes): " + msal.stream().limit(12).toList());
            String feed = out.lines().filter(l -> l.startsWith("CHANGES ")).findFirst().orElseThrow();
            assertTrue(feed.contains("to read from cold"), "the inbox's delta reached the change feed: " + feed);
            assertTrue(out.lines().anyMatch(l -> l.startsWith("ROOMS ") && l.contains("board@contoso.com")), "the room was listed: " + out);
            assertEquals(2, h.graph.subscriptions().subscriptions(c.user().userPrincipalName()).size(),
                    "the cold worker made a subscription for the inbox and one for the calendar: " + out);
        }
    }
}
