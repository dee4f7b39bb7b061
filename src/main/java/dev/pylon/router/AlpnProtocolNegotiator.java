package dev.pylon.router;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/** After the TLS handshake: HTTP/2 if the client chose h2 by ALPN, HTTP/1.1 otherwise. */
final class AlpnProtocolNegotiator extends ApplicationProtocolNegotiationHandler {
  private final RouterContext router;

  AlpnProtocolNegotiator(RouterContext router) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.router = router;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      ClientPipelines.http2(ctx.pipeline(), router);
    } else {
      ClientPipelines.http1(ctx.pipeline(), router);
    }
  }
}
