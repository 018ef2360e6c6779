// "Book a room": pick a room, see your and the room's free/busy for a day, book the first hour both
// are free, and read the room's answer back. Each page is one or two calls of the connector's API.
import { randomUUID } from "node:crypto";
import type { UserConnector } from "./connector.js";
import { escape, page } from "./pages.js";

export const ZONE = "W. Europe Standard Time";

/** Tomorrow (UTC date): a day that is always ahead, so the booking is never in the past. */
export function defaultDay(now: Date = new Date()): string {
  return new Date(now.getTime() + 24 * 3600 * 1000).toISOString().slice(0, 10);
}

export async function pickRoom(api: UserConnector, id: string, day: string): Promise<string> {
  const rooms = await api.rooms(id);
  let body = `<form method="post" action="/rooms/availability">`;
  if (rooms.ok) {
    body += "<p>Rooms of your organization:</p>";
    for (const room of rooms.data.rooms) {
      body += `<p><label><input type="radio" name="room" id="room-${escape(room.emailAddress)}" value="${escape(`${room.emailAddress}|${room.displayName ?? room.emailAddress}`)}"> `
        + `${escape(room.displayName ?? room.emailAddress)} (${escape(room.capacity ?? "?")} seats, ${escape(room.building ?? "")})</label></p>`;
    }
  } else {
    // Where the cloud has no room directory (rooms answers 422 not_supported_in_cloud), ask for the address.
    body += `<p id="rooms-problem">${escape(rooms.problem.code)}: ${escape(rooms.problem.detail)}</p>`
      + `<p><label>Room address <input name="room" id="room-address"></label></p>`;
  }
  body += `<p><label>Day <input type="date" name="day" id="day" value="${escape(day)}"></label> `
    + `<button id="show-availability">Show free/busy</button></p></form>`;
  return page("Book a room", body + `<p><a href="/">Back</a></p>`);
}

export async function availability(api: UserConnector, id: string, user: string, roomField: string, day: string): Promise<string> {
  const [room, name = room] = roomField.split("|", 2);
  const answer = await api.availability(id, {
    schedules: [user, room],
    start: { dateTime: `${day}T08:00:00`, timeZone: ZONE },
    end: { dateTime: `${day}T18:00:00`, timeZone: ZONE },
    intervalMinutes: 60,
  });
  if (!answer.ok) return page(`Free/busy: HTTP ${answer.status}`, `<pre id="result">${escape(JSON.stringify(answer.problem, null, 2))}</pre>`);
  const a = answer.data;
  let table = `<table id="availability"><tr><th></th>${[8, 9, 10, 11, 12, 13, 14, 15, 16, 17].map((h) => `<th>${h}</th>`).join("")}</tr>`;
  for (const s of a.schedules) table += row(s.address, s.availabilityView ?? "");
  table += row("Both", a.merged?.availabilityView ?? "") + "</table>";
  const slot = a.merged?.free?.[0]?.start;
  let body = `<p>${escape(day)}, 0 free · 1 tentative · 2 busy · 3 away (${escape(ZONE)})</p>${table}`;
  if (slot) {
    body += `<form method="post" action="/rooms/book"><input type="hidden" name="room" value="${escape(room)}">`
      + `<input type="hidden" name="roomName" value="${escape(name)}"><input type="hidden" name="start" value="${escape(slot)}">`
      + `<input type="hidden" name="key" value="${randomUUID()}"><button id="book">Book ${escape(slot.slice(11, 16))} for one hour</button></form>`;
  }
  return page(`Free/busy: you and ${name}`, body + `<p><a href="/rooms">Another room</a> · <a href="/">Back</a></p>`);
}

export async function book(api: UserConnector, id: string, form: Record<string, string>, key: string): Promise<string> {
  const start = form.start ?? "";
  const end = start.slice(0, 11) + String(Number(start.slice(11, 13)) + 1).padStart(2, "0") + start.slice(13);
  const created = await api.createEvent(id, key, {
    subject: "Interview (room booked by the sample app)",
    start: { dateTime: start, timeZone: ZONE },
    end: { dateTime: end, timeZone: ZONE },
    attendees: ["candidate@fabrikam.com"],
    rooms: [{ address: form.room ?? "", name: form.roomName ?? "Room" }],
  });
  if (!created.ok) return page(`Booking: HTTP ${created.status}`, `<pre id="result">${escape(JSON.stringify(created.problem, null, 2))}</pre>`);
  const read = await api.getEvent(id, created.data.eventId);
  if (!read.ok) return page(`Booking: HTTP ${read.status}`, `<pre id="result">${escape(JSON.stringify(read.problem, null, 2))}</pre>`);
  const roomAnswer = read.data.rooms?.[0]?.response ?? "none";
  return page("Booked", `<p>${escape(read.data.subject)}, ${escape(start.replace("T", " "))} in ${escape(read.data.location)}.</p>`
    + `<p>The room answered: <strong id="room-response">${escape(roomAnswer)}</strong></p>`
    + `<p><a href="/mailbox">Mailbox and calendar</a> · <a id="back" href="/">Back</a></p>`);
}

function row(who: string, view: string): string {
  const cells = [...view].map((c) => `<td style="background:${c === "0" || c === "4" ? "#cfc" : c === "1" ? "#ffc" : "#fcc"}">${escape(c)}</td>`).join("");
  return `<tr><th>${escape(who)}</th>${cells}</tr>`;
}
