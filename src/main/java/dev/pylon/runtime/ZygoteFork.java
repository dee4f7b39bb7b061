package dev.pylon.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a zygote ({@code pylon_zygote.py}) for one instance over its Unix domain socket: three
 * connections that share an id, which become the instance's stdout, its stderr, and the channel its
 * pid and, later, its exit status come back on. The zygote holds the accepted sockets, so the
 * instance's output reaches Pylon without a pipe or a descriptor passed across.
 */
final class ZygoteFork {
  private static final Logger log = LoggerFactory.getLogger(ZygoteFork.class);
  private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(1);

  private final ObjectMapper json;
  private final ScheduledExecutorService timer;
  private final Duration answerTimeout;

  /**
   * @param timer closes a connection the zygote does not answer within {@code answerTimeout}
   */
  ZygoteFork(ObjectMapper json, ScheduledExecutorService timer, Duration answerTimeout) {
    this.json = json;
    this.timer = timer;
    this.answerTimeout = answerTimeout;
  }

  /**
   * Forks {@code request}'s instance from the zygote listening on {@code socket}, joined to {@code
   * cgroup} (null: none). Throws, with nothing left running, when the zygote cannot: the caller
   * starts the instance cold instead.
   */
  ForkedInstance fork(
      Path socket,
      LaunchRequest request,
      InstanceCgroup cgroup,
      Optional<Path> runDir,
      InstanceLauncher.Output output)
      throws IOException {
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
    String id = request.instance() + "-" + request.attempt() + "-" + System.nanoTime();
    SocketChannel out = null;
    SocketChannel err = null;
    SocketChannel control = null;
    try {
      out = connect(address, header("out", id));
      err = connect(address, header("err", id));
      ObjectNode fork = header("fork", id);
      List<String> argv = request.command().subList(1, request.command().size());
      argv.forEach(fork.putArray("argv")::add);
      ObjectNode env = fork.putObject("env");
      request.env().forEach(env::put);
      fork.put("cwd", request.workDir().toString());
      var cgroups = fork.putArray("cgroups");
      if (cgroup != null) {
        cgroup.procsFiles().forEach(file -> cgroups.add(file.toString()));
      }
      control = connect(address, fork);
      BufferedReader answers =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(control), StandardCharsets.UTF_8));
      JsonNode answer = firstAnswer(control, answers);
      if (!answer.has("pid")) {
        throw new IOException(
            answer.has("error")
                ? "the zygote could not set the instance up: " + answer.get("error").asText()
                : "the fork "
                    + ExitStatus.describe(jdkStatus(answer.path("status").asInt(-1)))
                    + " before it was set up");
      }
      ForkedInstance instance =
          new ForkedInstance(request.instance(), answer.get("pid").asLong(), cgroup, runDir);
      Thread stdout = readLines(request.instance(), Channels.newInputStream(out), false, output);
      Thread stderr = readLines(request.instance(), Channels.newInputStream(err), true, output);
      SocketChannel watched = control;
      Thread.ofPlatform()
          .daemon()
          .name(request.instance() + "-waiter")
          .start(() -> awaitExit(instance, watched, answers, stdout, stderr));
      return instance;
    } catch (IOException | RuntimeException e) {
      closeQuietly(out);
      closeQuietly(err);
      closeQuietly(control);
      throw e instanceof IOException io ? io : new IOException(e.toString(), e);
    }
  }

  /**
   * Python's {@code os.waitstatus_to_exitcode} (minus the signal for a kill) in the JDK's
   * convention (128 + the signal), which the rest of Pylon reads.
   */
  static int jdkStatus(int waitStatus) {
    return waitStatus < 0 ? 128 - waitStatus : waitStatus;
  }

  private ObjectNode header(String role, String id) {
    return json.createObjectNode().put("role", role).put("id", id);
  }

  private SocketChannel connect(UnixDomainSocketAddress address, ObjectNode header)
      throws IOException {
    SocketChannel channel = SocketChannel.open(address);
    try {
      ByteBuffer bytes =
          ByteBuffer.wrap(
              (json.writeValueAsString(header) + "\n").getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      return channel;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /** The zygote's first line, or an IOException once {@code answerTimeout} has passed without. */
  private JsonNode firstAnswer(SocketChannel control, BufferedReader answers) throws IOException {
    ScheduledFuture<?> guard =
        timer.schedule(
            () -> closeQuietly(control), answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    String line;
    try {
      line = answers.readLine();
    } catch (IOException e) {
      if (!control.isOpen()) {
        throw new IOException(
            "the zygote did not answer within " + InstanceLifecycle.describe(answerTimeout));
      }
      throw e;
    } finally {
      guard.cancel(false);
    }
    if (line == null) {
      throw new IOException("the zygote closed the connection without an answer");
    }
    return json.readTree(line);
  }

  /** On the waiter thread: the zygote's status line (none if it went away), then the output. */
  private void awaitExit(
      ForkedInstance instance,
      SocketChannel control,
      BufferedReader answers,
      Thread stdout,
      Thread stderr) {
    Integer status = null;
    try {
      for (String line = answers.readLine(); line != null; line = answers.readLine()) {
        JsonNode answer = json.readTree(line);
        if (answer.has("listening")) {
          instance.listens();
        } else if (answer.has("status")) {
          status = jdkStatus(answer.get("status").asInt());
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("{}: no exit status from the zygote: {}", instance, e.toString());
    } finally {
      closeQuietly(control);
    }
    join(stdout, stderr);
    instance.ended(status);
  }

  private static Thread readLines(
      String name, InputStream stream, boolean isStderr, InstanceLauncher.Output out) {
    return Thread.ofPlatform()
        .daemon()
        .name(name + (isStderr ? "-stderr" : "-stdout"))
        .start(
            () -> {
              try (InputStream in = stream) {
                OutputLines.forEach(
                    in,
                    OutputLines.MAX_LINE_BYTES,
                    line -> {
                      try {
                        out.line(isStderr, line);
                      } catch (RuntimeException e) {
                        log.warn("instance output handler failed", e);
                      }
                    });
              } catch (IOException closed) {
                // every process holding the socket has ended
              }
            });
  }

  private static void join(Thread first, Thread second) {
    long deadline = System.nanoTime() + OUTPUT_DRAIN.toNanos();
    for (Thread reader : new Thread[] {first, second}) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          reader.join(Duration.ofNanos(left));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing is all that was wanted
      }
    }
  }
}
