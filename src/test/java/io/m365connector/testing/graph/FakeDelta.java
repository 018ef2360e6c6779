package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Delta queries on the fake Graph: {@code GET .../mailFolders/{id}/messages/delta},
 * {@code GET .../calendarView/delta?startDateTime&endDateTime} and {@code GET .../mailFolders/delta}, and the
 * test controls for what goes wrong with them in production (expired sync state, replays, short pages).
 *
 * <p>Modelled from https://learn.microsoft.com/en-us/graph/delta-query-overview,
 * https://learn.microsoft.com/en-us/graph/delta-query-messages and
 * https://learn.microsoft.com/en-us/graph/api/event-delta?view=graph-rest-1.0: a round is the first call (or a
 * deltaLink call) and its {@code @odata.nextLink} pages ({@code $skiptoken}); the last page has
 * {@code @odata.deltaLink} ({@code $deltatoken}) and never both. Tokens carry the query ($select, $filter,
 * changeType, the window) so later calls repeat nothing. The first round returns every current item; later
 * rounds return created and updated items in full and dropped ones as
 * {@code {"id": ..., "@removed": {"reason": "deleted"}}}. Page size: {@code Prefer: odata.maxpagesize=N}.
 *
 * <p><b>Inferred</b>: the default page size (10, as List messages; the delta pages give none); a message moved
 * out of the folder is {@code @removed} with reason "deleted" (the Outlook samples show only that reason); a
 * message moved out and back in with default ids is reported as its old id removed plus the item under its
 * new id; an unknown token answers like an expired one. Not modelled: the 5,000-message cap with $filter is
 * modelled crudely (the 5,000 newest), and the missed changes of the known issue "delta with immutable ids"
 * are not.
 */
public final class FakeDelta {
    /** How an expired sync state is answered (always HTTP 410 Gone). */
    public enum SyncStateLoss {
        /** Code {@code SyncStateNotFound}, as Outlook is reported to answer (microsoft-graph-docs#2350, #2877). The default. */
        SYNC_STATE_NOT_FOUND,
        /** Code {@code syncStateNotFound}, the spelling of https://learn.microsoft.com/en-us/graph/errors and the delta overview. */
        SYNC_STATE_NOT_FOUND_AS_DOCUMENTED,
        /**
         * Code {@code resyncRequired} (errors page) with a {@code Location} header holding the query with an empty
         * {@code $deltatoken}, as the delta overview describes a 410 after maintenance or migration (that this
         * code comes with the header is <b>inferred</b>).
         */
        RESYNC_REQUIRED_WITH_LOCATION,
        /**
         * 400 with a code the connector knows nothing of: the delta overview (Token duration) says only that "the service
         * should respond with a 40X-series error with error codes such as {@code syncStateNotFound}".
         */
        OTHER_400,
        /** 404 with a code the connector knows nothing of (the same sentence of the delta overview). */
        OTHER_404
    }

    /** Page size without {@code Prefer: odata.maxpagesize} (inferred, see the class comment). */
    public static final int DEFAULT_PAGE_SIZE = 10;
    private static final Pattern DELTA_FILTER = Pattern.compile("\\s*receivedDateTime\\s+(ge|gt)\\s+\\S+\\s*", Pattern.CASE_INSENSITIVE);

    private final Object lock;
    private final FakeMailStore store;
    private final CalendarReads calendar;
    // guarded by lock
    private final Map<String, Object> tokens = new HashMap<>();
    private final Map<String, String> lastPages = new HashMap<>();
    private final Set<String> replays = new HashSet<>();
    private SyncStateLoss loss = SyncStateLoss.SYNC_STATE_NOT_FOUND;
    private int pageLimit = Integer.MAX_VALUE;
    private boolean reportOutsideWindow = true;
    private boolean immutableMoveBackAsUpdate;
    private final Set<String> lagging = new HashSet<>();

    private record Cursor(String mailbox, int generation, DeltaQuery query, Map<String, String> known, long seq) {
    }

    private record Page(String mailbox, int generation, DeltaQuery query, List<DeltaEntry> entries, int offset, Cursor next) {
    }

    private record FolderCursor(String mailbox, int generation) {
    }

    FakeDelta(Object lock, FakeMailStore store, CalendarReads calendar) {
        this.lock = lock;
        this.store = store;
        this.calendar = calendar;
    }

    // ---------------------------------------------------------------- test controls

    /**
     * While on, {@code upn}'s delta rounds that follow a token report nothing new and hand back a link to the same state,
     * as if the changes since had not reached the delta yet: the delta overview's "Processing delays" ("there can be a
     * delay between when a change is made and it is available in a delta query"), while change notifications go out at
     * once. Turned off, the next round reports what it held back.
     */
    public void setProcessingDelay(String upn, boolean delayed) {
        synchronized (lock) {
            if (delayed) {
                lagging.add(SyncValues.key(upn));
            } else {
                lagging.remove(SyncValues.key(upn));
            }
        }
    }

