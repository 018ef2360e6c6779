package io.m365connector.scheduling;

import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.ScheduleInformation;
import com.microsoft.graph.users.item.calendar.getschedule.GetSchedulePostRequestBody;
import com.microsoft.graph.users.item.calendar.getschedule.GetSchedulePostResponse;
import io.m365connector.actions.EventRequest;
import io.m365connector.actions.graph.GraphRetry.Safety;
import io.m365connector.actions.graph.GraphRetry;
import io.m365connector.actions.graph.GraphSession;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;

/** Graph's getSchedule, for the availability answer and for meeting times computed from free/busy. */
final class Schedules {
    /** getSchedule's least privileged permission first (rooms feature), then the calendar feature's. */
    static final ScopeChoice.Permissions PERMISSIONS = new ScopeChoice.Permissions("free/busy (Graph: calendar: getSchedule)",
            List.of(Set.of("Calendars.ReadBasic"), Set.of("Calendars.Read"), Set.of("Calendars.ReadWrite")),
            "the rooms feature (Calendars.ReadBasic) or the calendar feature (Calendars.ReadWrite)");
    private static final DateTimeFormatter GRAPH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private Schedules() {
    }

    /**
     * One getSchedule call: the schedules in the order asked for. Times in the answer are in
     * {@code answerZone} (Graph's {@code Prefer: outlook.timezone}; UTC without it).
     */
    static List<ScheduleInformation> fetch(GraphRetry retry, GraphSession session, List<String> schedules, Window window,
                                           int intervalMinutes, String answerZone) {
        GetSchedulePostResponse response = retry.call(session, Safety.REPEATABLE, client -> {
            GetSchedulePostRequestBody body = new GetSchedulePostRequestBody();
            body.setSchedules(List.copyOf(schedules));
            body.setStartTime(time(window.start()));
            body.setEndTime(time(window.end()));
            body.setAvailabilityViewInterval(intervalMinutes);
            return client.me().calendar().getSchedule().post(body,
                    rc -> rc.headers.add("Prefer", "outlook.timezone=\"" + answerZone + "\""));
        });
        return response == null || response.getValue() == null ? List.of() : response.getValue();
    }

    /** A request time as Graph takes it: the local date-time and the zone name the caller gave. */
    static DateTimeTimeZone time(EventRequest.Time t) {
        DateTimeTimeZone d = new DateTimeTimeZone();
        d.setDateTime(GRAPH_TIME.format(t.dateTime()));
        d.setTimeZone(t.timeZone());
        return d;
    }
}
