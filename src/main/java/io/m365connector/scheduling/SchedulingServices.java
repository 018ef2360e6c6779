package io.m365connector.scheduling;

import io.m365connector.actions.graph.GraphGateway;
import io.m365connector.actions.graph.GraphRetry;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.tokens.TokenBroker;
import java.util.Optional;
import java.util.function.Function;

/** The rooms and availability services, built together because they share one choice of permissions per connection. */
public final class SchedulingServices {
    private final RoomService rooms;
    private final AvailabilityService availability;
    private final MeetingTimeService meetingTimes;

    /** @param cloudOf the cloud of a connection (read from its row), used only to explain a refusal */
    public SchedulingServices(GraphGateway graph, TokenBroker broker, GraphRetry retry, Function<String, Optional<NationalCloud>> cloudOf) {
        ScopeChoice scopes = new ScopeChoice(graph, broker);
        this.rooms = new RoomService(scopes, retry, cloudOf);
        this.availability = new AvailabilityService(scopes, retry);
        this.meetingTimes = new MeetingTimeService(scopes, retry);
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
