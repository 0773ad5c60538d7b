// lk-worker dev's playground: talk to your agent with LiveKit's own JavaScript client (livekit-client)
// and watch its job. Served by the daemon (io.lkworker.dev.playground.Playground); no build step.
//
// The daemon gives the page a participant token (POST /playground/api/token) and streams the job's
// stages and log lines (GET /playground/api/events, server-sent events). Everything else is
// livekit-client talking to the embedded LiveKit-protocol server on the same port.
//
// Test hook (io.lkworker.interop.BrowserPlaygroundTest): ?autojoin=1&room=NAME&raw=1&report=BASE
// joins at once, exercises the page (audio both ways, chat, timeline) and POSTs what it saw as JSON
// to BASE/report (its console lines to BASE/log, milestones to BASE/event).
(() => {
  'use strict';
  const q = new URLSearchParams(location.search);
  const reportBase = q.get('report');
  const timeoutMs = Number(q.get('timeoutMs') || 30000);
  const $ = (id) => document.getElementById(id);
  const LK = window.LivekitClient;
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  /** What the page has seen, for the test hook and for a curious developer's console (window.playground). */
  const seen = {
    sdkVersion: LK ? LK.version : null, libraryError: null, connected: false, room: null, identity: null,
    agent: null, heard: null, chat: [], transcripts: [], timeline: [], logs: [], rpc: [], error: null,
  };
  window.playground = seen;

  // ---- test hook: console lines and reports to the test's server (no-cors: a plain text POST) ----
  const post = (path, body) => reportBase ? fetch(reportBase + path, {
    method: 'POST', mode: 'no-cors', body: JSON.stringify(body), keepalive: true,
  }).catch(() => {}) : Promise.resolve();
  if (reportBase) {
    for (const level of ['log', 'info', 'warn', 'error']) {
      const original = console[level].bind(console);
      console[level] = (...args) => {
        post('/log', { level, text: args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' '), t: performance.now() | 0 });
        original(...args);
      };
    }
    window.addEventListener('error', (e) => console.error('page error:', e.message, e.filename + ':' + e.lineno));
    window.addEventListener('unhandledrejection', (e) => console.error('unhandled rejection:', String(e.reason)));
  }
  const milestone = (name, detail) => post('/event', { name, detail: detail || null });

  const setStatus = (text, connected) => { $('status').textContent = text; $('status').classList.toggle('connected', !!connected); };
  const time = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false }) + '.' + String(ms % 1000).padStart(3, '0');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  async function waitFor(what, cond, ms = timeoutMs) {
    const end = performance.now() + ms;
    for (;;) {
      const v = cond();
      if (v) return v;
      if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(50);
    }
  }
  function addLine(list, parts, cls) {
    const li = document.createElement('li');
    if (cls) li.className = cls;
    for (const [text, c] of parts) {
      const span = document.createElement('span');
      if (c) span.className = c;
      span.textContent = text;
      li.appendChild(span);
    }
    const ol = $(list);
    const atBottom = ol.scrollTop + ol.clientHeight >= ol.scrollHeight - 4;
    ol.appendChild(li);
    if (atBottom) ol.scrollTop = ol.scrollHeight;
  }

  // ---- the library must have loaded: say so in plain words when it did not ----
  if (!LK) {
    const script = document.querySelector('script[src*="livekit-client"]');
    const from = script ? script.src : 'its address';
    seen.libraryError = 'The LiveKit JavaScript client (livekit-client) could not be loaded from ' + from + ', so this'
      + ' page cannot join rooms. Is this machine offline, or is the address blocked? Start lk-worker dev with'
      + ' --playground-client-js PATH, PATH being a copy of livekit-client.umd.js (npm package livekit-client,'
      + ' file dist/livekit-client.umd.js), to serve it from here instead.';
    $('library-error').textContent = seen.libraryError;
    $('library-error').hidden = false;
    $('join').disabled = true;
    setStatus('livekit-client did not load');
    post('/report', seen);
    return;
  }

  // ---- levels: one AudioContext, an analyser per direction ----
  let audioContext = null;
  const context = () => { audioContext = audioContext || new AudioContext(); return audioContext; };
  const analysers = {};
  function analyse(which, mediaStreamTrack) {
    const ctx = context();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    const source = ctx.createMediaStreamSource(new MediaStream([mediaStreamTrack]));
    source.connect(analyser);
    analysers[which] = { analyser, source };
    ctx.resume().catch(() => {});
  }
  /** Dominant frequency (Hz) and RMS level (dBFS) of what an analyser hears now (as src/test/js/browser/interop.js). */
  function measure(analyser) {
    const sampleRate = context().sampleRate;
    const freq = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(freq);
    const binHz = sampleRate / analyser.fftSize;
    let best = -1;
    for (let i = Math.ceil(60 / binHz); i < Math.min(freq.length - 1, 4000 / binHz); i++) {
      if (best < 0 || freq[i] > freq[best]) best = i;
    }
    const a = freq[best - 1], b = freq[best], c = freq[best + 1];
    const denom = a - 2 * b + c;
    const offset = denom === 0 || !isFinite(denom) ? 0 : 0.5 * (a - c) / denom;
    const samples = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    return { frequency: (best + offset) * binHz, rmsDbfs: rms > 0 ? 20 * Math.log10(rms) : -Infinity };
  }
  setInterval(() => {
    for (const which of ['local', 'agent']) {
      const a = analysers[which];
      const m = a ? measure(a.analyser) : null;
      const db = m && isFinite(m.rmsDbfs) ? m.rmsDbfs : -Infinity;
      $('meter-' + which).value = isFinite(db) ? Math.max(0, Math.min(1, (db + 60) / 60)) : 0;
      $('db-' + which).textContent = isFinite(db) ? db.toFixed(0) + ' dBFS' : '–';
    }
  }, 100);

  // ---- the job, from the daemon: stages and log lines ----
  let events = null;
  let lastSeq = 0;
  function watchJobs(roomName) {
    if (events) events.close();
    $('timeline').tBodies[0].replaceChildren();
    $('job-log').replaceChildren();
    seen.timeline = [];
    seen.logs = [];
    lastSeq = 0;
    events = new EventSource('/playground/api/events?room=' + encodeURIComponent(roomName));
    events.addEventListener('job', (msg) => {
      const e = JSON.parse(msg.data);
      if (e.seq <= lastSeq) return; // already shown (a reconnect's backlog)
      lastSeq = e.seq;
      if (e.type === 'stage') {
        seen.timeline.push({ jobId: e.jobId, stage: e.stage, at: e.at, detail: e.detail });
        const row = $('timeline').tBodies[0].insertRow();
        row.className = 'stage-' + e.stage;
        row.title = e.jobId;
        for (const text of [e.stage, time(e.at), e.detail]) row.insertCell().textContent = text;
      } else if (e.type === 'log') {
        seen.logs.push({ jobId: e.jobId, level: e.level, logger: e.logger, message: e.message, at: e.at });
        const logger = e.logger.substring(e.logger.lastIndexOf('.') + 1);
        addLine('job-log', [[time(e.at) + ' ', 'topic'], [e.level + ' ', e.level], [logger + ': ', 'who'], [e.message]], e.level);
      }
    });
    events.onerror = () => console.warn('job event stream interrupted; the browser reconnects');
  }

  // ---- the agent ----
  const isAgent = (p) => p && (p.isAgent === true || p.kind === (LK.ParticipantKind && LK.ParticipantKind.AGENT));
  let room = null;
  function showAgent() {
    const agent = room ? [...room.remoteParticipants.values()].find(isAgent) : null;
    if (!agent) {
      $('agent-identity').textContent = 'no agent in the room yet';
      $('agent-state').textContent = '–';
      $('agent-attributes').tBodies[0].replaceChildren();
      $('agent-tracks').replaceChildren();
      seen.agent = null;
      return;
    }
    const attributes = { ...agent.attributes };
    const tracks = [...agent.trackPublications.values()].map((t) => ({
      sid: t.trackSid, name: t.trackName, kind: t.kind, source: t.source, subscribed: t.isSubscribed, muted: t.isMuted,
    }));
    seen.agent = { identity: agent.identity, name: agent.name, sid: agent.sid, attributes, tracks };
    $('agent-identity').textContent = agent.identity + (agent.name ? ' (' + agent.name + ')' : '');
    $('agent-state').textContent = attributes['lk.agent.state'] || 'not published (lk.agent.state)';
    const body = $('agent-attributes').tBodies[0];
    body.replaceChildren();
    for (const [k, v] of Object.entries(attributes)) {
      const row = body.insertRow();
      row.insertCell().textContent = k;
      row.insertCell().textContent = v;
    }
    $('agent-tracks').replaceChildren(...tracks.map((t) => {
      const li = document.createElement('li');
      li.textContent = `${t.kind} "${t.name}" (${t.source}) ${t.sid}${t.subscribed ? ', subscribed' : ''}${t.muted ? ', muted' : ''}`;
      return li;
    }));
  }

  function chatLine(from, topic, text) {
    seen.chat.push({ from, topic, text });
    addLine('chat', [[from + ' ', 'who'], ['[' + topic + '] ', 'topic'], [text]]);
  }

  async function join(roomName) {
    setStatus('asking the daemon for a token');
    const res = await fetch('/playground/api/token', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ room: roomName }),
    });
    if (!res.ok) throw new Error('the daemon refused a token: ' + res.status + ' ' + (await res.text()));
    const grant = await res.json();
    watchJobs(grant.room);
    const raw = q.get('raw') === '1'; // test tones are no speech: no echo cancellation or noise suppression
    room = new LK.Room({
      adaptiveStream: true,
      audioCaptureDefaults: raw ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false } : undefined,
    });
    window.room = room;
    room.on(LK.RoomEvent.ParticipantConnected, showAgent)
      .on(LK.RoomEvent.ParticipantDisconnected, showAgent)
      .on(LK.RoomEvent.ParticipantAttributesChanged, showAgent)
      .on(LK.RoomEvent.TrackPublished, showAgent)
      .on(LK.RoomEvent.TrackUnpublished, showAgent)
      .on(LK.RoomEvent.TrackMuted, showAgent)
      .on(LK.RoomEvent.TrackUnmuted, showAgent)
      .on(LK.RoomEvent.TrackUnsubscribed, (track) => { track.detach().forEach((el) => el.remove()); showAgent(); })
      .on(LK.RoomEvent.TrackSubscribed, (track, publication, participant) => {
        console.info('subscribed', track.kind, publication.trackSid, 'of', participant.identity);
        if (track.kind === 'audio') {
          const el = track.attach(); // plays the agent's audio
          document.body.appendChild(el);
          if (isAgent(participant)) analyse('agent', track.mediaStreamTrack);
        }
        showAgent();
      })
      .on(LK.RoomEvent.DataReceived, (payload, participant, kind, topic) => {
        chatLine(participant ? participant.identity : 'server', topic || '(no topic)', dec.decode(payload));
      })
      .on(LK.RoomEvent.AudioPlaybackStatusChanged, () => {
        if (!room.canPlaybackAudio) setStatus('click anywhere to hear the agent (the browser blocked autoplay)', true);
      })
      .on(LK.RoomEvent.Disconnected, (reason) => {
        setStatus('disconnected (' + reason + ')');
        seen.connected = false;
        setJoined(false);
      });
    room.registerTextStreamHandler('lk.transcription', async (reader, from) => {
      const attrs = reader.info.attributes || {};
      const li = document.createElement('li');
      li.textContent = from.identity + ': ';
      $('transcripts').appendChild(li);
      let text = '';
      for await (const chunk of reader) { text += chunk; li.textContent = from.identity + ': ' + text; }
      const t = { from: from.identity, text, track: attrs['lk.transcribed_track_id'] || null };
      seen.transcripts.push(t);
      milestone('transcription', { ...t, shown: [...$('transcripts').querySelectorAll('li')].map((x) => x.textContent) });
    });
    room.registerTextStreamHandler('lk.chat', async (reader, from) => {
      const text = await reader.readAll();
      chatLine(from.identity, 'lk.chat', text);
      milestone('chat-text', { from: from.identity, text, shown: [...$('chat').querySelectorAll('li')].map((x) => x.textContent) });
    });
    setStatus('connecting to ' + grant.room);
    await room.connect(grant.url, grant.token, { autoSubscribe: true });
    seen.connected = true;
    seen.room = room.name;
    seen.identity = room.localParticipant.identity;
    $('identity').textContent = seen.identity;
    $('room').value = room.name;
    history.replaceState(null, '', '?room=' + encodeURIComponent(room.name));
    setStatus('in room ' + room.name, true);
    setJoined(true);
    showAgent();
    await setMicrophone(true);
    return room;
  }

  async function setMicrophone(on) {
    await room.localParticipant.setMicrophoneEnabled(on);
    const pub = room.localParticipant.getTrackPublication(LK.Track.Source.Microphone);
    if (on && pub && pub.track) analyse('local', pub.track.mediaStreamTrack);
    if (!on) delete analysers.local;
    $('mic').textContent = on ? 'Microphone off' : 'Microphone on';
    $('mic').dataset.on = on ? '1' : '';
  }

  function setJoined(joined) {
    $('join').disabled = joined;
    $('room').disabled = joined;
    for (const id of ['leave', 'mic', 'chat-text', 'chat-via', 'chat-send', 'rpc-send']) $(id).disabled = !joined;
  }

  async function sendChat(text, via) {
    if (via !== 'data') await room.localParticipant.sendText(text, { topic: 'lk.chat' });
    if (via !== 'text') await room.localParticipant.publishData(enc.encode(text), { reliable: true, topic: 'chat' });
    chatLine(room.localParticipant.identity + ' (you)', via === 'both' ? 'lk.chat + chat' : via === 'text' ? 'lk.chat' : 'chat', text);
  }

  async function callAgent(method, payload) {
    const agent = [...room.remoteParticipants.values()].find(isAgent);
    if (!agent) throw new Error('no agent in the room');
    const started = performance.now();
    try {
      const response = await room.localParticipant.performRpc({ destinationIdentity: agent.identity, method, payload });
      const entry = { method, payload, response, ms: Math.round(performance.now() - started) };
      seen.rpc.push(entry);
      addLine('rpc-log', [[method + '(' + payload + ') ', 'who'], ['→ ' + response]]);
      return entry;
    } catch (e) {
      const entry = { method, payload, error: (e.code ? e.code + ' ' : '') + e.message, ms: Math.round(performance.now() - started) };
      seen.rpc.push(entry);
      addLine('rpc-log', [[method + '(' + payload + ') ', 'who'], ['failed: ' + entry.error, 'ERROR']]);
      return entry;
    }
  }

  // ---- the controls ----
  const fail = (e) => { console.error(e); setStatus('failed: ' + e.message); };
  $('join-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    context().resume().catch(() => {});
    join($('room').value.trim()).catch(fail);
  });
  $('leave').addEventListener('click', () => room && room.disconnect());
  $('mic').addEventListener('click', () => setMicrophone(!$('mic').dataset.on).catch(fail));
  $('chat-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('chat-text').value.trim();
    if (!text) return;
    $('chat-text').value = '';
    sendChat(text, $('chat-via').value).catch(fail);
  });
  $('rpc-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    callAgent($('rpc-method').value.trim(), $('rpc-payload').value).catch(fail);
  });
  document.addEventListener('click', () => {
    if (room && !room.canPlaybackAudio) room.startAudio().catch(() => {});
    if (audioContext) audioContext.resume().catch(() => {});
  });
  if (q.get('room')) $('room').value = q.get('room');

  // ---- the test hook: join, hear the echo, chat, see the job ----
  async function autojoin() {
    await join(q.get('room') || '');
    await milestone('connected', { room: seen.room, identity: seen.identity });
    const agent = await waitFor('the agent to join', () => [...room.remoteParticipants.values()].find(isAgent));
    await milestone('agent', { identity: agent.identity });
    await waitFor('the agent\'s audio track', () => analysers.agent);
    await waitFor('audible audio from the agent', () => measure(analysers.agent.analyser).rmsDbfs > -40);
    await sleep(300); // let the analyser's window fill with sound only
    const samples = [];
    for (let i = 0; i < 10; i++) { samples.push(measure(analysers.agent.analyser)); await sleep(100); }
    const median = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
    seen.heard = { frequency: median(samples.map((s) => s.frequency)), rmsDbfs: median(samples.map((s) => s.rmsDbfs)) };
    await milestone('heard', seen.heard);
    const text = 'hello from the playground';
    $('chat-text').value = text;
    $('chat-via').value = 'both';
    $('chat-send').click(); // through the form, as a developer would
    await waitFor('"echo: ' + text + '" from the agent', () => seen.chat.find((c) => c.from === agent.identity && c.text === 'echo: ' + text));
    await waitFor('the job running in the timeline', () => seen.timeline.find((s) => s.stage === 'running'));
    await waitFor('the agent\'s "joined" log line', () => seen.logs.find((l) => l.message.startsWith('joined ')));
    showAgent();
  }
  /** What the page shows (not only what it knows): the test checks the rendered text. */
  function shown() {
    const rows = (id) => [...$(id).querySelectorAll('tbody tr')].map((r) => [...r.cells].map((c) => c.textContent));
    const items = (id) => [...$(id).querySelectorAll('li')].map((li) => li.textContent);
    return { status: $('status').textContent, agentIdentity: $('agent-identity').textContent, agentState: $('agent-state').textContent,
      attributes: rows('agent-attributes'), tracks: items('agent-tracks'), timeline: rows('timeline'), log: items('job-log'),
      chat: items('chat'), meterLocal: $('db-local').textContent, meterAgent: $('db-agent').textContent };
  }
  if (q.get('autojoin') === '1') {
    autojoin().catch((e) => { seen.error = (e && e.message) || String(e); fail(e); }).finally(async () => {
      await sleep(300); // one meter refresh with the latest levels
      await post('/report', { ...seen, shown: shown() });
      // then keep watching: the test ends the room and waits for the job's end on the timeline
      waitFor('the job to end', () => seen.timeline.find((s) => s.stage === 'ended'), 120000)
        .then(() => post('/event', { name: 'ended', detail: { timeline: seen.timeline, shown: shown() } }), () => {});
    });
  }
})();
