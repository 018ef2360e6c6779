package io.m365connector.scheduling;

import com.microsoft.graph.models.ScheduleInformation;
import com.microsoft.graph.users.item.calendar.getschedule.GetSchedulePostRequestBody;
import com.microsoft.graph.users.item.calendar.getschedule.GetSchedulePostResponse;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.Permissions;
import io.m365connector.outlook.OutlookPrefer;
import java.util.List;
import java.util.Set;

/** Graph's getSchedule, for the availability answer and for meeting times computed from free/busy. */
final class Schedules {
    /** getSchedule's least privileged permission first (rooms feature), then the calendar feature's. */
    static final Permissions PERMISSIONS = new Permissions("free/busy (Graph: calendar: getSchedule)",
            List.of(Set.of("Calendars.ReadBasic"), Set.of("Calendars.Read"), Set.of("Calendars.ReadWrite")),
            "the rooms feature (Calendars.ReadBasic) or the calendar feature (Calendars.ReadWrite)");

    private Schedules() {
    }

    /**
     * One getSchedule call: the schedules in the order asked for. Times in the answer are in
     * {@code answerZone} (Graph's {@code Prefer: outlook.timezone}; UTC without it).
     */
    static List<ScheduleInformation> fetch(GraphSession session, List<String> schedules, Window window,
                                           int intervalMinutes, String answerZone) {
        GetSchedulePostResponse response = session.call(Safety.REPEATABLE, client -> {
            GetSchedulePostRequestBody body = new GetSchedulePostRequestBody();
            body.setSchedules(List.copyOf(schedules));
            body.setStartTime(window.start().toGraph());
            body.setEndTime(window.end().toGraph());
            body.setAvailabilityViewInterval(intervalMinutes);
            return client.sdk().me().calendar().getSchedule().post(body,
                    rc -> rc.headers.add("Prefer", OutlookPrefer.timeZone(answerZone)));
        });
        return response == null || response.getValue() == null ? List.of() : response.getValue();
    }
}
