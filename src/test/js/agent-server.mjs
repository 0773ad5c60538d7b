// A LiveKit agent-protocol server that is not ours, for WorkerBenchmark (src/test/java/io/lkworker/bench):
// the official protocol classes (@livekit/protocol, as livekit-server-sdk ships them) on Node's `ws`, with
// the real server's socket behaviour (TCP_NODELAY on its side, like Go's net package; no compression).
// It measures what a LiveKit server sees of a worker: when the registration arrives, how long an
// availability answer takes, when job statuses arrive.
//
//   LIVEKIT_API_KEY=devkey LIVEKIT_API_SECRET=secret node agent-server.mjs [--target-load 0.7]
//
// Prints {"ev":"listening","port":N} first. Then each line on standard input is a command, each event a
// JSON line on standard output. Times ("t") are wall-clock epoch nanoseconds (the benchmark's agent
// writes the same clock); durations ("ms") are measured on this process's monotonic clock.
//
// Commands:
//   {"op":"offer","room":"r"}   dispatch one JT_ROOM job to the registered worker, as the real server does
//                               (pkg/agent/worker.go, psrpc affinity): only to a worker whose last status is
//                               WS_AVAILABLE and, with --target-load, whose load is below it; else the job is
//                               refused ("no_worker"). An answer not received within 3 s refuses it ("timeout"),
//                               available=false refuses it ("declined"); an accept gets a JobAssignment at once.
//   {"op":"targetLoad","value":0.7}  change the load rule (Infinity: off)
//   {"op":"close"}              close the worker connections
//   {"op":"quit"}               exit
// Events:
//   connected, registered {workerId}, status {status, load, jobCount}, answer {job, available, ms},
//   assigned {job}, refused {job, reason}, job {job, status, error, ms (since assigned)}, closed {code}
import http from 'node:http';
import readline from 'node:readline';
import { WebSocketServer } from 'ws';
import {
  AvailabilityRequest, Job, JobAssignment, JobState, JobStatus, JobType, RegisterWorkerResponse, Room,
  ServerInfo, ServerMessage, WorkerMessage, WorkerPong, WorkerStatus,
} from '@livekit/protocol';
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';

const key = process.env.LIVEKIT_API_KEY ?? 'devkey';
const secret = process.env.LIVEKIT_API_SECRET ?? 'secret';
const argIndex = process.argv.indexOf('--target-load');
let targetLoad = argIndex > 0 ? Number(process.argv[argIndex + 1]) : Infinity;
/** The real server's effective availability window (its psrpc request expiry). */
const ANSWER_TIMEOUT_MS = 3000;

const verifier = new TokenVerifier(key, secret);
const now = () => performance.now();
const epochNanos = () => Math.round((performance.timeOrigin + performance.now()) * 1e6);
const emit = (ev) => process.stdout.write(JSON.stringify({ ...ev, t: ev.t ?? epochNanos() }) + '\n');
const id = (prefix) => prefix + Math.random().toString(36).slice(2, 14).padEnd(12, 'x');

/** The one registered worker (the latest to register): {ws, workerId, status, load}. */
let worker = null;
const pending = new Map(); // job id -> {job, sentAt, timer}
const assigned = new Map(); // job id -> assignedAt (monotonic ms)
let jobSeq = 0;

const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/' ? 200 : 404).end(req.url === '/' ? 'OK' : '');
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

server.on('upgrade', async (req, socket, head) => {
  const url = new URL(req.url, 'http://x');
  const auth = req.headers.authorization ?? '';
  try {
    if (url.pathname !== '/agent' || !auth.startsWith('Bearer ')) {
      throw new Error('not an agent connection');
    }
    const claims = await verifier.verify(auth.slice('Bearer '.length));
    if (!claims.video?.agent) {
      throw new Error('permissions denied');
    }
  } catch (e) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
});

function send(ws, message) {
  ws.send(new ServerMessage({ message }).toBinary());
}

