// LiveKit RPC between LiveKit's JavaScript client (livekit-client) in a browser and an lk-worker Java participant.
// Driven by BrowserRpcTest (src/test/java/io/lkworker/interop) through BrowserParticipant; the page URL carries
//   url, token   the LiveKit server (ws://...) and this participant's access token
//   peer         identity of the Java participant
//   timeoutMs    bound of each wait (default 20000)
//   benchCalls   how many timed browser -> Java round trips to make (default 0)
// The page registers methods the Java side calls:
//   browser.echo   answers "browser got <payload> from <caller>"
//   browser.slow   answers after 3 s
//   browser.fail   throws RpcError(4002, "browser says no", "browser data")
//   browser.throw  throws a plain Error (the caller sees APPLICATION_ERROR)
//   browser.done   the Java side is finished: the page posts its report
// It calls the Java side's java.echo, java.fail, an unknown method and java.slow with a 1 s timeout, records
// the peer's lk.agent.state attribute values as they change, then posts the event "browser-calls-done".
// Console lines go to POST /log, milestones to POST /event, the final report to POST /report (JSON).
(() => {
  const LK = window.LivekitClient;
  const q = new URLSearchParams(location.search);
  const url = q.get('url');
  const token = q.get('token');
  const peer = q.get('peer');
  const timeoutMs = Number(q.get('timeoutMs') || 20000);
  const benchCalls = Number(q.get('benchCalls') || 0);

  const { post, status, event, sleep, waitFor } = window.PageHarness;

  const report = {
    sdkVersion: LK.version,
    identity: null,
    javaEcho: null,          // java.echo's answer
    javaFail: null,          // {code, message, data} from java.fail
    unknownMethod: null,     // {code, message} calling java.nope
    responseTimeout: null,   // {code, message, ms} calling java.slow with a 1 s timeout
    invocations: [],         // what our handlers were given: {method, callerIdentity, payload, responseTimeout}
    agentStates: [],         // the peer's lk.agent.state values, in the order they arrived
    benchMs: [],             // browser -> Java round trips (ms)
    error: null,
  };
  const asError = (e) => ({ code: e.code, message: e.message, data: e.data === undefined ? null : e.data });
  let done;
  const javaDone = new Promise((r) => { done = r; });

  async function main() {
    const room = new LK.Room();
    window.room = room;
    const lp = () => room.localParticipant;
    const register = (method, handler) => room.registerRpcMethod(method, async (data) => {
      report.invocations.push({ method, callerIdentity: data.callerIdentity, payload: data.payload,
        responseTimeout: data.responseTimeout, requestId: data.requestId });
      return handler(data);
    });
    register('browser.echo', async (d) => `browser got ${d.payload} from ${d.callerIdentity}`);
    register('browser.slow', async () => { await sleep(3000); return 'too late'; });
    register('browser.fail', async () => { throw new LK.RpcError(4002, 'browser says no', 'browser data'); });
    register('browser.throw', async () => { throw new Error('plain error'); });
    register('browser.done', async () => { setTimeout(done, 100); return 'bye'; });

    const recordState = (p) => {
      if (p.identity !== peer) return;
      const s = p.attributes['lk.agent.state'];
      if (s !== undefined && report.agentStates[report.agentStates.length - 1] !== s) report.agentStates.push(s);
    };
    room.on(LK.RoomEvent.ParticipantAttributesChanged, (changed, p) => recordState(p));
    room.on(LK.RoomEvent.ParticipantConnected, (p) => recordState(p));

    await room.connect(url, token);
    report.identity = room.localParticipant.identity;
    await event('connected', { identity: report.identity });
    await waitFor(`participant ${peer}`, () => room.remoteParticipants.get(peer));
    recordState(room.remoteParticipants.get(peer));
    await event('ready');

    report.javaEcho = await lp().performRpc({ destinationIdentity: peer, method: 'java.echo', payload: 'hi from browser' });
    try {
      await lp().performRpc({ destinationIdentity: peer, method: 'java.fail', payload: '' });
    } catch (e) { report.javaFail = asError(e); }
    try {
      await lp().performRpc({ destinationIdentity: peer, method: 'java.nope', payload: '' });
    } catch (e) { report.unknownMethod = asError(e); }
    const t0 = performance.now();
    try {
      await lp().performRpc({ destinationIdentity: peer, method: 'java.slow', payload: '', responseTimeout: 1000 });
    } catch (e) { report.responseTimeout = { ...asError(e), ms: Math.round(performance.now() - t0) }; }
    for (let i = 0; i < benchCalls; i++) {
      const s = performance.now();
      await lp().performRpc({ destinationIdentity: peer, method: 'java.echo', payload: `bench ${i}` });
      report.benchMs.push(performance.now() - s);
    }
    await event('browser-calls-done');
    await Promise.race([javaDone, sleep(timeoutMs * 3).then(() => { throw new Error('the Java side never called browser.done'); })]);
    await room.disconnect();
  }

  main().catch((e) => {
    console.error('failed:', e);
    report.error = (e && e.message) || String(e);
  }).finally(() => {
    status(report.error ? 'failed: ' + report.error : 'done');
    post('/report', report);
  });
})();
