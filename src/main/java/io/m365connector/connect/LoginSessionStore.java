package io.m365connector.connect;

import io.m365connector.platform.ExpiringRecords;
import java.util.Optional;

/** Login sessions. {@link #update} is compare-and-swap on the version read, which is what makes a session one-time. */
public interface LoginSessionStore extends ExpiringRecords {
    LoginSession create(LoginSession session);

    Optional<LoginSession> find(String id);

    /** Saves a session read earlier; throws {@link io.m365connector.connection.ConcurrentUpdateException} if it changed meanwhile. */
    LoginSession update(LoginSession session);

}
