package io.m365connector.cloud;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The Microsoft 365 clouds a connection can live in: where users sign in (authority) and where
 * Microsoft Graph answers for them. GCC (moderate) tenants use {@link #GLOBAL}.
 *
 * <p>Pure data: one row per cloud, no I/O. The Azure cloud that hosts this app (Key Vault, Storage)
 * is a separate choice, see {@link HostingCloud}.
 */
public enum NationalCloud {
    // Token-exchange audiences: Microsoft Entra, "Configure an application to trust a managed identity"
    // (audiences per cloud: global service, US Government, China operated by 21Vianet).
    GLOBAL("global", "login.microsoftonline.com", "graph.microsoft.com", List.of("graph.microsoft.com"),
            HostingCloud.GLOBAL, "api://AzureADTokenExchange"),
    // One Entra ID serves L4 and L5: its token responses may name either Graph host for users of both.
    USGOV("usgov", "login.microsoftonline.us", "graph.microsoft.us", List.of("graph.microsoft.us", "dod-graph.microsoft.us"),
            HostingCloud.USGOV, "api://AzureADTokenExchangeUSGov"),
    USGOVDOD("usgovdod", "login.microsoftonline.us", "dod-graph.microsoft.us", List.of("dod-graph.microsoft.us", "graph.microsoft.us"),
            HostingCloud.USGOV, "api://AzureADTokenExchangeUSGov"),
    // 21Vianet answers at both names; login.chinacloudapi.cn is the older alias.
    CHINA("china", "login.partner.microsoftonline.cn", "microsoftgraph.chinacloudapi.cn", List.of("microsoftgraph.chinacloudapi.cn"),
            HostingCloud.CHINA, "api://AzureADTokenExchangeChina", "login.chinacloudapi.cn");

    /** Microsoft Graph's application id, the same in every cloud; scopes may also be qualified with it. */
    public static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

    private final String id;
    private final String authorityHost;
    private final String graphHost;
    private final List<String> issuerHosts;
    private final List<String> graphResourceHosts;
    private final HostingCloud azureCloud;
    private final String tokenExchangeAudience;

    NationalCloud(String id, String authorityHost, String graphHost, List<String> graphResourceHosts, HostingCloud azureCloud,
                  String tokenExchangeAudience, String... authorityAliases) {
        this.id = id;
        this.azureCloud = azureCloud;
        this.tokenExchangeAudience = tokenExchangeAudience;
        this.authorityHost = authorityHost;
        this.graphHost = graphHost;
        this.graphResourceHosts = graphResourceHosts;
        List<String> hosts = new ArrayList<>();
        hosts.add(authorityHost);
        hosts.addAll(List.of(authorityAliases));
        this.issuerHosts = List.copyOf(hosts);
    }

    /** The name used in settings, API bodies and storage: {@code global}, {@code usgov}, {@code usgovdod}, {@code china}. */
    public String id() {
        return id;
    }

    public String authorityHost() {
        return authorityHost;
    }

    public String graphHost() {
        return graphHost;
    }

    /**
     * Every Graph host that this cloud's Entra ID may name in a fully qualified scope of a token it
     * issues for Graph (reading granted scopes); requests still go to {@link #graphHost()} only.
     */
    public List<String> graphResourceHosts() {
        return graphResourceHosts;
    }

    /** Authority URL for a tenant (a GUID, a domain, {@code organizations} or {@code common}), with trailing slash as MSAL expects. */
    public String authorityUrl(String tenant) {
        return "https://" + authorityHost + "/" + tenant + "/";
    }

    /** Graph v1.0 base URL, for example {@code https://graph.microsoft.us/v1.0}. */
    public String graphBaseUrl() {
        return "https://" + graphHost + "/v1.0";
    }

    /** The issuer of v2.0 ID tokens this app asks for, for a tenant in this cloud. */
    public String idTokenIssuer(String tenantId) {
        return "https://" + authorityHost + "/" + tenantId + "/v2.0";
    }

    /** Every issuer an ID token of this cloud may carry for a tenant (the primary host and its aliases). */
    public Set<String> acceptedIdTokenIssuers(String tenantId) {
        Set<String> issuers = new LinkedHashSet<>();
        for (String host : issuerHosts) {
            issuers.add("https://" + host + "/" + tenantId + "/v2.0");
        }
        return Set.copyOf(issuers);
    }

    /**
     * The Azure cloud whose Entra ID this cloud's app registrations live in. A managed identity can be a
     * federated credential of a registration only in the same cloud ("Accessing resources in another
     * cloud is not supported"): an app hosted in another cloud must use a secret or certificate here.
     */
    public HostingCloud azureCloud() {
        return azureCloud;
    }

    /** The {@code aud} a managed identity's token must carry to be exchanged for this cloud's app token. */
    public String tokenExchangeAudience() {
        return tokenExchangeAudience;
    }

    /** The {@code .default} scope of the Graph resource of this cloud, for an app-only (client credentials) token. */
    public String graphDefaultScope() {
        return "https://" + graphHost + "/.default";
    }

    /**
     * Short scope names ({@code Mail.Send}) work in every cloud; fully qualified ones must name this
     * cloud's Graph host, or the token would be for another cloud's resource.
     */
    public String fullyQualifiedScope(String shortScope) {
        return "https://" + graphHost + "/" + shortScope;
    }

    public static Optional<NationalCloud> fromId(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(c -> c.id.equals(wanted)).findFirst();
    }

    public static String allowedIds() {
        return String.join(" | ", Arrays.stream(values()).map(NationalCloud::id).toList());
    }
}
