package io.lkworker.localserver.room;

import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;

/**
 * A LiveKit signalling client at the wire level, for protocol tests of the embedded server: a plain
 * socket, the HTTP upgrade, masked RFC 6455 frames carrying {@code SignalRequest}/{@code SignalResponse}
 * protobufs. It can stop reading (a client whose socket buffer fills), cut its TCP connection with a
 * reset (a network cut), or write raw frames as fast as it can (a flood). No WebRTC.
 */
final class RawSignalClient implements AutoCloseable {

    /** How the server answered the upgrade: 101 and a connected client, or a refusal with its body. */
    record Upgrade(int status, String body) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Upgrade upgrade;
    private final BlockingQueue<SignalResponse> inbox = new LinkedBlockingQueue<>();
    /** Everything received, in order (the inbox is consumed by {@link #next}). */
    final List<SignalResponse> received = new CopyOnWriteArrayList<>();
    private volatile boolean ended;
    private volatile java.util.function.Consumer<SignalResponse> listener = r -> { };
    private Thread reader;

    private RawSignalClient(Socket socket, Upgrade upgrade) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.upgrade = upgrade;
    }

    static String token(String room, String identity) {
        return AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room, identity,
                identity, System.currentTimeMillis(), Duration.ofMinutes(10));
    }

    /** Joins {@code room} as {@code identity} and starts reading. */
    static RawSignalClient join(int port, String room, String identity) throws IOException {
        return open(port, "/rtc?protocol=16&sdk=js&auto_subscribe=1&access_token=" + enc(token(room, identity)), true);
    }

    /** Asks to resume {@code identity}'s session ({@code reconnect=1}) and starts reading. */
    static RawSignalClient resume(int port, String room, String identity, String sid) throws IOException {
        return open(port, "/rtc?protocol=16&sdk=js&auto_subscribe=1&reconnect=1&reconnect_reason=1&sid=" + sid
                + "&access_token=" + enc(token(room, identity)), true);
    }

    /**
     * Opens {@code pathAndQuery} with a WebSocket upgrade; reads the answer head (and a refusal's body).
     * With {@code read}, a thread reads every frame that follows; without, nothing is ever read.
     */
    static RawSignalClient open(int port, String pathAndQuery, boolean read) throws IOException {
        return open(port, pathAndQuery, read, 0);
    }

    /** As {@link #open(int, String, boolean)}, with this TCP receive buffer (0: the system's). */
    static RawSignalClient open(int port, String pathAndQuery, boolean read, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setTcpNoDelay(true);
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String request = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + java.util.Base64.getEncoder().encodeToString(key) + "\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        InputStream raw = socket.getInputStream();
        String status = line(raw);
        int code = Integer.parseInt(status.split(" ")[1]);
        int length = -1;
        for (String h = line(raw); !h.isEmpty(); h = line(raw)) {
            if (h.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        String body = "";
        if (code != 101 && length > 0) {
            body = new String(raw.readNBytes(length), StandardCharsets.UTF_8);
        }
        RawSignalClient client = new RawSignalClient(socket, new Upgrade(code, body));
        if (code == 101 && read) {
            client.startReading();
        }
        return client;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("connection closed before the answer");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    Upgrade upgrade() {
        return upgrade;
    }

    private void startReading() {
        reader = new Thread(this::readLoop, "raw-signal-client");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        try {
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                int opcode = b0 & 0x0F;
                long len = b1 & 0x7F;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] payload = new byte[(int) len];
                in.readFully(payload);
                if (opcode == 0x2) {
                    SignalResponse r = SignalResponse.parseFrom(payload);
                    received.add(r);
                    listener.accept(r);
                    inbox.add(r);
                } else if (opcode == 0x8) {
                    try {
                        writeFrame(0x8, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]);
                    } catch (IOException e) {
                        // already gone
                    }
                    break;
                } else if (opcode == 0x9) {
                    writeFrame(0xA, payload);
                }
            }
        } catch (IOException e) {
            // EOF or reset: the connection is over
        } finally {
            ended = true;
        }
    }

    /** Also called with every message, on the reader thread, before it reaches the inbox. */
    void onMessage(java.util.function.Consumer<SignalResponse> l) {
        listener = l;
    }

    /** True once the server closed the connection (close frame, EOF or reset), as seen by the reader. */
    boolean ended() {
        return ended;
    }

    /** The next received message matching {@code filter} (others before it are skipped), or null on timeout. */
    SignalResponse next(Predicate<SignalResponse> filter, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            SignalResponse r = inbox.poll(left, TimeUnit.NANOSECONDS);
            if (r == null) {
                return null;
            }
            if (filter.test(r)) {
                return r;
            }
        }
    }

    /** The next received message whatever it is, or null on timeout. */
    SignalResponse next(Duration timeout) throws InterruptedException {
        return next(r -> true, timeout);
    }

    /** Everything received so far that is still in the inbox (consumed). */
    List<SignalResponse> drain() {
        List<SignalResponse> out = new ArrayList<>();
        inbox.drainTo(out);
        return out;
    }

    void send(SignalRequest request) throws IOException {
        writeFrame(0x2, request.toByteArray());
    }

    void ping() throws IOException {
        send(SignalRequest.newBuilder().setPing(System.currentTimeMillis()).build());
    }

    /** Many copies of one frame in one write: the fastest way a client can send. */
    void writeBurst(SignalRequest request, int copies) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] frame = frame(0x2, request.toByteArray());
        for (int i = 0; i < copies; i++) {
            b.write(frame);
        }
        synchronized (this) {
            out.write(b.toByteArray());
            out.flush();
        }
    }

    private synchronized void writeFrame(int opcode, byte[] payload) throws IOException {
        out.write(frame(opcode, payload));
        out.flush();
    }

    private static byte[] frame(int opcode, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(payload.length + 14);
        b.write(0x80 | opcode);
        int len = payload.length;
        if (len < 126) {
            b.write(0x80 | len);
        } else if (len <= 0xFFFF) {
            b.write(0x80 | 126);
            b.write(len >> 8);
            b.write(len);
        } else {
            b.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                b.write((int) ((long) len >> (8 * i)));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        b.write(mask, 0, 4);
        for (int i = 0; i < len; i++) {
            b.write(payload[i] ^ mask[i & 3]);
        }
        return b.toByteArray();
    }

    /** A network cut as the server sees it: TCP reset, no close frame. */
    void cut() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }

    @Override
    public void close() {
        cut();
    }
}
