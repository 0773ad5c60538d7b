// LiveKit RPC between LiveKit's Rust-based Node client (@livekit/rtc-node) and an lk-worker Java participant.
// Driven by RtcNodeRpcTest (src/test/java/io/lkworker/interop):
//   node rtc-node-rpc.mjs URL TOKEN PEER_IDENTITY [BENCH_CALLS]
// @livekit/rtc-node is loaded from LK_RTC_NODE_DIR (a folder whose node_modules holds it), else from beside
// this script. It registers node.echo ("node got <payload> from <caller>"), node.fail (RpcError 4003) and
// node.done (ends the script), joins, waits for PEER, calls the peer's java.echo, java.fail, an unknown method
// and java.slow with a 1 s timeout, times BENCH_CALLS java.echo round trips, prints "RPCTEST {event:...}" lines
// (ready, node-calls-done, report) on stdout, and exits once the peer called node.done.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [url, token, peer, benchArg] = process.argv.slice(2);
const benchCalls = Number(benchArg || 0);
const base = process.env.LK_RTC_NODE_DIR || path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(base, 'package.json'));
const rtc = require('@livekit/rtc-node');
const rtcVersion = JSON.parse(fs.readFileSync(path.join(base, 'node_modules/@livekit/rtc-node/package.json'), 'utf8')).version;

const say = (event, detail = {}) => process.stdout.write('RPCTEST ' + JSON.stringify({ event, ...detail }) + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const asError = (e) => ({ code: e.code, message: e.message, data: e.data ?? null });

const report = { rtcNodeVersion: rtcVersion, javaEcho: null, javaFail: null, unknownMethod: null, responseTimeout: null,
  invocations: [], benchMs: [], error: null };
let done;
const javaDone = new Promise((r) => { done = r; });

async function main() {
  const room = new rtc.Room();
  const lp = () => room.localParticipant;
  await room.connect(url, token, { autoSubscribe: false, dynacast: false });
  const register = (method, handler) => lp().registerRpcMethod(method, async (data) => {
    report.invocations.push({ method, callerIdentity: data.callerIdentity, payload: data.payload,
      responseTimeout: data.responseTimeout, requestId: data.requestId });
    return handler(data);
  });
  register('node.echo', async (d) => `node got ${d.payload} from ${d.callerIdentity}`);
  register('node.fail', async () => { throw new rtc.RpcError(4003, 'node says no', 'node data'); });
  register('node.done', async () => { setTimeout(done, 100); return 'bye'; });
  const end = Date.now() + 20000;
  while (!room.remoteParticipants.get(peer)) {
    if (Date.now() > end) throw new Error(`participant ${peer} never appeared`);
    await sleep(20);
  }
  say('ready');
  report.javaEcho = await lp().performRpc({ destinationIdentity: peer, method: 'java.echo', payload: 'hi from node' });
  try { await lp().performRpc({ destinationIdentity: peer, method: 'java.fail', payload: '' }); } catch (e) { report.javaFail = asError(e); }
  try { await lp().performRpc({ destinationIdentity: peer, method: 'java.nope', payload: '' }); } catch (e) { report.unknownMethod = asError(e); }
  const t0 = Date.now();
  try {
    await lp().performRpc({ destinationIdentity: peer, method: 'java.slow', payload: '', responseTimeout: 1000 });
  } catch (e) { report.responseTimeout = { ...asError(e), ms: Date.now() - t0 }; }
  for (let i = 0; i < benchCalls; i++) {
    const s = process.hrtime.bigint();
    await lp().performRpc({ destinationIdentity: peer, method: 'java.echo', payload: `bench ${i}` });
    report.benchMs.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  say('node-calls-done');
  await Promise.race([javaDone, sleep(60000).then(() => { throw new Error('the Java side never called node.done'); })]);
  await room.disconnect();
}

try {
  await main();
} catch (e) {
  report.error = (e && e.message) || String(e);
}
say('report', { report });
try { await rtc.dispose(); } catch (e) { /* exiting anyway */ }
process.exit(report.error ? 1 : 0);
