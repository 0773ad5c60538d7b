// Video both ways with LiveKit's own JavaScript client (livekit-client) in a browser; driven by
// BrowserVideoTest (src/test/java/io/lkworker/interop). The page URL carries
//   url, token, peer, timeoutMs    as for interop.js
//   width, height                  the camera resolution to publish (Chromium's fake camera)
//   minFrames                      how many of the peer's frames to decode before reporting
// It joins, publishes the camera as one VP8 layer (simulcast off: lk-worker's development server
// forwards one layer), waits for the peer's video track, plays it in a muted <video> element, counts
// decoded frames with requestVideoFrameCallback, and finds the peer's test picture (a bright vertical
// bar on a dark background) in sampled frames to see that it moves. Milestones to POST /event, the
// report to POST /report. The page stays in the room after reporting (the peer may still be reading
// its camera).
(() => {
  const LK = window.LivekitClient;
  const q = new URLSearchParams(location.search);
  const url = q.get('url');
  const token = q.get('token');
  const peer = q.get('peer');
  const timeoutMs = Number(q.get('timeoutMs') || 20000);
  const width = Number(q.get('width') || 320);
  const height = Number(q.get('height') || 240);
  const minFrames = Number(q.get('minFrames') || 30);

  const { post, status, event, sleep, waitFor } = window.PageHarness;

  const report = {
    sdkVersion: LK.version,
    connected: false,
    published: null,
    peerTrack: null,
    received: { frames: 0, width: 0, height: 0, barPositions: [], framesDecoded: 0 },
    error: null,
  };

  /** Left edge of the brightest column band (an eighth of the width) in the frame drawn on canvas, or -1. */
  function findBar(video, canvas) {
    const w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) return -1;
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    const px = ctx.getImageData(0, 0, w, h).data;
    const cols = new Float64Array(w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        cols[x] += (px[i] + px[i + 1] + px[i + 2]) / 3;
      }
    }
    const bar = Math.max(2, w >> 3);
    let best = -1, bestLeft = -1, worst = Infinity;
    for (let left = 0; left + bar <= w; left++) {
      let sum = 0;
      for (let x = left; x < left + bar; x++) sum += cols[x];
      if (sum > best) { best = sum; bestLeft = left; }
      worst = Math.min(worst, sum);
    }
    return (best - worst) / (bar * h) > 100 ? bestLeft : -1;
  }

  /** Plays the track muted and counts frames presented, sampling the bar's position every 5th frame. */
  function watch(track) {
    const video = track.attach();
    video.muted = true;
    video.width = width; video.height = height;
    document.body.appendChild(video);
    const canvas = document.createElement('canvas');
    const positions = new Set();
    const onFrame = (now, meta) => {
      report.received.frames++;
      report.received.width = meta.width;
      report.received.height = meta.height;
      if (report.received.frames % 5 === 0) {
        const left = findBar(video, canvas);
        if (left >= 0) positions.add(left);
        report.received.barPositions = [...positions];
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    video.play().catch((e) => console.warn('play():', String(e)));
  }

  async function framesDecoded(track) {
    const stats = await track.receiver.getStats();
    let n = 0;
    stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n = s.framesDecoded || 0; });
    return n;
  }

  async function run() {
    if (!LK) throw new Error('livekit-client did not load');
    const room = new LK.Room({
      adaptiveStream: false,   // headless: no layout to adapt to; receive the full picture
      dynacast: false,
      videoCaptureDefaults: { resolution: { width, height, frameRate: 15 } },
      publishDefaults: { simulcast: false, videoCodec: 'vp8' },
    });
    window.room = room;
    let peerVideo = null;
    room.on(LK.RoomEvent.TrackSubscribed, (track, publication, participant) => {
      console.info('subscribed', track.kind, publication.trackSid, 'of', participant.identity);
      if (track.kind === 'video' && participant.identity === peer && !peerVideo) peerVideo = { track, publication };
    });
    room.on(LK.RoomEvent.Disconnected, (reason) => event('disconnected', String(reason)));

    await room.connect(url, token, { autoSubscribe: true });
    report.connected = true;
    await event('connected', { identity: room.localParticipant.identity, room: room.name });

    const cam = await room.localParticipant.setCameraEnabled(true);
    const settings = cam.track.mediaStreamTrack.getSettings();
    report.published = { trackSid: cam.trackSid, width: settings.width, height: settings.height };
    await event('published', report.published);

    const { track, publication } = await waitFor('a video track from ' + peer, () => peerVideo);
    report.peerTrack = { sid: publication.trackSid, name: publication.trackName, source: publication.source,
      width: publication.dimensions ? publication.dimensions.width : 0,
      height: publication.dimensions ? publication.dimensions.height : 0 };
    watch(track);
    await waitFor(minFrames + ' frames from ' + peer + ' and a moving picture',
      () => report.received.frames >= minFrames && report.received.barPositions.length >= 3, timeoutMs * 2);
    report.received.framesDecoded = await framesDecoded(track);
    await event('watched', { frames: report.received.frames });
  }

  run().catch((e) => {
    report.error = (e && e.message) || String(e);
    console.error('video page failed:', e);
  }).finally(() => {
    status(report.error ? 'failed: ' + report.error : 'done');
    post('/report', report);
  });
})();
