// The HTML of the sample: small pages, no scripts, every value escaped.
import type { Connection, Feature, StatusChangedEvent } from "./connector.js";
import type { Offer } from "./users.js";

export function escape(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A whole page; with `refreshSeconds` the browser reloads it that often (plain HTML, no script). */
export function page(title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${refresh}
<title>${escape(title)}</title><style>
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
header{background:#1f3b63;color:#fff;padding:.5rem 1rem;border-radius:6px}form{display:inline-block;margin:.25rem}
button{padding:.4rem .8rem}button[disabled]{opacity:.5}.notice{background:#fff4ce;padding:.5rem;border-radius:4px}
.hint{color:#555;font-size:.9rem}table{border-collapse:collapse}td,th{padding:.1rem .4rem;text-align:left}
pre{background:#f3f3f3;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}a{overflow-wrap:anywhere}
</style></head><body><header>Contoso Recruiting (sample web app for m365-connector)</header>
<h1>${escape(title)}</h1>${body}</body></html>`;
}

export function result(status: number, body: unknown, mailbox: boolean): string {
  return page(`Result: HTTP ${status}`, `<pre id="result">${escape(JSON.stringify(body, null, 2))}</pre>
<p><a id="back" href="/">Back</a>${mailbox ? ` · <a href="/mailbox">Mailbox and calendar</a>` : ""}</p>`);
}

const HINTS: Record<string, string> = {
  mail: "Sending mail needs the mail feature: add it, and accept it at Microsoft.",
  calendar: "Creating events needs the calendar feature: add it, and accept it at Microsoft.",
  rooms: "Booking a room needs the rooms feature (Rooms and availability) besides calendar; "
    + "its Place.Read.All permission needs an administrator's approval in most tenants.",
  mail_read: "The synced inbox needs the mail_read feature (Mail.Read): add it, and accept it at Microsoft.",
  calendar_read: "The synced calendar needs the calendar_read feature (Calendars.Read): add it, and accept it at Microsoft.",
};

export interface Home {
  user: string;
  notice?: string;
  connection?: Connection;
  offer?: Offer;
  all: Connection[];
  events: StatusChangedEvent[];
  mailbox: boolean;
  key: () => string;
}

export function home(h: Home): string {
  let body = `<p>Signed in to this app as <strong id="app-user">${escape(h.user)}</strong>.</p>`;
  if (h.notice) body += `<p class="notice" id="notice" role="alert">${escape(h.notice)}</p>`;
  if (h.connection && h.offer) body += panel(h.connection, h.offer, h.mailbox, h.key);
  if (!h.connection || h.connection.status !== "active") body += connectForm();
  if (h.all.length > 0) body += connectionTable(h.all);
  if (h.events.length > 0) body += eventList(h.events);
  return page("Sample web app", body);
}

function panel(c: Connection, offer: Offer, mailbox: boolean, key: () => string): string {
  let b = `<h2>Your Microsoft 365 connection</h2><p>Status: <strong id="status">${escape(c.status)}</strong>`
    + (c.user?.userPrincipalName ? ` as <strong id="user">${escape(c.user.userPrincipalName)}</strong>` : "")
    + ` (cloud ${escape(c.cloud)})</p><p>Features: <span id="features">${escape(JSON.stringify(c.features))}</span></p>`;
  if (c.status !== "active") {
    return b + `<p id="no-actions">No actions: ${c.status === "needs_reauth" ? "Microsoft 365 needs you to sign in again" : "connect again"}`
      + ` to use Microsoft 365.</p>`;
  }
  if (offer.missing.length > 0) {
    b += `<p class="notice" id="missing-permissions">Microsoft 365 did not grant every permission: ${escape(offer.missing.join(", "))}`
      + ` cannot be used until you accept ${offer.missing.length === 1 ? "it" : "them"}.</p>`;
  }
  b += action("/mail", "send-mail", "Send test mail", offer.mail, key())
    + action("/event", "create-event", "Create test event", offer.calendar, key())
    + `<form method="get" action="/rooms"><button id="book-room"${offer.rooms ? "" : " disabled"}>Book a room</button></form>`
    + (offer.sync ? `<p><a id="inbox-link" href="/inbox">Inbox and upcoming events</a> (synced: the connector's change feed and webhooks)</p>` : "");
  for (const feature of [...offer.missing, ...offer.addable]) b += addFeature(c, feature, offer.missing.includes(feature));
  return b + `<form method="post" action="/disconnect"><button id="disconnect">Disconnect</button></form>`
    + (mailbox ? `<p><a id="mailbox" href="/mailbox">See the fake mailbox and calendar</a> (demo only)</p>` : "")
    + `<details><summary>Status JSON</summary><pre>${escape(JSON.stringify(c, null, 2))}</pre></details><hr>`;
}

function action(path: string, id: string, label: string, enabled: boolean, key: string): string {
  // The Idempotency-Key is made with the form: a resubmitted form (double click, retry) sends it once.
  return `<form method="post" action="${path}"><input type="hidden" name="key" value="${escape(key)}">`
    + `<button id="${id}"${enabled ? "" : " disabled"}>${escape(label)}</button></form>`;
}

function addFeature(c: Connection, feature: Feature, missing: boolean): string {
  return `<form method="post" action="/connect"><input type="hidden" name="reconnect" value="true">`
    + `<input type="hidden" name="cloud" value="${escape(c.cloud)}"><input type="hidden" name="${escape(feature)}" value="on">`
    + `<button id="add-${escape(feature)}">${missing ? `Grant ${escape(feature)} (ask Microsoft again)` : `Add ${escape(feature)} (reconnect)`}</button></form>`
    + `<p class="hint" id="${escape(feature)}-hint">${escape(HINTS[feature] ?? "")}</p>`;
}

function connectForm(): string {
  return `<h2>Connect Microsoft 365</h2><form method="post" action="/connect">
<p><label>Cloud <select name="cloud" id="cloud"><option value="global">Global (and GCC)</option>
<option value="usgov">US Government (GCC High)</option><option value="usgovdod">US Government (DoD)</option>
<option value="china">China (21Vianet)</option></select></label></p>
<p><label><input type="checkbox" name="mail" id="feature-mail" checked> Send mail</label>
<label><input type="checkbox" name="calendar" id="feature-calendar" checked> Calendar</label>
<label><input type="checkbox" name="rooms" id="feature-rooms"> Rooms and availability (for <em>Book a room</em>; needs an administrator's approval in most tenants)</label></p>
<p><label><input type="checkbox" name="mail_read" id="feature-mail_read" checked> Read and sync the inbox</label>
<label><input type="checkbox" name="calendar_read" id="feature-calendar_read" checked> Read and sync the calendar</label></p>
<p><button id="connect">Connect Microsoft 365</button></p></form>`;
}

function connectionTable(all: Connection[]): string {
  const rows = all.map((c) => `<tr><td><code>${escape(c.connectionId)}</code></td><td>${escape(c.cloud)}</td>`
    + `<td>${escape(c.status)}</td><td>${escape(c.user?.userPrincipalName ?? "")}</td></tr>`).join("");
  return `<h2>All your connections</h2><p class="hint">From <code>GET /api/connections?ownerId=…</code>: how the app finds them again.</p>`
    + `<table id="connections"><tr><th>Connection</th><th>Cloud</th><th>Status</th><th>User</th></tr>${rows}</table>`;
}

function eventList(events: StatusChangedEvent[]): string {
  const items = events.map((e) => `<li><code>${escape(e.type)}</code> ${escape(e.previousStatus ?? "")}`
    + `${e.previousStatus ? " → " : ""}${escape(e.status ?? "")}${e.errorCode ? ` (${escape(e.errorCode)})` : ""}`
    + ` <span class="hint">${escape(e.occurredAt)}, ${escape(e.id)}</span></li>`).join("");
  return `<h2>Webhooks received</h2><p class="hint">Verified with the Standard Webhooks library; repeats dropped by id.</p>`
    + `<ul id="webhook-events">${items}</ul>`;
}
