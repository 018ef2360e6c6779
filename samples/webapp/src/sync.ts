// The synced inbox and calendar of a connection as this app keeps them, from the connector's change
// feed (docs/SYNC.md). The feed is the source of truth: each change is applied once, by its sequence,
// and the app stores the cursor it has read up to. `connection.changes` webhooks bring the same changes
// sooner: one that follows on from the cursor is applied; one that does not (a webhook was lost, or they
// came out of order) makes the app read the feed from its cursor instead. The feed is also read when the
// app has not read it for a while, so a lost webhook costs at most that long. When the app was away longer
// than the feed keeps changes (8 days), the first page it reads says `gap: true`: the app then re-reads the
// items themselves through the read API before it goes on from the cursor.
import type { Answer, Change, ChangePage, ChangesEvent, EventPage, MessagePage, Problem, UserConnector } from "./connector.js";

/** A `connection.changes` webhook: the feed's changes after `fromCursor` up to `toCursor` (docs/openapi.yaml). */
export type { ChangesEvent };

export interface SyncedMessage {
  itemId: string;
  subject: string;
  from: string;
  receivedAt: string;
}

export interface SyncedEvent {
  itemId: string;
  subject: string;
  /** Instants (UTC). */
  start: string;
  end: string;
}

/** Reads one page of the feed after a cursor (UserConnector.changes). */
export type ReadFeed = (cursor: string) => Promise<Answer<ChangePage>>;

/** Reads the items themselves (UserConnector.inboxMessages, UserConnector.calendarView), after a gap. */
export interface ReadItems {
  messages(cursor?: string): Promise<Answer<MessagePage>>;
  /** Start and end: UTC date-times without a zone, as the read API takes them with `timeZone=UTC`. */
  events(start: string, end: string, cursor?: string): Promise<Answer<EventPage>>;
}

/** The read API calls of a re-read, for one connection. */
export function itemsOf(connector: Pick<UserConnector, "inboxMessages" | "calendarView">, connectionId: string): ReadItems {
  return {
    messages: (cursor) => connector.inboxMessages(connectionId, cursor),
    events: (start, end, cursor) => connector.calendarView(connectionId, start, end, cursor),
  };
}

/** Without webhooks the feed is read on every look; with them, at least this often. */
export const READ_FEED_AFTER_MS = 60_000;
/** The app shows the latest messages: it keeps this many, newest first (a real app keeps them in its database). */
const KEEP_MESSAGES = 200;
/** A catch-up reads at most this many pages at once (100 changes each); the next look goes on. */
const MAX_PAGES = 20;
/** After a gap the app re-reads the events it shows: the ones not over, up to a year ahead, at most this many pages of 100. */
const REREAD_EVENT_PAGES = 10;
const YEAR_MS = 365 * 24 * 3600_000;

export class SyncedMailbox {
  /** The sequence of the last change applied: the cursor. */
  private sequence = 0;
  private readonly messages = new Map<string, SyncedMessage>();
  private readonly events = new Map<string, SyncedEvent>();
  private lastReadAt = 0;
  /** The catch-up in progress: the next one starts after it. */
  private reading: Promise<unknown> = Promise.resolve();
  /** How the last new changes came: a webhook's id, "feed", or "reread" (the items read again after a gap). */
  lastUpdate?: { by: string; at: number };

  constructor(private readonly now: () => number = Date.now) {}

  get cursor(): string {
    return `s${this.sequence}`;
  }

  /**
   * Applies changes in feed order. A change at or before the cursor was applied already (the feed is at
   * least once: a page read again, a webhook that repeats the feed) and is skipped. Returns how many were new.
   */
  apply(changes: Change[], by: string): number {
    let applied = 0;
    for (const change of changes) {
      if (change.sequence <= this.sequence) continue;
      this.sequence = change.sequence;
      applied++;
      const s = change.summary ?? {};
      if (change.resource === "inbox") {
        if (change.type === "deleted") this.messages.delete(change.itemId);
        else this.messages.set(change.itemId, { itemId: change.itemId, subject: s.subject ?? "", from: s.from ?? "", receivedAt: instant(s.receivedAt) });
      } else if (change.resource === "calendar") {
        if (change.type === "deleted") this.events.delete(change.itemId);
        else this.events.set(change.itemId, { itemId: change.itemId, subject: s.subject ?? "", start: utc(s.start), end: utc(s.end) });
      }
      // Another resource (Sent Items, with the sent_items_read feature) is not kept here: the cursor still moves past it.
    }
    if (applied > 0) this.lastUpdate = { by, at: this.now() };
    for (const old of this.latestMessages(Infinity).slice(KEEP_MESSAGES)) this.messages.delete(old.itemId);
    return applied;
  }

  /**
   * A verified `connection.changes` webhook: applied when it follows on from the cursor ("applied"), nothing
   * when this app has read past it ("old"), and "gap" when changes before it are missing: read the feed then.
   */
  receive(event: ChangesEvent): "applied" | "old" | "gap" {
    if (sequenceOf(event.toCursor) <= this.sequence) return "old";
    if (sequenceOf(event.fromCursor) > this.sequence) return "gap";
    this.apply(event.changes, event.id);
    return "applied";
  }

