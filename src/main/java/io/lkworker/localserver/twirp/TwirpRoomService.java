package io.lkworker.localserver.twirp;

import com.google.protobuf.Message;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.AgentService;
import io.lkworker.localserver.auth.ApiKeyAuth;
import io.lkworker.localserver.http.Route;
import io.lkworker.localserver.room.RoomServer;
import java.util.List;
import java.util.Set;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import livekit.LivekitRoom.CreateRoomRequest;
import livekit.LivekitRoom.DeleteRoomRequest;
import livekit.LivekitRoom.DeleteRoomResponse;
import livekit.LivekitRoom.ListParticipantsRequest;
import livekit.LivekitRoom.ListParticipantsResponse;
import livekit.LivekitRoom.ListRoomsRequest;
import livekit.LivekitRoom.ListRoomsResponse;
import livekit.LivekitRoom.RemoveParticipantResponse;
import livekit.LivekitRoom.RoomParticipantIdentity;
import livekit.LivekitRoom.SendDataRequest;
import livekit.LivekitRoom.SendDataResponse;

/**
 * {@code livekit.RoomService} over Twirp, the part a development server needs: CreateRoom, ListRooms,
 * DeleteRoom, ListParticipants, GetParticipant, RemoveParticipant, MutePublishedTrack and SendData, with the real
 * server's permissions (roomCreate, roomList, roomAdmin). DeleteRoom ends the room's agent jobs:
 * agents in the room are told ROOM_DELETED, the jobs of agents that never joined are terminated.
 */
public final class TwirpRoomService {

    static final String PREFIX = "/twirp/livekit.RoomService/";

    private static final Set<String> METHODS = Set.of("CreateRoom", "ListRooms", "DeleteRoom", "ListParticipants",
            "GetParticipant", "RemoveParticipant", "MutePublishedTrack", "SendData");

    private final ApiKeyAuth auth;
    private final RoomServer rooms;
    private final AgentService agents;

    public TwirpRoomService(ServerConfig config, ApiKeyAuth auth, RoomServer rooms, AgentService agents) {
        this.auth = auth;
        this.rooms = rooms;
        this.agents = agents;
    }

    public Route route() {
        return TwirpHandler.route(PREFIX, METHODS, this::call);
    }

    private Message call(TwirpCall call) throws TwirpError {
        return switch (call.method()) {
            case "CreateRoom" -> create(call.decode(CreateRoomRequest.newBuilder()), call);
            case "ListRooms" -> list(call.decode(ListRoomsRequest.newBuilder()), call);
            case "DeleteRoom" -> delete(call.decode(DeleteRoomRequest.newBuilder()), call);
            case "ListParticipants" -> participants(call.decode(ListParticipantsRequest.newBuilder()), call);
            case "GetParticipant" -> participant(call.decode(RoomParticipantIdentity.newBuilder()), call);
            case "RemoveParticipant" -> remove(call.decode(RoomParticipantIdentity.newBuilder()), call);
            case "SendData" -> sendData(call.decode(SendDataRequest.newBuilder()), call);
            case "MutePublishedTrack" -> mute(call.decode(livekit.LivekitRoom.MuteRoomTrackRequest.newBuilder()), call);
            default -> throw TwirpError.badRoute("no handler for path " + PREFIX + call.method());
        };
    }

    private Room create(CreateRoomRequest req, TwirpCall call) throws TwirpError {
        TwirpGrants.require(auth, call, "roomCreate", null);
        TwirpGrants.requireRoom(req.getName());
        List<RoomServer.AgentRequest> agentsWanted = req.getAgentsList().stream()
                .map(a -> new RoomServer.AgentRequest(a.getAgentName(), a.getMetadata())).toList();
        return rooms.createRoom(req.getName(), agentsWanted, new RoomServer.RoomOptions(
                Math.max(0, req.getEmptyTimeout()), Math.max(0, req.getDepartureTimeout()), req.getMetadata()));
    }

    private ListRoomsResponse list(ListRoomsRequest req, TwirpCall call) throws TwirpError {
        TwirpGrants.require(auth, call, "roomList", null);
        return ListRoomsResponse.newBuilder().addAllRooms(rooms.rooms().stream()
                .filter(r -> req.getNamesCount() == 0 || req.getNamesList().contains(r.getName())).toList()).build();
    }

    private DeleteRoomResponse delete(DeleteRoomRequest req, TwirpCall call) throws TwirpError {
        TwirpGrants.require(auth, call, "roomCreate", null);
        TwirpGrants.requireRoom(req.getRoom());
        rooms.deleteRoom(req.getRoom());
        return DeleteRoomResponse.getDefaultInstance();
    }

    private ListParticipantsResponse participants(ListParticipantsRequest req, TwirpCall call) throws TwirpError {
        TwirpGrants.require(auth, call, "roomAdmin", req.getRoom());
        TwirpGrants.requireRoom(req.getRoom());
        List<ParticipantInfo> list = rooms.participants(req.getRoom())
                .orElseThrow(() -> new TwirpError("not_found", 404, "requested room does not exist"));
        return ListParticipantsResponse.newBuilder().addAllParticipants(list).build();
    }

    private ParticipantInfo participant(RoomParticipantIdentity req, TwirpCall call) throws TwirpError {
        TwirpGrants.require(auth, call, "roomAdmin", req.getRoom());
        TwirpGrants.requireRoom(req.getRoom());
        return rooms.participants(req.getRoom()).orElse(List.of()).stream()
                .filter(p -> p.getIdentity().equals(req.getIdentity())).findFirst()
                .orElseThrow(() -> new TwirpError("not_found", 404, "participant not found"));
    }

    private RemoveParticipantResponse remove(RoomParticipantIdentity req, TwirpCall call) throws TwirpError {
        TwirpGrants.require(auth, call, "roomAdmin", req.getRoom());
        TwirpGrants.requireRoom(req.getRoom());
        if (!rooms.removeParticipant(req.getRoom(), req.getIdentity())) {
            throw new TwirpError("not_found", 404, "participant not found");
        }
        return RemoveParticipantResponse.getDefaultInstance();
    }

    private livekit.LivekitRoom.MuteRoomTrackResponse mute(livekit.LivekitRoom.MuteRoomTrackRequest req, TwirpCall call)
            throws TwirpError {
        TwirpGrants.require(auth, call, "roomAdmin", req.getRoom());
        TwirpGrants.requireRoom(req.getRoom());
        return livekit.LivekitRoom.MuteRoomTrackResponse.newBuilder().setTrack(
                rooms.mutePublishedTrack(req.getRoom(), req.getIdentity(), req.getTrackSid(), req.getMuted())
                        .orElseThrow(() -> new TwirpError("not_found", 404, "track not found"))).build();
    }

    private SendDataResponse sendData(SendDataRequest req, TwirpCall call) throws TwirpError {
        TwirpGrants.require(auth, call, "roomAdmin", req.getRoom());
        TwirpGrants.requireRoom(req.getRoom());
        boolean sent = rooms.sendData(req.getRoom(), req.getData().toByteArray(), req.hasTopic() ? req.getTopic() : "",
                req.getDestinationIdentitiesList(), req.getKind() != DataPacket.Kind.LOSSY);
        if (!sent) {
            throw new TwirpError("not_found", 404, "requested room does not exist");
        }
        return SendDataResponse.getDefaultInstance();
    }
}
