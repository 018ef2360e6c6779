// The sample web app: its users sign in to it (here: a session cookie with a made-up user), connect
// their Microsoft 365 account through the connector, use it, and hear from it by webhook.
// The rules it follows (docs/API.md, trust model): the function key stays on the server; the app
// keeps its own user -> connection mapping and never takes a connection id from the browser; every
// call carries the signed-in user as X-Owner-Id.
import { randomBytes, randomUUID } from "node:crypto";
import express, { type Request, type Response } from "express";
import type { Config } from "./config.js";
import { type Cloud, type Connection, type ConnectorClient, type Feature, UserConnector, connectorClient } from "./connector.js";
import { inboxPage, messagePage } from "./inbox.js";
import { home, page, result } from "./pages.js";
import { availability, book, defaultDay, pickRoom } from "./rooms.js";
import { type ChangesEvent, SyncedMailboxes, itemsOf } from "./sync.js";
import { AppUsers, offerFor } from "./users.js";
import { HandlingFailed, WebhookInbox } from "./webhooks.js";

const CONNECTION_ID = /^con_[0-9a-f]{32}$/;
const ERROR_CODE = /^[a-z_]{1,64}$/;
const KEY = /^[\x21-\x7E]{1,255}$/;
const MESSAGE_ID = /^[A-Za-z0-9_=+-]{1,512}$/;
const CLOUDS: Cloud[] = ["global", "usgov", "usgovdod", "china"];
const FEATURES: Feature[] = ["mail", "calendar", "rooms", "mail_read", "calendar_read"];

interface Session {
  user: string;
  pendingConnectionId?: string;
  notice?: string;
}

