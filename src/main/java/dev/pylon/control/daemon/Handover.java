package dev.pylon.control.daemon;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one {@code pylon server} hands its state directory and its listening sockets to the next
 * ({@code pylon server --takeover}), as Envoy's hot restart and HAProxy's seamless reload do: over
 * the Unix socket {@code STATE/handover.sock}, the successor asks, the running daemon lets go of
 * its instances (they keep running under their shims), its admin port, store and state lock, and
 * sends the router's listening sockets' file descriptors (SCM_RIGHTS). The successor takes the
 * lock, adopts the instances, serves on the same sockets, and says so; only then does the old one
 * stop accepting, finish the requests it has, and exit. A connection never meets a closed port.
 *
 * <p>The protocol, lines of text on a first connection and descriptors on a second:
 *
 * <pre>
 *   successor: TAKEOVER &lt;pid&gt;      daemon: (lets go)  RELEASED &lt;n&gt;
 *   successor, 2nd connection: FDS   daemon: n descriptors, then closes that connection
 *   successor: SERVING               daemon: stops accepting, drains, exits (closing the first)
 * </pre>
 */
final class Handover implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Handover.class);
  static final String SOCKET = "handover.sock";

  /** What the running daemon does when a successor asks. */
  interface Offer {
    /**
     * Lets go of the instances, the admin port, the store and the state lock; returns the router's
     * listening sockets (file descriptors) for the successor. Blocks.
     */
    List<Integer> release(long successorPid) throws Exception;

    /**
     * The successor serves on the sockets (or went away after {@link #release}): stop accepting,
     * drain, exit. Blocks.
     */
    void successorServes();
  }

  private final EventLoopGroup group;
  private final Channel server;

  private Handover(EventLoopGroup group, Channel server) {
    this.group = group;
    this.server = server;
  }

  /** Whether this machine can hand sockets over (epoll's Unix sockets). */
  static boolean supported() {
    return Epoll.isAvailable();
  }

  /**
   * Listens on {@code STATE/handover.sock} for a successor (the caller holds the state lock, so a
   * socket file there is a dead daemon's). Empty when hand-over is not supported here.
   */
  static Optional<Handover> listen(Path stateDir, Offer offer) throws IOException {
    if (!supported()) {
      return Optional.empty();
    }
    Path socket = stateDir.resolve(SOCKET);
    Files.deleteIfExists(socket);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    AtomicReference<CompletableFuture<List<Integer>>> released = new AtomicReference<>();
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerDomainSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new LineBasedFrameDecoder(256))
                          .addLast(new StringDecoder(StandardCharsets.US_ASCII))
                          .addLast(new OfferHandler(offer, released));
                    }
                  })
              .bind(new DomainSocketAddress(socket.toString()))
              .syncUninterruptibly()
              .channel();
      return Optional.of(new Handover(group, server));
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
    }
  }

  /** The running daemon's side of one successor's connections. */
  private static final class OfferHandler extends SimpleChannelInboundHandler<String> {
    private final Offer offer;
    // shared by the successor's two connections: the sockets the first one's TAKEOVER released
    private final AtomicReference<CompletableFuture<List<Integer>>> released;
    private boolean asked;

    OfferHandler(Offer offer, AtomicReference<CompletableFuture<List<Integer>>> released) {
      this.offer = offer;
      this.released = released;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      String[] words = line.trim().split(" ");
      switch (words[0]) {
        case "TAKEOVER" -> {
          long pid = words.length > 1 ? Long.parseLong(words[1]) : -1;
          asked = true;
          CompletableFuture<List<Integer>> fds = new CompletableFuture<>();
          released.set(fds);
          Thread.ofPlatform()
              .name("pylon-handover")
              .start(
                  () -> {
                    try {
                      List<Integer> sockets = offer.release(pid);
                      fds.complete(sockets);
                      ctx.writeAndFlush(ascii("RELEASED " + sockets.size() + "\n"));
                    } catch (Exception e) {
                      log.error("the hand-over to pid {} failed", pid, e);
                      fds.completeExceptionally(e);
                      ctx.writeAndFlush(ascii("FAILED " + e.getMessage() + "\n"))
                          .addListener(ChannelFutureListener.CLOSE);
                    }
                  });
        }
        case "FDS" -> {
          CompletableFuture<List<Integer>> fds = released.get();
          if (fds == null || !fds.isDone() || fds.isCompletedExceptionally()) {
            ctx.close();
            return;
          }
          for (int fd : fds.join()) {
            ctx.write(new FileDescriptor(fd));
          }
          ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
          // Closing a listening Unix socket deletes its file (Netty does): done now, before the
          // successor binds its own at the same path, which a later close would delete instead.
          // The successor's connections stay open.
          ctx.channel().parent().close();
        }
        case "SERVING" -> finish();
        default -> ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (asked && !finishing) {
        // the successor went away after it was given everything: this daemon can no longer
        // manage anything, so it finishes its requests and leaves the instances to the next start
        log.warn("the successor closed its hand-over connection before serving");
        finish();
      }
    }

    private volatile boolean finishing;

    private void finish() {
      if (!finishing) {
        finishing = true;
        Thread.ofPlatform().name("pylon-handover-finish").start(offer::successorServes);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("hand-over connection failed: {}", cause.toString());
      ctx.close();
    }
  }

  private static io.netty.buffer.ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  /**
   * The successor's side: asks the daemon running on {@code stateDir} to hand over and returns the
   * sockets it sent, or empty when no daemon listens there (nothing to take over).
   *
   * @throws DaemonFailure when a daemon answers but the hand-over fails or takes too long
   */
  static Optional<Taken> takeOver(Path stateDir, Duration timeout) throws DaemonFailure {
    Path socket = stateDir.resolve(SOCKET);
    if (!supported() || !Files.exists(socket)) {
      return Optional.empty();
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    CompletableFuture<Void> gone = new CompletableFuture<>();
    Channel control;
    try {
      control =
          new Bootstrap()
              .group(group)
              .channel(EpollDomainSocketChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new LineBasedFrameDecoder(1024))
                          .addLast(new StringDecoder(StandardCharsets.UTF_8))
                          .addLast(
                              new SimpleChannelInboundHandler<String>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, String l) {
                                  lines.add(l.trim());
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                  gone.complete(null);
                                }
                              });
                    }
                  })
              .connect(new DomainSocketAddress(socket.toString()))
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException refused) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      log.debug("no daemon answers on {}: {}", socket, refused.toString());
      return Optional.empty(); // a dead daemon's socket file
    }
    try {
      control.writeAndFlush(ascii("TAKEOVER " + ProcessHandle.current().pid() + "\n"));
      String answer = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (answer == null || !answer.startsWith("RELEASED ")) {
        throw new DaemonFailure(
            "The running `pylon server` did not hand over"
                + (answer == null ? " within " + timeout.toSeconds() + " s" : ": " + answer)
                + ". It keeps serving; see its log.");
      }
      int count = Integer.parseInt(answer.substring("RELEASED ".length()).trim());
      List<Integer> fds = receiveSockets(group, socket, count, timeout);
      return Optional.of(new Taken(group, control, fds, gone));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      control.close();
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new DaemonFailure("interrupted while taking over");
    } catch (DaemonFailure | RuntimeException e) {
      control.close();
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e instanceof DaemonFailure f ? f : new DaemonFailure("taking over failed: " + e);
    }
  }

  private static List<Integer> receiveSockets(
      EventLoopGroup group, Path socket, int count, Duration timeout)
      throws InterruptedException, DaemonFailure {
    BlockingQueue<Integer> fds = new LinkedBlockingQueue<>();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Channel channel =
        new Bootstrap()
            .group(group)
            .channel(EpollDomainSocketChannel.class)
            .option(
                EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
            .handler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof FileDescriptor fd) {
                      fds.add(fd.intValue());
                    }
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    closed.complete(null);
                  }
                })
            .connect(new DomainSocketAddress(socket.toString()))
            .syncUninterruptibly()
            .channel();
    channel.writeAndFlush(ascii("FDS\n"));
    List<Integer> received = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (received.size() < count) {
      Integer fd = fds.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (fd == null) {
        channel.close();
        throw new DaemonFailure(
            "The running `pylon server` sent "
                + received.size()
                + " of its "
                + count
                + " sockets.");
      }
      received.add(fd);
    }
    channel.close();
    return List.copyOf(received);
  }

  /** What a successor got: the sockets, and the line to tell the old daemon it serves. */
  static final class Taken {
    private final EventLoopGroup group;
    private final Channel control;
    private final List<Integer> sockets;
    private final CompletableFuture<Void> gone;

    Taken(
        EventLoopGroup group,
        Channel control,
        List<Integer> sockets,
        CompletableFuture<Void> gone) {
      this.group = group;
      this.control = control;
      this.sockets = sockets;
      this.gone = gone;
    }

    List<Integer> sockets() {
      return sockets;
    }

    /** Tells the old daemon this one serves: it stops accepting, drains and exits. */
    void serving() {
      control.writeAndFlush(ascii("SERVING\n"));
    }

    /** Waits (up to {@code timeout}) until the old daemon has exited; whether it did. */
    boolean awaitGone(Duration timeout) {
      try {
        gone.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (Exception e) {
        return false;
      } finally {
        control.close();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      }
    }
  }
}