    /**
     * Every delta and skip token issued so far for {@code upn}'s mailbox answers 410 Gone from now on (as
     * set by {@link #setSyncStateLoss}); a call without a token starts afresh. Outlook's tokens live in a cache
     * of unfixed size (delta overview: "the older delta tokens are deleted").
     */
    public void expireSyncState(String upn) {
        synchronized (lock) {
            store.state(upn).syncGeneration++;
        }
    }

    /** How expired tokens are answered, from the next call on. */
    public void setSyncStateLoss(SyncStateLoss variant) {
        synchronized (lock) {
            loss = java.util.Objects.requireNonNull(variant, "variant");
        }
    }

    /**
     * The next delta call with a token on {@code upn}'s mailbox gets the previous page of that folder or
     * calendar again, word for word (delta overview: "Your application must be prepared for replays").
     */
    public void replayNextDeltaPage(String upn) {
        synchronized (lock) {
            replays.add(SyncValues.key(upn));
        }
    }

    /**
     * With {@code true}, a message moved out of the folder and back between two rounds reads as one update to a client
     * that asked for immutable ids, instead of the removal users report (see {@link MessageDelta}).
     */
    public void setImmutableMoveBackAsUpdate(boolean update) {
        synchronized (lock) {
            immutableMoveBackAsUpdate = update;
        }
    }

