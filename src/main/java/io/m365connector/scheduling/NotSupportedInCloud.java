package io.m365connector.scheduling;

import com.microsoft.graph.models.odataerrors.ODataError;
import io.m365connector.cloud.GraphCapability;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.util.Map;

/** Microsoft Graph does not serve an API in the connection's cloud: the detail names the cloud, the page that says so, and what to do instead. */
final class NotSupportedInCloud extends ConnectorException implements Problem.ProblemExtensions {
    private final NationalCloud cloud;
    private final boolean pathUnknown;

    NotSupportedInCloud(GraphCapability api, NationalCloud cloud, String connectionId, String alternative) {
        this(api, cloud, connectionId, alternative, true);
    }

    /** @param pathUnknown Graph said it does not know the path (true), or refused in a way that may be about this request only */
    NotSupportedInCloud(GraphCapability api, NationalCloud cloud, String connectionId, String alternative, boolean pathUnknown) {
        super(ProblemCode.NOT_SUPPORTED_IN_CLOUD, "Microsoft Graph in the " + cloud.id() + " cloud does not serve " + api.page()
                + " (see " + api.url() + "). " + alternative, connectionId, null);
        this.cloud = cloud;
        this.pathUnknown = pathUnknown;
    }

    NationalCloud cloud() {
        return cloud;
    }

    /** Whether Graph answered that it does not know the path: the cloud does not serve it, for every connection. */
    boolean pathUnknown() {
        return pathUnknown;
    }

    /**
     * Graph's answer for a path it does not have in this cloud: 400 BadRequest "Resource not found for the segment 'places'"
     * (21Vianet, microsoft-graph-docs-contrib issue 4744): how an API whose pages disagree shows it is not served.
     */
    static boolean isSegmentRefusal(ODataError e) {
        String message = e.getError() == null ? null : e.getError().getMessage();
        return e.getResponseStatusCode() == 400 && message != null && message.startsWith("Resource not found for the segment");
    }

    /**
     * Whether Graph refused a call as one it does not serve in {@code cloud}: the segment refusal anywhere; where Microsoft's
     * pages disagree whether the cloud has it (no report shows the refusal's form there), also a 404 or a 501.
     */
    static boolean notServed(ODataError e, GraphCapability capability, NationalCloud cloud) {
        int status = e.getResponseStatusCode();
        return isSegmentRefusal(e) || (capability.in(cloud) == GraphCapability.Support.UNCERTAIN && (status == 404 || status == 501));
    }

    @Override
    public Map<String, Object> problemExtensions() {
        return Map.of("cloud", cloud.id());
    }
}
