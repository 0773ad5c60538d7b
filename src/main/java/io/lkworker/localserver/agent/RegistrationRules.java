package io.lkworker.localserver.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.RegisterWorkerRequest;

/**
 * The only two checks the real server makes on a RegisterWorkerRequest (livekit/livekit
 * {@code pkg/agent/worker.go} {@code WorkerRegisterer.HandleRegister}): a defined
 * job type and a valid deployment. Nothing else (protocol, agent name, version) is validated.
 */
final class RegistrationRules {

    private static final int DEPLOYMENT_FIELD_NUMBER = 9;
    private static final int MAX_DEPLOYMENT_BYTES = 64;

    private RegistrationRules() {
    }

    /** Why the request must be refused (with an abrupt close), or null when it is acceptable. */
    static String problem(RegisterWorkerRequest req) {
        if (JobType.forNumber(req.getTypeValue()) == null) {
            return "unknown job type " + req.getTypeValue();
        }
        String deploymentProblem = deploymentProblem(deploymentOf(req));
        return deploymentProblem == null ? null : "invalid deployment: " + deploymentProblem;
    }

    /** Field 9 is newer than the compiled proto snapshot; read it by name if known, else from unknown fields. */
    static String deploymentOf(RegisterWorkerRequest req) {
        FieldDescriptor known = RegisterWorkerRequest.getDescriptor().findFieldByName("deployment");
        if (known != null) {
            return (String) req.getField(known);
        }
        List<ByteString> values = req.getUnknownFields().getField(DEPLOYMENT_FIELD_NUMBER).getLengthDelimitedList();
        return values.isEmpty() ? "" : values.get(values.size() - 1).toStringUtf8();
    }

    /** LiveKit's ValidateDeployment: ≤ 64 bytes, no '_', no control or space byte. Null when valid. */
    static String deploymentProblem(String deployment) {
        byte[] bytes = deployment.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_DEPLOYMENT_BYTES) {
            return "longer than " + MAX_DEPLOYMENT_BYTES + " bytes";
        }
        for (byte b : bytes) {
            if (b == '_' || (b >= 0 && b <= 0x20) || b == 0x7f) {
                return "forbidden character";
            }
        }
        return null;
    }
}
