package io.lkworker.api.rtc;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An RPC call failed, as LiveKit's SDKs report it: a numeric {@link #code()}, a {@link #getMessage()
 * message} of at most {@value #MAX_MESSAGE_BYTES} UTF-8 bytes and optional {@link #data()} of at most
 * {@value #MAX_DATA_BYTES} bytes (longer ones are truncated).
 *
 * <p>Thrown by {@link LocalParticipant#performRpc} with the code of what went wrong, and thrown by an
 * {@link RpcHandler} to answer its caller with an error: code, message and data then arrive unchanged
 * at the caller, whatever SDK it uses. Codes 1001–1999 are reserved for the built-in errors below;
 * applications may use any other code.
 */
public class RpcError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public static final int MAX_MESSAGE_BYTES = 256;
    public static final int MAX_DATA_BYTES = 15360;

    /** The handler threw something other than an {@code RpcError}. */
    public static final int APPLICATION_ERROR = 1500;
    /** The recipient did not acknowledge the request in time (is not in the room, or is unreachable). */
    public static final int CONNECTION_TIMEOUT = 1501;
    /** The recipient acknowledged the request but did not answer within the response timeout. */
    public static final int RESPONSE_TIMEOUT = 1502;
    /** The recipient left the room before answering. */
    public static final int RECIPIENT_DISCONNECTED = 1503;
    /** The handler's answer was over {@value #MAX_PAYLOAD_BYTES} bytes. */
    public static final int RESPONSE_PAYLOAD_TOO_LARGE = 1504;
    /** The request could not be sent. */
    public static final int SEND_FAILED = 1505;
    /** The recipient has no handler registered for the method. */
    public static final int UNSUPPORTED_METHOD = 1400;
    /** The recipient is not in the room (reserved by LiveKit; its SDKs report CONNECTION_TIMEOUT instead). */
    public static final int RECIPIENT_NOT_FOUND = 1401;
    /** The request payload was over {@value #MAX_PAYLOAD_BYTES} bytes; it was not sent. */
    public static final int REQUEST_PAYLOAD_TOO_LARGE = 1402;
    /** The LiveKit server is older than 1.8.0, which does not forward RPC packets. */
    public static final int UNSUPPORTED_SERVER = 1403;
    /** The recipient does not speak the request's RPC protocol version. */
    public static final int UNSUPPORTED_VERSION = 1404;

    /** The largest request or response payload, in UTF-8 bytes (RPC protocol version 1). */
    public static final int MAX_PAYLOAD_BYTES = 15360;

    private final int code;
    private final String message;
    private final String data;

    /**
     * An error with the given code, message and optional data (null for none), each truncated to its
     * limit.
     */
    public RpcError(int code, String message, String data) {
        this(code, message, data, null);
    }

    public RpcError(int code, String message) {
        this(code, message, null, null);
    }

    public RpcError(int code, String message, String data, Throwable cause) {
        super(truncate(Objects.requireNonNull(message, "message"), MAX_MESSAGE_BYTES), cause);
        this.code = code;
        this.message = truncate(message, MAX_MESSAGE_BYTES);
        this.data = data == null || data.isEmpty() ? null : truncate(data, MAX_DATA_BYTES);
    }

    /** One of the built-in errors, with LiveKit's message for it, and optional data (null for none). */
    public static RpcError builtIn(int code, String data) {
        return new RpcError(code, builtInMessage(code), data);
    }

    public static RpcError builtIn(int code) {
        return builtIn(code, null);
    }

    /** LiveKit's message for a built-in code, or "RPC error CODE" for any other code. */
    public static String builtInMessage(int code) {
        return switch (code) {
            case APPLICATION_ERROR -> "Application error in method handler";
            case CONNECTION_TIMEOUT -> "Connection timeout";
            case RESPONSE_TIMEOUT -> "Response timeout";
            case RECIPIENT_DISCONNECTED -> "Recipient disconnected";
            case RESPONSE_PAYLOAD_TOO_LARGE -> "Response payload too large";
            case SEND_FAILED -> "Failed to send";
            case UNSUPPORTED_METHOD -> "Method not supported at destination";
            case RECIPIENT_NOT_FOUND -> "Recipient not found";
            case REQUEST_PAYLOAD_TOO_LARGE -> "Request payload too large";
            case UNSUPPORTED_SERVER -> "RPC not supported by server";
            case UNSUPPORTED_VERSION -> "Unsupported RPC version";
            default -> "RPC error " + code;
        };
    }

    public int code() {
        return code;
    }

    /** The message as sent over the wire (the same as {@link #getMessage()}). */
    public String message() {
        return message;
    }

    /** The data that came with the error, or null. */
    public String data() {
        return data;
    }

    @Override
    public String toString() {
        return "RpcError(" + code + ", " + message + (data == null ? "" : ", data=" + data) + ")";
    }

    /** {@code s} cut to at most {@code maxBytes} UTF-8 bytes, never inside a character. */
    static String truncate(String s, int maxBytes) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return s;
        }
        int used = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + n > maxBytes) {
                break;
            }
            used += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }
}
