package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.m365connector.maintenance.WebhookReplay;
import java.util.Optional;
import java.util.function.Supplier;

/** An operator's routes: the Functions host's master key (admin level), never the web app's function key. */
public final class OperatorFunctions {
    private final Supplier<WebhookReplay> replay;

    public OperatorFunctions(Supplier<WebhookReplay> replay) {
        this.replay = replay;
    }

    /** POST /api/webhooks/replay: the webhook events given up on go out again (up to 1,000 per call). */
    @FunctionName("replayWebhooks")
    public HttpResponseMessage replayWebhooks(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "webhooks/replay", authLevel = AuthorizationLevel.ADMIN)
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> HttpResponses.json(request, 200, replay.get().replay(WebhookReplay.MOST_PER_CALL)));
    }
}
