package io.m365connector.credentials;

/**
 * Tokens of this app's user-assigned managed identity. The one place the connector asks for them to
 * sign in as its app registration (a federated identity credential): the token for the cloud's
 * token-exchange audience is the client assertion. Injected into the composition root, so tests can
 * put the production implementation in front of a fake identity endpoint, or replace it.
 */
@FunctionalInterface
public interface ManagedIdentityTokens {
    /**
     * A token of the user-assigned identity {@code clientId} whose {@code aud} is {@code audience}
     * (for example {@code api://AzureADTokenExchange}); never logged.
     *
     * @throws AssertionUnavailableException when the identity endpoint cannot issue it
     */
    String token(String clientId, String audience);
}
