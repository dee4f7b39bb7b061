package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponse;

/**
 * A WebSocket the instance accepted: the 101 response passed on, then raw bytes relayed both ways.
 *
 * <p>The tunnel stays its request, as on Cloud Run, where a WebSocket is one long request: it keeps
 * its slot on the instance (so it counts against the concurrency cap and in the in-flight count the
 * autoscaler reads: an instance with open sockets is not idle) and is closed, both sides, when the
 * request timeout runs out since the handshake request began. The request ends when either side
 * closes.
 */
final class WebSocketTunnel {
  private final Channel client;
  private final Channel upstream;
  private final TunnelRelay fromUpstream;
  private boolean closed;

  private WebSocketTunnel(Channel client, Channel upstream, TunnelRelay fromUpstream) {
    this.client = client;
    this.upstream = upstream;
    this.fromUpstream = fromUpstream;
  }

  /**
   * Writes the handshake response (its head already rewritten) and turns both connections into
   * relays; {@code onClosed} runs on the loop when either side closes.
   */
  static WebSocketTunnel open(
      RouterContext router,
      ClientConnectionHandler connection,
      ProxyExchange exchange,
      ChannelHandlerContext client,
      Channel upstream,
      HttpResponse handshake,
      Runnable onClosed) {
    router.metrics.tunnelOpened();
    client.writeAndFlush(handshake, client.voidPromise());
    TunnelRelay fromUpstream = new TunnelRelay(client.channel(), onClosed);
    WebSocketTunnel tunnel = new WebSocketTunnel(client.channel(), upstream, fromUpstream);
    connection.becomeTunnel(exchange, upstream, new TunnelRelay(upstream, onClosed), fromUpstream);
    return tunnel;
  }

  /** Bytes the instance sent the client through the tunnel. */
  long relayed() {
    return fromUpstream.relayed();
  }

  /** Closes both sides; the relays then end the request. */
  void close() {
    if (!closed) {
      closed = true;
      upstream.close();
      client.close();
    }
  }
}
