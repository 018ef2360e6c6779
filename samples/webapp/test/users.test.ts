import assert from "node:assert/strict";
import { test } from "node:test";
import type { Connection } from "../src/connector.js";
import { configFrom } from "../src/config.js";
import { defaultDay } from "../src/rooms.js";
import { AppUsers, offerFor } from "../src/users.js";

function connection(fields: Partial<Connection>): Connection {
  return { connectionId: "con_" + "0".repeat(32), ownerId: "u1", status: "active", cloud: "global", features: [], grantedScopes: [],
    missingScopes: [], missingFeatures: [], createdAt: "2027-01-01T00:00:00Z", updatedAt: "2027-01-01T00:00:00Z", signInConfirmed: true,
    ...fields };
}

test("a partially consented connection keeps what was granted and offers what is missing", () => {
  const offer = offerFor(connection({ features: ["mail", "calendar"], missingFeatures: ["calendar"], missingScopes: ["Calendars.ReadWrite"] }));
  assert.equal(offer.mail, true);
  assert.equal(offer.calendar, false);
  assert.deepEqual(offer.missing, ["calendar"]);
  assert.deepEqual(offer.addable, ["rooms", "mail_read", "calendar_read"]);
  assert.equal(offer.sync, false);
});

test("the synced inbox is offered once mail_read or calendar_read is granted", () => {
  assert.equal(offerFor(connection({ features: ["mail", "mail_read"] })).sync, true);
  assert.equal(offerFor(connection({ features: ["calendar_read"], missingFeatures: ["calendar_read"] })).sync, false);
});

test("a connection's user is found from its id (webhooks name only the connection)", () => {
  const users = new AppUsers();
  users.use("u1", "con_a");
  users.use("u2", "con_b");
  assert.equal(users.ownerOf("con_b"), "u2");
  assert.equal(users.ownerOf("con_c"), undefined);
});

test("booking a room needs rooms and calendar; nothing is offered unless active", () => {
  assert.equal(offerFor(connection({ features: ["rooms"] })).rooms, false);
  assert.equal(offerFor(connection({ features: ["rooms", "calendar"] })).rooms, true);
  const gone = offerFor(connection({ status: "needs_reauth", features: ["mail"] }));
  assert.deepEqual([gone.mail, gone.missing, gone.addable], [false, [], []]);
});

test("webhook events are kept per owner, newest first, ten at most", () => {
  const users = new AppUsers();
  const event = (id: string, ownerId: string) => ({ id, type: "connection.status_changed" as const, occurredAt: "", ownerId,
    connectionId: "con_0123456789abcdef0123456789abcdef", cloud: "global" as const, status: "active" as const, previousStatus: "pending" as const });
  for (let i = 0; i < 12; i++) users.record(event(`evt_${i}`, "u1"));
  users.record(event("evt_x", "u2"));
  assert.equal(users.eventsOf("u1").length, 10);
  assert.equal(users.eventsOf("u1")[0]?.id, "evt_11");
  assert.deepEqual(users.eventsOf("u2").map((e) => e.id), ["evt_x"]);
});

test("settings name what is missing; the booking day is always ahead", () => {
  assert.throws(() => configFrom({}), /CONNECTOR_API_URL is missing[\s\S]*CONNECTOR_FUNCTION_KEY is missing/);
  assert.throws(() => configFrom({ CONNECTOR_API_URL: "http://x/api", CONNECTOR_FUNCTION_KEY: "k", CONNECTOR_WEBHOOK_SECRET: "abc" }), /whsec_/);
  assert.equal(defaultDay(new Date("2026-12-31T23:30:00Z")), "2027-01-01");
});
