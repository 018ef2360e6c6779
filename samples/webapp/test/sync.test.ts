import assert from "node:assert/strict";
import { test } from "node:test";
import type { Answer, Change, ChangePage, EventPage, MessagePage } from "../src/connector.js";
import { type ChangesEvent, READ_FEED_AFTER_MS, type ReadItems, SyncedMailbox, SyncedMailboxes } from "../src/sync.js";

const CONNECTION = "con_" + "1".repeat(32);

function mail(sequence: number, itemId: string, subject: string, receivedAt: string, type: Change["type"] = "created"): Change {
  return { sequence, id: `chg_${sequence}`, resource: "inbox", type, itemId, summary: { subject, from: "a@fabrikam.com", receivedAt } };
}

function event(sequence: number, itemId: string, subject: string, start: string, end: string): Change {
  return { sequence, id: `chg_${sequence}`, resource: "calendar", type: "created", itemId, summary: { subject, start, end } };
}

function pushed(fromCursor: string, toCursor: string, changes: Change[]): ChangesEvent {
  return { id: `evt_chg_${fromCursor}_${toCursor}`, type: "connection.changes", occurredAt: "", connectionId: CONNECTION, fromCursor, toCursor, changes };
}

/**
 * A connector's feed of these changes, read in pages of `size`, recording the cursors asked for. As the connector's: the
 * sequences have no holes, so a first change beyond the one after the cursor means changes were removed (`gap`).
 */
function feed(changes: Change[], size: number, asked: string[]) {
  return async (cursor: string): Promise<Answer<ChangePage>> => {
    asked.push(cursor);
    const after = Number(cursor.slice(1));
    const rest = changes.filter((c) => c.sequence > after);
    const page = rest.slice(0, size);
    const last = page.at(-1)?.sequence ?? after;
    const gap = page.length > 0 && page[0]!.sequence > after + 1;
    return { ok: true, status: 200, data: { connectionId: CONNECTION, changes: page, nextCursor: `s${last}`, more: rest.length > size, gap } };
  };
}

/** Read API calls that must not happen: the feed had no gap. */
const NO_REREAD: ReadItems = {
  messages: () => assert.fail("the inbox was read again without a gap"),
  events: () => assert.fail("the calendar was read again without a gap"),
};

/** The read API over these messages (pages of `size`, newest first) and events, recording the calls. */
function readApi(messages: { id: string; subject: string; receivedAt: string }[], events: { id: string; subject: string; start: string; end: string }[],
                 size: number, calls: string[], failMessages = false): ReadItems {
  return {
    async messages(cursor?: string): Promise<Answer<MessagePage>> {
      calls.push(`messages ${cursor ?? "first"}`);
      if (failMessages) return { ok: false, status: 429, problem: { type: "about:blank", title: "Throttled", status: 429, code: "throttled", detail: "Try later." } };
      const from = Number(cursor ?? 0);
      const page = messages.slice(from, from + size).map((m) => ({ id: m.id, subject: m.subject, receivedAt: m.receivedAt, from: { address: "b@fabrikam.com" } }));
      const next = from + size < messages.length ? String(from + size) : undefined;
      return { ok: true, status: 200, data: { connectionId: CONNECTION, folder: "inbox", messages: page, ...(next ? { nextCursor: next } : {}) } };
    },
    async events(start: string, end: string, cursor?: string): Promise<Answer<EventPage>> {
      calls.push(`events ${start} ${end} ${cursor ?? "first"}`);
      const page = events.map((e) => ({ id: e.id, subject: e.subject, start: { dateTime: e.start, timeZone: "UTC" }, end: { dateTime: e.end, timeZone: "UTC" } }));
      return { ok: true, status: 200, data: { connectionId: CONNECTION, timeZone: "UTC", events: page } };
    },
  };
}

test("changes are applied once by their sequence: created, updated and deleted, the cursor following", () => {
  const box = new SyncedMailbox();
  assert.equal(box.apply([mail(1, "m1", "Hello", "2027-01-04T09:00:00Z"), mail(2, "m2", "Offer", "2027-01-04T10:00:00Z")], "feed"), 2);
  assert.equal(box.cursor, "s2");
  assert.equal(box.apply([mail(2, "m2", "Offer", "2027-01-04T10:00:00Z")], "feed"), 0, "a change read again is not applied again");
  box.apply([mail(3, "m2", "Offer (updated)", "2027-01-04T10:00:00Z", "updated"), mail(4, "m1", "", "", "deleted")], "feed");
  assert.deepEqual(box.latestMessages(10).map((m) => m.subject), ["Offer (updated)"]);
  assert.equal(box.cursor, "s4");
});

