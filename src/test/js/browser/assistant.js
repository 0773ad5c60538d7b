// The example assistant agent (examples/assistant-agent) as a LiveKit front end sees it, with LiveKit's own
// JavaScript client (livekit-client) in headless Chromium. Driven by BrowserAssistantAgentTest
// (src/test/java/io/lkworker/interop) through BrowserParticipant; the page URL carries
//   url, token      the LiveKit server (ws://...) and this participant's access token
//   peer            '@agent': the agent is the first participant of kind agent (its identity is the job's)
//   timeoutMs       bound of each wait (default 20000)
//   width, height   the camera resolution to publish (Chromium's fake camera)
//   bytes           size of the file uploaded to the agent (default 1 MiB)
//   chat            the chat message to send on lk.chat
//   benchCalls      how many timed get_time round trips to make (default 0)
//   lateToken       token of a second participant this page joins last, to be greeted as one that joins later
// Before joining it registers the RPC method client.greet (the agent calls it) and text stream handlers on
// lk.transcription, assistant.video and assistant.upload.ack; it records the agent's lk.agent.state and
// example.greeting attributes as they change. It publishes its fake microphone and camera (one VP8 layer:
// lk-worker's development server forwards no simulcast), waits for the agent to be listening, calls
// get_time (no zone, a zone, a bad zone) and an unknown method, waits for the greeting, sends a chat message
// and waits for its final transcription and the agent back to listening, uploads a file on
// assistant.upload and waits for the acknowledgement, waits for the agent's video report, measures the
// agent's audio (the echo of the fake microphone) and posts its report (JSON) to /report.
(() => {
  const LK = window.LivekitClient;
  const q = new URLSearchParams(location.search);
  const url = q.get('url');
  const token = q.get('token');
  const peer = q.get('peer') || '@agent';
  const timeoutMs = Number(q.get('timeoutMs') || 20000);
  const width = Number(q.get('width') || 320);
  const height = Number(q.get('height') || 240);
  const size = Number(q.get('bytes') || 1048576);
  const chat = q.get('chat') || 'hello from the browser ✓';
  const benchCalls = Number(q.get('benchCalls') || 0);
  const lateToken = q.get('lateToken'); // a second participant that joins once the agent is there (optional)

  const { post, status, event, sleep, waitFor, listen } = window.PageHarness;
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const sha256 = async (bytes) => hex(await crypto.subtle.digest('SHA-256', bytes));
  const asError = (e) => ({ code: e.code, message: e.message, data: e.data === undefined ? null : e.data });
  const isAgent = (p) => (peer === '@agent' ? (p.isAgent === true || p.kind === 'agent' || p.kind === 4) : p.identity === peer);

  const report = {
    sdkVersion: LK.version,
    identity: null,
    agent: null,              // {identity, audioTrackSid}
    published: null,          // {camera: {trackSid, width, height}, microphone: trackSid}
    timeUtc: null,            // get_time with an empty payload
    timeZoned: null,          // get_time 'Asia/Tokyo'
    badZone: null,            // {code, message, data} of get_time 'Not/AZone'
    unknownMethod: null,      // {code, message} of no_such_method
    greetCalls: [],           // client.greet as the agent called it: {callerIdentity, payload}
    greeting: null,           // the agent's example.greeting attribute
    agentStates: [],          // the agent's lk.agent.state values, in the order they arrived
    chatSent: null,
    transcriptions: [],       // {from, header, after, chunks, text}
    upload: null,             // {size, sha256, sendMs, ackMs}
    uploadAck: null,          // the agent's answer (JSON): {name, size, sha256}
    videoReport: null,        // the agent's assistant.video message (JSON)
    heard: null,              // {frequency, rmsDbfs} of the agent's audio
    late: null,               // the second participant: {identity, greetCalls, greeting}
    benchMs: [],              // get_time round trips (ms)
    error: null,
  };

  async function readJson(reader) {
    const text = await reader.readAll();
    try { return JSON.parse(text); } catch (e) { return { unparseable: text }; }
  }

  async function run() {
    if (!LK) throw new Error('livekit-client did not load');
    const room = new LK.Room({
      adaptiveStream: false,
      dynacast: false,
      // a test tone is no speech: keep the capture unprocessed (noise suppression removes steady tones)
      audioCaptureDefaults: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      videoCaptureDefaults: { resolution: { width, height, frameRate: 15 } },
      publishDefaults: { simulcast: false, videoCodec: 'vp8' }, // the development server forwards one layer
    });
    window.room = room;
    const lp = () => room.localParticipant;

    // what the agent does to us, registered before joining so that nothing is missed
    room.registerRpcMethod('client.greet', async (data) => {
      report.greetCalls.push({ callerIdentity: data.callerIdentity, payload: data.payload });
      return `hello ${data.payload}, this is ${room.localParticipant.identity}`;
    });
    room.registerTextStreamHandler('lk.transcription', async (reader, participant) => {
      const header = { ...reader.info.attributes };
      const chunks = [];
      for await (const chunk of reader) chunks.push(chunk);
      report.transcriptions.push({ from: participant.identity, header, after: { ...reader.info.attributes },
        chunks, text: chunks.join('') });
    });
    room.registerTextStreamHandler('assistant.video', async (reader) => { report.videoReport = await readJson(reader); });
    room.registerTextStreamHandler('assistant.upload.ack', async (reader) => {
      report.uploadAck = await readJson(reader);
    });
    const record = (p) => {
      if (!isAgent(p)) return;
      const s = p.attributes['lk.agent.state'];
      if (s !== undefined && report.agentStates[report.agentStates.length - 1] !== s) report.agentStates.push(s);
      if (p.attributes['example.greeting'] && !report.greeting) report.greeting = p.attributes['example.greeting']; // the first one: ours
    };
    room.on(LK.RoomEvent.ParticipantAttributesChanged, (changed, p) => record(p));
    room.on(LK.RoomEvent.ParticipantConnected, (p) => { console.info('participant connected', p.identity, p.kind); record(p); });
    let agentAudio = null;
    room.on(LK.RoomEvent.TrackSubscribed, (track, publication, participant) => {
      console.info('subscribed', track.kind, publication.trackSid, 'of', participant.identity);
      if (track.kind === 'audio' && isAgent(participant) && !agentAudio) agentAudio = { track, publication };
    });
    room.on(LK.RoomEvent.Disconnected, (reason) => console.info('disconnected', String(reason)));

    await room.connect(url, token, { autoSubscribe: true });
    report.identity = lp().identity;
    await event('connected', { identity: report.identity });
    await lp().setMicrophoneEnabled(true);
    const cam = await lp().setCameraEnabled(true);
    const settings = cam.track.mediaStreamTrack.getSettings();
    const mic = lp().getTrackPublication(LK.Track.Source.Microphone);
    report.published = { camera: { trackSid: cam.trackSid, width: settings.width, height: settings.height },
      microphone: mic && mic.trackSid };
    await event('published', report.published);

    const agent = await waitFor('the agent', () => [...room.remoteParticipants.values()].find(isAgent), timeoutMs * 2);
    record(agent);
    const { publication } = await waitFor("the agent's audio track", () => agentAudio);
    report.agent = { identity: agent.identity, audioTrackSid: publication.trackSid };
    await waitFor('the agent to be listening', () => agent.attributes['lk.agent.state'] === 'listening');
    await event('agent-listening', report.agent);

    // RPC to the agent
    const call = (method, payload) => lp().performRpc({ destinationIdentity: agent.identity, method, payload });
    report.timeUtc = await call('get_time', '');
    report.timeZoned = await call('get_time', 'Asia/Tokyo');
    try { await call('get_time', 'Not/AZone'); } catch (e) { report.badZone = asError(e); }
    try { await call('no_such_method', ''); } catch (e) { report.unknownMethod = asError(e); }
    for (let i = 0; i < benchCalls; i++) {
      const s = performance.now();
      await call('get_time', '');
      report.benchMs.push(performance.now() - s);
    }

    // the agent's RPC to us
    await waitFor('the agent to call client.greet and show the answer', () => report.greeting);

    // chat in, speech (transcription) out
    const statesBefore = report.agentStates.length;
    report.chatSent = chat;
    await lp().sendText(chat, { topic: 'lk.chat' });
    await waitFor('the final transcription of the answer',
      () => report.transcriptions.find((t) => t.after['lk.transcription_final'] === 'true'));
    await waitFor('the agent listening again after speaking', () => {
      const after = report.agentStates.slice(statesBefore);
      return after.includes('speaking') && after[after.length - 1] === 'listening';
    });

    // a file to the agent
    const bytes = new Uint8Array(size);
    let x = 12345;
    for (let i = 0; i < size; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bytes[i] = x >>> 24; }
    const started = performance.now();
    await lp().sendFile(new File([bytes], 'upload.bin', { type: 'application/octet-stream' }), { topic: 'assistant.upload' });
    report.upload = { size, sha256: await sha256(bytes), sendMs: Math.round(performance.now() - started), ackMs: null };
    await waitFor("the agent's acknowledgement of the upload", () => report.uploadAck, timeoutMs * 2);
    report.upload.ackMs = Math.round(performance.now() - started); // includes the page's own hashing

    // the agent looked at our camera
    await waitFor("the agent's video report", () => report.videoReport, timeoutMs * 2);

    // the agent echoes our microphone
    report.heard = await listen(agentAudio.track, 'the agent');

    // a participant who joins after the agent is greeted too
    if (lateToken) {
      const late = new LK.Room();
      report.late = { identity: null, greetCalls: [], greeting: null };
      late.registerRpcMethod('client.greet', async (data) => {
        report.late.greetCalls.push({ callerIdentity: data.callerIdentity, payload: data.payload });
        return `hello ${data.payload}, this is ${late.localParticipant.identity}`;
      });
      await late.connect(url, lateToken, { autoSubscribe: false });
      report.late.identity = late.localParticipant.identity;
      const expected = `hello ${agent.identity}, this is ${report.late.identity}`;
      await waitFor('the greeting of the late participant', () => agent.attributes['example.greeting'] === expected);
      report.late.greeting = agent.attributes['example.greeting'];
      await late.disconnect();
    }
    await event('done');
    await room.disconnect();
  }

  run().catch((e) => {
    report.error = (e && e.message) || String(e);
    console.error('assistant page failed:', e);
  }).finally(() => {
    status(report.error ? 'failed: ' + report.error : 'done');
    post('/report', report);
  });
})();