    /** Pages carry at most this many items whatever the client prefers ("The number of objects in each page can vary"). */
    public void setPageLimit(int items) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be at least 1");
        }
        synchronized (lock) {
            pageLimit = items;
        }
    }

    /** Whether calendarView delta reports changed events outside the window as removed (default true, the documented variation). */
    public void setReportOutsideWindow(boolean report) {
        synchronized (lock) {
            reportOutsideWindow = report;
        }
    }

    void reset() {
        synchronized (lock) {
            tokens.clear();
            lastPages.clear();
            replays.clear();
            loss = SyncStateLoss.SYNC_STATE_NOT_FOUND;
            pageLimit = Integer.MAX_VALUE;
            reportOutsideWindow = true;
        }
    }

    // ---------------------------------------------------------------- requests (lock held)

    SyncAnswer messages(SyncRequest r, String folder) {
        if (!r.support().messageDelta()) {
            return malformedId();
        }
        MailboxState mb = store.state(r.mailboxUpn());
        String folderId = mb.folderId(folder);
        if (folderId == null) {
            return MailReads.notFound();
        }
        String filter = r.param("$filter");
        if (filter != null && !DELTA_FILTER.matcher(filter).matches()) {
            return SyncAnswer.error(400, "BadRequest", "Only $filter=receivedDateTime ge|gt {value} is supported on message delta.");
        }
        String orderBy = r.param("$orderby");
        if (orderBy != null && !orderBy.trim().replaceAll("\\s+", " ").equalsIgnoreCase("receivedDateTime desc")) {
            return SyncAnswer.error(400, "BadRequest", "Only $orderby=receivedDateTime desc is supported on message delta.");
        }
        if (r.param("$search") != null) {
            return SyncAnswer.error(400, "BadRequest", "$search is not supported on message delta.");
        }
        String link = r.baseUrl() + "/" + r.mailboxPath() + "/mailFolders('" + folderId + "')/messages/delta";
        return serve(r, mb, new DeltaQuery(folderId, null, null, r.param("$select"), filter, orderBy != null, r.param("changeType"), link));
    }

    SyncAnswer calendarView(SyncRequest r) {
        if (!r.support().calendarViewDelta()) {
            return malformedId();
        }
        for (String unsupported : List.of("$select", "$filter", "$orderby", "$expand", "$search")) {
            if (r.param(unsupported) != null) {
                return SyncAnswer.error(400, "BadRequest", unsupported + " is not supported on calendarView delta.");
            }
        }
        MailboxState mb = store.state(r.mailboxUpn());
        String link = r.baseUrl() + "/" + r.mailboxPath() + "/calendarView/delta";
        if (token(r) != null) {
            return serve(r, mb, null);
        }
        CalendarReads.Window w = CalendarReads.window(r);
        return w.error() != null ? w.error() : serve(r, mb, new DeltaQuery(null, w.start(), w.end(), null, null, false, r.param("changeType"), link));
    }

    /** GET .../mailFolders/delta: the folders on the first call; the fake's folders never change, so later rounds are empty. */
    SyncAnswer mailFolders(SyncRequest r) {
        if (!r.support().mailFolderDelta()) {
            return malformedId();
        }
        MailboxState mb = store.state(r.mailboxUpn());
        String token = token(r);
        ArrayNode value = GraphJson.array();
        if (token == null) {
            mb.folderIds.keySet().forEach(name -> value.add(MailReads.folderView(mb, name)));
        } else if (!(tokens.get(token) instanceof FolderCursor c) || !c.mailbox().equals(SyncValues.key(mb.upn))
                || c.generation() != mb.syncGeneration) {
            return DeltaQuery.gone(loss, mb, null);
        }
        String next = SyncValues.token(24);
        tokens.put(next, new FolderCursor(SyncValues.key(mb.upn), mb.syncGeneration));
        ObjectNode body = GraphJson.object();
        body.put("@odata.context", r.baseUrl() + "/$metadata#Collection(mailFolder)");
        body.set("value", value);
        body.put("@odata.deltaLink", r.baseUrl() + "/" + r.mailboxPath() + "/mailFolders/delta?$deltatoken=" + next);
        return SyncAnswer.ok(body);
    }

    // ---------------------------------------------------------------- rounds and pages

    private SyncAnswer serve(SyncRequest r, MailboxState mb, DeltaQuery initial) {
        String mailbox = SyncValues.key(mb.upn);
        String token = token(r);
        if (token == null) {
            return page(r, mb, round(mb, initial, null));
        }
        Object state = tokens.get(token);
        DeltaQuery query = state instanceof Cursor c ? c.query() : state instanceof Page p ? p.query() : initial;
        if (state == null || !mailboxOf(state).equals(mailbox) || generationOf(state) != mb.syncGeneration) {
            return DeltaQuery.gone(loss, mb, query);
        }
        String previous = lastPages.get(mailbox + "|" + (query == null ? "" : query.stream()));
        if (replays.remove(mailbox) && previous != null) {
            return SyncAnswer.ok(GraphJson.parse(previous));
        }
        return state instanceof Page p ? page(r, mb, p) : page(r, mb, round(mb, query, (Cursor) state));
    }

    private Page round(MailboxState mb, DeltaQuery q, Cursor since) {
        if (since != null && lagging.contains(SyncValues.key(mb.upn))) {
            return new Page(since.mailbox(), mb.syncGeneration, q, List.of(), 0, since); // nothing yet; the next round starts from here
        }
        Map<String, String> known = since == null ? Map.of() : since.known();
        long seq = since == null ? -1 : since.seq();
        Map<String, String> nowKnown = new LinkedHashMap<>();
        List<DeltaEntry> entries = q.calendar()
                ? calendar.deltaEntries(mb, q.start(), q.end(), known, seq, reportOutsideWindow, nowKnown)
                : MessageDelta.entries(mb, q, known, seq, nowKnown, immutableMoveBackAsUpdate);
        if (q.changeType() != null) {
            entries = entries.stream().filter(e -> e.change().equalsIgnoreCase(q.changeType().trim())).toList();
        }
        Cursor next = new Cursor(SyncValues.key(mb.upn), mb.syncGeneration, q, Map.copyOf(nowKnown), mb.seq);
        return new Page(next.mailbox(), mb.syncGeneration, q, List.copyOf(entries), 0, next);
    }

    private SyncAnswer page(SyncRequest r, MailboxState mb, Page p) {
        DeltaQuery q = p.query();
        int size = Math.min(r.maxPageSize() == null ? DEFAULT_PAGE_SIZE : Math.max(1, r.maxPageSize()), pageLimit);
        int end = Math.min(p.offset() + size, p.entries().size());
        ArrayNode value = GraphJson.array();
        for (DeltaEntry e : p.entries().subList(p.offset(), end)) {
            if (e.readers().include(r.immutableIds())) {
                value.add(MessageDelta.render(e, q, r));
            }
        }
        ObjectNode body = GraphJson.object();
        body.put("@odata.context", r.baseUrl() + "/$metadata#Collection(" + (q.calendar() ? "event" : "message") + ")");
        String token = SyncValues.token(24);
        if (end < p.entries().size()) {
            tokens.put(token, new Page(p.mailbox(), p.generation(), q, p.entries(), end, p.next()));
            body.put("@odata.nextLink", q.linkBase() + "?$skiptoken=" + token);
        } else {
            tokens.put(token, p.next());
            body.put("@odata.deltaLink", q.linkBase() + "?$deltatoken=" + token);
        }
        body.set("value", value);
        lastPages.put(SyncValues.key(mb.upn) + "|" + q.stream(), GraphJson.write(body));
        SyncAnswer answer = SyncAnswer.ok(body);
        return q.calendar() ? CalendarReads.withZone(r, answer) : answer;
    }

    /** The $skiptoken or non-empty $deltatoken of the request; null on a first call (an empty $deltatoken is one). */
    private static String token(SyncRequest r) {
        String skip = r.param("$skiptoken");
        String delta = r.param("$deltatoken");
        return skip != null && !skip.isEmpty() ? skip : delta != null && !delta.isEmpty() ? delta : null;
    }

    private static String mailboxOf(Object state) {
        return state instanceof Cursor c ? c.mailbox() : state instanceof Page p ? p.mailbox() : "";
    }

    private static int generationOf(Object state) {
        return state instanceof Cursor c ? c.generation() : state instanceof Page p ? p.generation() : -1;
    }

    /** What 21Vianet answered for mail folder delta in 2020 (msgraph-sdk-java#552). */
    private static SyncAnswer malformedId() {
        return SyncAnswer.error(400, "ErrorInvalidIdMalformed", "Id is malformed.");
    }
}
