package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/**
 * Gets one exchange a channel to an instance, on the exchange's event loop: a pooled HTTP/1.1
 * connection, a new one, or a stream on a shared HTTP/2 connection. Knows nothing of requests.
 */
final class UpstreamConnector {
  /** Who asked for the channel. Called on the loop. */
  interface Requester {
    /** The exchange ended meanwhile: the channel is not wanted. */
    boolean gone();

    /** A channel to the instance; {@code reused}: it carried requests before. */
    void attached(Channel ch, boolean reused);

    void connectFailed(Upstream target, Throwable cause);
  }

  private final UpstreamPool pool;
  private final EventLoop loop;
  private final Requester requester;

  UpstreamConnector(UpstreamPool pool, EventLoop loop, Requester requester) {
    this.pool = pool;
    this.loop = loop;
    this.requester = requester;
  }

  /**
   * A channel to {@code target}.
   *
   * @param upgrade the request asks for a WebSocket: it needs an HTTP/1.1 connection of its own to
   *     take over, even to an h2c instance (same port)
   * @param fresh not a pooled connection (a resend after the pooled one failed)
   */
  void connect(Upstream target, boolean upgrade, boolean fresh) {
    if (target.protocol() == UpstreamProtocol.H2C && !upgrade) {
      Future<Http2UpstreamConnections.OpenedStream> opening = pool.openStream(loop, target);
      if (opening.isDone()) {
        onStreamOpened(opening, target);
      } else {
        opening.addListener(f -> onStreamOpened(opening, target));
      }
      return;
    }
    if (!fresh) {
      Channel idle = pool.pollIdle(loop, target);
      if (idle != null) {
        requester.attached(idle, true);
        return;
      }
    }
    openConnection(target);
  }

  /**
   * Opens a new connection to {@code target} once the event loop is done with its current batch of
   * I/O events. A socket made in the middle of a batch can get the number of one closed earlier in
   * it, and Netty's epoll transport finds a channel by that number: an event of the closed socket
   * still waiting in the batch then reaches the new, unconnected one, whose read fails and closes
   * it (seen as "could not connect" 502s in bursts of closing connections).
   */
  private void openConnection(Upstream target) {
    loop.execute(
        () -> {
          if (requester.gone()) {
            return;
          }
          ChannelFuture connecting = pool.connect(loop, target);
          if (connecting.isDone()) {
            onConnected(connecting, target);
          } else {
            connecting.addListener(f -> onConnected(connecting, target));
          }
        });
  }

  private void onConnected(ChannelFuture connecting, Upstream target) {
    if (requester.gone()) {
      if (connecting.isSuccess()) {
        pool.release(connecting.channel(), target);
      }
      return;
    }
    if (!connecting.isSuccess()) {
      requester.connectFailed(target, connecting.cause());
      return;
    }
    requester.attached(connecting.channel(), false);
  }

  private void onStreamOpened(
      Future<Http2UpstreamConnections.OpenedStream> opening, Upstream target) {
    if (!opening.isSuccess()) {
      if (!requester.gone()) {
        requester.connectFailed(target, opening.cause());
      }
      return;
    }
    Channel stream = opening.getNow().channel();
    if (requester.gone()) {
      stream.close();
      return;
    }
    requester.attached(stream, !opening.getNow().newConnection());
  }
}
