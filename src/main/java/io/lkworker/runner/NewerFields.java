package io.lkworker.runner;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import livekit.LivekitAgent;

/**
 * Fields of LiveKit's agent protocol that are newer than the {@code .proto} files bundled in the
 * {@code io.livekit:livekit-server} SDK jar we compile from (the current ones: livekit/protocol
 * {@code protobufs/livekit_agent.proto}): the SDK's copy
 * predates them, so protobuf keeps them as unknown fields. Reading and writing them here, with the
 * field numbers of the current upstream protocol, keeps them on the wire without hand-copying the
 * message definitions. Replace with generated accessors once the SDK's protos catch up.
 *
 * <p>In {@code runner} because {@link JobInfos} reads a job's newer fields in the child JVM, which
 * depends on {@code api} and {@code ipc} only; the daemon uses it for its RegisterWorkerRequest.
 */
public final class NewerFields {

    /** {@code RegisterWorkerRequest.deployment} (string). */
    static final int REGISTER_DEPLOYMENT = 9;
    /** {@code Job.deployment} (string). */
    static final int JOB_DEPLOYMENT = 11;
    /** {@code Job.attributes} (map&lt;string,string&gt;). */
    static final int JOB_ATTRIBUTES = 12;

    private NewerFields() {
    }

    public static LivekitAgent.RegisterWorkerRequest.Builder setDeployment(
            LivekitAgent.RegisterWorkerRequest.Builder register, String deployment) {
        if (deployment != null && !deployment.isEmpty()) {
            register.setUnknownFields(withString(register.getUnknownFields(), REGISTER_DEPLOYMENT, deployment));
        }
        return register;
    }

    public static String deployment(LivekitAgent.RegisterWorkerRequest register) {
        return lastString(register.getUnknownFields(), REGISTER_DEPLOYMENT);
    }

    public static String deployment(LivekitAgent.Job job) {
        return lastString(job.getUnknownFields(), JOB_DEPLOYMENT);
    }

    public static LivekitAgent.Job.Builder setDeployment(LivekitAgent.Job.Builder job, String deployment) {
        if (deployment != null && !deployment.isEmpty()) {
            job.setUnknownFields(withString(job.getUnknownFields(), JOB_DEPLOYMENT, deployment));
        }
        return job;
    }

    public static Map<String, String> attributes(LivekitAgent.Job job) {
        Map<String, String> out = new LinkedHashMap<>();
        UnknownFieldSet.Field field = job.getUnknownFields().getField(JOB_ATTRIBUTES);
        for (ByteString entry : field.getLengthDelimitedList()) {
            readMapEntry(entry, out);
        }
        return out;
    }

    public static LivekitAgent.Job.Builder setAttributes(LivekitAgent.Job.Builder job, Map<String, String> attributes) {
        if (attributes.isEmpty()) {
            return job;
        }
        UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder();
        attributes.forEach((k, v) -> field.addLengthDelimited(mapEntry(k, v)));
        job.setUnknownFields(UnknownFieldSet.newBuilder(job.getUnknownFields())
                .addField(JOB_ATTRIBUTES, field.build()).build());
        return job;
    }

    private static UnknownFieldSet withString(UnknownFieldSet base, int number, String value) {
        return UnknownFieldSet.newBuilder(base)
                .addField(number, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFromUtf8(value)).build())
                .build();
    }

    private static String lastString(UnknownFieldSet set, int number) {
        var values = set.getField(number).getLengthDelimitedList();
        return values.isEmpty() ? "" : values.get(values.size() - 1).toStringUtf8();
    }

    private static ByteString mapEntry(String key, String value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeString(1, key);
            out.writeString(2, value);
            out.flush();
            return ByteString.copyFrom(bytes.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void readMapEntry(ByteString entry, Map<String, String> out) {
        try {
            CodedInputStream in = entry.newCodedInput();
            String key = "";
            String value = "";
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (tag >>> 3) {
                    case 1 -> key = in.readString();
                    case 2 -> value = in.readString();
                    default -> in.skipField(tag);
                }
            }
            out.put(key, value);
        } catch (IOException e) {
            // a malformed entry is dropped rather than failing the whole job
        }
    }
}
