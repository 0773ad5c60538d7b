package io.lkworker.dev;

import java.security.SecureRandom;

/**
 * LiveKit-shaped identifiers: a type prefix followed by 12 characters of the base57 alphabet
 * (digits and letters without the look-alikes 0, 1, I, O, l). Workers only ever compare these ids,
 * but keeping the real shape makes logs of the dev server read like logs of a real one.
 */
final class Ids {

    static final String WORKER = "AW_";
    static final String JOB = "AJ_";
    static final String DISPATCH = "AD_";
    static final String ROOM = "RM_";
    static final String PARTICIPANT = "PA_";
    static final String NODE = "ND_";

    static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    static final int RANDOM_LENGTH = 12;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    static String next(String prefix) {
        StringBuilder sb = new StringBuilder(prefix.length() + RANDOM_LENGTH).append(prefix);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
