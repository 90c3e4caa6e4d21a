package io.github.pglogrepl.reliability.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 forwarding to a local port, with a pause switch: while paused, nothing is
 * forwarded in either direction (bytes read are held, end-of-stream too) and no socket is closed, like a
 * network that silently stopped delivering packets. New connections are accepted but stall as well.
 */
public final class StallProxy implements AutoCloseable {

	private final ServerSocket listener;

	private final int targetPort;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final AtomicInteger connections = new AtomicInteger();

	private final Object lock = new Object();

	private volatile boolean paused;

	private volatile boolean closed;

	/**
	 * Starts listening.
	 * @param targetPort the local port to forward to
	 */
	public StallProxy(int targetPort) {
		this.targetPort = targetPort;
		try {
			this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Thread acceptor = new Thread(this::acceptLoop, "stall-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * @return the port clients connect to
	 */
	public int port() {
		return this.listener.getLocalPort();
	}

	/**
	 * @return connections accepted so far
	 */
	public int connections() {
		return this.connections.get();
	}

	/** Stops forwarding (sockets stay open). */
	public void pause() {
		this.paused = true;
	}

	/** Forwards again, including what was held. */
	public void resume() {
		synchronized (this.lock) {
			this.paused = false;
			this.lock.notifyAll();
		}
	}

	private void acceptLoop() {
		while (!this.closed) {
			try {
				Socket client = this.listener.accept();
				this.connections.incrementAndGet();
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				client.setTcpNoDelay(true);
				upstream.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(upstream);
				pump(client, upstream, "up");
				pump(upstream, client, "down");
			}
			catch (IOException ex) {
				if (!this.closed) {
					Soak.sleep(10);
				}
			}
		}
	}

	private void pump(Socket from, Socket to, String direction) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16384];
			try {
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				int n;
				while ((n = in.read(buffer)) >= 0) {
					awaitForwarding();
					out.write(buffer, 0, n);
					out.flush();
				}
			}
			catch (IOException ex) {
				// the other side closed
			}
			awaitForwarding();
			closeQuietly(from);
			closeQuietly(to);
		}, "stall-proxy-" + direction);
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitForwarding() {
		synchronized (this.lock) {
			while (this.paused && !this.closed) {
				try {
					this.lock.wait(100);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private void closeQuietly(Socket socket) {
		this.sockets.remove(socket);
		try {
			socket.close();
		}
		catch (IOException ex) {
			// closed
		}
	}

	@Override
	public void close() {
		this.closed = true;
		resume();
		try {
			this.listener.close();
		}
		catch (IOException ex) {
			// closed
		}
		this.sockets.forEach(this::closeQuietly);
	}

}