  /** Whether to read the feed before showing the mailbox: never read yet, no webhooks, or not read for a while. */
  needsRead(webhooks: boolean): boolean {
    return !webhooks || this.lastReadAt === 0 || this.now() - this.lastReadAt >= READ_FEED_AFTER_MS;
  }

  /**
   * Reads the feed from the cursor until it has no more (or MAX_PAGES); returns the connector's problem when a read fails.
   * A page that says `gap` (changes after the cursor were removed before this app read them) makes the app replace its copy
   * with the items read again, then apply the page: a change older than the items read again only repeats what they say,
   * and until the re-read succeeds the cursor stays, so the next look meets the gap again.
   */
  catchUp(read: ReadFeed, items: ReadItems): Promise<Problem | undefined> {
    // One at a time: a re-read replaces the copy, so a second catch-up running beside it could have its newer
    // changes overwritten by the first one's older snapshot, with the cursor already past them.
    const next = this.reading.then(() => this.readFeed(read, items));
    this.reading = next.catch(() => undefined);
    return next;
  }

  private async readFeed(read: ReadFeed, items: ReadItems): Promise<Problem | undefined> {
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await read(this.cursor);
      if (!answer.ok) return answer.problem;
      if (answer.data.gap) {
        const failed = await this.reread(items);
        if (failed) return failed;
      }
      this.apply(answer.data.changes, "feed");
      this.sequence = Math.max(this.sequence, sequenceOf(answer.data.nextCursor));
      this.lastReadAt = this.now();
      if (!answer.data.more) return undefined;
    }
    return undefined;
  }

  /** The newest inbox messages and the events not over yet, read again; replaces the copy only when every read succeeded. */
  private async reread(items: ReadItems): Promise<Problem | undefined> {
    const messages = new Map<string, SyncedMessage>();
    let cursor: string | undefined;
    do {
      const page = await items.messages(cursor);
      if (!page.ok) return page.problem;
      for (const m of page.data.messages) {
        messages.set(m.id, { itemId: m.id, subject: m.subject ?? "", from: m.from?.address ?? "", receivedAt: instant(m.receivedAt) });
      }
      cursor = page.data.nextCursor;
    } while (cursor && messages.size < KEEP_MESSAGES);

    const events = new Map<string, SyncedEvent>();
    const now = this.now();
    const [start, end] = [now, now + YEAR_MS].map((t) => new Date(t).toISOString().slice(0, 19));
    cursor = undefined;
    for (let page = 0; page < REREAD_EVENT_PAGES && (page === 0 || cursor); page++) {
      const answer = await items.events(start!, end!, cursor);
      if (!answer.ok) return answer.problem;
      for (const e of answer.data.events) {
        events.set(e.id, { itemId: e.id, subject: e.subject ?? "", start: utc(e.start?.dateTime), end: utc(e.end?.dateTime) });
      }
      cursor = answer.data.nextCursor;
    }

    this.messages.clear();
    for (const [id, m] of messages) this.messages.set(id, m);
    this.events.clear();
    for (const [id, e] of events) this.events.set(id, e);
    this.lastUpdate = { by: "reread", at: now };
    return undefined;
  }

  /** The newest messages first (by when they were received). */
  latestMessages(count: number): SyncedMessage[] {
    return [...this.messages.values()].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).slice(0, count);
  }

  /** Events not over yet, soonest first. */
  upcomingEvents(count: number): SyncedEvent[] {
    const now = new Date(this.now()).toISOString();
    return [...this.events.values()].filter((e) => e.end === "" || e.end > now)
      .sort((a, b) => a.start.localeCompare(b.start)).slice(0, count);
  }

  /** Whether this message id came from this connection's feed (the app opens only those). */
  has(messageId: string): boolean {
    return this.messages.has(messageId);
  }

  /**
   * The connection was disconnected: the connector forgets its items, and the first run after a reconnect reports what
   * exists then as created, never what was deleted meanwhile. So the copy goes; the cursor stays (the feed numbers on).
   */
  forgetItems(): void {
    this.messages.clear();
    this.events.clear();
  }
}

/** The app's synced mailboxes, one per connection id. */
export class SyncedMailboxes {
  private readonly byConnection = new Map<string, SyncedMailbox>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A connection was disconnected (this app's DELETE, or a `connection.status_changed` event): its copy goes. */
  disconnected(connectionId: string): void {
    this.byConnection.get(connectionId)?.forgetItems();
  }

  of(connectionId: string): SyncedMailbox {
    let mailbox = this.byConnection.get(connectionId);
    if (!mailbox) {
      mailbox = new SyncedMailbox(this.now);
      this.byConnection.set(connectionId, mailbox);
    }
    return mailbox;
  }
}

function sequenceOf(cursor: string): number {
  const m = /^s(\d{1,18})$/.exec(cursor);
  return m ? Number(m[1]) : 0;
}

/** The feed's event times are UTC date-times without a zone (Graph's, up to 7 decimals): as ISO instants. */
function utc(dateTime: string | undefined): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)/.exec(dateTime ?? "");
  return m?.[1] ? instant(`${m[1]}Z`) : "";
}

/** One form for every instant (so that they sort as text), or "" when there is none. */
function instant(value: string | undefined): string {
  const at = new Date(value ?? "");
  return Number.isNaN(at.getTime()) ? "" : at.toISOString();
}
