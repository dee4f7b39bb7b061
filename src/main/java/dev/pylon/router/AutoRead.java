package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Turns reading of a connection or an HTTP/2 stream on and off, for backpressure.
 *
 * <p>An HTTP/2 stream that starts reading again owes its peer a WINDOW_UPDATE for what it read
 * before; Netty writes that frame to the stream's connection but does not always flush it when the
 * read resumes from another connection's events (netty/netty#10077, #17600), and the peer then
 * waits forever for window. So the connection is flushed here.
 */
final class AutoRead {
  private AutoRead() {}

  static void set(Channel ch, boolean on) {
    if (ch.config().isAutoRead() == on) {
      return;
    }
    ch.config().setAutoRead(on);
    if (on && ch instanceof Http2StreamChannel stream) {
      stream.parent().flush();
    }
  }
}
