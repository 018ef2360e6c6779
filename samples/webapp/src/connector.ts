// The connector's HTTP API as this app's backend uses it: a client generated from the connector's
// OpenAPI document (src/generated/connector-api.ts, `npm run generate`), the function key on every
// request, and the signed-in user's id as X-Owner-Id on every call, so a tampered connection id
// answers 404 instead of reaching another user's mailbox. Nothing here knows the connector's code.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/connector-api.js";

export type Connection = components["schemas"]["ConnectionView"];
export type ConnectionList = components["schemas"]["ConnectionList"];
export type Problem = components["schemas"]["Problem"];
export type Feature = components["schemas"]["Feature"];
export type Cloud = components["schemas"]["Cloud"];
export type MailRequest = components["schemas"]["MailRequest"];
export type EventRequest = components["schemas"]["EventCreateRequest"];
export type AvailabilityRequest = components["schemas"]["AvailabilityRequest"];
export type Change = components["schemas"]["Change"];
export type ChangePage = components["schemas"]["ChangePage"];
export type SyncHealth = components["schemas"]["SyncHealth"];
export type MessagePage = components["schemas"]["MessagePage"];
export type EventPage = components["schemas"]["EventPage"];
// The webhooks' bodies (docs/openapi.yaml `webhooks:`).
export type StatusChangedEvent = components["schemas"]["StatusChangedEvent"];
export type AppCredentialEvent = components["schemas"]["AppCredentialEvent"];
export type ChangesEvent = components["schemas"]["ChangesEvent"];
export type SyncStoppedEvent = components["schemas"]["SyncStoppedEvent"];
export type SyncRecoveredEvent = components["schemas"]["SyncRecoveredEvent"];

/** One HTTP client for the whole app: base URL (…/api) and function key. Keep the key on the server. */
export function connectorClient(baseUrl: string, functionKey: string) {
  const client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      request.headers.set("x-functions-key", functionKey);
      return request;
    },
  });
  return client;
}

export type ConnectorClient = ReturnType<typeof connectorClient>;

/** What a call answered: the data, or the problem (status + problem+json) to show or act on. */
export type Answer<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Answer<T>> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) {
    return { ok: true, status: response.status, data };
  }
  const problem = (typeof error === "object" && error !== null ? error : { code: "http_" + response.status, detail: String(error) }) as Problem;
  return { ok: false, status: response.status, problem };
}

/** The connector as one signed-in user of this app sees it. */
export class UserConnector {
  constructor(private readonly client: ConnectorClient, readonly owner: string) {}

  private get owned() {
    return { "X-Owner-Id": this.owner };
  }

  start(request: { features: Feature[]; cloud: Cloud; returnUrl: string; connectionId?: string }) {
    return answer(this.client.POST("/connections", { body: { ownerId: this.owner, ...request } }));
  }

  /** This user's connections, newest first: how the app finds them again when it lost an id. */
  list(status?: string) {
    return answer(this.client.GET("/connections", {
      params: { query: { ownerId: this.owner, status, pageSize: 20 }, header: this.owned },
    }));
  }

  status(id: string) {
    return answer(this.client.GET("/connections/{id}", { params: { path: { id }, header: this.owned } }));
  }

  /** Proves that this browser finished the sign-in (the return's `completion`): only then is the connection this user's. */
  confirmCompletion(id: string, completion: string) {
    return answer(this.client.POST("/connections/{id}/completion", {
      params: { path: { id }, header: this.owned }, body: { completion },
    }));
  }

  disconnect(id: string) {
    return answer(this.client.DELETE("/connections/{id}", { params: { path: { id }, header: this.owned } }));
  }

  /** The key makes a retry (a double click, a timeout) send the mail once: create it with the form, not per attempt. */
  sendMail(id: string, idempotencyKey: string, mail: MailRequest) {
    return answer(this.client.POST("/connections/{id}/mail", {
      params: { path: { id }, header: { ...this.owned, "Idempotency-Key": idempotencyKey } }, body: mail,
    }));
  }

  createEvent(id: string, idempotencyKey: string, event: EventRequest) {
    return answer(this.client.POST("/connections/{id}/events", {
      params: { path: { id }, header: { ...this.owned, "Idempotency-Key": idempotencyKey } }, body: event,
    }));
  }

  getEvent(id: string, eventId: string) {
    return answer(this.client.GET("/connections/{id}/events/{eventId}", { params: { path: { id, eventId }, header: this.owned } }));
  }

  rooms(id: string) {
    return answer(this.client.GET("/connections/{id}/rooms", { params: { path: { id }, query: { pageSize: 20 }, header: this.owned } }));
  }

  /** The change feed after the cursor this app stored (features mail_read, calendar_read; docs/SYNC.md). */
  changes(id: string, cursor: string) {
    return answer(this.client.GET("/connections/{id}/changes", {
      params: { path: { id }, query: { cursor, limit: 100 }, header: this.owned },
    }));
  }

  /** A page of the user's inbox, newest first (the read API). */
  inboxMessages(id: string, cursor?: string) {
    return answer(this.client.GET("/connections/{id}/messages", {
      params: { path: { id }, query: { folder: "inbox", pageSize: 100, ...(cursor ? { cursor } : {}) }, header: this.owned },
    }));
  }

  /** A page of the user's calendar view between two instants, in UTC (the read API). */
  calendarView(id: string, start: string, end: string, cursor?: string) {
    return answer(this.client.GET("/connections/{id}/events", {
      params: { path: { id }, query: { start, end, timeZone: "UTC", pageSize: 100, ...(cursor ? { cursor } : {}) }, header: this.owned },
    }));
  }

  /** One message with its body as text (the read API). */
  message(id: string, messageId: string) {
    return answer(this.client.GET("/connections/{id}/messages/{messageId}", {
      params: { path: { id, messageId }, query: { bodyType: "text" }, header: this.owned },
    }));
  }

  availability(id: string, request: AvailabilityRequest) {
    return answer(this.client.POST("/connections/{id}/availability", { params: { path: { id }, header: this.owned }, body: request }));
  }
}
