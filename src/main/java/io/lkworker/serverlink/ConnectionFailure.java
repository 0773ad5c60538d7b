package io.lkworker.serverlink;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a connection attempt failed or a connection ended, in words an operator can act on.
 *
 * @param kind what kind of failure
 * @param httpStatus the HTTP status of a refused upgrade, else 0
 * @param detail one line: what happened
 */
public record ConnectionFailure(Kind kind, int httpStatus, String detail) {

    public enum Kind { REFUSED, DNS, UNREACHABLE, TIMEOUT, HTTP_STATUS, CLOSED, PROTOCOL, OTHER }

    private static final Pattern STATUS = Pattern.compile("Invalid status code received: (\\d{3})");

    public static ConnectionFailure fromException(Throwable e, String hostPort) {
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof ConnectException) && !(t instanceof UnknownHostException)) {
            t = t.getCause();
        }
        if (t instanceof ConnectException) {
            return new ConnectionFailure(Kind.REFUSED, 0, "connection refused by " + hostPort
                    + " (is the LiveKit server running and the URL right?)");
        }
        if (t instanceof UnknownHostException) {
            return new ConnectionFailure(Kind.DNS, 0, "cannot resolve host " + t.getMessage() + " (DNS)");
        }
        if (t instanceof NoRouteToHostException) {
            return new ConnectionFailure(Kind.UNREACHABLE, 0, "no route to " + hostPort);
        }
        if (t instanceof SocketTimeoutException) {
            return new ConnectionFailure(Kind.TIMEOUT, 0, "timed out connecting to " + hostPort);
        }
        return new ConnectionFailure(Kind.OTHER, 0, t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }

    /** Interprets Java-WebSocket's close callback; a refused upgrade carries the HTTP status in its text. */
    public static ConnectionFailure fromClose(int code, String reason, boolean wasOpen) {
        Matcher m = STATUS.matcher(reason == null ? "" : reason);
        if (m.find()) {
            int status = Integer.parseInt(m.group(1));
            return new ConnectionFailure(Kind.HTTP_STATUS, status, "server refused the connection with HTTP " + status);
        }
        if (!wasOpen) {
            return new ConnectionFailure(Kind.PROTOCOL, 0, "WebSocket handshake failed (" + code + " " + reason + ")");
        }
        String how = code == 1006 || code == -1 ? "abruptly" : "with code " + code + (reason.isEmpty() ? "" : " " + reason);
        return new ConnectionFailure(Kind.CLOSED, 0, "server closed the connection " + how);
    }

    /** The server refused our credentials (401): retrying with the same ones cannot help. */
    public boolean isCredentialsRejected() {
        return kind == Kind.HTTP_STATUS && httpStatus == 401;
    }

    public ConnectionFailure withDetail(String more) {
        return new ConnectionFailure(kind, httpStatus, detail + ": " + more);
    }

    @Override
    public String toString() {
        return detail;
    }
}
