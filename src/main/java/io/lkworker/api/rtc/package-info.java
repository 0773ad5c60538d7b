/**
 * Rooms: what an agent uses to join its job's room, hear (and see) the other participants, speak
 * (and show video), and exchange data. Names follow LiveKit's own SDKs (Python {@code livekit.rtc},
 * Node {@code @livekit/rtc-node}), so knowledge carries over: {@code Room}, {@code LocalParticipant}, {@code RemoteParticipant},
 * {@code AudioSource}, {@code AudioStream}, {@code LocalAudioTrack}, {@code VideoSource},
 * {@code VideoStream}, {@code LocalVideoTrack}, {@code publishTrack},
 * {@code publishData}.
 *
 * <p>Get a room with {@link io.lkworker.api.JobContext#connect()}. Threads: {@link RoomListener}
 * methods run on the room's own event thread, one at a time, in the order things happened; a
 * listener that blocks delays later events of that room (never audio), and data messages are
 * dropped while listeners are far behind. {@link AudioSink}s run on
 * the audio thread and {@link VideoSink}s on a track's decoding thread, and must return at once;
 * {@link AudioStream} and {@link VideoStream} are the blocking, buffered ways to read media. Every
 * other method is thread-safe.
 *
 * <p>Like the rest of the API this package depends on nothing but the JDK.
 */
package io.lkworker.api.rtc;
