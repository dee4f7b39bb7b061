package dev.pylon.router;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane: an HTTP/1.1 reverse proxy in front of the instances.
 *
 * <p>Life cycle: {@link #start()}, then {@link #publish} whenever the set of ready instances
 * changes, then {@link #drain} and {@link #close()}.
 */
public final class Router implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Router.class);
  // Beyond a hand-over's linger: time for a request that arrived at its end to be read and counted.
  private static final long LINGER_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final RouterConfig config;
  private final Transport transport = Transport.best();
  private final RouterMetrics metrics = new RouterMetrics();
  private final RouterContext context;

  /** Open client connections (a set, not Netty's ChannelGroup: one close listener, not two). */
  private final Set<Channel> clients = ConcurrentHashMap.newKeySet();

  private final ChannelFutureListener connectionClosed;
  private EventLoopGroup group;

  /** Listening sockets: one per event loop with epoll (SO_REUSEPORT), else one. */
  private List<Channel> serverChannels = List.of();

  private TlsContexts tls;
  private ScheduledFuture<?> tlsReloader;

  public Router(RouterConfig config) {
    this(config, AccessLog.slf4j());
  }

  public Router(RouterConfig config, AccessLog accessLog) {
    this.config = Objects.requireNonNull(config, "config");
    this.context = new RouterContext(config, transport, metrics, accessLog);
    this.connectionClosed =
        closed -> {
          clients.remove(closed.channel());
          context.connections.decrementAndGet();
        };
  }

  /**
   * Binds and starts serving.
   *
   * @return the address actually bound (useful with port 0)
   * @throws RouterBindException when the address cannot be bound, with a message for the user
   * @throws RouterTlsException when TLS is configured and its files cannot be used
   */
  public synchronized InetSocketAddress start() {
    return start(List.of());
  }

  /**
   * Starts serving on listening sockets a predecessor handed over ({@code inherited}: their file
   * descriptors, already bound and listening, as {@link #listeningSockets} gave them), or, when
   * there are none, binds as {@link #start()} does. Connections waiting in an inherited socket's
   * accept queue are served here: nothing is refused or lost while two routers share the sockets.
   */
  public synchronized InetSocketAddress start(List<Integer> inherited) {
    if (!serverChannels.isEmpty()) {
      throw new IllegalStateException("router already started");
    }
    TlsContexts tlsContexts = config.tls() == null ? null : new TlsContexts(config.tls());
    tls = tlsContexts;
    int threads =
        config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
    group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
    ChannelInitializer<Channel> accepted = acceptedConnections(tlsContexts);
    try {
      serverChannels = inherited.isEmpty() ? listen(accepted, threads) : adopt(accepted, inherited);
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      group = null;
      throw bindFailure(e);
    }
    if (tlsContexts != null) {
      tlsReloader =
          GlobalEventExecutor.INSTANCE.scheduleAtFixedRate(
              tlsContexts::reloadIfChanged, 10, 10, TimeUnit.SECONDS);
    }
    InetSocketAddress bound = (InetSocketAddress) serverChannels.get(0).localAddress();
    log.debug(
        "router listening on {} ({} transport, {} threads, {} listening sockets)",
        bound,
        transport.name(),
        threads,
        serverChannels.size());
    return bound;
  }

  /**
   * Binds the listening sockets. With epoll and several event loops, each loop gets its own socket
   * on the same port (SO_REUSEPORT, nginx's {@code reuseport}): the kernel spreads new connections
   * over them and each loop accepts and serves its own, so a new connection is never handed to
   * another thread (a queued task and, if that loop sleeps, a wake-up per connection). A plain
   * socket is bound to the port first, and closed, so that a port someone else already listens on
   * is refused as usual rather than shared.
   */
  private List<Channel> listen(ChannelInitializer<Channel> accepted, int threads) throws Exception {
    boolean reusePort = threads > 1 && transport.serverChannel() == EpollServerSocketChannel.class;
    if (!reusePort) {
      return List.of(
          serverBootstrap(group, accepted)
              .bind(config.bindHost(), config.port())
              .syncUninterruptibly()
              .channel());
    }
    int port = config.port();
    if (port != 0) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(config.bindHost(), port));
      }
    }
    List<Channel> bound = new ArrayList<>();
    try {
      for (EventExecutor executor : group) {
        EventLoop loop = (EventLoop) executor;
        Channel ch =
            serverBootstrap(loop, accepted)
                .option(EpollChannelOption.SO_REUSEPORT, true)
                .bind(config.bindHost(), port)
                .syncUninterruptibly()
                .channel();
        port = ((InetSocketAddress) ch.localAddress()).getPort(); // port 0: the others join it
        bound.add(ch);
      }
    } catch (Exception e) {
      bound.forEach(Channel::close);
      throw e;
    }
    return List.copyOf(bound);
  }

  /** Registers inherited listening sockets on the event loops, in turn, without binding. */
  private List<Channel> adopt(ChannelInitializer<Channel> accepted, List<Integer> fds) {
    if (transport.serverChannel() != EpollServerSocketChannel.class) {
      throw new IllegalStateException("inherited sockets need the epoll transport");
    }
    List<Channel> adopted = new ArrayList<>();
    java.util.Iterator<EventExecutor> loops = group.iterator();
    for (int fd : fds) {
      if (!loops.hasNext()) {
        loops = group.iterator();
      }
      EventLoop loop = (EventLoop) loops.next();
      adopted.add(
          serverBootstrap(loop, accepted, () -> new EpollServerSocketChannel(fd))
              .register()
              .syncUninterruptibly()
              .channel());
    }
    return List.copyOf(adopted);
  }

  /**
   * The file descriptors of the listening sockets, for a successor to serve on ({@link
   * #start(List)}) after they are sent to it (SCM_RIGHTS); empty without epoll. The sockets stay
   * this router's too until {@link #drain} or {@link #close}, which close only this process's
   * descriptors: the successor's keep listening.
   */
  public synchronized List<Integer> listeningSockets() {
    List<Integer> fds = new ArrayList<>();
    for (Channel ch : serverChannels) {
      if (ch instanceof EpollServerSocketChannel epoll && epoll.isOpen()) {
        fds.add(epoll.fd().intValue());
      }
    }
    return List.copyOf(fds);
  }

  private ServerBootstrap serverBootstrap(EventLoopGroup loops, ChannelHandler accepted) {
    return serverBootstrap(
        loops,
        accepted,
        new io.netty.channel.ReflectiveChannelFactory<>(transport.serverChannel()));
  }

  private ServerBootstrap serverBootstrap(
      EventLoopGroup loops,
      ChannelHandler accepted,
      io.netty.channel.ChannelFactory<? extends ServerChannel> channels) {
    return new ServerBootstrap()
        .group(loops)
        .channelFactory(channels)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        // no childOption(TCP_NODELAY): Netty's socket configs turn it on by default, and
        // setting it again is one more system call per connection
        .childHandler(accepted);
  }

  private ChannelInitializer<Channel> acceptedConnections(TlsContexts tlsContexts) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.closeFuture().addListener(connectionClosed);
        boolean refused = context.draining && context.drainLinger.isZero();
        if (context.connections.incrementAndGet() > config.maxConnections() || refused) {
          ch.close(); // past the cap: closed before a byte is read, nothing answered
          return;
        }
        clients.add(ch);
        if (context.draining) {
          // Accepted from the shared queue while handing over: its request is answered (with
          // Connection: close), since the client cannot tell it was not, and cannot retry.
          closeWhenQuiet(ch, context.drainLinger);
        }
        if (tlsContexts != null) {
          ch.pipeline()
              .addLast("tls", tlsContexts.newHandler(ch.alloc()))
              .addLast("alpn", new AlpnProtocolNegotiator(context));
        } else {
          ch.pipeline().addLast("detect", new CleartextProtocolDetector(context));
        }
      }
    };
  }

  private RouterBindException bindFailure(Exception e) {
    String where = config.bindHost() + ":" + config.port();
    String detail = String.valueOf(e.getMessage());
    if (e instanceof BindException || detail.contains("Address already in use")) {
      return new RouterBindException(
          "Port "
              + config.port()
              + " on "
              + config.bindHost()
              + " is already in use by another program. Stop that program, or choose another"
              + " port with --port.",
          e);
    }
    if (detail.contains("Cannot assign requested address")) {
      return new RouterBindException(
          "Cannot listen on "
              + where
              + ": this machine has no such address. Use --host 127.0.0.1 or 0.0.0.0.",
          e);
    }
    if (detail.contains("Permission denied")) {
      return new RouterBindException(
          "Not allowed to listen on "
              + where
              + ": ports below 1024 need privileges. Choose a port above 1024 with --port.",
          e);
    }
    return new RouterBindException(
        "Cannot listen on " + where + ": " + detail + ". Check --host and --port.",
        e instanceof IOException ? e : e);
  }

  /**
   * Replaces what requests are routed to; requests already under way keep their instance and queued
   * ones re-check at once. Host names are looked up here, on the caller's thread.
   */
  public void publish(RoutingSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    Set<String> ids = new HashSet<>();
    for (Route route : snapshot.routes()) {
      for (Backend backend : route.backends()) {
        for (Upstream upstream : backend.upstreams()) {
          context.pool.resolve(upstream);
          ids.add(upstream.id());
        }
      }
    }
    context.balancer.forgetHealthExcept(ids);
    context.snapshot.set(snapshot);
    context.wakeAllQueued();
  }

  /**
   * The control plane's word that instance {@code upstreamId}'s process ended; {@code how} says so
   * in a user's words ("instance web-2 exited with status 3"). A request that was on it when its
   * connection ended gets 502 with these words plus "while handling this request" (also in the
   * access log), and is never sent to another instance: a request that kills its instance would
   * kill them all. Call from any thread, as soon as the exit is known.
   */
  public void instanceExited(String upstreamId, String how) {
    context.exits.exited(Objects.requireNonNull(upstreamId), Objects.requireNonNull(how));
  }

  /**
   * Re-reads the TLS files now if they changed (they are also checked every 10 s); new connections
   * get the new certificate. A broken new pair is logged and the old one kept.
   */
  public void reloadTls() {
    TlsContexts current;
    synchronized (this) {
      current = tls;
    }
    if (current != null) {
      current.reloadIfChanged();
    }
  }

  /**
   * Who is told, on an event loop, that a request waits for an {@link Backend#activating} backend
   * (named): the autoscaler, so scaling from zero does not wait for its next tick. Must not block.
   */
  public void onActivation(Consumer<String> listener) {
    context.activation = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Requests currently in progress (including those waiting in a queue, and open WebSockets: each
   * is one request until it closes).
   */
  public int inFlight() {
    return context.inFlight.get();
  }

  /** Requests currently in progress on one instance. */
  public int inFlight(String upstreamId) {
    return context.balancer.inFlight(upstreamId);
  }

  /**
   * Requests of one revision (a {@link Backend} name; {@code "default"} for {@link
   * RoutingSnapshot#single}) waiting for an instance with a free slot: with {@link
   * #inFlight(String)} the concurrency sample an autoscaler reads.
   */
  public int queued(String backend) {
    return context.queued(backend);
  }

  public RouterMetrics metrics() {
    return metrics;
  }

  /**
   * Client connections open now: HTTP/1 (WebSocket tunnels included), HTTP/2 and TLS alike, each
   * counted once from accept to close; at most {@link RouterConfig#maxConnections}.
   */
  public int connections() {
    return context.connections.get();
  }

  /**
   * Stops accepting connections, closes idle ones, and waits for in-flight requests to finish.
   * Connections still busy are closed after their response. WebSocket tunnels are left open while
   * the other requests finish (or the timeout runs out), then closed, both sides: they are long
   * requests that would otherwise hold the drain for their whole life.
   *
   * @return true if every in-flight request other than a WebSocket finished within {@code timeout}
   */
  public boolean drain(Duration timeout) {
    return drain(timeout, Duration.ZERO);
  }

  /**
   * {@link #drain(Duration)} for a hand-over: a keep-alive connection idle now is closed only once
   * it has stayed idle for {@code idleLinger}. A client that is about to send its next request on
   * it (wrk, a busy keep-alive pool) gets that response, with {@code Connection: close}, instead of
   * a connection closed under a request in flight, which it could not know to be safe to retry.
   */
  public boolean drain(Duration timeout, Duration idleLinger) {
    context.drainLinger = idleLinger;
    context.draining = true;
    List<Channel> servers;
    synchronized (this) {
      servers = serverChannels;
    }
    closeAll(servers);
    for (Channel ch : clients) {
      if (ch.pipeline().get(TunnelRelay.class) != null) {
        continue; // a WebSocket: closed at the end of the drain
      }
      // Not yet speaking HTTP/1 (its first bytes may be on their way), or HTTP/2 (closing it
      // sends GOAWAY and lets the streams under way finish), or HTTP/1 closed once idle.
      closeWhenQuiet(ch, idleLinger);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean finished = awaitInFlight(deadline, true);
    if (finished && idleLinger.isPositive()) {
      // A connection in its linger may still bring a request: wait out the linger (and its
      // second look), then for that request, before the caller closes what is left.
      long lingerEnd = System.nanoTime() + 2 * idleLinger.toNanos() + LINGER_MARGIN_NANOS;
      while (System.nanoTime() < Math.min(lingerEnd, deadline)
          && clients.stream().anyMatch(ch -> ch.pipeline().get(TunnelRelay.class) == null)) {
        awaitInFlight(deadline, true);
        sleepQuietly(10);
      }
      finished = awaitInFlight(deadline, true);
    }
    for (Channel ch : clients) {
      if (ch.pipeline().get(TunnelRelay.class) != null) {
        ch.close();
      }
    }
    awaitInFlight(System.nanoTime() + TimeUnit.SECONDS.toNanos(1), false);
    return finished;
  }

  /**
   * A connection accepted just before or during a hand-over drain, whose first bytes may still be
   * on their way: once {@code linger} has passed, an HTTP/1 connection closes when idle (a request
   * under way is answered with Connection: close first), any other (HTTP/2: GOAWAY) closes.
   */
  private static void closeWhenQuiet(Channel ch, Duration linger) {
    ClientConnectionHandler handler = ch.pipeline().get(ClientConnectionHandler.class);
    if (handler != null) {
      handler.closeIfIdle(linger);
    } else if (linger.isZero()) {
      ch.close();
    } else {
      ch.eventLoop()
          .schedule(
              () -> closeWhenQuiet(ch, Duration.ZERO), linger.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until no request (other than WebSockets, if {@code exceptTunnels}) is in flight. */
  private boolean awaitInFlight(long deadline, boolean exceptTunnels) {
    while (context.inFlight.get() - (exceptTunnels ? metrics.openWebSockets() : 0) > 0) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** Closes the channels and waits up to a second in all for them to close. */
  private static void closeAll(Collection<Channel> channels) {
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel ch : channels) {
      closing.add(ch.close());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    for (ChannelFuture f : closing) {
      f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** Closes every connection and releases the event loops. */
  @Override
  public synchronized void close() {
    context.draining = true;
    if (tlsReloader != null) {
      tlsReloader.cancel(false);
      tlsReloader = null;
    }
    closeAll(serverChannels);
    closeAll(clients);
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      group = null;
    }
  }
}
