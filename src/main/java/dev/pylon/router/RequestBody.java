package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * A request body on its way to the instance: the pieces that arrived while there was no connection
 * yet, and those sent, kept until the instance answers so the request can be sent once more (while
 * the body is small: see {@link ProxyExchange#RESEND_BODY_LIMIT}). Never accumulates more than
 * that: the exchange stops reading the client while there is nowhere to put what it reads.
 */
final class RequestBody {
  private final boolean present;
  private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(2);

  /** The body as sent to the instance. */
  private ArrayDeque<HttpContent> sent;

  private boolean kept = true;
  private long bytes;

  /**
   * @param present the request has a body (a bodyless request's end is written by the exchange)
   */
  RequestBody(boolean present) {
    this.present = present;
  }

  /**
   * Counts a piece that arrived, and drops the trailer fields no trailer may carry; returns the
   * bytes of body so far.
   */
  long arrived(HttpContent piece) {
    if (piece instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
      TrailerFields.strip(last.trailingHeaders());
    }
    bytes += piece.content().readableBytes();
    return bytes;
  }

  /** Holds a piece until there is a connection. */
  void hold(HttpContent piece) {
    pending.add(piece);
  }

  /** Sends a piece, keeping it for a resend while that is possible. */
  void send(Channel ch, HttpContent piece) {
    if (kept && present) {
      if (sent == null) {
        sent = new ArrayDeque<>(2);
      }
      sent.add(piece);
      piece = piece.retainedDuplicate();
    }
    ch.write(piece, ch.voidPromise());
  }

  /** Writes what was sent before (a resend), then what waited for the connection. */
  void sendAll(Channel ch) {
    if (sent != null) {
      for (HttpContent again : sent) {
        ch.write(again.retainedDuplicate(), ch.voidPromise());
      }
    }
    HttpContent piece;
    while ((piece = pending.poll()) != null) {
      send(ch, piece);
    }
  }

  /** Whether the whole body sent so far can be sent again. */
  boolean kept() {
    return kept;
  }

  /** Stops keeping what was sent (too big, or the instance answers: never sent again). */
  void stopKeeping() {
    kept = false;
    if (sent != null) {
      HttpContent c;
      while ((c = sent.poll()) != null) {
        c.release();
      }
    }
  }

  /** Releases everything held. */
  void release() {
    HttpContent c;
    while ((c = pending.poll()) != null) {
      c.release();
    }
    stopKeeping();
  }
}
