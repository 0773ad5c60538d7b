package io.lkworker.api;

import java.util.Map;

/** The process (or, with the thread executor, the thread host) a job runs in. */
public interface JobProcess {

    /** OS process id of the job's process. */
    long pid();

    /** Mutable, thread-safe map that {@link Agent#prewarm} fills and the job reads. */
    Map<String, Object> userdata();
}
