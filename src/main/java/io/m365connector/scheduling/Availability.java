package io.m365connector.scheduling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer of POST /connections/{id}/availability: each schedule as Graph's getSchedule returns it,
 * and the merged view of all of them. Times are local date-times in {@code timeZone}.
 *
 * @param schedules in the order asked for
 * @param merged    the schedules Graph could read, put together
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Availability(String connectionId, String timeZone, String start, String end, int intervalMinutes,
                           List<Schedule> schedules, Merged merged) {
    public Availability {
        schedules = List.copyOf(schedules);
    }

    /**
     * One person's or room's free/busy.
     *
     * @param availabilityView one digit per slot: 0 free, 1 tentative, 2 busy, 3 out of office, 4 working elsewhere
     * @param error            why Graph could not read it (unknown address, no permission to see it); then the rest is empty
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Schedule(String address, String availabilityView, List<Item> items, WorkingHours workingHours, Error error) {
    }

    /** A busy (or tentative, out of office, working elsewhere) block; subject and location only where the owner shares them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String status, String start, String end, String subject, String location, Boolean isPrivate) {
    }

    /** The owner's working hours, in the owner's own time zone. */
    public record WorkingHours(List<String> daysOfWeek, String startTime, String endTime, String timeZone) {
    }

    public record Error(String code, String message) {
    }

    /**
     * @param availabilityView per slot the least available status of all readable schedules (out of office,
     *                         busy, tentative, working elsewhere, free, in that order)
     * @param free             the periods in which every readable schedule is free (or working elsewhere)
     * @param unreadable       addresses left out of the merge because Graph returned an error for them
     */
    public record Merged(String availabilityView, List<Slot> free, List<String> unreadable) {
    }

    public record Slot(String start, String end) {
    }
}