test("a change of a resource this app does not keep (Sent Items) moves the cursor and touches neither copy", () => {
  const box = new SyncedMailbox();
  box.apply([event(1, "e1", "Interview", "2099-01-04T09:00:00Z", "2099-01-04T10:00:00Z")], "feed");
  const sent: Change = { sequence: 2, id: "chg_2", resource: "sentitems", type: "created", itemId: "s1", summary: { subject: "Re: Offer", from: "me@contoso.com", receivedAt: "2027-01-04T11:00:00Z" } };
  assert.equal(box.apply([sent], "feed"), 1);
  assert.equal(box.cursor, "s2");
  assert.deepEqual(box.latestMessages(10), [], "a sent mail is no inbox message");
  assert.deepEqual(box.upcomingEvents(10).map((e) => e.subject), ["Interview"], "nor a calendar change");
});

test("a disconnected connection's copy goes and its cursor stays: a reconnect's first run brings what exists then", () => {
  const boxes = new SyncedMailboxes();
  const box = boxes.of(CONNECTION);
  box.apply([mail(1, "m1", "Kept", "2027-01-04T09:00:00Z"), mail(2, "m2", "Deleted while disconnected", "2027-01-04T10:00:00Z")], "feed");

  boxes.disconnected(CONNECTION);
  box.apply([mail(3, "m1", "Kept", "2027-01-04T09:00:00Z")], "feed"); // after the reconnect: only what exists, as created

  assert.deepEqual(box.latestMessages(10).map((m) => m.subject), ["Kept"]);
  assert.equal(box.cursor, "s3");
});

test("a webhook that follows on from the cursor is applied, an old one is not, a gap is read from the feed", async () => {
  const box = new SyncedMailbox();
  const all = [mail(1, "m1", "One", "2027-01-04T09:00:00Z"), mail(2, "m2", "Two", "2027-01-04T09:01:00Z"),
    mail(3, "m3", "Three", "2027-01-04T09:02:00Z")];
  assert.equal(box.receive(pushed("s0", "s1", all.slice(0, 1))), "applied");
  assert.equal(box.lastUpdate?.by, "evt_chg_s0_s1");
  assert.equal(box.receive(pushed("s0", "s1", all.slice(0, 1))), "old");
  assert.equal(box.receive(pushed("s2", "s3", all.slice(2))), "gap", "the event for change 2 was lost");
  assert.equal(box.latestMessages(10).length, 1, "nothing applied past the gap");

  const asked: string[] = [];
  assert.equal(await box.catchUp(feed(all, 1, asked), NO_REREAD), undefined);
  assert.deepEqual(asked, ["s1", "s2"], "read from the stored cursor, page after page until no more");
  assert.deepEqual(box.latestMessages(10).map((m) => m.subject), ["Three", "Two", "One"]);
  assert.equal(box.cursor, "s3");
});

test("a failed read returns the connector's problem and keeps the cursor", async () => {
  const box = new SyncedMailbox();
  box.apply([mail(1, "m1", "One", "2027-01-04T09:00:00Z")], "feed");
  const problem = await box.catchUp(async () => ({ ok: false, status: 404, problem: {
    type: "about:blank", title: "Not found", status: 404, code: "not_found", detail: "No such connection." } }) as const, NO_REREAD);
  assert.equal(problem?.code, "not_found");
  assert.equal(box.cursor, "s1");
});

test("the feed is read on the first look, on every look without webhooks, and a minute after the last read with them", async () => {
  let now = Date.parse("2027-01-04T09:00:00Z");
  const box = new SyncedMailbox(() => now);
  assert.equal(box.needsRead(true), true);
  await box.catchUp(feed([], 100, []), NO_REREAD);
  assert.equal(box.needsRead(true), false);
  assert.equal(box.needsRead(false), true);
  now += READ_FEED_AFTER_MS;
  assert.equal(box.needsRead(true), true);
});

test("upcoming events are the ones not over, soonest first, with Graph's UTC date-times as instants", () => {
  const box = new SyncedMailbox(() => Date.parse("2027-01-04T12:00:00Z"));
  box.apply([
    event(1, "e1", "Yesterday", "2027-01-03T10:00:00.0000000", "2027-01-03T11:00:00.0000000"),
    event(2, "e2", "Tomorrow", "2027-01-05T09:00:00.0000000", "2027-01-05T10:00:00.0000000"),
    event(3, "e3", "Now", "2027-01-04T11:30:00.0000000", "2027-01-04T12:30:00.0000000"),
  ], "feed");
  const upcoming = box.upcomingEvents(10);
  assert.deepEqual(upcoming.map((e) => e.subject), ["Now", "Tomorrow"]);
  assert.equal(upcoming[1]?.start, "2027-01-05T09:00:00.000Z");
});

