package io.m365connector.testing.entra;

import io.m365connector.cloud.NationalCloud;

/** A work account in the fake directory: lives in one cloud and one tenant. */
public record FakeUser(NationalCloud cloud, String tenantId, String objectId, String userPrincipalName, String displayName) {
}
