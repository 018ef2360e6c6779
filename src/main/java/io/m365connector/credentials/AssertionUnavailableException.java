package io.m365connector.credentials;

/**
 * The managed identity could not issue the client assertion (identity endpoint unreachable, identity
 * not assigned to the app, or refused). Carries no token; the message names the identity and why.
 */
public final class AssertionUnavailableException extends RuntimeException {
    public AssertionUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
