// One call of LiveKit's own Node server SDK (livekit-server-sdk, pinned in package.json) against a LiveKit
// server, for lk-worker's interop tests (src/test/java/io/lkworker/interop/ServerSdkInteropTest.java):
//
//   LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... node server-sdk.mjs <server-url> <operation> [arguments...]
//   LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... node server-sdk.mjs <server-url> --stdin
//
// The second form answers many calls in one process (Node's start-up is most of a call's time): each
// line on standard input is a JSON array ["operation", "argument", ...], each answer one line on
// standard output, in order; it ends at the end of its input.
//
// Operations (RoomServiceClient, AgentDispatchClient, AccessToken):
//   createRoom <name> [emptyTimeout [departureTimeout [metadata]]]             listRooms [name...]   deleteRoom <room>
//   listParticipants <room>                       getParticipant <room> <identity>
//   removeParticipant <room> <identity>           sendData <room> <topic> <text> [destinationIdentity...]
//   createDispatch <room> <agentName> <metadata>  listDispatch <room>          deleteDispatch <room> <dispatchId>
//   token <room> <identity> <name>                (a participant token signed by the SDK)
//
// Prints one line of JSON: {"ok":true,"result":...} with messages in protobuf's JSON form, or
// {"ok":false,"error":{"name","message","status","code"}} when the server refused the call (exit 0);
// exit 2 on bad usage or an unexpected failure (with --stdin: an answer with error.name "ScriptError").
import { AccessToken, AgentDispatchClient, DataPacket_Kind, RoomServiceClient } from 'livekit-server-sdk';

const [url, op, ...args] = process.argv.slice(2);
const key = process.env.LIVEKIT_API_KEY;
const secret = process.env.LIVEKIT_API_SECRET;
if (!url || !op || !key || !secret) {
  console.error('usage: LIVEKIT_API_KEY=.. LIVEKIT_API_SECRET=.. node server-sdk.mjs <url> <operation> [args...]');
  process.exit(2);
}

const rooms = new RoomServiceClient(url, key, secret, { requestTimeout: 10 });
const dispatch = new AgentDispatchClient(url, key, secret, { requestTimeout: 10 });
const json = (m) => (m && typeof m.toJson === 'function' ? m.toJson() : m ?? null);

const operations = {
  createRoom: async (name, emptyTimeout, departureTimeout, metadata) => json(await rooms.createRoom({
    name,
    emptyTimeout: emptyTimeout ? Number(emptyTimeout) : undefined,
    departureTimeout: departureTimeout ? Number(departureTimeout) : undefined,
    metadata,
  })),
  listRooms: async (...names) => (await rooms.listRooms(names.length ? names : undefined)).map(json),
  deleteRoom: async (room) => json(await rooms.deleteRoom(room)),
  listParticipants: async (room) => (await rooms.listParticipants(room)).map(json),
  getParticipant: async (room, identity) => json(await rooms.getParticipant(room, identity)),
  removeParticipant: async (room, identity) => json(await rooms.removeParticipant(room, identity)),
  sendData: async (room, topic, text, ...destinationIdentities) => json(await rooms.sendData(
    room, new TextEncoder().encode(text), DataPacket_Kind.RELIABLE, { topic, destinationIdentities })),
  createDispatch: async (room, agentName, metadata) => json(await dispatch.createDispatch(room, agentName, { metadata })),
  listDispatch: async (room) => (await dispatch.listDispatch(room)).map(json),
  deleteDispatch: async (room, dispatchId) => json(await dispatch.deleteDispatch(dispatchId, room)),
  token: async (room, identity, name) => {
    const at = new AccessToken(key, secret, { identity, name, ttl: '10m' });
    at.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true, canPublishData: true });
    return await at.toJwt();
  },
};

/** One call: {ok, result} or {ok: false, error} for a refusal; throws on anything else. */
async function call(name, args) {
  const run = operations[name];
  if (!run) throw new Error(`unknown operation ${name}; one of ${Object.keys(operations).join(', ')}`);
  try {
    const result = await run(...args);
    return { ok: true, result: result === undefined ? null : result };
  } catch (e) {
    if (e && e.status !== undefined) {
      return { ok: false, error: { name: e.name, message: e.message, status: e.status, code: e.code ?? null } };
    }
    throw e;
  }
}

if (op === '--stdin') {
  const { createInterface } = await import('node:readline');
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let answer;
    try {
      const [name, ...args] = JSON.parse(line);
      answer = await call(name, args.map(String));
    } catch (e) {
      answer = { ok: false, error: { name: 'ScriptError', message: String((e && e.stack) || e), status: null, code: null } };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
} else {
  try {
    console.log(JSON.stringify(await call(op, args)));
  } catch (e) {
    console.error('unexpected failure:', e);
    process.exit(2);
  }
}
