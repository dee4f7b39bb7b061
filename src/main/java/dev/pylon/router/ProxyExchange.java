package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request crossing the router: picks an instance, streams the request body to it and the
 * response back, and ends exactly once (response sent, error sent, or connection dropped).
 *
 * <p>Everything runs on the client channel's event loop; the upstream channel is opened on the same
 * loop, so no state here is shared between threads. Body data is never accumulated: reading from
 * one side stops while the other side cannot take more.
 */
final class ProxyExchange {
  private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

  /** A request body up to this size is kept until the response begins, for one resend. */
  static final int RESEND_BODY_LIMIT = 16 * 1024;

  private final RouterContext router;
  private final ClientConnectionHandler connection;
  private final ChannelHandlerContext client;
  private final HttpRequest request;
  private final HttpMethod method;
  private final String target;
  private final boolean clientKeepAlive;
  private final boolean clientHttp11;
  private final boolean hasBody;
  private final boolean chunkedBody;
  private final boolean idempotent;
  private final boolean webSocket;
  private final long startNanos = System.nanoTime();
  private final ArrayDeque<HttpContent> pendingBody = new ArrayDeque<>(2);

  /** The body as sent to the instance, kept until its first response byte for one resend. */
  private ArrayDeque<HttpContent> sentBody;

  private boolean bodyKept = true;
  private boolean resentOnFreshConnection;
  private InetAddress clientAddress;
  private String host;
  private String path;
  private String requestId;

  private boolean requestComplete;
  private boolean bufferingBody;
  private boolean discardingBody;
  private long bodyBytes;
  private Backend backend;
  private Set<String> excluded = Set.of();
  private int attempts;
  private Lease lease;
  private AdmissionQueue waitingIn;
  private final AdmissionQueue.Waiter waiter = this::wake;
  private final TimeoutList.Entry requestDeadline = new TimeoutList.Entry(this::onRequestTimeout);
  private ScheduledFuture<?> queueTimer;

  private Channel upstream;
  private Channel tunnelUpstream;
  private TunnelRelay fromUpstream;
  private UpstreamConnectionHandler upstreamHandler;
  private boolean upstreamReused;
  private boolean upstreamSentBytes;
  private boolean upstreamKeepAlive;
  private boolean upstreamDelimited;
  private boolean interim;
  private boolean responseStarted;
  private boolean closeClientAfter;
  private String upstreamAddress = "-";

  private boolean ended;
  private int status;
  private long bytesSent;

  ProxyExchange(
      RouterContext router,
      ClientConnectionHandler connection,
      ChannelHandlerContext client,
      HttpRequest request) {
    this.router = router;
    this.connection = connection;
    this.client = client;
    this.request = request;
    this.method = request.method();
    this.target = request.uri();
    this.clientHttp11 = request.protocolVersion() == HttpVersion.HTTP_1_1;
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    this.chunkedBody = HttpUtil.isTransferEncodingChunked(request);
    this.hasBody = chunkedBody || HttpUtil.getContentLength(request, 0L) > 0;
    this.idempotent =
        method == HttpMethod.GET
            || method == HttpMethod.HEAD
            || method == HttpMethod.OPTIONS
            || method == HttpMethod.PUT
            || method == HttpMethod.DELETE;
    this.webSocket = isWebSocketUpgrade(request);
  }

  private static boolean isWebSocketUpgrade(HttpRequest request) {
    HttpHeaders h = request.headers();
    return request.method() == HttpMethod.GET
        && request.protocolVersion() == HttpVersion.HTTP_1_1
        && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
  }

  boolean requestComplete() {
    return requestComplete;
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
    rewriteRequestHead();
    connection.timeouts().request().arm(requestDeadline);
    bufferingBody = shouldBufferBody();
    if (!bufferingBody) {
      admit();
    }
  }

  /**
   * Whether to read the body before choosing an instance. Not when the client waits for 100
   * Continue (only the instance sends that), nor when the body is known to exceed the buffer.
   */
  private boolean shouldBufferBody() {
    long limit = router.config.requestBufferSize();
    if (limit <= 0 || !hasBody || HttpUtil.is100ContinueExpected(request)) {
      return false;
    }
    return chunkedBody || HttpUtil.getContentLength(request, 0L) <= limit;
  }

