package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request crossing the router, from its head to its end: asks {@link Admission} for an instance
 * (or waits in the revision's queue), sends the request, lets {@link ResponseRelay} carry the
 * response back, asks {@link ResendRule} what to do when the instance fails it, and ends exactly
 * once (response sent, error sent, or connection dropped), in the metrics and access log.
 *
 * <p>Everything runs on the client channel's event loop; the upstream channel is opened on the same
 * loop, so no state here is shared between threads. Body data is never accumulated: reading from
 * one side stops while the other side cannot take more.
 */
final class ProxyExchange implements UpstreamConnector.Requester, AdmissionTurn.Outcome {
  private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

  /** A request body up to this size is kept until the response begins, for one resend. */
  static final int RESEND_BODY_LIMIT = 16 * 1024;

  private final RouterContext router;
  private final ClientConnectionHandler connection;
  private final ChannelHandlerContext client;
  private final RequestHead head;
  private final RequestBody body;
  private final ResponseRelay relay;
  private final UpstreamConnector connector;
  private final AdmissionTurn turn;
  private final UpstreamLink link;
  private final Attempts attempts = new Attempts();
  private final TimeoutList.Entry requestDeadline = new TimeoutList.Entry(this::onRequestTimeout);
  private final long startNanos = System.nanoTime();

  private boolean requestComplete;
  private boolean bufferingBody;
  private boolean discardingBody;

  private WebSocketTunnel tunnel;
  private String upstreamAddress = "-";
  private String instanceExit;
  private boolean ended;

  ProxyExchange(
      RouterContext router,
      ClientConnectionHandler connection,
      ChannelHandlerContext client,
      HttpRequest request) {
    this.router = router;
    this.connection = connection;
    this.client = client;
    this.head =
        RequestHead.rewrite(
            request,
            (InetSocketAddress) client.channel().localAddress(),
            (InetSocketAddress) client.channel().remoteAddress(),
            router);
    this.body = new RequestBody(head.hasBody);
    this.relay = new ResponseRelay(this, client, head);
    this.link = new UpstreamLink(router.pool);
    this.connector = new UpstreamConnector(router.pool, client.channel().eventLoop(), this);
    this.turn = new AdmissionTurn(router, client.executor(), head.host, head.path, this);
  }

  boolean requestComplete() {
    return requestComplete;
  }

  boolean ended() {
    return ended;
  }

  boolean draining() {
    return router.draining;
  }

  /** Whether the client connection should be read now (false applies backpressure). */
  boolean wantsClientData() {
    if (discardingBody || requestComplete || bufferingBody) {
      return true;
    }
    return link.writable();
  }

  // ---- request side ----

  void start() {
    router.inFlight.incrementAndGet();
    connection.timeouts().request().arm(requestDeadline);
    bufferingBody = head.bufferBodyFirst(router.config.requestBufferSize());
    if (!bufferingBody) {
      admit();
    }
  }

  void onRequestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (discardingBody) {
      content.release();
      if (last) {
        discardingBody = false;
        requestComplete = true;
        connection.exchangeDone(this, true);
      }
      return;
    }
    if (ended) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      router.metrics.malformed();
      respondError(HttpResponseStatus.BAD_REQUEST, "malformed request body", 0);
      return;
    }
    long bodyBytes = body.arrived(content);
    if (bodyBytes > router.config.maxBodySize()) {
      content.release();
      respondError(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body larger than " + router.config.maxBodySize() + " bytes",
          0);
      return;
    }
    if (body.kept() && bodyBytes > Math.max(router.config.requestBufferSize(), RESEND_BODY_LIMIT)) {
      body.stopKeeping(); // too big to keep for a resend
    }
    if (last) {
      requestComplete = true;
    }
    if (link.channel() != null) {
      body.send(link.channel(), content);
    } else if (head.hasBody) {
      body.hold(content);
      if (bufferingBody && (last || bodyBytes > router.config.requestBufferSize())) {
        bufferingBody = false; // all here, or too big to hold: time to pick an instance
        admit();
        if (ended) {
          return;
        }
      }
    } else {
      content.release(); // attached() sends the end of a bodyless request itself
    }
    connection.setReading(wantsClientData());
  }

  void flushUpstream() {
    link.flush();
  }

  void onClientWritabilityChanged() {
    link.reading(client.channel().isWritable());
  }

  void onUpstreamWritabilityChanged() {
    connection.setReading(wantsClientData());
  }

  void onClientBodyStalled() {
    respondError(HttpResponseStatus.REQUEST_TIMEOUT, "request body stalled", 0);
  }

  // ---- choosing and reaching an instance ----

  private void admit() {
    turn.ask(attempts.failed());
  }

  @Override
  public void picked(Lease claimed) {
    link.claimed(claimed);
    connectTo(claimed.upstream(), false);
  }

  @Override
  public void rejected(Admission.Decision.Reject reject) {
    respondError(
        HttpResponseStatus.valueOf(reject.status()), reject.text(), reject.retryAfterSeconds());
  }

  private void connectTo(Upstream target, boolean fresh) {
    attempts.connecting();
    upstreamAddress = target.address();
    connector.connect(target, head.webSocket, fresh);
  }

  @Override
  public boolean gone() {
    return ended;
  }

  @Override
  public void attached(Channel ch, boolean reused) {
    link.attach(ch, reused, this);
    relay.newConnection();
    attempts.sent();
    ch.write(head.request, ch.voidPromise());
    body.sendAll(ch);
    if (!head.hasBody && requestComplete) {
      ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
    }
    ch.flush();
    connection.setReading(wantsClientData());
  }

  @Override
  public void connectFailed(Upstream target, Throwable cause) {
    router.metrics.connectFailed();
    log.debug("cannot connect to {}: {}", target.address(), cause.toString());
    onFailure(target, ResendRule.Ending.NOT_CONNECTED, null, false);
  }

  // ---- when the instance fails the request ----

  /**
   * The instance's connection closed before this exchange was done with it.
   *
   * @param reset the instance's kernel reset it: what the request sent was not read in full
   */
  void onUpstreamClosed(boolean reset) {
    link.lost();
    if (ended) {
      return;
    }
    if (relay.started()) {
      link.releaseSlot();
      abort("the instance closed the connection in the middle of the response");
      return;
    }
    Upstream failed = link.upstream();
    if (failed == null) {
      respondError(
          HttpResponseStatus.BAD_GATEWAY,
          "the instance closed the connection before responding",
          0);
      return;
    }
    onFailure(failed, reset ? ResendRule.Ending.RESET : ResendRule.Ending.CLOSED, null, false);
  }

  private void onFailure(Upstream failed, ResendRule.Ending ending, String exit, boolean asked) {
    long sentNanos = attempts.sentNanos();
    if (exit == null && sentNanos != 0) {
      exit = router.exits.since(failed.id(), sentNanos);
    }
    ResendRule.Failure failure =
        attempts.failure(
            ending,
            failed,
            turn.backend(),
            link.reused(),
            relay.answered(),
            requestComplete,
            head,
            body.kept(),
            router.config.maxRetries(),
            exit,
            asked);
    switch (ResendRule.decide(failure)) {
      case ResendRule.Verdict.SendAgain again when again.sameInstance() -> {
        attempts.resendingToSameInstance();
        router.metrics.resentOnFreshConnection();
        log.debug("resending {} {} on a fresh connection ({})", head.method, head.target, ending);
        connectTo(failed, true);
      }
      case ResendRule.Verdict.SendAgain again -> {
        link.releaseSlot();
        attempts.movingOn(failed, ending != ResendRule.Ending.NOT_CONNECTED);
        router.metrics.retried();
        admit();
      }
      case ResendRule.Verdict.AskForExit ask -> {
        link.releaseSlot();
        router.exits.await(
            failed.id(),
            sentNanos,
            client.executor(),
            how -> {
              if (!ended) {
                onFailure(failed, ending, how, true);
              }
            });
      }
      case ResendRule.Verdict.Fail fail -> {
        link.releaseSlot();
        instanceExit = exit;
        respondError(HttpResponseStatus.valueOf(fail.status()), fail.text(), 0);
      }
    }
  }

  // ---- response side (ResponseRelay calls these) ----

  void onUpstreamRead(Object msg) {
    relay.read(msg, link.channel());
  }

  void flushClient() {
    client.flush();
  }

  /** The instance answers: the request is never sent again, and the instance is answering. */
  void onFirstResponseByte() {
    body.stopKeeping();
    if (link.lease() != null) {
      LeastInFlightBalancer.answered(link.lease());
    }
  }

  void finishResponse(LastHttpContent last) {
    boolean keepClient = relay.keepClient() && requestComplete;
    link.release(relay.upstreamReusable() && requestComplete);
    end(relay.status()); // before the last write, so the request is no longer counted once it
    // arrives
    if (keepClient) {
      client.writeAndFlush(last, client.voidPromise());
    } else {
      client.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    }
    connection.exchangeDone(this, keepClient);
  }

  /** The instance accepted the WebSocket handshake: pass it on, then relay raw bytes. */
  void switchToTunnel(HttpResponse response) {
    Channel ch = link.detach();
    tunnel =
        WebSocketTunnel.open(router, connection, this, client, ch, response, this::onTunnelClosed);
  }

  /** One side of the tunnel closed (the relay closes the other): the request is over. */
  private void onTunnelClosed() {
    if (ended) {
      return;
    }
    router.metrics.tunnelClosed();
    link.releaseSlot();
    relay.bytesSent(tunnel.relayed());
    end(101);
  }

  // ---- endings ----

  private void onRequestTimeout() {
    if (ended) {
      return;
    }
    router.metrics.requestTimedOut();
    if (tunnel != null) {
      log.debug("closing WebSocket {} at the request timeout", head.target);
      tunnel.close();
      return;
    }
    if (link.lease() != null && attempts.sentNanos() != 0 && !relay.answered()) {
      router.balancer.timedOut(
          link.lease(), attempts.sentNanos()); // not one byte: the instance may be hung
    }
    respondError(
        HttpResponseStatus.GATEWAY_TIMEOUT,
        "the app did not answer within " + router.config.requestTimeout().toSeconds() + " s",
        0);
  }

  /** Answers the request from the router itself; if the response already began, cuts it. */
  void respondError(HttpResponseStatus error, String message, int retryAfterSeconds) {
    if (ended) {
      return;
    }
    if (relay.started()) {
      abort(message);
      return;
    }
    link.release(false);
    turn.leave();
    body.release();
    boolean swallowRest = !requestComplete && !head.hasBody;
    boolean keepClient =
        head.clientKeepAlive && !router.draining && (requestComplete || swallowRest);
    FullHttpResponse response =
        ErrorResponses.of(
            client.alloc(),
            error,
            message,
            keepClient,
            head.method != HttpMethod.HEAD,
            retryAfterSeconds,
            head.requestId);
    relay.bytesSent(response.content().readableBytes());
    end(error.code());
    ChannelFuture written = client.writeAndFlush(response);
    if (!keepClient) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
    if (keepClient && swallowRest) {
      discardingBody = true;
      connection.setReading(true);
    } else {
      connection.exchangeDone(this, keepClient);
    }
  }

  void abort(String why) {
    if (ended) {
      return;
    }
    log.debug("aborting {} {}: {}", head.method, head.target, why);
    link.release(false);
    turn.leave();
    body.release();
    client.close();
    end(relay.status() == 0 ? HttpResponseStatus.BAD_GATEWAY.code() : relay.status());
    connection.exchangeDone(this, false);
  }

  /** The client went away; drop everything. */
  void onClientClosed() {
    if (ended) {
      return;
    }
    router.metrics.clientAborted();
    link.release(false);
    turn.leave();
    body.release();
    end(499);
  }

  private void end(int finalStatus) {
    ended = true;
    body.stopKeeping();
    requestDeadline.clear();
    turn.leave();
    router.finished(
        head, finalStatus, relay.bytesSent(), startNanos, upstreamAddress, instanceExit);
  }
}
