package io.lkworker.localserver;

import java.security.SecureRandom;

/**
 * LiveKit-shaped identifiers: a type prefix followed by 12 characters of the base57 alphabet
 * (digits and letters without the look-alikes 0, 1, I, O, l). Workers only ever compare these ids,
 * but keeping the real shape makes logs of the dev server read like logs of a real one.
 */
public final class Ids {

    public static final String WORKER = "AW_";
    public static final String JOB = "AJ_";
    public static final String DISPATCH = "AD_";
    public static final String ROOM = "RM_";
    public static final String PARTICIPANT = "PA_";
    public static final String NODE = "ND_";

    public static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    static final int RANDOM_LENGTH = 12;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String next(String prefix) {
        StringBuilder sb = new StringBuilder(prefix.length() + RANDOM_LENGTH).append(prefix);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
