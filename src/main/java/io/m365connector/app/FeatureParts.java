package io.m365connector.app;

import io.m365connector.actions.EventService;
import io.m365connector.actions.MailService;
import io.m365connector.connection.Connection;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphGateway;
import io.m365connector.graph.GraphRetry;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.idempotency.IdempotencyStore;
import io.m365connector.idempotency.TableIdempotencyStore;
import io.m365connector.platform.Lazy;
import io.m365connector.reading.CalendarReader;
import io.m365connector.reading.MailReader;
import io.m365connector.scheduling.SchedulingServices;
import java.time.Duration;

/** What the web app calls: Graph access, exactly-once actions, scheduling and reading. */
final class FeatureParts {
    /** How long a request with a key waits for another still running with the same key. */
    static final Duration IDEMPOTENCY_WAIT = Duration.ofSeconds(20);

    final Lazy<GraphAccess> graph;
    final Lazy<IdempotencyStore> idempotencyStore;
    final Lazy<Idempotency> idempotency;
    final Lazy<MailService> mail;
    final Lazy<EventService> events;
    final Lazy<SchedulingServices> scheduling;
    final Lazy<MailReader> mailReader;
    final Lazy<CalendarReader> calendarReader;

    FeatureParts(Wiring wiring, PlatformParts platform, TokenParts tokens) {
        this.graph = Lazy.of(() -> new GraphAccess(new GraphGateway(platform.http.get().okHttp()), tokens.broker.get(),
                GraphRetry.defaults(wiring.sleeper, wiring.clock)));
        this.idempotencyStore = Lazy.of(() -> new TableIdempotencyStore(platform.tables.get().getTableClient(wiring.tables.idempotency())));
        // The lease is sized from the call timeout, so it never runs out under a working request.
        this.idempotency = Lazy.of(() -> new Idempotency(idempotencyStore.get(), wiring.clock, wiring.sleeper,
                Idempotency.leaseFor(platform.settings.get().http().timeout(), GraphRetry.BUDGET), IDEMPOTENCY_WAIT));
        this.mail = Lazy.of(() -> new MailService(graph.get(), idempotency.get(), wiring.sleeper));
        this.events = Lazy.of(() -> new EventService(graph.get(), idempotency.get()));
        this.scheduling = Lazy.of(() -> new SchedulingServices(graph.get(), id -> tokens.connections.get().find(id).map(Connection::cloud),
                wiring.clock));
        this.mailReader = Lazy.of(() -> new MailReader(graph.get()));
        this.calendarReader = Lazy.of(() -> new CalendarReader(graph.get()));
    }
}
