// What every test page needs, loaded before the page's own script: `window.PageHarness`.
// The page reports to the test's HTTP server (BrowserParticipant, src/test/java/io/lkworker/interop):
// console lines to POST /log (installed here, at load), milestones to POST /event, the final report to
// POST /report. `waitFor` polls a condition, bounded by the page's `timeoutMs` query parameter (default
// 20000 ms) unless told otherwise.
// `listen` measures what a remote audio track plays (dominant frequency, level).
(() => {
  const timeoutMs = Number(new URLSearchParams(location.search).get('timeoutMs') || 20000);

  const post = (path, body) => fetch(path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), keepalive: true,
  }).catch(() => {});

  // Every console line to the test's log, then to the real console.
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      const text = args.map((a) => {
        if (a instanceof Error) return `${a.name}: ${a.message}`;
        if (typeof a === 'object') { try { return JSON.stringify(a); } catch (e) { return String(a); } }
        return String(a);
      }).join(' ');
      post('/log', { level, text, t: performance.now() | 0 });
      original(...args);
    };
  }
  window.addEventListener('error', (e) => console.error('page error:', e.message, e.filename + ':' + e.lineno));
  window.addEventListener('unhandledrejection', (e) => console.error('unhandled rejection:', String(e.reason)));

  const status = (text) => { document.getElementById('status').textContent = text; };
  const event = (name, detail) => {
    status(name);
    console.info('event', name, detail || '');
    return post('/event', { name, detail: detail || null });
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  /** Resolves with cond()'s first truthy value, checking every 20 ms, or rejects after ms. */
  async function waitFor(what, cond, ms = timeoutMs) {
    const end = performance.now() + ms;
    for (;;) {
      const v = cond();
      if (v) return v;
      if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(20);
    }
  }

  /** Dominant frequency (Hz) and RMS level (dBFS) of what the analyser hears now. */
  function measure(analyser, sampleRate) {
    const freq = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(freq);
    const binHz = sampleRate / analyser.fftSize;
    let best = -1;
    for (let i = Math.ceil(60 / binHz); i < Math.min(freq.length - 1, 4000 / binHz); i++) {
      if (best < 0 || freq[i] > freq[best]) best = i;
    }
    // parabolic interpolation around the peak (dB values)
    const a = freq[best - 1], b = freq[best], c = freq[best + 1];
    const denom = a - 2 * b + c;
    const offset = denom === 0 || !isFinite(denom) ? 0 : 0.5 * (a - c) / denom;
    const time = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(time);
    let sum = 0;
    for (const s of time) sum += s * s;
    const rms = Math.sqrt(sum / time.length);
    return { frequency: (best + offset) * binHz, rmsDbfs: rms > 0 ? 20 * Math.log10(rms) : -Infinity, peakDb: b };
  }

  /** Listens to a remote audio track (`who` names its owner in the timeout message): waits for sound, then reports the median of 10 measurements over 1 s. */
  async function listen(track, who) {
    // Chrome hands WebAudio the samples of a remote track only while the track also plays in a media
    // element; a muted one is enough.
    const el = track.attach();
    el.muted = true;
    document.body.appendChild(el);
    const ctx = new AudioContext();
    await ctx.resume();
    const source = ctx.createMediaStreamSource(new MediaStream([track.mediaStreamTrack]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    source.connect(analyser);
    console.info('listening: AudioContext', ctx.state, ctx.sampleRate, 'Hz');
    await waitFor('audible audio from ' + who, () => measure(analyser, ctx.sampleRate).rmsDbfs > -40);
    await sleep(300); // let the analyser's window fill with sound only
    const samples = [];
    for (let i = 0; i < 10; i++) {
      samples.push(measure(analyser, ctx.sampleRate));
      await sleep(100);
    }
    const median = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
    return {
      frequency: median(samples.map((s) => s.frequency)),
      rmsDbfs: median(samples.map((s) => s.rmsDbfs)),
      sampleRate: ctx.sampleRate,
      samples,
    };
  }

  window.PageHarness = { timeoutMs, post, status, event, sleep, waitFor, listen };
})();