test("after a gap (changes removed before the app read them) the app reads its items again, then goes on from the feed", async () => {
  const now = Date.parse("2027-01-20T12:00:00Z");
  const box = new SyncedMailbox(() => now);
  box.apply([mail(1, "gone", "Deleted while the app was away", "2027-01-04T09:00:00Z"), event(2, "e-gone", "Cancelled meanwhile",
    "2027-01-25T10:00:00.0000000", "2027-01-25T11:00:00.0000000")], "feed");
  // Changes 3..9 were removed by the connector's housekeeping; 10 and 11 are still in the feed.
  const feedNow = [mail(10, "m9", "Newest", "2027-01-20T11:00:00Z"), mail(11, "m1", "", "", "deleted")];
  const inbox = Array.from({ length: 250 }, (_, i) => ({ id: `m${i}`, subject: `Mail ${i}`, receivedAt: new Date(now - i * 60_000).toISOString() }));
  const calls: string[] = [];
  const asked: string[] = [];

  assert.equal(await box.catchUp(feed(feedNow, 100, asked), readApi(inbox, [{ id: "e1", subject: "Interview",
    start: "2027-01-21T09:00:00.0000000", end: "2027-01-21T10:00:00.0000000" }], 100, calls)), undefined);

  assert.deepEqual(calls, ["messages first", "messages 100", "events 2027-01-20T12:00:00 2028-01-20T12:00:00 first"],
    "the inbox read until the app keeps enough (200), the calendar from now to a year ahead");
  assert.equal(box.has("gone"), false, "what the app held from before the gap is replaced");
  assert.equal(box.has("m150"), true);
  assert.equal(box.has("m1"), false, "the feed's changes after the gap are applied on top");
  assert.deepEqual(box.upcomingEvents(10).map((e) => e.subject), ["Interview"]);
  assert.equal(box.cursor, "s11");
  assert.equal(box.lastUpdate?.by, "feed");
});

test("a failed re-read returns the problem and keeps the copy and the cursor, so the next look meets the gap again", async () => {
  const box = new SyncedMailbox(() => Date.parse("2027-01-20T12:00:00Z"));
  box.apply([mail(1, "m1", "One", "2027-01-04T09:00:00Z")], "feed");
  const feedNow = [mail(5, "m5", "Five", "2027-01-20T11:00:00Z")];
  const calls: string[] = [];

  const problem = await box.catchUp(feed(feedNow, 100, []), readApi([], [], 100, calls, true));
  assert.equal(problem?.code, "throttled");
  assert.equal(box.cursor, "s1");
  assert.deepEqual(box.latestMessages(10).map((m) => m.subject), ["One"], "nothing replaced, nothing applied past the gap");

  const asked: string[] = [];
  assert.equal(await box.catchUp(feed(feedNow, 100, asked), readApi([{ id: "m5", subject: "Five", receivedAt: "2027-01-20T11:00:00Z" }], [], 100, [])), undefined);
  assert.deepEqual(asked, ["s1"]);
  assert.deepEqual(box.latestMessages(10).map((m) => m.subject), ["Five"]);
  assert.equal(box.cursor, "s5");
});

test("two catch-ups at once run one after the other, so an older re-read never overwrites newer changes", async () => {
  const now = Date.parse("2027-01-20T12:00:00Z");
  const box = new SyncedMailbox(() => now);
  box.apply([mail(1, "m1", "One", "2027-01-04T09:00:00Z")], "feed");
  const feedNow = [mail(5, "m5", "Five", "2027-01-20T11:00:00Z")];
  let release = () => {};
  const slow = readApi([{ id: "m5", subject: "Five", receivedAt: "2027-01-20T11:00:00Z" }], [], 100, []);
  const held: ReadItems = {
    messages: (cursor) => new Promise((resolve) => { release = () => resolve(slow.messages(cursor)); }),
    events: slow.events,
  };
  const first = box.catchUp(feed(feedNow, 100, []), held); // meets the gap, its re-read hangs

  const laterFeed = [...feedNow, mail(6, "m6", "Six", "2027-01-20T11:30:00Z")];
  const second = box.catchUp(feed(laterFeed, 100, []), readApi([{ id: "m5", subject: "Five", receivedAt: "2027-01-20T11:00:00Z" },
    { id: "m6", subject: "Six", receivedAt: "2027-01-20T11:30:00Z" }], [], 100, []));
  for (let turn = 0; turn < 20; turn++) await Promise.resolve(); // let the second run as far as it can
  assert.equal(box.cursor, "s1", "the second waits for the first");
  release();
  await Promise.all([first, second]);

  assert.deepEqual(box.latestMessages(10).map((m) => m.subject), ["Six", "Five"]);
  assert.equal(box.cursor, "s6");
});
