import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { HandlingFailed, WebhookInbox } from "../src/webhooks.js";

const secret = "whsec_" + randomBytes(32).toString("base64");
const body = JSON.stringify({ id: "evt_1", type: "connection.status_changed", occurredAt: "2027-01-04T10:00:00Z", ownerId: "u1",
  status: "needs_reauth", previousStatus: "active" });

function signed(id: string, payload: string, at: Date = new Date()) {
  const timestamp = Math.floor(at.getTime() / 1000);
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": new Webhook(secret).sign(id, at, payload) };
}

const ignore = () => {};

test("a signed delivery is handled once; its repeat is recognised and not handled again", () => {
  const inbox = new WebhookInbox(secret);
  const handled: string[] = [];
  const first = inbox.receive(body, signed("evt_1", body), (e) => handled.push(e.id));
  assert.equal(first.event.type === "connection.status_changed" ? first.event.status : undefined, "needs_reauth");
  assert.equal(first.repeat, false);
  assert.equal(inbox.receive(body, signed("evt_1", body), (e) => handled.push(e.id)).repeat, true);
  assert.deepEqual(handled, ["evt_1"]);
});

test("an event whose handling failed is handled again when the connector retries it", () => {
  const inbox = new WebhookInbox(secret);
  assert.throws(() => inbox.receive(body, signed("evt_1", body), () => { throw new Error("database down"); }), HandlingFailed);
  const handled: string[] = [];
  const retried = inbox.receive(body, signed("evt_1", body), (e) => handled.push(e.id));
  assert.equal(retried.repeat, false, "not counted as seen: its handling failed");
  assert.deepEqual(handled, ["evt_1"]);
});

test("a changed body, another secret and an old timestamp are refused", () => {
  const inbox = new WebhookInbox(secret);
  assert.throws(() => inbox.receive(body.replace("needs_reauth", "active"), signed("evt_1", body), ignore));
  const other = new WebhookInbox("whsec_" + randomBytes(32).toString("base64"));
  assert.throws(() => other.receive(body, signed("evt_1", body), ignore));
  assert.throws(() => inbox.receive(body, signed("evt_1", body, new Date(Date.now() - 10 * 60 * 1000)), ignore));
  assert.throws(() => inbox.receive(body, {}, ignore));
});

test("ids are forgotten after a day", () => {
  let now = Date.now();
  const inbox = new WebhookInbox(secret, () => now);
  inbox.receive(body, signed("evt_1", body), ignore);
  now += 25 * 3600 * 1000;
  assert.equal(inbox.receive(body, signed("evt_1", body), ignore).repeat, false);
});
