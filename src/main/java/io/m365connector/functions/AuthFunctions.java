package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.m365connector.connect.CallbackOutcome;
import io.m365connector.connect.CallbackParams;
import io.m365connector.connect.LoginStart;
import io.m365connector.connect.ResultPage;
import io.m365connector.connect.ReturnUrls;
import io.m365connector.connect.SignInFailure;
import io.m365connector.connect.SignInFlow;
import io.m365connector.platform.BadRequestLog;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.StorageUnavailableException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The browser routes of connecting (anonymous): the login link, Microsoft's callback and the
 * admin-consent link. Failures are HTML pages with guidance, never JSON.
 */
public final class AuthFunctions {
    private static final int COOKIE_MAX_AGE_SECONDS = 3600;

    private final Supplier<SignInFlow> flow;
    private final BadRequestLog badRequests;

    public AuthFunctions(Supplier<SignInFlow> flow, BadRequestLog badRequests) {
        this.flow = flow;
        this.badRequests = badRequests;
    }

    @FunctionName("authLogin")
    public HttpResponseMessage login(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "auth/login/{session}", authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("session") String session,
            ExecutionContext context) {
        return page(request, "auth/login", () -> {
            LoginStart start = flow.get().beginLogin(session, HttpRequests.cookie(request, SignInFlow.BROWSER_COOKIE));
            return HttpResponses.redirect(request, start.redirectUrl(), browserCookie(start.browserCookie()));
        });
    }

    @FunctionName("authCallback")
    public HttpResponseMessage callback(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET, HttpMethod.POST}, route = "auth/callback", authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return page(request, "auth/callback", () -> {
            CallbackOutcome outcome = flow.get().complete(CallbackParams.from(HttpRequests.queryAndForm(request)),
                    HttpRequests.cookie(request, SignInFlow.BROWSER_COOKIE));
            if (outcome instanceof CallbackOutcome.AdminConsented) {
                return HttpResponses.html(request, 200, ResultPage.adminConsented());
            }
            CallbackOutcome.Connected connected = (CallbackOutcome.Connected) outcome;
            boolean partial = !connected.missingScopes().isEmpty();
            if (connected.returnUrl() != null && !partial) {
                return HttpResponses.redirect(request, ReturnUrls.with(connected.returnUrl(), ordered(
                        "connection_id", connected.connectionId(), "status", connected.status().id(), "completion", connected.completion())), null);
            }
            if (partial) {
                String back = connected.returnUrl() == null ? null : ReturnUrls.with(connected.returnUrl(), ordered(
                        "connection_id", connected.connectionId(), "status", connected.status().id(),
                        "error", ProblemCode.MISSING_PERMISSIONS.code(), "completion", connected.completion()));
                return HttpResponses.html(request, 200, ResultPage.failed(ProblemCode.MISSING_PERMISSIONS,
                        "Connected, but these permissions were not granted: " + String.join(", ", connected.missingScopes()) + ".",
                        connected.adminConsentUrl(), back));
            }
            return HttpResponses.html(request, 200, ResultPage.connected(connected.connectionId()));
        });
    }

    @FunctionName("authAdminConsent")
    public HttpResponseMessage adminConsent(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "auth/adminconsent/{session}", authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("session") String session,
            ExecutionContext context) {
        return page(request, "auth/adminconsent", () -> {
            LoginStart start = flow.get().beginAdminConsent(session, HttpRequests.cookie(request, SignInFlow.BROWSER_COOKIE));
            return HttpResponses.redirect(request, start.redirectUrl(), browserCookie(start.browserCookie()));
        });
    }

    /** Runs a browser route's handler: its answer, or the failure page for whatever it threw. */
    private HttpResponseMessage page(HttpRequestMessage<?> request, String route, Supplier<HttpResponseMessage> handler) {
        try {
            return handler.get();
        } catch (RuntimeException e) {
            return failurePage(request, e, route);
        }
    }

    private HttpResponseMessage failurePage(HttpRequestMessage<?> request, RuntimeException e, String route) {
        SignInFailure failure = SignInFailure.of(e, null, null); // a failure before the session was used has no way back
        if (failure.code().httpStatus() < 500 && failure.returnUrl() == null) {
            badRequests.refused(route, failure.code(), failure.detail()); // anyone can send these: counted, details at FINE
        }
        String back = failure.returnUrl() == null ? null : ReturnUrls.with(failure.returnUrl(), ordered(
                "connection_id", failure.connectionId(), "error", failure.code().code()));
        String page = ResultPage.failed(failure.code(), failure.detail(), failure.adminConsentUrl(), back);
        return failure.getCause() instanceof StorageUnavailableException
                ? HttpResponses.html(request, failure.code().httpStatus(), page, StorageUnavailableException.RETRY_AFTER_SECONDS)
                : HttpResponses.html(request, failure.code().httpStatus(), page);
    }

    private static String browserCookie(String value) {
        return SignInFlow.BROWSER_COOKIE + "=" + value + "; Path=/; Max-Age=" + COOKIE_MAX_AGE_SECONDS
                + "; Secure; HttpOnly; SameSite=Lax";
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
