package dev.pylon.router;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The short plain-text answers the router gives when it cannot forward a request. */
final class ErrorResponses {
  private ErrorResponses() {}

  /**
   * @param message one line for a human, e.g. "no instance is ready"
   * @param keepAlive whether the connection stays open afterwards
   * @param withBody false for HEAD requests
   * @param retryAfterSeconds adds Retry-After when positive
   */
  static FullHttpResponse of(
      ByteBufAllocator alloc,
      HttpResponseStatus status,
      String message,
      boolean keepAlive,
      boolean withBody,
      int retryAfterSeconds,
      String requestId) {
    byte[] text =
        (status.code() + " " + status.reasonPhrase() + ": " + message + "\n")
            .getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            withBody ? alloc.buffer(text.length).writeBytes(text) : Unpooled.EMPTY_BUFFER);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (retryAfterSeconds > 0) {
      response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    if (requestId != null) {
      response.headers().set(RequestIds.X_REQUEST_ID, requestId);
    }
    return response;
  }
}
