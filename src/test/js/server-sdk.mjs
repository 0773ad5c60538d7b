// One call of LiveKit's own Node server SDK (livekit-server-sdk, pinned in package.json) against a LiveKit
// server, for lk-worker's interop tests (src/test/java/io/lkworker/interop/ServerSdkInteropTest.java):
//
//   LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... node server-sdk.mjs <server-url> <operation> [arguments...]
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
// exit 2 on bad usage or an unexpected failure.
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

const run = operations[op];
if (!run) {
  console.error(`unknown operation ${op}; one of ${Object.keys(operations).join(', ')}`);
  process.exit(2);
}
try {
  const result = await run(...args);
  console.log(JSON.stringify({ ok: true, result: result === undefined ? null : result }));
} catch (e) {
  if (e && e.status !== undefined) {
    console.log(JSON.stringify({ ok: false, error: { name: e.name, message: e.message, status: e.status, code: e.code ?? null } }));
  } else {
    console.error('unexpected failure:', e);
    process.exit(2);
  }
}
