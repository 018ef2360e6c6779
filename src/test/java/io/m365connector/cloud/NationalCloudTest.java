package io.m365connector.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NationalCloudTest {
    @ParameterizedTest
    @CsvSource({
        "global,   login.microsoftonline.com,        https://graph.microsoft.com/v1.0",
        "usgov,    login.microsoftonline.us,         https://graph.microsoft.us/v1.0",
        "usgovdod, login.microsoftonline.us,         https://dod-graph.microsoft.us/v1.0",
        "china,    login.partner.microsoftonline.cn, https://microsoftgraph.chinacloudapi.cn/v1.0"
    })
    void whenCloudIsNamedThenHostsMatchTheDesignTable(String id, String authority, String graph) {
        NationalCloud cloud = NationalCloud.fromId(id).orElseThrow();
        assertEquals(authority, cloud.authorityHost());
        assertEquals(graph, cloud.graphBaseUrl());
        assertEquals("https://" + authority + "/contoso.onmicrosoft.com/", cloud.authorityUrl("contoso.onmicrosoft.com"));
    }

    @Test
    void whenScopeIsFullyQualifiedThenItNamesTheCloudsGraphHost() {
        assertEquals("https://dod-graph.microsoft.us/Mail.Send", NationalCloud.USGOVDOD.fullyQualifiedScope("Mail.Send"));
        assertEquals("https://microsoftgraph.chinacloudapi.cn/.default", NationalCloud.CHINA.fullyQualifiedScope(".default"));
    }

    @Test
    void whenChinaIssuesIdTokensThenBothAuthorityNamesAreAccepted() {
        assertEquals(Set.of("https://login.partner.microsoftonline.cn/t1/v2.0", "https://login.chinacloudapi.cn/t1/v2.0"),
                NationalCloud.CHINA.acceptedIdTokenIssuers("t1"));
        assertEquals(Set.of("https://login.microsoftonline.us/t1/v2.0"), NationalCloud.USGOV.acceptedIdTokenIssuers("t1"));
    }

    @Test
    void whenIdIsUnknownThenNoCloud() {
        assertEquals(Optional.empty(), NationalCloud.fromId("gcchigh"));
        assertTrue(NationalCloud.fromId(" USGOV ").isPresent());
    }

    @Test
    void whenHostingCloudIsNamedThenSuffixesMatchTheDesignTable() {
        assertEquals("vault.usgovcloudapi.net", HostingCloud.fromId("usgov").orElseThrow().keyVaultSuffix());
        assertEquals(HostingCloud.USGOV, HostingCloud.fromId("usgovdod").orElseThrow());
        assertEquals("https://acct.table.core.chinacloudapi.cn", HostingCloud.CHINA.tableEndpoint("acct"));
        assertEquals("vault.azure.net", HostingCloud.GLOBAL.keyVaultSuffix());
    }

    @ParameterizedTest
    @CsvSource({
        "global,   global, api://AzureADTokenExchange",
        "usgov,    usgov,  api://AzureADTokenExchangeUSGov",
        "usgovdod, usgov,  api://AzureADTokenExchangeUSGov",
        "china,    china,  api://AzureADTokenExchangeChina"
    })
    void whenAManagedIdentityIsAFederatedCredentialThenTheAudienceAndItsAzureCloudAreTheDocumentedOnes(String id, String azure,
                                                                                                       String audience) {
        NationalCloud cloud = NationalCloud.fromId(id).orElseThrow();
        assertEquals(HostingCloud.fromId(azure).orElseThrow(), cloud.azureCloud());
        assertEquals(audience, cloud.tokenExchangeAudience());
    }
}
