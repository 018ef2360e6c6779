import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { WebhookInbox } from "../src/webhooks.js";

const secret = "whsec_" + randomBytes(32).toString("base64");
const body = JSON.stringify({ id: "evt_1", type: "connection.status_changed", occurredAt: "2027-01-04T10:00:00Z", ownerId: "u1",
  status: "needs_reauth", previousStatus: "active" });

function signed(id: string, payload: string, at: Date = new Date()) {
  const timestamp = Math.floor(at.getTime() / 1000);
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": new Webhook(secret).sign(id, at, payload) };
}

test("a signed delivery is accepted once; its repeat is recognised", () => {
  const inbox = new WebhookInbox(secret);
  const first = inbox.receive(body, signed("evt_1", body));
  assert.equal(first.event.status, "needs_reauth");
  assert.equal(first.repeat, false);
  assert.equal(inbox.receive(body, signed("evt_1", body)).repeat, true);
});

test("a changed body, another secret and an old timestamp are refused", () => {
  const inbox = new WebhookInbox(secret);
  assert.throws(() => inbox.receive(body.replace("needs_reauth", "active"), signed("evt_1", body)));
  const other = new WebhookInbox("whsec_" + randomBytes(32).toString("base64"));
  assert.throws(() => other.receive(body, signed("evt_1", body)));
  assert.throws(() => inbox.receive(body, signed("evt_1", body, new Date(Date.now() - 10 * 60 * 1000))));
  assert.throws(() => inbox.receive(body, {}));
});

test("ids are forgotten after a day", () => {
  let now = Date.now();
  const inbox = new WebhookInbox(secret, () => now);
  inbox.receive(body, signed("evt_1", body));
  now += 25 * 3600 * 1000;
  assert.equal(inbox.receive(body, signed("evt_1", body)).repeat, false);
});
