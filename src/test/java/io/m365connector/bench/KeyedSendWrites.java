package io.m365connector.bench;

import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.KillSwitch;
import java.util.List;
import java.util.UUID;

/** The table writes of a keyed send, counted on its recorded outbound requests (both send benchmarks print them). */
final class KeyedSendWrites {
    private KeyedSendWrites() {
    }

    /** Records the outbound requests of keyed sends on a new instance and counts those that write to Table Storage. */
    static void report(ConnectorHarness h, String id, String name, String mail) {
        int sends = 20;
        KillSwitch recording = new KillSwitch(h.routing); // never armed: only records
        ConnectorHarness.Instance instance = h.newInstance(recording, new ClockSleeper(h.clock));
        instance.sendMail(id, UUID.randomUUID().toString(), mail); // a new instance's first request may read settings tables
        int before = recording.calls().size();
        for (int i = 0; i < sends; i++) {
            FakeHttpResponse r = instance.sendMail(id, UUID.randomUUID().toString(), mail);
            if (r.getStatusCode() != 202) {
                throw new IllegalStateException(r.bodyText());
            }
        }
        List<KillSwitch.Call> calls = recording.calls().subList(before, recording.calls().size());
        List<KillSwitch.Call> storage = calls.stream().filter(c -> (c.host() + c.path()).contains("devstoreaccount1")).toList();
        long tableWrites = storage.stream().filter(c -> !c.method().equals("GET")).count();
        long tableReads = storage.size() - tableWrites;
        System.out.printf("RESULT writes per %s: %.1f (table reads %.1f; %d sends: %s)%n", name, tableWrites / (double) sends,
                tableReads / (double) sends, sends, calls.subList(0, calls.size() / sends));
    }
}
