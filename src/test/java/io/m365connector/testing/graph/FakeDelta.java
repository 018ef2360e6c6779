package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.testing.graph.MailboxState.StoredMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
        RESYNC_REQUIRED_WITH_LOCATION
    }

    /** Page size without {@code Prefer: odata.maxpagesize} (inferred, see the class comment). */
    public static final int DEFAULT_PAGE_SIZE = 10;
    private static final int FILTER_CAP = 5000;
    private static final String MESSAGE_TYPE = "#microsoft.graph.message";
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

    /** What a delta session tracks: a message folder (folderId) or a calendar window (start, end). */
    private record Query(String folderId, Instant start, Instant end, String select, String filter, boolean newestFirst, String changeType,
                         String linkBase) {
        boolean calendar() {
            return folderId == null;
        }
    }

    private record Cursor(String mailbox, int generation, Query query, Map<String, String> known, long seq) {
    }

    private record Page(String mailbox, int generation, Query query, List<DeltaEntry> entries, int offset, Cursor next) {
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
        return serve(r, mb, new Query(folderId, null, null, r.param("$select"), filter, orderBy != null, r.param("changeType"), link));
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
        return w.error() != null ? w.error() : serve(r, mb, new Query(null, w.start(), w.end(), null, null, false, r.param("changeType"), link));
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
            return gone(mb, null);
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

    private SyncAnswer serve(SyncRequest r, MailboxState mb, Query initial) {
        String mailbox = SyncValues.key(mb.upn);
        String token = token(r);
        if (token == null) {
            return page(r, mb, round(mb, initial, null));
        }
        Object state = tokens.get(token);
        Query query = state instanceof Cursor c ? c.query() : state instanceof Page p ? p.query() : initial;
        if (state == null || !mailboxOf(state).equals(mailbox) || generationOf(state) != mb.syncGeneration) {
            return gone(mb, query);
        }
        String previous = lastPages.get(mailbox + "|" + streamOf(query));
        if (replays.remove(mailbox) && previous != null) {
            return SyncAnswer.ok(GraphJson.parse(previous));
        }
        return state instanceof Page p ? page(r, mb, p) : page(r, mb, round(mb, query, (Cursor) state));
    }

    private Page round(MailboxState mb, Query q, Cursor since) {
        Map<String, String> known = since == null ? Map.of() : since.known();
        long seq = since == null ? -1 : since.seq();
        Map<String, String> nowKnown = new LinkedHashMap<>();
        List<DeltaEntry> entries = q.calendar()
                ? calendar.deltaEntries(mb, q.start(), q.end(), known, seq, reportOutsideWindow, nowKnown)
                : messageEntries(mb, q, known, seq, nowKnown);
        if (q.changeType() != null) {
            entries = entries.stream().filter(e -> e.change().equalsIgnoreCase(q.changeType().trim())).toList();
        }
        Cursor next = new Cursor(SyncValues.key(mb.upn), mb.syncGeneration, q, Map.copyOf(nowKnown), mb.seq);
        return new Page(next.mailbox(), mb.syncGeneration, q, List.copyOf(entries), 0, next);
    }

    private List<DeltaEntry> messageEntries(MailboxState mb, Query q, Map<String, String> known, long seq, Map<String, String> nowKnown) {
        MessageFilter filter = MessageFilter.parse(q.filter());
        Comparator<StoredMessage> newestFirst = Comparator.comparing(MailReads::received).reversed();
        List<StoredMessage> current = new ArrayList<>(mb.inFolder(q.folderId()).stream().filter(m -> filter.matches(m.data))
                .sorted(newestFirst).limit(q.filter() == null ? Long.MAX_VALUE : FILTER_CAP).toList());
        if (!q.newestFirst()) {
            java.util.Collections.reverse(current);
        }
        current.forEach(m -> nowKnown.put(m.immutableId, m.defaultId));
        List<DeltaEntry> entries = new ArrayList<>();
        known.forEach((immutableId, defaultId) -> {
            if (!nowKnown.containsKey(immutableId)) {
                entries.add(DeltaEntry.removed(defaultId, immutableId, false));
            }
        });
        for (StoredMessage m : current) {
            String reported = known.get(m.immutableId);
            if (reported == null) {
                entries.add(new DeltaEntry("created", m.defaultId, m.immutableId, m.data.deepCopy(), m.folderId, false));
            } else if (m.version > seq) {
                if (!reported.equals(m.defaultId)) {
                    entries.add(DeltaEntry.removed(reported, m.immutableId, true));
                }
                entries.add(new DeltaEntry("updated", m.defaultId, m.immutableId, m.data.deepCopy(), m.folderId, false));
            }
        }
        return entries;
    }

    private SyncAnswer page(SyncRequest r, MailboxState mb, Page p) {
        Query q = p.query();
        int size = Math.min(r.maxPageSize() == null ? DEFAULT_PAGE_SIZE : Math.max(1, r.maxPageSize()), pageLimit);
        int end = Math.min(p.offset() + size, p.entries().size());
        ArrayNode value = GraphJson.array();
        for (DeltaEntry e : p.entries().subList(p.offset(), end)) {
            if (!(e.defaultIdsOnly() && r.immutableIds())) {
                value.add(render(e, q, r));
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
        lastPages.put(SyncValues.key(mb.upn) + "|" + streamOf(q), GraphJson.write(body));
        SyncAnswer answer = SyncAnswer.ok(body);
        return q.calendar() ? CalendarReads.withZone(r, answer) : answer;
    }

    private static ObjectNode render(DeltaEntry e, Query q, SyncRequest r) {
        boolean immutable = r.immutableIds();
        if (q.calendar()) {
            if (e.isRemoved()) {
                return e.removal(CalendarReads.EVENT_TYPE, false);
            }
            ObjectNode view = GraphJson.object().put("@odata.type", CalendarReads.EVENT_TYPE);
            view.setAll(CalendarReads.render(e.item(), r));
            return view;
        }
        if (e.isRemoved()) {
            return e.removal(MESSAGE_TYPE, immutable);
        }
        ObjectNode view = GraphJson.object().put("@odata.type", MESSAGE_TYPE);
        view.setAll(MessageViews.render(e.item(), e.id(immutable), e.folderId(),
                new MessageViews.Options(r.bodyType(), MailReads.basicOnly(r), q.select(), false, r.cloud())));
        return view;
    }

    private SyncAnswer gone(MailboxState mb, Query q) {
        return switch (loss) {
            case SYNC_STATE_NOT_FOUND -> SyncAnswer.error(410, "SyncStateNotFound", "The sync state generation is not found; generation="
                    + Math.max(0, mb.syncGeneration - 1) + ";[highest=" + mb.syncGeneration + "]");
            case SYNC_STATE_NOT_FOUND_AS_DOCUMENTED -> SyncAnswer.error(410, "syncStateNotFound", "The sync state generation is not found. "
                    + "The delta token is expired and data must be synchronized again.");
            case RESYNC_REQUIRED_WITH_LOCATION -> {
                SyncAnswer answer = SyncAnswer.error(410, "resyncRequired", "The delta token is no longer valid, and the app must reset "
                        + "the sync state.");
                yield q == null ? answer : answer.withHeader("Location", restart(q));
            }
        };
    }

    /** The first call of the session again: its query with an empty $deltatoken. */
    private static String restart(Query q) {
        Map<String, String> params = new LinkedHashMap<>();
        if (q.calendar()) {
            params.put("startDateTime", SyncValues.time(q.start()));
            params.put("endDateTime", SyncValues.time(q.end()));
        }
        putIfSet(params, "$select", q.select());
        putIfSet(params, "$filter", q.filter());
        putIfSet(params, "changeType", q.changeType());
        params.put("$deltatoken", "");
        return q.linkBase() + "?" + SyncValues.queryString(params);
    }

    private static void putIfSet(Map<String, String> params, String name, String value) {
        if (value != null) {
            params.put(name, value);
        }
    }

    /** The $skiptoken or non-empty $deltatoken of the request; null on a first call (an empty $deltatoken is one). */
    private static String token(SyncRequest r) {
        String skip = r.param("$skiptoken");
        String delta = r.param("$deltatoken");
        return skip != null && !skip.isEmpty() ? skip : delta != null && !delta.isEmpty() ? delta : null;
    }

    private static String streamOf(Query q) {
        return q == null ? "" : q.calendar() ? "calendar" : q.folderId();
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