function onConnection(ws) {
  ws._socket.setNoDelay(true); // what Go's net package does for every TCP connection
  emit({ ev: 'connected' });
  const me = { ws, workerId: '', status: WorkerStatus.WS_AVAILABLE, load: 0, registered: false };
  ws.on('message', (data, isBinary) => {
    const t = epochNanos();
    const at = now();
    if (!isBinary) {
      return;
    }
    let msg;
    try {
      msg = WorkerMessage.fromBinary(new Uint8Array(data));
    } catch (e) {
      ws.terminate();
      return;
    }
    const m = msg.message;
    switch (m.case) {
      case 'register':
        me.workerId = id('AW_');
        me.registered = true;
        worker = me;
        send(ws, { case: 'register', value: new RegisterWorkerResponse({ workerId: me.workerId,
          serverInfo: new ServerInfo({ version: '1.13.5', protocol: 17, agentProtocol: 1, nodeId: 'ND_bench' }) }) });
        emit({ ev: 'registered', workerId: me.workerId, t });
        break;
      case 'updateWorker':
        if (m.value.status !== undefined) {
          me.status = m.value.status;
        }
        me.load = m.value.load;
        emit({ ev: 'status', status: WorkerStatus[me.status], load: me.load, jobCount: m.value.jobCount, t });
        break;
      case 'availability':
        onAnswer(me, m.value, at, t);
        break;
      case 'updateJob': {
        const since = assigned.get(m.value.jobId);
        emit({ ev: 'job', job: m.value.jobId, status: JobStatus[m.value.status], error: m.value.error,
          ms: since === undefined ? null : at - since, t });
        if (m.value.status === JobStatus.JS_SUCCESS || m.value.status === JobStatus.JS_FAILED) {
          assigned.delete(m.value.jobId);
        }
        break;
      }
      case 'ping':
        send(ws, { case: 'pong', value: new WorkerPong({ lastTimestamp: m.value.timestamp,
          timestamp: BigInt(Date.now()) }) });
        break;
      default:
        break;
    }
  });
  ws.on('close', (code) => {
    if (worker === me) {
      worker = null;
    }
    emit({ ev: 'closed', code });
  });
}

function offer(room) {
  const jobId = 'AJ_bench' + String(++jobSeq).padStart(6, '0');
  const w = worker;
  if (!w || w.status !== WorkerStatus.WS_AVAILABLE || !(w.load < targetLoad)) {
    emit({ ev: 'refused', job: jobId, reason: 'no_worker',
      status: w ? WorkerStatus[w.status] : 'none', load: w ? w.load : null });
    return;
  }
  const nowNs = BigInt(Date.now()) * 1000000n;
  const job = new Job({ id: jobId, dispatchId: id('AD_'), type: JobType.JT_ROOM,
    room: new Room({ sid: id('RM_'), name: room, creationTime: BigInt(Math.floor(Date.now() / 1000)) }),
    state: new JobState({ status: JobStatus.JS_RUNNING, workerId: w.workerId, startedAt: nowNs, updatedAt: nowNs }) });
  const timer = setTimeout(() => {
    pending.delete(jobId);
    emit({ ev: 'refused', job: jobId, reason: 'timeout' });
  }, ANSWER_TIMEOUT_MS);
  pending.set(jobId, { job, worker: w, sentAt: now(), timer });
  send(w.ws, { case: 'availability', value: new AvailabilityRequest({ job }) });
  emit({ ev: 'offered', job: jobId });
}

async function onAnswer(w, answer, at, t) {
  const p = pending.get(answer.jobId);
  if (!p) {
    return; // late: the real server logs "unknown job" and ignores it
  }
  pending.delete(answer.jobId);
  clearTimeout(p.timer);
  emit({ ev: 'answer', job: answer.jobId, available: answer.available, ms: at - p.sentAt, t });
  if (!answer.available) {
    emit({ ev: 'refused', job: answer.jobId, reason: 'declined' });
    return;
  }
  const token = new AccessToken(key, secret, { identity: answer.participantIdentity, ttl: '1h' });
  token.addGrant({ roomJoin: true, room: p.job.room.name, agent: true });
  const jwt = await token.toJwt();
  p.job.state.participantIdentity = answer.participantIdentity;
  send(w.ws, { case: 'assignment', value: new JobAssignment({ job: p.job, token: jwt }) });
  assigned.set(answer.jobId, now());
  emit({ ev: 'assigned', job: answer.jobId });
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) {
    return;
  }
  const cmd = JSON.parse(line);
  switch (cmd.op) {
    case 'offer':
      offer(cmd.room ?? 'bench');
      break;
    case 'targetLoad':
      targetLoad = Number(cmd.value);
      break;
    case 'close':
      for (const c of wss.clients) {
        c.close(1001, 'server closing');
      }
      break;
    case 'quit':
      process.exit(0);
      break;
    default:
      emit({ ev: 'error', message: 'unknown op ' + cmd.op });
  }
}).on('close', () => process.exit(0));

server.listen(0, '127.0.0.1', () => emit({ ev: 'listening', port: server.address().port }));
