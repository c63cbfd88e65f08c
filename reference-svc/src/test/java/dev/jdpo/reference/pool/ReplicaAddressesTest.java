package dev.jdpo.reference.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaAddressesTest {

    @Test
    void parsesACommaSeparatedListInOrder() throws Exception {
        List<InetSocketAddress> a = ReplicaAddresses.resolve("127.0.0.1:50051, 127.0.0.2:50052,[::1]:7");
        assertEquals(3, a.size());
        assertEquals("127.0.0.1", a.get(0).getAddress().getHostAddress());
        assertEquals(50052, a.get(1).getPort());
        assertEquals(7, a.get(2).getPort());
        assertTrue(a.get(2).getAddress().isLoopbackAddress());
    }

    @Test
    void aLoopbackNameIsOneReplicaAndDuplicatesCollapse() throws Exception {
        assertEquals(1, ReplicaAddresses.resolve("localhost:9000").size());
        assertEquals(1, ReplicaAddresses.resolve("127.0.0.1:9000,127.0.0.1:9000").size());
    }

    @Test
    void badEntriesAreRejectedByName() {
        for (String bad : List.of("host", "host:", "host:0", "host:70000", "host:http", " , ")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplicaAddresses.resolve(bad),
                    bad);
            assertTrue(e.getMessage().contains("'"), e.getMessage());
        }
    }
}
