// This app's own records: which connection each of its users uses, and what the connector told it
// by webhook. In memory here; a real app keeps them in its database next to its users.
import type { Connection, Feature, StatusChangedEvent } from "./connector.js";

export class AppUsers {
  private readonly connections = new Map<string, string>();
  private readonly events = new Map<string, StatusChangedEvent[]>();

  connectionOf(user: string): string | undefined {
    return this.connections.get(user);
  }

  use(user: string, connectionId: string): void {
    this.connections.set(user, connectionId);
  }

  forget(user: string): void {
    this.connections.delete(user);
  }

  /** The user of this app who uses the connection, if any (a webhook names only the connection). */
  ownerOf(connectionId: string): string | undefined {
    for (const [user, id] of this.connections) {
      if (id === connectionId) return user;
    }
    return undefined;
  }

  /** Keeps the last 10 events of each owner (the connector's ownerId is this app's user id). */
  record(event: StatusChangedEvent): void {
    if (!event.ownerId) return; // a body short of what docs/openapi.yaml promises is not kept
    const list = this.events.get(event.ownerId) ?? [];
    list.unshift(event);
    this.events.set(event.ownerId, list.slice(0, 10));
  }

  eventsOf(user: string): StatusChangedEvent[] {
    return this.events.get(user) ?? [];
  }
}

/** What the app offers for a connection: the actions its granted features allow, and what to add. */
export interface Offer {
  mail: boolean;
  calendar: boolean;
  /** Booking a room needs the room directory (rooms) and an event (calendar). */
  rooms: boolean;
  /** The inbox or the calendar is synced (mail_read, calendar_read): the app keeps a copy from the change feed. */
  sync: boolean;
  /** Asked for but not (all) granted: the user unticked a permission, so offer to ask again. */
  missing: Feature[];
  /** Not asked for yet: offer to add. */
  addable: Feature[];
}

const OFFERED: Feature[] = ["mail", "calendar", "rooms", "mail_read", "calendar_read"];

export function offerFor(connection: Connection): Offer {
  const active = connection.status === "active";
  const granted = (f: Feature) => active && connection.features.includes(f) && !connection.missingFeatures.includes(f);
  return {
    mail: granted("mail"),
    calendar: granted("calendar"),
    rooms: granted("rooms") && granted("calendar"),
    sync: granted("mail_read") || granted("calendar_read"),
    missing: active ? connection.missingFeatures.filter((f) => OFFERED.includes(f)) : [],
    addable: active ? OFFERED.filter((f) => !connection.features.includes(f)) : [],
  };
}
