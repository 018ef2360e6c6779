import assert from "node:assert/strict";
import { test } from "node:test";
import type { Answer, Change, ChangePage } from "../src/connector.js";
import { type ChangesEvent, READ_FEED_AFTER_MS, SyncedMailbox } from "../src/sync.js";

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

/** A connector's feed of these changes, read in pages of `size`, recording the cursors asked for. */
function feed(changes: Change[], size: number, asked: string[]) {
  return async (cursor: string): Promise<Answer<ChangePage>> => {
    asked.push(cursor);
    const after = Number(cursor.slice(1));
    const rest = changes.filter((c) => c.sequence > after);
    const page = rest.slice(0, size);
    const last = page.at(-1)?.sequence ?? after;
    return { ok: true, status: 200, data: { connectionId: CONNECTION, changes: page, nextCursor: `s${last}`, more: rest.length > size, gap: false } };
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
  assert.equal(await box.catchUp(feed(all, 1, asked)), undefined);
  assert.deepEqual(asked, ["s1", "s2"], "read from the stored cursor, page after page until no more");
  assert.deepEqual(box.latestMessages(10).map((m) => m.subject), ["Three", "Two", "One"]);
  assert.equal(box.cursor, "s3");
});

test("a failed read returns the connector's problem and keeps the cursor", async () => {
  const box = new SyncedMailbox();
  box.apply([mail(1, "m1", "One", "2027-01-04T09:00:00Z")], "feed");
  const problem = await box.catchUp(async () => ({ ok: false, status: 404, problem: {
    type: "about:blank", title: "Not found", status: 404, code: "not_found", detail: "No such connection." } }) as const);
  assert.equal(problem?.code, "not_found");
  assert.equal(box.cursor, "s1");
});

test("the feed is read on the first look, on every look without webhooks, and a minute after the last read with them", async () => {
  let now = Date.parse("2027-01-04T09:00:00Z");
  const box = new SyncedMailbox(() => now);
  assert.equal(box.needsRead(true), true);
  await box.catchUp(feed([], 100, []));
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
