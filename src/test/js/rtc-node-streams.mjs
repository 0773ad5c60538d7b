// Text streams between LiveKit's Rust-based Node client (@livekit/rtc-node) and the example assistant agent
// (examples/assistant-agent) run by lk-worker dev. Driven by RtcNodeTextStreamTest (src/test/java/io/lkworker/interop):
//   node rtc-node-streams.mjs URL TOKEN CHAT_FILE   (CHAT_FILE: the chat message, UTF-8)
// @livekit/rtc-node is loaded from LK_RTC_NODE_DIR (a folder whose node_modules holds it), else from beside this
// script. It registers a text stream handler on lk.transcription (each stream read chunk by chunk, its header's
// attributes kept), joins, waits for the agent (a participant of kind agent) to be listening, calls get_time,
// sends the chat message (sendText on lk.chat), waits for the agent's transcription stream to end,
// prints "STREAMTEST {event:...}" lines (ready, report) on stdout and exits.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [url, token, chatFile] = process.argv.slice(2);
const chat = fs.readFileSync(chatFile, 'utf8');
const base = process.env.LK_RTC_NODE_DIR || path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(base, 'package.json'));
const rtc = require('@livekit/rtc-node');
const rtcVersion = JSON.parse(fs.readFileSync(path.join(base, 'node_modules/@livekit/rtc-node/package.json'), 'utf8')).version;

const say = (event, detail = {}) => process.stdout.write('STREAMTEST ' + JSON.stringify({ event, ...detail }) + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, cond, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

const report = { rtcNodeVersion: rtcVersion, agent: null, agentTrackSids: [], time: null, chatSent: chat,
  transcriptions: [], error: null };

async function main() {
  const room = new rtc.Room();
  room.registerTextStreamHandler('lk.transcription', async (reader, participant) => {
    const header = { ...(reader.info.attributes || {}) };
    const chunks = [];
    for await (const chunk of reader) chunks.push(chunk);
    report.transcriptions.push({ from: participant.identity, header, chunks, text: chunks.join('') });
  });
  await room.connect(url, token, { autoSubscribe: false, dynacast: false });
  const isAgent = (p) => p.kind === rtc.ParticipantKind.AGENT || p.identity.startsWith('agent-');
  const agent = await waitFor('the agent', () => [...room.remoteParticipants.values()].find(isAgent));
  await waitFor('the agent to be listening', () => agent.attributes['lk.agent.state'] === 'listening');
  report.agent = agent.identity;
  report.agentTrackSids = [...agent.trackPublications.keys()];
  say('ready', { agent: agent.identity });

  report.time = await room.localParticipant.performRpc({ destinationIdentity: agent.identity, method: 'get_time', payload: '' });
  await room.localParticipant.sendText(chat, { topic: 'lk.chat' });
  await waitFor("the agent's transcription of the answer", () => report.transcriptions.find((t) => t.from === agent.identity),
    120000);
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
