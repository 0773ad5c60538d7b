// A caller on LiveKit's Rust-based Node client (@livekit/rtc-node), for RoomJoinBenchmark
// (src/test/java/io/lkworker/bench): what a caller sees of an agent's join.
//   node rtc-node-join.mjs URL
// Reads one room per stdin line, "<token>" (the room is the token's), and for each: connects (auto-subscribe on),
// publishes a continuous 440 Hz tone as its microphone, and waits for the first non-silent 10 ms frame on the
// agent's audio track. Prints "JOIN {...}" per room on stdout with epoch-millisecond times (sub-ms, from
// performance.timeOrigin + performance.now(), comparable with the other processes' wall clocks):
//   called (Room.connect called), connected (it resolved), agentJoined (RoomEvent.ParticipantConnected of the
//   agent; when the agent was already in the room at connect, the connect time and agentPresentAtConnect=true),
//   agentTrack (RoomEvent.TrackSubscribed of the agent's audio), firstAudio (first frame above the RMS threshold),
//   published (publishTrack resolved), bench (the agent's own report on data topic "bench", if any), agentHeard
//   (the agent's first onset of the tone, from its "onset" report, if it came before the echo), agentSubscribed (its
//   "subscribed" report: the agent subscribed to the caller's tone), error.
// Prints "READY" once the library is loaded. @livekit/rtc-node is loaded from LK_RTC_NODE_DIR (a folder whose
// node_modules holds it), else from beside this script.
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const [url] = process.argv.slice(2);
const base = process.env.LK_RTC_NODE_DIR || path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(base, 'package.json'));
const rtc = require('@livekit/rtc-node');

// About -40 dBFS for 16-bit samples: the same threshold as RoomBenchmark's echo onsets.
const SOUND_RMS = 330;
const RATE = 48000;
const FRAME = RATE / 100;
const WAIT_MS = 15000;

const now = () => performance.timeOrigin + performance.now();
const say = (event, detail = {}) => process.stdout.write(event + ' ' + JSON.stringify(detail) + '\n');

function rms(data) {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
  return Math.sqrt(sum / Math.max(1, data.length));
}

function toneFrame(n) {
  const data = new Int16Array(FRAME);
  for (let i = 0; i < FRAME; i++) data[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (n * FRAME + i)) / RATE));
  return new rtc.AudioFrame(data, RATE, 1, FRAME);
}

async function oneRoom(token) {
  const r = { called: null, connected: null, agentJoined: null, agentPresentAtConnect: false, agentTrack: null,
    published: null, firstAudio: null, agentIdentity: null, bench: null, agentHeard: null,
    agentSubscribed: null, error: null };
  const room = new rtc.Room();
  let heard;
  const firstAudio = new Promise((resolve) => { heard = resolve; });
  const isAgent = (p) => p.kind === rtc.ParticipantKind.AGENT;
  room.on(rtc.RoomEvent.ParticipantConnected, (p) => {
    if (isAgent(p) && r.agentJoined === null) { r.agentJoined = now(); r.agentIdentity = p.identity; }
  });
  // EchoBenchAgent's own times ("connect <job> <pid> <entered> <connectCalled> <connectReturned> <published> ..."),
  // repeated until acknowledged.
  room.on(rtc.RoomEvent.DataReceived, (payload, p, kind, topic) => {
    const text = Buffer.from(payload).toString('ascii');
    if (topic === 'bench' && text.startsWith('subscribed ') && r.agentSubscribed === null) r.agentSubscribed = Number(text.split(' ')[1]) / 1e6;
    if (topic === 'bench' && text.startsWith('onset ') && r.agentHeard === null) r.agentHeard = Number(text.split(' ')[1]) / 1e6;
    if (topic !== 'bench' || !text.startsWith('connect ') || r.bench !== null) return;
    r.bench = text;
    room.localParticipant.publishData(Buffer.from('ack'), { reliable: true, topic: 'bench' }).catch(() => {});
  });
  room.on(rtc.RoomEvent.TrackSubscribed, async (track, pub, p) => {
    if (!isAgent(p) || track.kind !== rtc.TrackKind.KIND_AUDIO || r.agentTrack !== null) return;
    r.agentTrack = now();
    const stream = new rtc.AudioStream(track, RATE, 1);
    for await (const frame of stream) {
      if (rms(frame.data) > SOUND_RMS) { r.firstAudio = now(); heard(); break; }
    }
  });
  let playing = true;
  try {
    r.called = now();
    await room.connect(url, token, { autoSubscribe: true, dynacast: false });
    r.connected = now();
    for (const p of room.remoteParticipants.values()) {
      if (isAgent(p) && r.agentJoined === null) { r.agentJoined = r.connected; r.agentPresentAtConnect = true; r.agentIdentity = p.identity; }
    }
    // A 100 ms queue: captureFrame paces the tone in real time without holding a second of audio back.
    const source = new rtc.AudioSource(RATE, 1, 100);
    const track = rtc.LocalAudioTrack.createAudioTrack('tone', source);
    const options = new rtc.TrackPublishOptions();
    options.source = rtc.TrackSource.SOURCE_MICROPHONE;
    const pump = (async () => {
      for (let n = 0; playing; n++) await source.captureFrame(toneFrame(n));
    })();
    await room.localParticipant.publishTrack(track, options);
    r.published = now();
    let timer;
    await Promise.race([firstAudio, new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no echoed audio within ' + WAIT_MS + ' ms')), WAIT_MS);
    })]).finally(() => clearTimeout(timer));
    playing = false;
    await pump.catch(() => {});
    await source.close?.();
  } catch (e) {
    r.error = (e && e.message) || String(e);
  } finally {
    playing = false;
    try { await room.disconnect(); } catch (e) { /* measured already */ }
  }
  return r;
}

say('READY');
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const token = line.trim();
  if (!token) continue;
  say('JOIN', await oneRoom(token));
}
try { await rtc.dispose(); } catch (e) { /* exiting anyway */ }
process.exit(0);
