package dev.pylon.router;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's request decoder set to reject what a smuggling attack needs: bare line endings, duplicate
 * Content-Length, invalid header names and values, and -- unlike Netty's default, which drops
 * Content-Length and carries on -- a request with both Content-Length and Transfer-Encoding.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
  /** Marks a request that framed its body two ways. */
  static final class AmbiguousFramingException extends IllegalArgumentException {
    AmbiguousFramingException() {
      super("request has both Content-Length and Transfer-Encoding");
    }
  }

  StrictRequestDecoder(RouterConfig config) {
    super(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(config.maxInitialLineLength())
            .setMaxHeaderSize(config.maxHeaderSize())
            .setMaxChunkSize(64 * 1024)
            .setAllowDuplicateContentLengths(false)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(true))
            .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(true)));
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.setDecoderResult(DecoderResult.failure(new AmbiguousFramingException()));
  }
}