export function createApp(config: Config, client: ConnectorClient = connectorClient(config.connectorApiUrl, config.functionKey)) {
  const app = express();
  const sessions = new Map<string, Session>();
  const users = new AppUsers();
  const inbox = config.webhookSecret ? new WebhookInbox(config.webhookSecret) : undefined;
  const synced = new SyncedMailboxes();

  // The webhook route reads the raw body: the signature covers the exact bytes sent.
  app.post("/webhooks/m365-connector", express.raw({ type: "*/*", limit: "64kb" }), (req, res) => {
    if (!inbox) return void res.status(404).send("Webhooks are not configured (CONNECTOR_WEBHOOK_SECRET).");
    try {
      const { event, repeat } = inbox.receive(Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "", req.headers, (event) => {
        if (event.type === "connection.changes") changesPushed(event);
        if (event.type === "connection.status_changed") {
          users.record(event);
          if (event.status === "disconnected") synced.disconnected(event.connectionId);
        }
      });
      console.log(`webhook ${event.id} ${event.type} verified${repeat ? " (a repeat: ignored)" : ""}`);
      res.sendStatus(204);
    } catch (e) {
      if (e instanceof HandlingFailed) {
        console.log(`webhook not handled, the connector will retry: ${e.message}`);
        return void res.status(500).send("Could not handle the event; send it again.");
      }
      console.log(`webhook refused: ${(e as Error).message}`);
      res.status(400).send("Not a valid webhook from the connector.");
    }
  });

  // Changes pushed by the connector: applied when they follow on from the app's cursor; otherwise the feed
  // is read from the cursor, after the answer (a webhook is answered at once, the connector waits for it).
  function changesPushed(event: ChangesEvent) {
    const connectionId = event.connectionId;
    const owner = users.ownerOf(connectionId);
    if (!owner) return void console.log(`webhook ${event.id}: changes of a connection no user here uses (ignored)`);
    const mailbox = synced.of(connectionId);
    if (mailbox.receive(event) === "gap") {
      const connector = new UserConnector(client, owner);
      void mailbox.catchUp((cursor) => connector.changes(connectionId, cursor), itemsOf(connector, connectionId))
        .then((failed) => failed && console.log(`reading the change feed failed: ${failed.code}`))
        .catch((e: Error) => console.error(`reading the change feed failed: ${e.message}`));
    }
  }

  app.use(express.urlencoded({ extended: false, limit: "16kb" }));
  app.use((req, res, next) => {
    res.locals.session = session(req, res, sessions);
    next();
  });
  const as = (res: Response) => res.locals.session as Session;
  const api = (s: Session) => new UserConnector(client, s.user);

  app.get("/", async (_req, res) => {
    const s = as(res);
    const { connection, all } = await current(api(s), users);
    const notice = s.notice;
    s.notice = undefined;
    res.send(home({
      user: s.user, notice, connection, offer: connection ? offerFor(connection) : undefined, all,
      events: users.eventsOf(s.user), mailbox: Boolean(config.demoMailboxUrl), key: () => randomUUID(),
    }));
  });

  app.post("/connect", async (req, res) => {
    const s = as(res);
    const features = FEATURES.filter((f) => req.body[f] === "on");
    const cloud = CLOUDS.find((c) => c === req.body.cloud) ?? "global";
    const reconnect = req.body.reconnect === "true" ? users.connectionOf(s.user) : undefined;
    const started = await api(s).start({ features, cloud, returnUrl: `${config.publicUrl}/connected`, connectionId: reconnect });
    if (!started.ok) return void res.status(started.status).send(result(started.status, started.problem, false));
    // Mapped again only once this sign-in is proved (/connected): a disconnected connection may be signed in again by
    // any account, and a forwarded link would otherwise put someone else's mailbox behind this user's mapping.
    if (reconnect) users.forget(s.user);
    s.pendingConnectionId = started.data.connectionId;
    res.redirect(303, started.data.loginUrl);
  });

  // Microsoft's sign-in hands the browser back here. The connection id on the link is only a hint: it must be
  // the connection this session started, and the connector must accept the link's completion code for this user.
  // Only the browser that finished the sign-in has that code: a login link forwarded to someone else ends there.
  app.get("/connected", async (req, res) => {
    const s = as(res);
    const id = String(req.query.connection_id ?? "");
    const error = String(req.query.error ?? "");
    const completion = String(req.query.completion ?? "");
    const ours = CONNECTION_ID.test(id) && id === s.pendingConnectionId;
    const status = ours && completion ? await api(s).confirmCompletion(id, completion) : undefined;
    if (status && !status.ok && status.problem.code !== "completion_invalid" && status.status !== 404) {
      // Not an answer about the sign-in (busy, throttled, a conflict): the same link works again in a moment.
      s.notice = "Could not check that sign-in just now. Reload this page in a moment.";
      return void res.status(503).send(result(status.status, status.problem, false));
    }
    s.pendingConnectionId = undefined;
    if (status && !status.ok && status.problem.code === "completion_invalid") {
      s.notice = "That sign-in was finished in another browser, so it was not connected to your account. Connect again here.";
    } else if (status?.ok && status.data.status === "active") {
      // Connected, perhaps without every permission (error=missing_permissions): keep it, and offer the rest.
      users.use(s.user, id);
      s.notice = status.data.missingFeatures.length > 0
        ? `Connected, but Microsoft 365 did not grant every permission (${status.data.missingFeatures.join(", ")}). You can ask again below.`
        : undefined;
    } else if (!completion && CONNECTION_ID.test(id) && users.connectionOf(s.user) === id) {
      // The return page reloaded after its sign-in was proved: the connector hands the used code out once only.
      s.notice = undefined;
    } else if (error) {
      s.notice = `Microsoft 365 did not connect (${ERROR_CODE.test(error) ? error : "error"}). Your earlier connection, if any, is unchanged.`;
    } else {
      s.notice = "That return link does not belong to a connection you started here.";
    }
    res.redirect(303, "/");
  });

  app.post("/mail", withConnection(users, async (s, id, req, res) => {
    const sent = await api(s).sendMail(id, keyOf(req), {
      to: ["candidate@fabrikam.com"], subject: "Test mail from the m365-connector sample",
      body: { contentType: "html", content: "<p>It works.</p>" },
    });
    res.send(result(sent.status, sent.ok ? sent.data : sent.problem, Boolean(config.demoMailboxUrl)));
  }));

  app.post("/event", withConnection(users, async (s, id, req, res) => {
    const created = await api(s).createEvent(id, keyOf(req), {
      subject: "Sample interview", teamsMeeting: true, attendees: ["candidate@fabrikam.com"],
      start: { dateTime: `${defaultDay()}T10:00:00`, timeZone: "W. Europe Standard Time" },
      end: { dateTime: `${defaultDay()}T11:00:00`, timeZone: "W. Europe Standard Time" },
    });
    res.send(result(created.status, created.ok ? created.data : created.problem, Boolean(config.demoMailboxUrl)));
  }));

  app.post("/disconnect", withConnection(users, async (s, id, _req, res) => {
    const done = await api(s).disconnect(id);
    if (done.ok) synced.disconnected(id); // see SyncedMailbox.forgetItems
    res.send(result(done.status, done.ok ? done.data : done.problem, false));
  }));

  app.get("/rooms", withConnection(users, async (s, id, _req, res) => void res.send(await pickRoom(api(s), id, defaultDay()))));
  app.post("/rooms/availability", withConnection(users, async (s, id, req, res) => {
    const me = await api(s).status(id);
    const day = /^\d{4}-\d{2}-\d{2}$/.test(req.body.day ?? "") ? req.body.day : defaultDay();
    res.send(await availability(api(s), id, me.ok ? me.data.user?.userPrincipalName ?? "" : "", String(req.body.room ?? ""), day));
  }));
  app.post("/rooms/book", withConnection(users, async (s, id, req, res) => void res.send(await book(api(s), id, req.body, keyOf(req)))));

  // The synced inbox and calendar: the app's copy, read from the feed first when that is due (src/sync.ts).
  app.get("/inbox", withConnection(users, async (s, id, _req, res) => {
    const status = await api(s).status(id);
    if (!status.ok) return void res.status(status.status).send(result(status.status, status.problem, false));
    const mailbox = synced.of(id);
    const failed = mailbox.needsRead(Boolean(inbox)) ? await mailbox.catchUp((cursor) => api(s).changes(id, cursor), itemsOf(api(s), id))
      : undefined;
    res.send(inboxPage({ connection: status.data, mailbox, problem: failed, newMail: Boolean(config.demoNewMailUrl) }));
  }));

  app.get("/inbox/messages/:messageId", withConnection(users, async (s, id, req, res) => {
    const messageId = String(req.params.messageId);
    if (!MESSAGE_ID.test(messageId) || !synced.of(id).has(messageId)) {
      return void res.status(404).send(page("Not found", `<p>No such message in your inbox.</p><p><a href="/inbox">Back</a></p>`));
    }
    const message = await api(s).message(id, messageId);
    res.status(message.status).send(message.ok ? messagePage(message.data) : result(message.status, message.problem, false));
  }));

  app.get("/inbox/new-mail", withConnection(users, async (_s, id, _req, res) => {
    if (!config.demoNewMailUrl) return void res.status(404).send(page("Not found", "<p>Nothing here.</p>"));
    res.redirect(303, config.demoNewMailUrl.replace("{connectionId}", id));
  }));

  app.get("/mailbox", withConnection(users, async (_s, id, _req, res) => {
    if (!config.demoMailboxUrl) return void res.status(404).send(page("Not found", "<p>Nothing here.</p>"));
    res.redirect(303, config.demoMailboxUrl.replace("{connectionId}", id));
  }));

  app.use((_req, res) => void res.status(404).send(page("Not found", "<p>Nothing here.</p>")));
  app.use((error: Error, _req: Request, res: Response, _next: express.NextFunction) => {
    console.error(`request failed: ${error.message}`); // the connector is down or unreachable
    res.status(502).send(page("Microsoft 365 is not reachable right now", `<p>Try again in a moment.</p><p><a href="/">Back</a></p>`));
  });
  return app;
}

