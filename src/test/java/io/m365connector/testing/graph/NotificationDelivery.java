package io.m365connector.testing.graph;

import java.time.Duration;
import java.time.Instant;

/**
 * One POST the fake Graph made to a {@link NotificationEndpoint}, for assertions.
 *
 * @param at when it was made (fake's clock)
 * @param kind {@code validation}, {@code change} or {@code lifecycle}
 * @param subscriptionId the subscription it was for (null for the validation of one not yet created)
 * @param status the endpoint's HTTP status, 0 when it threw
 * @param elapsed how long the answer took (longer of fake clock and wall clock)
 * @param accepted whether Graph counts it delivered (validation passed; 2xx in time)
 */
public record NotificationDelivery(Instant at, String kind, String subscriptionId, String url, String contentType, String body,
                                   int status, Duration elapsed, boolean accepted) {
}
