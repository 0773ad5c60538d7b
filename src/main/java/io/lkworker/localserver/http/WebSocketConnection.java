package io.lkworker.localserver.http;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one RFC 6455 connection after the 101 answer: frame parsing (masked client
 * frames, fragmentation, control frames) and unmasked server frames.
 *
 * <p>Threads: exactly one thread reads (the connection's own thread, through {@link #read()});
 * any thread may write, and writes are serialised on {@code writeLock} so frames never interleave.
 * {@link #abort()} does not take the lock: closing the socket is what unblocks a stuck writer.
 */
public final class WebSocketConnection {

    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    /** One complete data message (all fragments joined). */
    public record Message(boolean text, byte[] payload) {
    }

    /** A frame that breaks RFC 6455 or our limits; the connection is dropped without a close frame. */
    public static final class ProtocolViolation extends IOException {
        public ProtocolViolation(String message) {
            super(message);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int maxMessageBytes;
    private final String name;
    private final Object writeLock = new Object();
    private volatile boolean closeSent;
    private volatile boolean aborted;

    WebSocketConnection(Socket socket, InputStream in, OutputStream out, int maxMessageBytes, String name) {
        this.socket = socket;
        this.in = new DataInputStream(in);
        this.out = out;
        this.maxMessageBytes = maxMessageBytes;
        this.name = name;
    }

    /**
     * Answers {@code exchange} with 101 for the client's (already validated) {@code Sec-WebSocket-Key}
     * and takes its connection over. Reads have no timeout from then on: the endpoint enforces its
     * own deadlines.
     *
     * @param name used in log lines
     */
    public static WebSocketConnection accept(HttpExchange exchange, String clientKey, int maxMessageBytes, String name)
            throws IOException {
        HttpResponses.switchingProtocols(exchange.out(), acceptKey(clientKey));
        exchange.socket().setSoTimeout(0);
        return new WebSocketConnection(exchange.socket(), exchange.in(), exchange.out(), maxMessageBytes, name);
    }

    /** {@code Sec-WebSocket-Accept} for a client's {@code Sec-WebSocket-Key}. */
    static String acceptKey(String clientKey) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((clientKey + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }

    /**
     * Blocks for the next data message. Pings are answered and pongs dropped on the way. Returns
     * null once the peer sent a close frame (which has then been echoed if we had not sent one).
     *
     * @throws ProtocolViolation for malformed frames and messages over the size limit
     * @throws IOException when the socket fails or is closed
     */
    public Message read() throws IOException {
        ByteArrayOutputStream partial = null;
        boolean partialText = false;
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            if ((b0 & 0x70) != 0) {
                throw new ProtocolViolation("reserved bits set without a negotiated extension");
            }
            if ((b1 & 0x80) == 0) {
                throw new ProtocolViolation("unmasked client frame");
            }
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
                if (length < 0) {
                    throw new ProtocolViolation("negative frame length");
                }
            }
            boolean control = opcode >= 0x8;
            if (control && (!fin || length > 125)) {
                throw new ProtocolViolation("fragmented or oversized control frame");
            }
            long soFar = partial == null ? 0 : partial.size();
            if (soFar + length > maxMessageBytes) {
                throw new ProtocolViolation("message larger than " + maxMessageBytes + " bytes");
            }
            byte[] mask = new byte[4];
            in.readFully(mask);
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
            switch (opcode) {
                case OP_TEXT, OP_BINARY -> {
                    if (partial != null) {
                        throw new ProtocolViolation("new data frame inside a fragmented message");
                    }
                    if (fin) {
                        return new Message(opcode == OP_TEXT, payload);
                    }
                    partial = new ByteArrayOutputStream();
                    partial.write(payload);
                    partialText = opcode == OP_TEXT;
                }
                case OP_CONTINUATION -> {
                    if (partial == null) {
                        throw new ProtocolViolation("continuation frame without a message");
                    }
                    partial.write(payload);
                    if (fin) {
                        return new Message(partialText, partial.toByteArray());
                    }
                }
                case OP_PING -> writeFrame(OP_PONG, payload);
                case OP_PONG -> log.trace("{}: pong received", name);
                case OP_CLOSE -> {
                    onCloseFrame(payload);
                    return null;
                }
                default -> throw new ProtocolViolation("unknown opcode " + opcode);
            }
        }
    }

    private void onCloseFrame(byte[] payload) {
        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        log.debug("{}: close frame received (code {})", name, code);
        if (!closeSent) {
            // Echo the status code, as RFC 6455 §5.5.1 asks; the caller then closes the socket.
            byte[] echo = payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0];
            try {
                sendClose(echo);
            } catch (IOException e) {
                log.debug("{}: could not echo the close frame: {}", name, e.getMessage());
            }
        }
    }

    public void sendBinary(byte[] payload) throws IOException {
        sendData(OP_BINARY, payload);
    }

    public void sendText(String text) throws IOException {
        sendData(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** An empty ping control frame, like the real server's keep-alive ping. */
    public void sendPing() throws IOException {
        writeFrame(OP_PING, new byte[0]);
    }

    /** Starts the closing handshake; the peer's echo then ends {@link #read()}. */
    public void sendClose(int code) throws IOException {
        sendClose(new byte[] {(byte) (code >> 8), (byte) code});
    }

    private void sendClose(byte[] payload) throws IOException {
        synchronized (writeLock) {
            if (closeSent) {
                return;
            }
            closeSent = true;
            writeFrameLocked(OP_CLOSE, payload);
        }
    }

    private void sendData(int opcode, byte[] payload) throws IOException {
        synchronized (writeLock) {
            if (closeSent) {
                throw new IOException("close frame already sent");
            }
            writeFrameLocked(opcode, payload);
        }
    }

    private void writeFrame(int opcode, byte[] payload) throws IOException {
        synchronized (writeLock) {
            writeFrameLocked(opcode, payload);
        }
    }

    private void writeFrameLocked(int opcode, byte[] payload) throws IOException {
        if (aborted) {
            throw new IOException("connection aborted");
        }
        int len = payload.length;
        ByteBuffer header = ByteBuffer.allocate(10);
        header.put((byte) (0x80 | opcode));
        if (len < 126) {
            header.put((byte) len);
        } else if (len <= 0xFFFF) {
            header.put((byte) 126).putShort((short) len);
        } else {
            header.put((byte) 127).putLong(len);
        }
        out.write(header.array(), 0, header.position());
        out.write(payload);
        out.flush();
    }

    public boolean closeSent() {
        return closeSent;
    }

    public boolean isOpen() {
        return !aborted && !socket.isClosed();
    }

    /** Plain TCP close without a close frame, as LiveKit does on every server-initiated close. */
    public void abort() {
        aborted = true;
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("{}: error closing socket: {}", name, e.getMessage());
        }
    }
}
