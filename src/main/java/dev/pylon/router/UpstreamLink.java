package dev.pylon.router;

import io.netty.channel.Channel;

/**
 * One exchange's hold on an instance: its slot there ({@link Lease}) and the connection (or HTTP/2
 * stream) carrying the request, until the exchange gives them back: the connection to the pool if
 * it can carry another request, else closed; the slot to the balancer.
 */
final class UpstreamLink {
  private final UpstreamPool pool;
  private Lease lease;
  private Channel channel;
  private UpstreamConnectionHandler handler;
  private boolean reused;

  UpstreamLink(UpstreamPool pool) {
    this.pool = pool;
  }

  void claimed(Lease slot) {
    lease = slot;
  }

  Lease lease() {
    return lease;
  }

  /** The instance holding the slot, or null. */
  Upstream upstream() {
    return lease == null ? null : lease.upstream();
  }

  /** The connection now carrying the request, or null. */
  Channel channel() {
    return channel;
  }

  /** Whether the connection carried requests before this one. */
  boolean reused() {
    return reused;
  }

  /** Takes {@code ch} for {@code owner}: what the instance sends goes to the owner from now on. */
  void attach(Channel ch, boolean wasReused, ProxyExchange owner) {
    channel = ch;
    reused = wasReused;
    handler = ch.pipeline().get(UpstreamConnectionHandler.class);
    handler.owner(owner);
    if (!ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
  }

  boolean writable() {
    return channel != null && channel.isWritable();
  }

  void flush() {
    if (channel != null) {
      channel.flush();
    }
  }

  /** Reads the instance only while the client can take what it sends. */
  void reading(boolean read) {
    if (channel != null) {
      AutoRead.set(channel, read);
    }
  }

  /** The instance closed the connection. */
  void lost() {
    channel = null;
    handler = null;
  }

  /** Hands the connection over (to a WebSocket tunnel); the slot stays held. */
  Channel detach() {
    Channel ch = channel;
    handler.owner(null);
    lost();
    return ch;
  }

  /** Gives the connection back (to the pool when {@code reusable}, else closed) and the slot. */
  void release(boolean reusable) {
    Channel ch = channel;
    if (ch != null) {
      channel = null;
      handler.owner(null);
      handler = null;
      if (reusable && lease != null) {
        if (!ch.config().isAutoRead()) {
          ch.config().setAutoRead(true);
        }
        pool.release(ch, lease.upstream());
      } else {
        ch.close();
      }
    }
    releaseSlot();
  }

  /** Gives the slot back, keeping nothing of the instance. */
  void releaseSlot() {
    if (lease != null) {
      Lease l = lease;
      lease = null;
      l.release();
    }
  }
}
