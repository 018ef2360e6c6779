package io.m365connector.connect;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Feature;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The URLs the browser is sent to at Microsoft, per cloud. Built here rather than with MSAL's
 * helpers: MSAL 1.26 silently turns response_mode=query into form_post (a cross-site POST that does
 * not carry the SameSite=Lax browser-binding cookie), and its admin-consent URL is hard-coded to the
 * global host.
 */
final class AuthorizeUrls {
    private AuthorizeUrls() {
    }

    /** What a sign-in request carries besides the session: the one-time values of this attempt. */
    record Attempt(String clientId, String redirectUri, String state, String nonce, String codeChallenge) {
        @Override
        public String toString() {
            return "Attempt[clientId=" + clientId + "]";
        }
    }

    /** The authorize endpoint for a user's sign-in: code flow with PKCE, answer as a query string. */
    static String signIn(LoginSession session, Attempt attempt) {
        NationalCloud cloud = session.cloud();
        Set<String> scopes = new LinkedHashSet<>(Feature.SIGN_IN_SCOPES);
        scopes.addAll(Feature.scopesOf(session.features()));
        StringBuilder url = new StringBuilder("https://").append(cloud.authorityHost()).append('/')
                .append(encode(session.tenant())).append("/oauth2/v2.0/authorize")
                .append("?client_id=").append(encode(attempt.clientId()))
                .append("&response_type=code")
                .append("&redirect_uri=").append(encode(attempt.redirectUri()))
                .append("&response_mode=query")
                .append("&scope=").append(encode(String.join(" ", scopes)))
                .append("&state=").append(encode(attempt.state()))
                .append("&nonce=").append(encode(attempt.nonce()))
                .append("&code_challenge=").append(encode(attempt.codeChallenge()))
                .append("&code_challenge_method=S256");
        if (session.loginHint() != null) {
            url.append("&login_hint=").append(encode(session.loginHint()));
        } else {
            // Without a prompt Microsoft signs in the sole account the browser is signed in to, without a page: a user whose
            // browser holds another work account would connect that one unawares (Learn, authorization code flow: prompt).
            url.append("&prompt=select_account");
        }
        if (session.domainHint() != null) {
            url.append("&domain_hint=").append(encode(session.domainHint()));
        }
        return url.toString();
    }

    /**
     * The admin-consent endpoint of the session's cloud, for what every sign-in asks for (openid, profile, offline_access:
     * Graph permissions with a consent of their own, Learn's scopes-oidc; the endpoint's scope "can include the OIDC
     * scopes", Learn's v2-admin-consent) and the features' permissions qualified with that cloud's Graph. Without the first
     * three, a tenant whose users may not consent kept blocking its users after the administrator approved.
     */
    static String adminConsent(LoginSession session, String clientId, String redirectUri, String state) {
        NationalCloud cloud = session.cloud();
        String scopes = Stream.concat(Feature.SIGN_IN_SCOPES.stream(),
                Feature.scopesOf(session.features()).stream().map(cloud::fullyQualifiedScope)).collect(Collectors.joining(" "));
        return "https://" + cloud.authorityHost() + "/" + encode(session.tenant()) + "/v2.0/adminconsent"
                + "?client_id=" + encode(clientId)
                + "&scope=" + encode(scopes)
                + "&redirect_uri=" + encode(redirectUri)
                + "&state=" + encode(state);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