/**
 * The connection this user uses: the app's own record, or, when the app has none (it lost it, or
 * never stored it), the newest usable one the connector lists for this user.
 */
async function current(api: UserConnector, users: AppUsers): Promise<{ connection?: Connection; all: Connection[] }> {
  const listed = await api.list();
  const all = listed.ok ? listed.data.connections : [];
  let id = users.connectionOf(api.owner);
  if (!id) {
    // Found again (a lost mapping): only a connection whose sign-in this user proved on return. One finished in
    // someone else's browser (a forwarded login link) is listed under this owner too, but never proved.
    id = all.find((c) => (c.status === "active" || c.status === "needs_reauth") && c.signInConfirmed)?.connectionId;
    if (id) users.use(api.owner, id);
  }
  if (!id) return { all };
  const status = await api.status(id);
  if (!status.ok && status.status === 404) users.forget(api.owner);
  return { connection: status.ok ? status.data : undefined, all };
}

type Handler = (s: Session, connectionId: string, req: Request, res: Response) => Promise<void>;

function withConnection(users: AppUsers, handler: Handler) {
  return async (req: Request, res: Response) => {
    const s = res.locals.session as Session;
    const id = users.connectionOf(s.user);
    if (!id) return void res.status(400).send(page("No connection", `<p>Connect first.</p><p><a href="/">Back</a></p>`));
    await handler(s, id, req, res);
  };
}

/** The key the form was rendered with, so a resubmitted form is the same request; a new one otherwise. */
function keyOf(req: Request): string {
  const key = String(req.body?.key ?? "");
  return KEY.test(key) ? key : randomUUID();
}

function session(req: Request, res: Response, sessions: Map<string, Session>): Session {
  const id = /(?:^|;\s*)sample_session=([A-Za-z0-9_-]{43})/.exec(req.headers.cookie ?? "")?.[1];
  const existing = id ? sessions.get(id) : undefined;
  if (existing) return existing;
  const fresh = randomBytes(32).toString("base64url");
  const created: Session = { user: `recruiter-${randomBytes(2).toString("hex")}` };
  sessions.set(fresh, created);
  res.setHeader("Set-Cookie", `sample_session=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
  return created;
}
