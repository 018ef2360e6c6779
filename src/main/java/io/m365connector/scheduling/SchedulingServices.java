package io.m365connector.scheduling;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.graph.GraphAccess;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/** The rooms and availability services. */
public final class SchedulingServices {
    private final RoomService rooms;
    private final AvailabilityService availability;
    private final MeetingTimeService meetingTimes;

    /** @param cloudOf the cloud of a connection (read from its row), used only to explain a refusal */
    public SchedulingServices(GraphAccess graph, Function<String, Optional<NationalCloud>> cloudOf, Clock clock) {
        this.rooms = new RoomService(graph, cloudOf);
        this.availability = new AvailabilityService(graph);
        this.meetingTimes = new MeetingTimeService(graph, clock);
    }

    public RoomService rooms() {
        return rooms;
    }

    public AvailabilityService availability() {
        return availability;
    }

    public MeetingTimeService meetingTimes() {
        return meetingTimes;
    }
}
