package dev.pylon.router;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import java.util.List;

/**
 * Netty's request decoder set to reject what a smuggling attack needs: bare line endings, duplicate
 * Content-Length, invalid header names and values, and -- unlike Netty's defaults -- obs-fold
 * continuation lines (which Netty silently joins) and a request with both Content-Length and
 * Transfer-Encoding (where Netty drops Content-Length and carries on).
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
  /** Marks a request that framed its body two ways. */
  static final class AmbiguousFramingException extends IllegalArgumentException {
    AmbiguousFramingException() {
      super("request has both Content-Length and Transfer-Encoding");
    }
  }

  /** Marks a header block with a line folded onto the previous one (RFC 9112 5.2). */
  static final class ObsFoldException extends IllegalArgumentException {
    ObsFoldException() {
      super("header line folding (obs-fold) is not accepted");
    }
  }

  private final FoldScanner scanner = new FoldScanner();
  private boolean inHeaders = true;
  private boolean broken;

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
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (broken) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (inHeaders && scanner.foundFold(in)) {
      broken = true;
      in.skipBytes(in.readableBytes());
      DefaultFullHttpRequest invalid =
          new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request");
      invalid.setDecoderResult(DecoderResult.failure(new ObsFoldException()));
      out.add(invalid);
      return;
    }
    int before = out.size();
    super.decode(ctx, in, out);
    for (int i = before; i < out.size(); i++) {
      Object decoded = out.get(i);
      if (decoded instanceof HttpRequest) {
        inHeaders = false;
      }
      if (decoded instanceof LastHttpContent) {
        inHeaders = true;
        scanner.reset();
      }
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.setDecoderResult(DecoderResult.failure(new AmbiguousFramingException()));
  }

  /**
   * Looks through the not yet decoded part of a header block for a line that starts with a space or
   * tab. The decoder consumes whole lines only, so every scan starts at a line start; the scan
   * stops at the empty line that ends the block and never reads into a body.
   */
  private static final class FoldScanner implements ByteProcessor {
    private boolean messageStarted;
    private boolean atLineStart;
    private boolean lineHasContent;
    private boolean fold;

    void reset() {
      messageStarted = false;
    }

    boolean foundFold(ByteBuf in) {
      atLineStart = true;
      lineHasContent = false;
      fold = false;
      in.forEachByte(this);
      return fold;
    }

    @Override
    public boolean process(byte b) {
      if (atLineStart && messageStarted && (b == ' ' || b == '\t')) {
        fold = true;
        return false;
      }
      if (b == '\n') {
        if (messageStarted && !lineHasContent) {
          return false; // end of the header block
        }
        atLineStart = true;
        lineHasContent = false;
        return true;
      }
      atLineStart = false;
      if (b != '\r') {
        lineHasContent = true;
        messageStarted = true;
      }
      return true;
    }
  }
}
