package io.lkworker.pool.agents;

import com.google.gson.Gson;
import com.google.protobuf.Value;
import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent that brings its own Gson and protobuf (older than the runner's) through its jar's
 * manifest Class-Path, uses them, and reports which jars they came from.
 */
public final class BundledLibsAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(BundledLibsAgent.class);

    @Override
    public void entrypoint(JobContext ctx) {
        String json = new Gson().toJson(Map.of("k", "v"));
        byte[] proto = Value.newBuilder().setStringValue("hello").build().toByteArray();
        log.info("bundled gson={} protobuf={} json={} protoBytes={}",
                source(Gson.class), source(Value.class), json, proto.length);
    }

    private static String source(Class<?> type) {
        String location = type.getProtectionDomain().getCodeSource().getLocation().getPath();
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
