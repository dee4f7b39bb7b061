package dev.pylon.router;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * The handlers a client connection gets once its protocol is known. HTTP/2 streams are turned into
 * the same HTTP/1 message objects, so one proxy handler serves both.
 */
final class ClientPipelines {
  private static final int MAX_CONCURRENT_STREAMS = 250;

  private ClientPipelines() {}

  static void http1(ChannelPipeline p, RouterContext router) {
    p.addLast("decoder", new StrictRequestDecoder(router.config))
        .addLast("encoder", new HttpResponseEncoder())
        .addLast("proxy", new ClientConnectionHandler(router));
  }

  /**
   * HTTP/1.1 on a plain-text connection: as {@link #http1}, and the first request may upgrade the
   * connection to h2c ({@link CleartextUpgradeHandler}).
   */
  static void cleartextHttp1(ChannelPipeline p, RouterContext router) {
    http1(p, router);
    p.addBefore("proxy", "h2c-upgrade", new CleartextUpgradeHandler(router));
  }

  static void http2(ChannelPipeline p, RouterContext router) {
    p.addLast("h2", http2Codec(router)).addLast("streams", http2Streams(router));
  }

  /** The server side of an HTTP/2 connection. */
  static Http2FrameCodec http2Codec(RouterContext router) {
    Http2Settings settings =
        Http2Settings.defaultSettings()
            .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
            .maxHeaderListSize(router.config.maxHeaderSize());
    return Http2FrameCodecBuilder.forServer().initialSettings(settings).build();
  }

  /** Gives each HTTP/2 stream the HTTP/1 message objects and its own proxy handler. */
  static Http2MultiplexHandler http2Streams(RouterContext router) {
    return new Http2MultiplexHandler(
        new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            stream
                .pipeline()
                .addLast("h2-to-http", new Http2StreamFrameToHttpObjectCodec(true))
                .addLast("proxy", new ClientConnectionHandler(router));
          }
        });
  }
}
