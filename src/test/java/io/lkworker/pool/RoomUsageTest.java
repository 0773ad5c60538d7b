package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which agents get the WebRTC library loaded while their job processes warm up. */
class RoomUsageTest {

    @TempDir
    Path dir;

    @Test
    void anAgentThatConnectsUsesRoomsAndOneThatDoesNotDoesNot() throws Exception {
        Path connects = TestJars.agentJar(dir.resolve("rooms.jar"), "t.RoomAgent", """
                package t;
                public class RoomAgent implements io.lkworker.api.Agent {
                    public void entrypoint(io.lkworker.api.JobContext ctx) throws Exception {
                        ctx.connect();
                    }
                }
                """);
        Path plain = TestJars.agentJar(dir.resolve("plain.jar"), "t.PlainAgent", TestJars.simpleAgent("t.PlainAgent"));
        assertThat(RoomUsage.usesRooms(connects)).isTrue();
        assertThat(RoomUsage.usesRooms(plain)).isFalse();
    }

    @Test
    void anUnreadableJarIsTakenAsNotUsingRooms() throws Exception {
        assertThat(RoomUsage.usesRooms(Files.writeString(dir.resolve("broken.jar"), "not a jar"))).isFalse();
        assertThat(RoomUsage.usesRooms(dir.resolve("missing.jar"))).isFalse();
    }
}
