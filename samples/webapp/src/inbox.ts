// "Inbox and upcoming events": the app's copy of a connection's inbox and calendar, kept in step from the
// connector's change feed (src/sync.ts). The page reloads itself every few seconds (plain HTML, no script):
// a mail that reaches the user's inbox shows up here within seconds.
import type { Connection, Problem } from "./connector.js";
import { escape, page } from "./pages.js";
import type { SyncedMailbox } from "./sync.js";

export const REFRESH_SECONDS = 3;

export interface InboxView {
  connection: Connection;
  mailbox: SyncedMailbox;
  /** Reading the feed failed: what the connector said. */
  problem?: Problem;
  /** Demo only: a link to write to the user. */
  newMail: boolean;
}

export function inboxPage(v: InboxView): string {
  const c = v.connection;
  const last = v.mailbox.lastUpdate;
  let body = `<p>Microsoft 365 user <strong id="user">${escape(c.user?.userPrincipalName ?? "")}</strong>. This app keeps a copy of the`
    + ` inbox and calendar from the connector's change feed: <code>connection.changes</code> webhooks, and the feed read from the`
    + ` cursor it stored (<code id="cursor">${escape(v.mailbox.cursor)}</code>). This page reloads every ${REFRESH_SECONDS} seconds.</p>`
    + (last ? `<p class="hint" id="last-update">Last new changes: ${lastBy(last.by)},`
      + ` ${escape(new Date(last.at).toISOString())}</p>` : "");
  body += `<ul id="sync-health">${(c.sync ?? []).map((s) => `<li id="sync-${escape(s.resource)}">${escape(s.resource)}: ${escape(s.state)}`
    + (s.notifications ? `, notifications ${escape(s.notifications)}` : "")
    + (s.notificationsProblem ? ` (${escape(s.notificationsProblem)})` : "")
    + (s.lastError ? `, last error ${escape(s.lastError)}` : "") + `</li>`).join("")}</ul>`;
  if (v.problem) body += `<p class="notice" id="feed-problem">${escape(v.problem.code)}: ${escape(v.problem.detail)}</p>`;
  if (v.newMail) {
    body += `<p><a id="new-mail" href="/inbox/new-mail">Write to this user</a> (demo only: the fake Microsoft Graph puts the mail in`
      + ` the inbox and notifies the connector)</p>`;
  }

  const messages = v.mailbox.latestMessages(10);
  body += `<h2>Inbox</h2>` + (messages.length === 0 ? `<p id="no-messages">No messages yet.</p>`
    : `<table id="inbox-messages"><tr><th>Received</th><th>From</th><th>Subject</th></tr>${messages.map((m) => `<tr>`
      + `<td>${escape(when(m.receivedAt))}</td><td>${escape(m.from)}</td>`
      + `<td><a href="/inbox/messages/${encodeURIComponent(m.itemId)}">${escape(m.subject || "(no subject)")}</a></td></tr>`).join("")}</table>`);

  const events = v.mailbox.upcomingEvents(10);
  body += `<h2>Upcoming events</h2>` + (events.length === 0 ? `<p id="no-events">No upcoming events.</p>`
    : `<table id="upcoming-events"><tr><th>Start</th><th>End</th><th>Subject</th></tr>${events.map((e) => `<tr>`
      + `<td>${escape(when(e.start))}</td><td>${escape(when(e.end))}</td><td>${escape(e.subject || "(no subject)")}</td></tr>`).join("")}</table>`);
  return page("Inbox and upcoming events", body + `<p><a id="back" href="/">Back</a></p>`, REFRESH_SECONDS);
}

/** One message, read with the read API when the user opens it (the feed carries no bodies). */
export function messagePage(m: { subject?: string; from?: { address?: string; name?: string }; receivedAt?: string;
  body?: { content?: string } }): string {
  return page(m.subject || "(no subject)", `<p>From <strong id="message-from">${escape(m.from?.name ?? m.from?.address ?? "")}</strong>`
    + ` ${m.from?.address ? `&lt;${escape(m.from.address)}&gt;` : ""}, received ${escape(when(m.receivedAt ?? ""))}</p>`
    + `<pre id="message-body">${escape(m.body?.content ?? "")}</pre><p><a id="back" href="/inbox">Back to the inbox</a></p>`);
}

/** "2027-03-01 09:00 UTC" from an ISO instant. */
function when(iso: string): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "";
}

/** How the last new changes came, for the hint under the inbox. */
function lastBy(by: string): string {
  if (by === "feed") return "read from the feed";
  if (by === "reread") return "your inbox and calendar read again (changes older than the feed keeps were missed)";
  return `webhook ${escape(by)}`;
}
