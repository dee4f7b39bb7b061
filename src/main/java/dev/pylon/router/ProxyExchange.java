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
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
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
  private final long startNanos = System.nanoTime();

  private boolean requestComplete;
  private boolean bufferingBody;
  private boolean discardingBody;
  private Set<String> excluded = Set.of();
  private int attempts;
  private int resends;
  private Lease lease;
  private final TimeoutList.Entry requestDeadline = new TimeoutList.Entry(this::onRequestTimeout);

  private Channel upstream;
  private UpstreamConnectionHandler upstreamHandler;
  private boolean upstreamReused;

  /** When the request was first sent to the current instance; 0 before. */
  private long sentNanos;

  /** The current connection is the resend to the instance that had the request. */
  private boolean resentToThis;

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
    return upstream != null && upstream.isWritable();
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
    if (upstream != null) {
      body.send(upstream, content);
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
    if (upstream != null) {
      upstream.flush();
    }
  }

  void onClientWritabilityChanged() {
    if (upstream != null) {
      AutoRead.set(upstream, client.channel().isWritable());
    }
  }

  void onUpstreamWritabilityChanged() {
    connection.setReading(wantsClientData());
  }

  void onClientBodyStalled() {
    respondError(HttpResponseStatus.REQUEST_TIMEOUT, "request body stalled", 0);
  }

  // ---- choosing and reaching an instance ----

  private void admit() {
    turn.ask(excluded);
  }

  @Override
  public void picked(Lease claimed) {
    lease = claimed;
    connectTo(claimed.upstream(), false);
  }

  @Override
  public void rejected(Admission.Decision.Reject reject) {
    respondError(
        HttpResponseStatus.valueOf(reject.status()), reject.text(), reject.retryAfterSeconds());
  }

  private void connectTo(Upstream target, boolean fresh) {
    attempts++;
    upstreamAddress = target.address();
    connector.connect(target, head.webSocket, fresh);
  }

  @Override
  public boolean gone() {
    return ended;
  }

  @Override
  public void attached(Channel ch, boolean reused) {
    upstream = ch;
    upstreamReused = reused;
    relay.newConnection();
    if (!resentToThis) {
      sentNanos = System.nanoTime();
    }
    upstreamHandler = ch.pipeline().get(UpstreamConnectionHandler.class);
    upstreamHandler.owner(this);
    if (!ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
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
    upstream = null;
    upstreamHandler = null;
    if (ended) {
      return;
    }
    if (relay.started()) {
      releaseLease();
      abort("the instance closed the connection in the middle of the response");
      return;
    }
    Upstream failed = lease != null ? lease.upstream() : null;
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
    if (exit == null && sentNanos != 0) {
      exit = router.exits.since(failed.id(), sentNanos);
    }
    Set<String> others = new HashSet<>(excluded);
    others.add(failed.id());
    ResendRule.Verdict verdict =
        ResendRule.decide(
            new ResendRule.Failure(
                ending,
                upstreamReused,
                relay.answered(),
                resentToThis,
                requestComplete,
                head.hasBody,
                body.kept(),
                head.idempotentMethod,
                head.idempotencyKey(),
                resends,
                attempts,
                router.config.maxRetries(),
                turn.backend() != null && LeastInFlightBalancer.hasEligible(turn.backend(), others),
                exit,
                asked));
    switch (verdict) {
      case ResendRule.Verdict.SendAgain again when again.sameInstance() -> {
        resends++;
        resentToThis = true;
        router.metrics.resentOnFreshConnection();
        log.debug("resending {} {} on a fresh connection ({})", head.method, head.target, ending);
        connectTo(failed, true);
      }
      case ResendRule.Verdict.SendAgain again -> {
        if (ending != ResendRule.Ending.NOT_CONNECTED) {
          resends++;
        }
        releaseLease();
        exclude(failed);
        resentToThis = false;
        sentNanos = 0;
        router.metrics.retried();
        admit();
      }
      case ResendRule.Verdict.AskForExit ask -> {
        releaseLease();
        long since = sentNanos;
        router.exits.await(
            failed.id(),
            since,
            client.executor(),
            how -> {
              if (!ended) {
                onFailure(failed, ending, how, true);
              }
            });
      }
      case ResendRule.Verdict.Fail fail -> {
        releaseLease();
        instanceExit = exit;
        respondError(HttpResponseStatus.valueOf(fail.status()), fail.text(), 0);
      }
    }
  }

  private void exclude(Upstream target) {
    if (excluded.isEmpty()) {
      excluded = new HashSet<>(4);
    }
    excluded.add(target.id());
  }

  // ---- response side (ResponseRelay calls these) ----

  void onUpstreamRead(Object msg) {
    relay.read(msg, upstream);
  }

  void flushClient() {
    client.flush();
  }

  /** The instance answers: the request is never sent again, and the instance is answering. */
  void onFirstResponseByte() {
    body.stopKeeping();
    if (lease != null) {
      LeastInFlightBalancer.answered(lease);
    }
  }

  void finishResponse(LastHttpContent last) {
    boolean keepClient = relay.keepClient(router.draining) && requestComplete;
    releaseUpstream(relay.upstreamReusable() && requestComplete);
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
    Channel ch = upstream;
    upstreamHandler.owner(null);
    upstream = null;
    upstreamHandler = null;
    tunnel =
        WebSocketTunnel.open(router, connection, this, client, ch, response, this::onTunnelClosed);
  }

  /** One side of the tunnel closed (the relay closes the other): the request is over. */
  private void onTunnelClosed() {
    if (ended) {
      return;
    }
    router.metrics.tunnelClosed();
    releaseLease();
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
    if (lease != null && sentNanos != 0 && !relay.answered()) {
      router.balancer.timedOut(lease, sentNanos); // not one byte: the instance may be hung
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
    releaseUpstream(false);
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
    releaseUpstream(false);
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
    releaseUpstream(false);
    turn.leave();
    body.release();
    end(499);
  }

  private void releaseUpstream(boolean reusable) {
    Channel ch = upstream;
    if (ch != null) {
      upstream = null;
      upstreamHandler.owner(null);
      upstreamHandler = null;
      if (reusable && lease != null) {
        if (!ch.config().isAutoRead()) {
          ch.config().setAutoRead(true);
        }
        router.pool.release(ch, lease.upstream());
      } else {
        ch.close();
      }
    }
    releaseLease();
  }

  private void releaseLease() {
    if (lease != null) {
      Lease l = lease;
      lease = null;
      l.release();
    }
  }

  private void end(int finalStatus) {
    ended = true;
    body.stopKeeping();
    requestDeadline.clear();
    turn.leave();
    router.inFlight.decrementAndGet();
    long micros = (System.nanoTime() - startNanos) / 1000;
    router.metrics.finished(finalStatus, relay.bytesSent(), micros);
    if (!router.accessLog.enabled()) {
      return;
    }
    router.accessLog.log(
        new AccessLogEntry(
            Instant.now(),
            head.clientAddress == null ? "-" : head.clientAddress.getHostAddress(),
            head.method.name(),
            head.target,
            finalStatus,
            relay.bytesSent(),
            micros,
            upstreamAddress,
            head.requestId,
            instanceExit));
  }
}
