// One participant in a LiveKit room, run by LiveKit's own JavaScript client (livekit-client) in a browser.
// Driven by BrowserParticipant (src/test/java/io/lkworker/interop): the page URL carries
//   url     the LiveKit server (ws://...)          token  the participant's access token
//   peer    identity of the participant to listen to and talk with
//   topic   data topic (default "chat")            timeoutMs  bound of each wait (default 20000)
// It joins, publishes the microphone (Chromium's fake capture playing a tone file), waits for the peer and
// its audio track, measures the dominant frequency and level of that track with WebAudio, sends a data
// message and waits for the peer's "echo: <text>". Meanwhile it answers every data message on the topic
// that is not itself an echo with "echo: <text>". Console lines go to POST /log, milestones to
// POST /event, the final report to POST /report (JSON).
(() => {
  const LK = window.LivekitClient;
  const q = new URLSearchParams(location.search);
  const url = q.get('url');
  const token = q.get('token');
  const peer = q.get('peer');
  // '@agent': the first participant that is an agent (its identity is the job's, unknown in advance)
  const isPeer = (p) => peer === '@agent' ? (p.isAgent === true || p.kind === 'agent' || p.kind === 4) : p.identity === peer;
  let peerIdentity = peer === '@agent' ? null : peer;
  const topic = q.get('topic') || 'chat';
  const timeoutMs = Number(q.get('timeoutMs') || 20000);
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  const { post, status, event, sleep, waitFor, listen } = window.PageHarness;

  const report = {
    sdkVersion: LK.version,
    connected: false,
    identity: null,
    room: null,
    remoteParticipants: [],
    peerTrack: null,
    heard: null,
    dataSent: null,
    dataReceived: [],
    echoesSent: [],
    error: null,
  };

  async function run() {
    if (!LK) throw new Error('livekit-client did not load');
    const room = new LK.Room({
      // a test tone is no speech: keep the capture unprocessed (noise suppression removes steady tones)
      audioCaptureDefaults: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    window.room = room;
    let peerTrack = null;
    room.on(LK.RoomEvent.TrackSubscribed, (track, publication, participant) => {
      console.info('subscribed', track.kind, publication.trackSid, 'of', participant.identity);
      if (track.kind === 'audio' && isPeer(participant) && !peerTrack) peerTrack = { track, publication };
    });
    room.on(LK.RoomEvent.DataReceived, (payload, participant, kind, t) => {
      const text = dec.decode(payload);
      const from = participant ? participant.identity : null;
      report.dataReceived.push({ from, topic: t || null, text });
      console.info('data from', from, 'topic', t, ':', text);
      if (t === topic && !text.startsWith('echo: ')) {
        const answer = 'echo: ' + text;
        room.localParticipant.publishData(enc.encode(answer), { reliable: true, topic })
          .then(() => report.echoesSent.push(answer), (e) => console.error('echo failed', e));
      }
    });
    room.on(LK.RoomEvent.Disconnected, (reason) => event('disconnected', String(reason)));
    room.on(LK.RoomEvent.ParticipantConnected, (p) => console.info('participant connected', p.identity));

    await room.connect(url, token, { autoSubscribe: true });
    report.connected = true;
    report.identity = room.localParticipant.identity;
    report.room = room.name;
    await event('connected', { identity: room.localParticipant.identity, room: room.name });

    await room.localParticipant.setMicrophoneEnabled(true);
    const mic = room.localParticipant.getTrackPublication(LK.Track.Source.Microphone);
    await event('published', { trackSid: mic && mic.trackSid });

    const other = await waitFor('participant ' + peer, () => [...room.remoteParticipants.values()].find(isPeer));
    peerIdentity = other.identity;
    report.remoteParticipants = [...room.remoteParticipants.values()].map((p) => ({
      identity: p.identity, name: p.name, sid: p.sid, kind: p.kind,
    }));
    await event('peer', { identity: other.identity, sid: other.sid });

    const { track, publication } = await waitFor('an audio track from ' + peer, () => peerTrack);
    report.peerTrack = { sid: publication.trackSid, name: publication.trackName, source: publication.source };
    report.heard = await listen(track, peer);
    await event('heard', { frequency: report.heard.frequency, rmsDbfs: report.heard.rmsDbfs });

    const message = 'hello from ' + room.localParticipant.identity;
    report.dataSent = message;
    await room.localParticipant.publishData(enc.encode(message), { reliable: true, topic });
    await waitFor('"echo: ' + message + '" from ' + peer,
      () => report.dataReceived.find((d) => d.from === peerIdentity && d.text === 'echo: ' + message));
  }

  run().catch((e) => {
    report.error = (e && e.message) || String(e);
    console.error('interop page failed:', e);
  }).finally(() => {
    status(report.error ? 'failed: ' + report.error : 'done');
    post('/report', report);
  });
})();