  private void rewriteRequestHead() {
    HttpHeaders headers = request.headers();
    host = headers.get(HttpHeaderNames.HOST);
    String uri = request.uri();
    if (AbsoluteForm.isAbsolute(uri)) {
      host = AbsoluteForm.authority(uri);
      uri = AbsoluteForm.path(uri);
      request.setUri(uri);
    }
    int query = uri.indexOf('?');
    path = query >= 0 ? uri.substring(0, query) : uri;
    if (path.equals("*")) {
      path = "/"; // OPTIONS * concerns the whole server: route it like the root
    }
    HopByHopHeaders.strip(headers);
    for (HttpConversionUtil.ExtensionHeaderNames h2Only :
        HttpConversionUtil.ExtensionHeaderNames.values()) {
      headers.remove(h2Only.text()); // what the HTTP/2 conversion adds is not for the app
    }
    if (webSocket) {
      // the one upgrade that passes through: the instance speaks WebSocket itself
      headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
    if (chunkedBody) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (host == null || host.isEmpty()) {
      InetSocketAddress local = (InetSocketAddress) client.channel().localAddress();
      host = local.getHostString() + ":" + local.getPort();
    }
    headers.set(HttpHeaderNames.HOST, host);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    clientAddress = ((InetSocketAddress) client.channel().remoteAddress()).getAddress();
    ForwardedHeaders.apply(
        headers, clientAddress, router.trustedProxies.trusts(clientAddress), router.scheme, host);
    requestId = headers.get(RequestIds.X_REQUEST_ID);
    if (!RequestIds.isWellFormedRequestId(requestId)) {
      requestId = RequestIds.newRequestId();
      headers.set(RequestIds.X_REQUEST_ID, requestId);
    }
    if (!RequestIds.isValidTraceparent(headers.get(RequestIds.TRACEPARENT))) {
      headers.set(RequestIds.TRACEPARENT, RequestIds.newTraceparent());
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
    bodyBytes += content.content().readableBytes();
    if (bodyBytes > router.config.maxBodySize()) {
      content.release();
      respondError(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body larger than " + router.config.maxBodySize() + " bytes",
          0);
      return;
    }
    if (bodyKept && bodyBytes > Math.max(router.config.requestBufferSize(), RESEND_BODY_LIMIT)) {
      dropSentBody(); // too big to keep for a resend
    }
    if (last) {
      requestComplete = true;
    }
    if (upstream != null) {
      writeBody(upstream, content);
    } else if (hasBody) {
      pendingBody.add(content);
      if (bufferingBody && (last || bodyBytes > router.config.requestBufferSize())) {
        bufferingBody = false; // all here, or too big to hold: time to pick an instance
        admit();
        if (ended) {
          return;
        }
      }
    } else {
      content.release(); // attach() sends the end of a bodyless request itself
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
    if (ended) {
      return;
    }
    backend = router.snapshot.get().select(host, path);
    if (backend != null && backend.upstreams().isEmpty() && !backend.unavailable().isEmpty()) {
      respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, backend.unavailable(), 5);
      return;
    }
    if (backend == null || (backend.upstreams().isEmpty() && !backend.activating())) {
      respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no instance is ready", 1);
      return;
    }
    Lease claimed = router.balancer.acquire(backend, excluded);
    if (claimed != null) {
      leaveQueue();
      lease = claimed;
      connectTo(claimed.upstream());
      return;
    }
    if (!backend.upstreams().isEmpty() && !LeastInFlightBalancer.hasEligible(backend, excluded)) {
      respondError(HttpResponseStatus.BAD_GATEWAY, "no instance could be reached", 0);
      return;
    }
    AdmissionQueue queue = router.queue(backend.name());
    if (waitingIn == queue) {
      queue.requeue(waiter); // woken, but another request took the slot first
      return;
    }
    leaveQueue();
    if (!queue.offer(waiter)) {
      router.metrics.queueRejected();
      respondError(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "every instance is busy and the queue is full",
          1);
      return;
    }
    waitingIn = queue;
    if (backend.upstreams().isEmpty()) {
      router.activation.accept(backend.name()); // scaled to zero: have an instance started
    }
    if (queueTimer == null) {
      queueTimer =
          client
              .executor()
              .schedule(
                  this::onQueueTimeout,
                  router.config.queueTimeout().toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  /** Called from any thread when a slot may be free. */
  private void wake() {
    client.executor().execute(this::admit);
  }

  private void onQueueTimeout() {
    if (ended || waitingIn == null) {
      return;
    }
    router.metrics.queueTimedOut();
    long waited = router.config.queueTimeout().toSeconds();
    Backend now = router.snapshot.get().select(host, path);
    if (now != null && now.upstreams().isEmpty()) {
      // Scaled to zero and no instance got ready in time: the revision is failing to start, or
      // starts slower than the queue waits. Busy instances are another matter, so another text.
      respondError(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "revision " + now.name() + " could not start an instance within " + waited + " s",
          5);
      return;
    }
    respondError(
        HttpResponseStatus.SERVICE_UNAVAILABLE,
        "every instance stayed busy for " + waited + " s",
        1);
  }

  private void leaveQueue() {
    if (waitingIn != null) {
      waitingIn.remove(waiter);
      waitingIn = null;
    }
    if (queueTimer != null) {
      queueTimer.cancel(false);
      queueTimer = null;
    }
  }

  private void connectTo(Upstream target) {
    attempts++;
    upstreamAddress = target.address();
    EventLoop loop = client.channel().eventLoop();
    if (target.protocol() == UpstreamProtocol.H2C && !webSocket) {
      // (a WebSocket handshake needs a connection of its own to take over: it goes to the same
      // port over HTTP/1.1)
      Future<Http2UpstreamConnections.OpenedStream> opening = router.pool.openStream(loop, target);
      if (opening.isDone()) {
        onStreamOpened(opening, target);
      } else {
        opening.addListener(f -> onStreamOpened(opening, target));
      }
      return;
    }
    Channel idle = router.pool.pollIdle(loop, target);
    if (idle != null) {
      attach(idle, true);
      return;
    }
    openConnection(target);
  }

  /**
   * Opens a new connection to {@code target} once the event loop is done with its current batch of
   * I/O events. A socket made in the middle of a batch can get the number of one closed earlier in
   * it, and Netty's epoll transport finds a channel by that number: an event of the closed socket
   * still waiting in the batch then reaches the new, unconnected one, whose read fails and closes
   * it (seen as "could not connect" 502s in bursts of closing connections).
   */
  private void openConnection(Upstream target) {
    EventLoop loop = client.channel().eventLoop();
    loop.execute(
        () -> {
          if (!ended) {
            connect(target, router.pool.connect(loop, target));
          }
        });
  }

  private void connect(Upstream target, ChannelFuture connecting) {
    if (connecting.isDone()) {
      onConnected(connecting, target);
    } else {
      connecting.addListener(f -> onConnected(connecting, target));
    }
  }

  private void onConnected(ChannelFuture connecting, Upstream target) {
    if (ended) {
      if (connecting.isSuccess()) {
        router.pool.release(connecting.channel(), target);
      }
      return;
    }
    if (!connecting.isSuccess()) {
      onConnectFailed(target, connecting.cause());
      return;
    }
    attach(connecting.channel(), false);
  }

  private void onStreamOpened(
      Future<Http2UpstreamConnections.OpenedStream> opening, Upstream target) {
    if (!opening.isSuccess()) {
      if (!ended) {
        onConnectFailed(target, opening.cause());
      }
      return;
    }
    Channel stream = opening.getNow().channel();
    if (ended) {
      stream.close();
      return;
    }
    attach(stream, !opening.getNow().newConnection());
  }

  private void onConnectFailed(Upstream target, Throwable cause) {
    router.metrics.connectFailed();
    log.debug("cannot connect to {}: {}", target.address(), cause.toString());
    releaseLease();
    exclude(target);
    if (attempts <= router.config.maxRetries()
        && LeastInFlightBalancer.hasEligible(backend, excluded)) {
      router.metrics.retried();
      admit();
    } else {
      respondError(
          HttpResponseStatus.BAD_GATEWAY, "could not connect to an instance of the app", 0);
    }
  }

  private void attach(Channel ch, boolean reused) {
    upstream = ch;
    upstreamReused = reused;
    upstreamSentBytes = false;
    interim = false;
    upstreamHandler = ch.pipeline().get(UpstreamConnectionHandler.class);
    upstreamHandler.owner(this);
    if (!ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
    ch.write(request, ch.voidPromise());
    if (sentBody != null) {
      for (HttpContent sent : sentBody) {
        ch.write(sent.retainedDuplicate(), ch.voidPromise()); // a resend: the body again
      }
    }
    HttpContent chunk;
    while ((chunk = pendingBody.poll()) != null) {
      writeBody(ch, chunk);
    }
    if (!hasBody && requestComplete) {
      ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
    }
    ch.flush();
    connection.setReading(wantsClientData());
  }

  private boolean hasIdempotencyKey() {
    HttpHeaders h = request.headers();
    return h.contains("Idempotency-Key") || h.contains("X-Idempotency-Key");
  }

  /** Sends a piece of the request body, keeping it for a resend while that is possible. */
  private void writeBody(Channel ch, HttpContent chunk) {
    if (bodyKept && hasBody) { // a bodyless request's end is written again by attach
      if (sentBody == null) {
        sentBody = new ArrayDeque<>(2);
      }
      sentBody.add(chunk);
      chunk = chunk.retainedDuplicate();
    }
    ch.write(chunk, ch.voidPromise());
  }

  private void dropSentBody() {
    bodyKept = false;
    if (sentBody != null) {
      HttpContent c;
      while ((c = sentBody.poll()) != null) {
        c.release();
      }
    }
  }

  private void exclude(Upstream target) {
    if (excluded.isEmpty()) {
      excluded = new HashSet<>(4);
    }
    excluded.add(target.id());
  }

  // ---- response side ----

  void onUpstreamRead(Object msg) {
    if (!upstreamSentBytes) {
      upstreamSentBytes = true;
      dropSentBody(); // the instance answers: never sent again
    }
    if (msg instanceof HttpResponse response) {
      onResponseHead(response);
      if (msg instanceof HttpContent content) {
        onResponseContent(content);
      }
    } else if (msg instanceof HttpContent content) {
      onResponseContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onResponseHead(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      respondError(HttpResponseStatus.BAD_GATEWAY, "the instance sent an invalid response", 0);
      return;
    }
    int code = response.status().code();
    if (code < 200) {
      if (code == 101) {
        if (webSocket
            && response
                .headers()
                .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
          switchToTunnel(response);
        } else {
          respondError(HttpResponseStatus.BAD_GATEWAY, "the instance switched protocols", 0);
        }
        return;
      }
      interim = true;
      if (clientHttp11) {
        HopByHopHeaders.strip(response.headers());
        client.write(response, client.voidPromise());
      }
      return;
    }
    responseStarted = true;
    status = code;
    HttpHeaders headers = response.headers();
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    boolean hasLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
    boolean bodyless = method == HttpMethod.HEAD || code == 204 || code == 304;
    upstreamDelimited = hasLength || bodyless || HttpUtil.isTransferEncodingChunked(response);
    HopByHopHeaders.strip(headers);
    if (!bodyless && !hasLength) {
      if (clientHttp11) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        closeClientAfter = true; // HTTP/1.0 knows no chunks: the close ends the body
      }
    }
    if (!requestComplete) {
      closeClientAfter = true; // the rest of the request body will not be read
    }
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (!keepClientAfterResponse()) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (!clientHttp11) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (!headers.contains(RequestIds.X_REQUEST_ID)) {
      headers.set(RequestIds.X_REQUEST_ID, requestId);
    }
    client.write(response, client.voidPromise());
  }

  /**
   * The instance accepted the WebSocket handshake: pass it on, then relay raw bytes.
   *
   * <p>The tunnel stays this request, as on Cloud Run, where a WebSocket is one long request: it
   * keeps its slot on the instance (so it counts against the concurrency cap and in the in-flight
   * count the autoscaler reads: an instance with open sockets is not idle) and is closed, both
   * sides, when the request timeout runs out since the handshake request began. The request ends
   * when either side closes.
   */
  private void switchToTunnel(HttpResponse response) {
    HttpHeaders headers = response.headers();
    HopByHopHeaders.strip(headers);
    headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    headers.set(RequestIds.X_REQUEST_ID, requestId);
    responseStarted = true;
    status = 101;
    Channel tunnel = upstream;
    upstreamHandler.owner(null);
    upstream = null;
    upstreamHandler = null;
    tunnelUpstream = tunnel;
    router.metrics.tunnelOpened();
    client.writeAndFlush(response, client.voidPromise());
    fromUpstream = new TunnelRelay(client.channel(), this::onTunnelClosed);
    connection.becomeTunnel(
        this, tunnel, new TunnelRelay(tunnel, this::onTunnelClosed), fromUpstream);
  }

  /** One side of the tunnel closed (the relay closes the other): the request is over. */
  private void onTunnelClosed() {
    if (ended) {
      return;
    }
    router.metrics.tunnelClosed();
    releaseLease();
    bytesSent = fromUpstream.relayed();
    end(101);
  }

  /** Closes both sides of a WebSocket tunnel; the relays then end the request. */
  private void closeTunnel() {
    if (tunnelUpstream != null && !ended) {
      tunnelUpstream.close();
      client.channel().close();
    }
  }

  private void onResponseContent(HttpContent content) {
    if (ended || !responseStarted) {
      content.release();
      if (interim && content instanceof LastHttpContent) {
        interim = false;
        if (clientHttp11 && !ended) {
          // ends the interim response for the encoder; no bytes go out
          client.write(LastHttpContent.EMPTY_LAST_CONTENT, client.voidPromise());
        }
      }
      return;
    }
    if (content instanceof LastHttpContent last) {
      if (last.decoderResult().isFailure()) {
        last.release();
        abort("the instance closed the connection in the middle of the response");
        return;
      }
      bytesSent += last.content().readableBytes();
      finishResponse(last);
      return;
    }
    bytesSent += content.content().readableBytes();
    client.write(content, client.voidPromise());
    if (!client.channel().isWritable() && upstream != null) {
      upstream.config().setAutoRead(false);
    }
  }

  void flushClient() {
    client.flush();
  }

  private boolean keepClientAfterResponse() {
    return clientKeepAlive && !closeClientAfter && !router.draining;
  }

  private void finishResponse(LastHttpContent last) {
    boolean keepClient = keepClientAfterResponse() && requestComplete;
    releaseUpstream(upstreamKeepAlive && upstreamDelimited && requestComplete);
    end(status); // before the last write, so the request is no longer counted once it arrives
    if (keepClient) {
      client.writeAndFlush(last, client.voidPromise());
    } else {
      client.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    }
    connection.exchangeDone(this, keepClient);
  }

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
    Upstream failed = lease != null ? lease.upstream() : null;
    if (failed != null && mayResendOnFreshConnection(reset)) {
      resentOnFreshConnection = true;
      router.metrics.resentOnFreshConnection();
      log.debug("resending {} {} on a fresh connection (reset: {})", method, target, reset);
      openConnection(failed);
      return;
    }
    releaseLease();
    if (responseStarted) {
      abort("the instance closed the connection in the middle of the response");
      return;
    }
    boolean retryable =
        !upstreamSentBytes
            && idempotent
            && !hasBody
            && requestComplete
            && attempts <= router.config.maxRetries();
    if (retryable && !upstreamReused && failed != null) {
      exclude(failed); // a fresh connection that closed at once: that instance is in trouble
      retryable = LeastInFlightBalancer.hasEligible(backend, excluded);
    }
    if (retryable) {
      router.metrics.retried();
      admit();
      return;
    }
    respondError(
        HttpResponseStatus.BAD_GATEWAY,
        upstreamSentBytes
            ? "the instance sent an incomplete response"
            : "the instance closed the connection before responding",
        0);
  }

  /**
   * Whether a request whose pooled connection failed may be sent once more, on a new connection to
   * the same instance (keeping its slot there).
   *
   * <p>The failure this is for: an instance closes a keep-alive connection that sat idle (its
   * keep-alive timeout ran out) just as the router sends the next request on it. What robust
   * clients do about it: Go's net/http Transport retries a request on a new connection only when
   * the failed one was reused, nothing of the response was read, and the request can be replayed,
   * which for a request that was written means an idempotent method (or an Idempotency-Key header)
   * with a body it can produce again; a non-idempotent request only when none of it was written.
   * nginx ({@code proxy_next_upstream}) never passes POST, LOCK or PATCH to another server once any
   * of it was sent, unless told {@code non_idempotent}. Both refuse to guess whether the app
   * already acted on a non-idempotent request, and so does this, with one signal they do not use: a
   * TCP reset in answer to what we sent means the instance's socket was closed with our bytes
   * unread (Linux resets instead of FIN-closing a socket that holds unread data, and resets data
   * that arrives after the close), so the app never read the request whole and did not act on it.
   *
   * <p>So the request is resent, once, when all of these hold: the connection came from the pool (a
   * new connection that fails is the instance's trouble, handled by the retry rules of {@link
   * #onUpstreamClosed}); not one byte of a response came back (so nothing reached the client
   * either); the request was complete and its body is still held in full (at most the larger of the
   * request buffer and {@value #RESEND_BODY_LIMIT} bytes); and either the method is idempotent (or
   * the request carries an Idempotency-Key, as Go accepts) or the connection was reset. A
   * non-idempotent request whose connection was closed cleanly after it was sent gets 502, as from
   * Go and nginx. The pool also avoids most of these failures up front: it does not hand out a
   * connection whose peer already closed.
   */
  private boolean mayResendOnFreshConnection(boolean reset) {
    return upstreamReused
        && !resentOnFreshConnection
        && !upstreamSentBytes
        && !responseStarted
        && requestComplete
        && (!hasBody || bodyKept)
        && (idempotent || reset || hasIdempotencyKey());
  }

  // ---- endings ----

  private void onRequestTimeout() {
    if (ended) {
      return;
    }
    router.metrics.requestTimedOut();
    if (tunnelUpstream != null) {
      log.debug("closing WebSocket {} at the request timeout", target);
      closeTunnel();
      return;
    }
    respondError(
        HttpResponseStatus.GATEWAY_TIMEOUT,
        "the app did not answer within " + router.config.requestTimeout().toSeconds() + " s",
        0);
  }

  /** Answers the request from the router itself; if the response already began, cuts it. */
  private void respondError(HttpResponseStatus error, String message, int retryAfterSeconds) {
    if (ended) {
      return;
    }
    if (responseStarted) {
      abort(message);
      return;
    }
    releaseUpstream(false);
    leaveQueue();
    releasePending();
    boolean swallowRest = !requestComplete && !hasBody;
    boolean keepClient = clientKeepAlive && !router.draining && (requestComplete || swallowRest);
    FullHttpResponse response =
        ErrorResponses.of(
            client.alloc(),
            error,
            message,
            keepClient,
            method != HttpMethod.HEAD,
            retryAfterSeconds,
            requestId);
    bytesSent = response.content().readableBytes();
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

  private void abort(String why) {
    if (ended) {
      return;
    }
    log.debug("aborting {} {}: {}", method, target, why);
    releaseUpstream(false);
    leaveQueue();
    releasePending();
    client.close();
    end(status == 0 ? HttpResponseStatus.BAD_GATEWAY.code() : status);
    connection.exchangeDone(this, false);
  }

  /** The client went away; drop everything. */
  void onClientClosed() {
    if (ended) {
      return;
    }
    router.metrics.clientAborted();
    releaseUpstream(false);
    leaveQueue();
    releasePending();
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

  private void releasePending() {
    HttpContent c;
    while ((c = pendingBody.poll()) != null) {
      c.release();
    }
    dropSentBody();
  }

  private void end(int finalStatus) {
    ended = true;
    dropSentBody();
    status = finalStatus;
    requestDeadline.clear();
    if (queueTimer != null) {
      queueTimer.cancel(false);
    }
    router.inFlight.decrementAndGet();
    long micros = (System.nanoTime() - startNanos) / 1000;
    router.metrics.finished(finalStatus, bytesSent, micros);
    if (!router.accessLog.enabled()) {
      return;
    }
    router.accessLog.log(
        new AccessLogEntry(
            Instant.now(),
            clientAddress == null ? "-" : clientAddress.getHostAddress(),
            method.name(),
            target,
            finalStatus,
            bytesSent,
            micros,
            upstreamAddress,
            requestId));
  }
}
