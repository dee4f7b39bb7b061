package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The instance's response on its way to the client: interim responses, the head rewritten for the
 * client's connection, the body with backpressure, and the hand-over to a WebSocket tunnel. How the
 * exchange then ends (reuse the connection, close it, cut the client) is the exchange's.
 */
final class ResponseRelay {
  private final ProxyExchange exchange;
  private final ChannelHandlerContext client;
  private final RequestHead head;

  private boolean answered;
  private boolean interim;
  private boolean started;
  private boolean upstreamKeepAlive;
  private boolean upstreamDelimited;
  private boolean closeClientAfter;
  private boolean keepAliveAnnounced; // what the response head told the client
  private int status;
  private long bytesSent;

  ResponseRelay(ProxyExchange exchange, ChannelHandlerContext client, RequestHead head) {
    this.exchange = exchange;
    this.client = client;
    this.head = head;
  }

  /** Some byte of a response came back on the current connection. */
  boolean answered() {
    return answered;
  }

  /** The response head went to the client: the exchange can no longer answer by itself. */
  boolean started() {
    return started;
  }

  int status() {
    return status;
  }

  long bytesSent() {
    return bytesSent;
  }

  void bytesSent(long bytes) {
    bytesSent = bytes;
  }

  /** A new connection carries the request: nothing of a response came back on it yet. */
  void newConnection() {
    answered = false;
    interim = false;
  }

  /**
   * Whether the client connection may carry another request after this response: what its head
   * announced. A drain that begins later does not change it, since the client, told keep-alive, may
   * already be sending its next request (which is then answered with Connection: close).
   */
  boolean keepClient() {
    return keepAliveAnnounced && !closeClientAfter;
  }

  /** Whether the instance's connection may carry another request after this response. */
  boolean upstreamReusable() {
    return upstreamKeepAlive && upstreamDelimited;
  }

  /** What the instance's connection delivered. */
  void read(Object msg, Channel upstream) {
    if (!answered) {
      answered = true;
      exchange.onFirstResponseByte();
    }
    if (msg instanceof HttpResponse response) {
      onHead(response);
      if (msg instanceof HttpContent content) {
        onContent(content, upstream);
      }
    } else if (msg instanceof HttpContent content) {
      onContent(content, upstream);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHead(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      exchange.respondError(
          HttpResponseStatus.BAD_GATEWAY, "the instance sent an invalid response", 0);
      return;
    }
    int code = response.status().code();
    if (code < 200) {
      if (code == 101) {
        if (head.webSocket
            && response
                .headers()
                .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
          HttpHeaders headers = response.headers();
          HopByHopHeaders.strip(headers);
          headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
          headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
          headers.set(RequestIds.X_REQUEST_ID, head.requestId);
          started = true;
          status = 101;
          exchange.switchToTunnel(response);
        } else {
          exchange.respondError(
              HttpResponseStatus.BAD_GATEWAY, "the instance switched protocols", 0);
        }
        return;
      }
      interim = true;
      if (head.clientHttp11) {
        HopByHopHeaders.strip(response.headers());
        client.write(response, client.voidPromise());
      }
      return;
    }
    started = true;
    status = code;
    HttpHeaders headers = response.headers();
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    boolean hasLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
    boolean bodyless = head.method == HttpMethod.HEAD || code == 204 || code == 304;
    upstreamDelimited = hasLength || bodyless || HttpUtil.isTransferEncodingChunked(response);
    HopByHopHeaders.strip(headers);
    if (!bodyless && !hasLength) {
      if (head.clientHttp11) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        closeClientAfter = true; // HTTP/1.0 knows no chunks: the close ends the body
      }
    }
    if (!exchange.requestComplete()) {
      closeClientAfter = true; // the rest of the request body will not be read
    }
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    keepAliveAnnounced = head.clientKeepAlive && !closeClientAfter && !exchange.draining();
    if (!keepAliveAnnounced) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (!head.clientHttp11) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (!headers.contains(RequestIds.X_REQUEST_ID)) {
      headers.set(RequestIds.X_REQUEST_ID, head.requestId);
    }
    client.write(response, client.voidPromise());
  }

  private void onContent(HttpContent content, Channel upstream) {
    if (exchange.ended() || !started) {
      content.release();
      if (interim && content instanceof LastHttpContent) {
        interim = false;
        if (head.clientHttp11 && !exchange.ended()) {
          // ends the interim response for the encoder; no bytes go out
          client.write(LastHttpContent.EMPTY_LAST_CONTENT, client.voidPromise());
        }
      }
      return;
    }
    if (content instanceof LastHttpContent last) {
      if (last.decoderResult().isFailure()) {
        last.release();
        exchange.abort("the instance closed the connection in the middle of the response");
        return;
      }
      bytesSent += last.content().readableBytes();
      exchange.finishResponse(last);
      return;
    }
    bytesSent += content.content().readableBytes();
    client.write(content, client.voidPromise());
    if (!client.channel().isWritable() && upstream != null) {
      upstream.config().setAutoRead(false);
    }
  }
}
