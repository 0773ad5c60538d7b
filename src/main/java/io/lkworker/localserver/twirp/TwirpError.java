package io.lkworker.localserver.twirp;

/** A Twirp error: code string, HTTP status and message, answered as Twirp's JSON error body. */
final class TwirpError extends Exception {

    final String code;
    final int status;

    TwirpError(String code, int status, String msg) {
        super(msg);
        this.code = code;
        this.status = status;
    }

    static TwirpError badRoute(String msg) {
        return new TwirpError("bad_route", 404, msg);
    }
}
