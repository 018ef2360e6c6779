package io.m365connector.connect;

import java.time.Instant;
import java.util.Optional;

/** Login sessions. {@link #update} is compare-and-swap on the version read, which is what makes a session one-time. */
public interface LoginSessionStore {
    LoginSession create(LoginSession session);

    Optional<LoginSession> find(String id);

    /** Saves a session read earlier; throws {@link io.m365connector.connection.ConcurrentUpdateException} if it changed meanwhile. */
    LoginSession update(LoginSession session);

    /** Removes sessions created on days before {@code cutoff}'s day (housekeeping); returns how many. */
    int deleteCreatedBefore(Instant cutoff);
}
