package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;

/** What the kernel already knows about a TCP connection that its event loop may not have read. */
final class TcpPeer {
  /** Linux's TCP_ESTABLISHED; once the peer's FIN arrived the state is CLOSE_WAIT. */
  private static final int TCP_ESTABLISHED = 1;

  /** Linux's TCP_CLOSE: what a reset leaves, also one that follows the peer's FIN. */
  private static final int TCP_CLOSE = 7;

  private TcpPeer() {}

  /**
   * Whether the peer has closed (its FIN or reset arrived) though the channel still looks open: on
   * a busy event loop a pooled connection's close can wait in the kernel behind the very client
   * read that is about to reuse it. One getsockopt(TCP_INFO) call; false where that is not
   * available (NIO transport).
   */
  static boolean hasClosed(Channel ch) {
    if (ch instanceof EpollSocketChannel epoll) {
      try {
        return epoll.tcpInfo().state() != TCP_ESTABLISHED;
      } catch (ChannelException e) {
        return true;
      }
    }
    return false;
  }

  /**
   * Called when the peer's FIN was read: whether a reset followed it. A peer that closed its socket
   * answers data arriving afterwards with a reset, so (the only thing sent after the peer's last
   * response being the next request) the request reached a socket nobody reads any more: the app
   * never saw it. On loopback the reset is back before the FIN is read. False where unknown.
   */
  static boolean resetAfterClose(Channel ch) {
    if (ch instanceof EpollSocketChannel epoll && epoll.isOpen()) {
      try {
        return epoll.tcpInfo().state() == TCP_CLOSE;
      } catch (ChannelException e) {
        return false;
      }
    }
    return false;
  }
}
