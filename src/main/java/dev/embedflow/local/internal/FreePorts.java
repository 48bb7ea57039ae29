package dev.embedflow.local.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Finds free TCP ports on the loopback interface and tells whether a given one is taken. */
public final class FreePorts {

    private FreePorts() {}

    /** A port that was free a moment ago (the OS picks it); the caller binds it soon after. */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not find a free port on the loopback interface", e);
        }
    }

    /** {@code port} itself when it is not 0, else a free one. */
    public static int resolve(int port) {
        return port == 0 ? pick() : port;
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
