// Data streams between LiveKit's JavaScript client (livekit-client) and an lk-worker Java peer (an agent).
// Driven by BrowserDataStreamTest (src/test/java/io/lkworker/interop). The page URL carries url, token,
// peer (the Java agent's identity), timeoutMs and bytes (the size of the payload each side sends).
// The page: registers a text stream handler on 'lk.transcription' (reading each stream whole, keeping the
// header's attributes and the attributes after reading, which include the trailer's) and a byte stream
// handler on 'java-bytes' (SHA-256 of what arrives); waits for the peer, posts the event 'ready', sends a
// chat message on 'lk.chat' and a file of `bytes` pseudo-random bytes on 'browser-bytes'; waits for three
// transcriptions and the Java file; posts its report (JSON) to /report.
(() => {
  const LK = window.LivekitClient;
  const q = new URLSearchParams(location.search);
  const url = q.get('url');
  const token = q.get('token');
  const peer = q.get('peer');
  const size = Number(q.get('bytes') || 1048576);
  const timeoutMs = Number(q.get('timeoutMs') || 20000);

  const { post, status, event, sleep, waitFor } = window.PageHarness;
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const sha256 = async (bytes) => hex(await crypto.subtle.digest('SHA-256', bytes));

  const report = { sdkVersion: LK.version, transcriptions: [], javaBytes: null, sentBytes: null, chatSent: null,
    javaGotBytes: null, error: null };

  async function main() {
    const room = new LK.Room();
    room.registerTextStreamHandler('lk.transcription', async (reader, participant) => {
      const header = { ...reader.info.attributes };
      const text = await reader.readAll();
      report.transcriptions.push({ from: participant.identity, text, header, after: { ...reader.info.attributes } });
    });
    room.registerByteStreamHandler('java-bytes', async (reader, participant) => {
      const chunks = await reader.readAll();
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const c of chunks) { all.set(c, at); at += c.byteLength; }
      report.javaBytes = { from: participant.identity, name: reader.info.name, size: all.byteLength, sha256: await sha256(all) };
    });
    // The Java side confirms our file: sendFile resolves once the packets are queued, not delivered, so
    // leaving before this could cut the stream's tail.
    room.registerTextStreamHandler('java-got-bytes', async (reader) => { report.javaGotBytes = await reader.readAll(); });
    await room.connect(url, token, { autoSubscribe: false });
    await waitFor('the peer ' + peer, () => room.remoteParticipants.has(peer));
    await event('ready');

    report.chatSent = 'hello from the browser ✓';
    await room.localParticipant.sendText(report.chatSent, { topic: 'lk.chat' });

    const bytes = new Uint8Array(size);
    let x = 12345;
    for (let i = 0; i < size; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bytes[i] = x >>> 24; }
    const started = performance.now();
    await room.localParticipant.sendFile(new File([bytes], 'browser.bin', { type: 'application/octet-stream' }), { topic: 'browser-bytes' });
    report.sentBytes = { size, sha256: await sha256(bytes), sendMs: Math.round(performance.now() - started) };
    await event('sent');

    await waitFor('three transcriptions, the Java file and Java\'s receipt of ours',
      () => report.transcriptions.length >= 3 && report.javaBytes && report.javaGotBytes, timeoutMs * 3);
    await room.disconnect();
  }

  main().catch((e) => { report.error = (e && e.message) || String(e); console.error('failed', e); })
    .finally(() => { status(report.error ? 'failed: ' + report.error : 'done'); post('/report', report); });
})();
