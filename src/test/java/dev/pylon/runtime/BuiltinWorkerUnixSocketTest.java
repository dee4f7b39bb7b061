package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --unix PATH}: the worker serves a Unix socket too, and its {@code $PORT} as before. */
class BuiltinWorkerUnixSocketTest {
  @Test
  void servesTheUnixSocketAndTheTcpPortAlike(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("w.sock");
    Files.writeString(socket, "a stale file from a killed instance");
    try (RunningWorker w =
            RunningWorker.start(
                    RunningWorker.appDir(dir), "worker_test_app:app", "--unix", socket.toString())
                .awaitListening();
        HttpClient http = HttpClient.newHttpClient()) {
      w.awaitStderr("also serving on unix:" + socket);
      String overUnix =
          exchange(socket, "GET /closed-count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(overUnix)
          .startsWith("HTTP/1.1 200 OK\r\n")
          .endsWith("\r\n\r\n1\r\n0\r\n0\r\n\r\n");
      HttpResponse<String> overTcp =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.port + "/echo")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(overTcp.body()).isEqualTo("0:");
    }
  }

  private static String exchange(Path socket, String request) throws Exception {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      while (ch.read(buf) >= 0) {
        got.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
