// The return from Microsoft's sign-in (/connected) against a fake connector: the app maps a connection to its
// signed-in user only after the connector accepted the return's completion code for that user (docs/API.md, "The
// return to your app"), and never adopts an unproved connection from the listing.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, test } from "node:test";
import { createApp } from "../src/app.js";

const ID = "con_" + "a".repeat(32);
const CODE = "20270104." + "Q".repeat(43) + "." + "S".repeat(43);

/** What the fake connector answers, and what it was asked. */
const connector = {
  completion: { status: 200 } as { status: number; code?: string },
  confirmed: false,
  completionsAsked: [] as { id: string; owner: string | undefined; code: string }[],
};

function view(confirmed: boolean) {
  return { connectionId: ID, ownerId: "", status: "active", cloud: "global", features: ["mail"], grantedScopes: ["Mail.Send"],
    missingScopes: [], missingFeatures: [], createdAt: "2027-01-04T10:00:00Z", updatedAt: "2027-01-04T10:00:00Z",
    signInConfirmed: confirmed, user: { objectId: "o1", userPrincipalName: "someone@contoso.com" } };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" });
  res.end(JSON.stringify(body));
}

async function answer(req: IncomingMessage, res: ServerResponse) {
  let body = "";
  for await (const chunk of req) body += chunk;
  const owner = req.headers["x-owner-id"] as string | undefined;
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (req.method === "POST" && path === "/api/connections") {
    return json(res, 201, { connectionId: ID, status: "pending", loginUrl: "https://functions.example/api/auth/login/s1",
      expiresAt: "2027-01-04T10:30:00Z" });
  }
  if (req.method === "POST" && path === `/api/connections/${ID}/completion`) {
    connector.completionsAsked.push({ id: ID, owner, code: JSON.parse(body).completion });
    const { status, code } = connector.completion;
    if (status === 200) {
      connector.confirmed = true;
      return json(res, 200, { ...view(true), ownerId: owner ?? "" });
    }
    return json(res, status, { type: "about:blank", title: "refused", status, code: code ?? "service_unavailable", detail: "x" });
  }
  if (req.method === "GET" && path === "/api/connections") {
    return json(res, 200, { ownerId: owner, connections: [{ ...view(connector.confirmed), ownerId: owner }] });
  }
  if (req.method === "GET" && path === `/api/connections/${ID}`) {
    return json(res, 200, { ...view(connector.confirmed), ownerId: owner });
  }
  json(res, 404, { type: "about:blank", title: "Not found", status: 404, code: "not_found", detail: "x" });
}

let fake: Server;
let app: Server;
let base = "";

before(async () => {
  fake = createServer((req, res) => void answer(req, res));
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  const api = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/api`;
  app = createApp({ connectorApiUrl: api, functionKey: "test-key", port: 0, publicUrl: "http://localhost" }).listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => app.once("listening", resolve));
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

after(() => {
  app.close();
  fake.close();
});

beforeEach(() => {
  connector.completion = { status: 200 };
  connector.confirmed = false;
  connector.completionsAsked = [];
});

/** A browser of this app: keeps its session cookie, follows nothing. */
class Browser {
  private cookie = "";

  async get(path: string) {
    return this.remember(await fetch(base + path, { headers: { cookie: this.cookie }, redirect: "manual" }));
  }

  async post(path: string, form: Record<string, string>) {
    return this.remember(await fetch(base + path, { method: "POST", redirect: "manual",
      headers: { cookie: this.cookie, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() }));
  }

  private remember(res: Response) {
    const set = res.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0];
    return res;
  }

  /** Starts connecting, as the Connect button does; the login link goes nowhere here. */
  async startConnecting() {
    await this.get("/");
    const started = await this.post("/connect", { mail: "on", cloud: "global" });
    assert.equal(started.status, 303);
  }
}

test("a return with the completion the connector accepts maps the connection to this user", async () => {
  const browser = new Browser();
  await browser.startConnecting();

  const back = await browser.get(`/connected?connection_id=${ID}&status=active&completion=${encodeURIComponent(CODE)}`);

  assert.equal(back.status, 303);
  assert.deepEqual(connector.completionsAsked.map((c) => c.code), [CODE], "the code as it came");
  const home = await (await browser.get("/")).text();
  const user = /id="app-user">([^<]+)</.exec(home)?.[1];
  assert.ok(user);
  assert.equal(connector.completionsAsked[0].owner, user, "with the signed-in user as X-Owner-Id");
  assert.match(home, /id="status">active</, "the connection is this user's now");
});

test("a return without a completion (a forwarded link's owner forging it) connects nothing, nor does the listing", async () => {
  const browser = new Browser();
  await browser.startConnecting();

  await browser.get(`/connected?connection_id=${ID}&status=active`);
  const home = await (await browser.get("/")).text();

  assert.equal(connector.completionsAsked.length, 0);
  assert.doesNotMatch(home, /id="status"/, "the listed connection is not proved (signInConfirmed false): not adopted");
  assert.match(home, /does not belong to a connection you started here/);
});

test("a completion the connector refuses connects nothing and says the sign-in was finished elsewhere", async () => {
  const browser = new Browser();
  await browser.startConnecting();
  connector.completion = { status: 409, code: "completion_invalid" };

  await browser.get(`/connected?connection_id=${ID}&status=active&completion=${encodeURIComponent(CODE)}`);
  const home = await (await browser.get("/")).text();

  assert.doesNotMatch(home, /id="status"/);
  assert.match(home, /finished in another browser/);
});

test("when the connector cannot answer, the same return works once it can", async () => {
  const browser = new Browser();
  await browser.startConnecting();
  connector.completion = { status: 503 };
  const link = `/connected?connection_id=${ID}&status=active&completion=${encodeURIComponent(CODE)}`;

  assert.equal((await browser.get(link)).status, 503);
  connector.completion = { status: 200 };
  assert.equal((await browser.get(link)).status, 303, "the pending connection was kept for the reload");

  assert.match(await (await browser.get("/")).text(), /id="status">active</);
});

test("the return reloaded after the sign-in was proved (no completion then) keeps the connection and says nothing wrong", async () => {
  const browser = new Browser();
  await browser.startConnecting();
  await browser.get(`/connected?connection_id=${ID}&status=active&completion=${encodeURIComponent(CODE)}`);

  await browser.get(`/connected?connection_id=${ID}&status=active`); // Microsoft's return reloaded: the code was handed out once
  const home = await (await browser.get("/")).text();

  assert.match(home, /id="status">active</);
  assert.doesNotMatch(home, /does not belong to a connection you started here/);
  assert.equal(connector.completionsAsked.length, 1);
});
