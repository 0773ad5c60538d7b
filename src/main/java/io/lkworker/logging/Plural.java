package io.lkworker.logging;

/** Counts in messages: {@code Plural.of(1, "running job", "running jobs")} is "1 running job". */
public final class Plural {

    private Plural() {
    }

    /** {@code n} followed by the singular when it is exactly 1, else by the plural. */
    public static String of(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }
}
