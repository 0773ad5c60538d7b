package io.lkworker.runner;

import io.lkworker.api.JobProcess;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link JobProcess} handed to prewarm and, later, to the job running in the same process. */
public final class SimpleJobProcess implements JobProcess {

    private final long pid;
    private final Map<String, Object> userdata = new ConcurrentHashMap<>();

    public SimpleJobProcess(long pid) {
        this.pid = pid;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public Map<String, Object> userdata() {
        return userdata;
    }
}
