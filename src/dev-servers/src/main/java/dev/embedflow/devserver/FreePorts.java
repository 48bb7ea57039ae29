package dev.embedflow.devserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Finds TCP ports on the loopback interface that nothing listens on, and tells taken ones. */
public final class FreePorts {

    private FreePorts() {}

    /**
     * Returns {@code count} distinct ports that were free on 127.0.0.1 when this method ran.
     *
     * <p>The ports are only probed, not reserved: another process may take one before the caller
     * binds it. All sockets are held open until every port has been found, so the ports differ from
     * one another.
     */
    public static List<Integer> pick(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        List<ServerSocket> sockets = new ArrayList<>(count);
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(loopback, 0));
            }
            List<Integer> ports = new ArrayList<>(count);
            for (ServerSocket socket : sockets) {
                ports.add(socket.getLocalPort());
            }
            return List.copyOf(ports);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not find a free port on the loopback interface", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Nothing was sent on it; the port is free again either way.
                }
            }
        }
    }

    /** Returns one port that was free on 127.0.0.1 when this method ran (see {@link #pick}). */
    public static int pickOne() {
        return pick(1).get(0);
    }

    /** Whether something already listens on (or holds) {@code port} on the loopback interface. */
    public static boolean isTaken(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
