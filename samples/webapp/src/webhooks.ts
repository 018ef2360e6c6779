// The connector's webhooks, received the Standard Webhooks way (standardwebhooks.com): the library
// checks the signature over id.timestamp.body with the shared whsec_ secret and refuses a timestamp
// more than 5 minutes off; this class also drops repeats (the connector retries with the same id).
import { Webhook } from "standardwebhooks";
import type { AppCredentialEvent, ChangesEvent, StatusChangedEvent, SyncRecoveredEvent, SyncStoppedEvent } from "./connector.js";

/** What the connector sends (docs/OPERATIONS.md#webhooks): the bodies docs/openapi.yaml documents under `webhooks:`, by `type`. */
export type ConnectorEvent = StatusChangedEvent | AppCredentialEvent | ChangesEvent | SyncStoppedEvent | SyncRecoveredEvent;

export type Received = { event: ConnectorEvent; repeat: boolean };

/** The delivery was genuine but handling it failed: answer 5xx, so that the connector sends it again. */
export class HandlingFailed extends Error {}

const KEEP_IDS_MS = 24 * 60 * 60 * 1000; // the connector retries for about a day

export class WebhookInbox {
  private readonly webhook: Webhook;
  private readonly seen = new Map<string, number>();

  /** @param secret the connector's NOTIFY_WEBHOOK_SIGNING_SECRET ("whsec_…") */
  constructor(secret: string, private readonly now: () => number = Date.now) {
    this.webhook = new Webhook(secret);
  }

  /**
   * Verifies one delivery on its raw body (before any JSON parsing: a re-serialised body would not
   * verify), then hands a new event to `handle`. Throws when it is not valid (answer 400 then) and
   * HandlingFailed when `handle` threw (answer 500: the connector retries, and the retry is handled
   * again, since only an event handled without error counts as seen). Answer 2xx only after this returns.
   */
  receive(rawBody: string, headers: Record<string, string | string[] | undefined>, handle: (event: ConnectorEvent) => void): Received {
    const event = this.webhook.verify(rawBody, plain(headers)) as ConnectorEvent;
    const now = this.now();
    for (const [id, at] of this.seen) {
      if (now - at > KEEP_IDS_MS) this.seen.delete(id);
    }
    if (this.seen.has(event.id)) return { event, repeat: true };
    try {
      handle(event);
    } catch (e) {
      throw new HandlingFailed(`event ${event.id} could not be handled: ${(e as Error).message}`);
    }
    this.seen.set(event.id, now);
    return { event, repeat: false };
  }
}

function plain(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return result;
}
