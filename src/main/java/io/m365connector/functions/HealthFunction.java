package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.m365connector.health.HealthService;
import java.util.Optional;
import java.util.function.Supplier;

/** GET /api/health: readiness for load balancers and deployment checks. */
public final class HealthFunction {
    private final Supplier<HealthService> health;

    public HealthFunction(Supplier<HealthService> health) {
        this.health = health;
    }

    @FunctionName("health")
    public HttpResponseMessage run(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "health", authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            HealthService.Report report = health.get().check();
            return HttpResponses.json(request, report.healthy() ? 200 : 503, report);
        });
    }
}
