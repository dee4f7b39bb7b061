package dev.pylon.revision;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP forward proxy on loopback, as a corporate proxy is to Pylon: it takes absolute-form
 * requests ({@code GET http://host:port/path}), fetches them, and relays the answer; with a
 * credential set it answers 407 until the request carries it.
 */
final class LoopbackForwardProxy implements AutoCloseable {
  private final ServerSocket server;
  private final Optional<String> requiredAuthorization;
  private final List<String> requestLines = new CopyOnWriteArrayList<>();
  private final List<String> challenged = new CopyOnWriteArrayList<>();

  private LoopbackForwardProxy(ServerSocket server, Optional<String> requiredAuthorization) {
    this.server = server;
    this.requiredAuthorization = requiredAuthorization;
    Thread.ofVirtual().start(this::acceptLoop);
  }

  /** A proxy that forwards everything. */
  static LoopbackForwardProxy open() throws IOException {
    return new LoopbackForwardProxy(
        new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Optional.empty());
  }

  /** A proxy that wants {@code Proxy-Authorization: Basic base64(user:password)}. */
  static LoopbackForwardProxy requiring(String user, String password) throws IOException {
    String token =
        java.util.Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new LoopbackForwardProxy(
        new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Optional.of("Basic " + token));
  }

  int port() {
    return server.getLocalPort();
  }

  /** The request lines it forwarded, such as {@code GET http://127.0.0.1:4321/x HTTP/1.1}. */
  List<String> forwarded() {
    return List.copyOf(requestLines);
  }

  /** The request lines it answered with 407. */
  List<String> challenged() {
    return List.copyOf(challenged);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Thread.ofVirtual().start(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
      String requestLine = in.readLine();
      if (requestLine == null) {
        return;
      }
      List<String> headers = new ArrayList<>();
      Optional<String> authorization = Optional.empty();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        String name = line.substring(0, Math.max(0, line.indexOf(':'))).strip();
        if (name.equalsIgnoreCase("Proxy-Authorization")) {
          authorization = Optional.of(line.substring(line.indexOf(':') + 1).strip());
        } else if (!name.equalsIgnoreCase("Connection")
            && !name.equalsIgnoreCase("Proxy-Connection")) {
          headers.add(line);
        }
      }
      OutputStream out = client.getOutputStream();
      if (requiredAuthorization.isPresent() && !requiredAuthorization.equals(authorization)) {
        challenged.add(requestLine);
        out.write(
            ("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\""
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return;
      }
      String[] parts = requestLine.split(" ");
      URI target = URI.create(parts[1]);
      requestLines.add(requestLine);
      try (Socket upstream = new Socket(target.getHost(), target.getPort())) {
        StringBuilder forward =
            new StringBuilder(parts[0] + " " + target.getRawPath() + " HTTP/1.1\r\n");
        headers.forEach(h -> forward.append(h).append("\r\n"));
        forward.append("Connection: close\r\n\r\n");
        upstream.getOutputStream().write(forward.toString().getBytes(StandardCharsets.ISO_8859_1));
        upstream.getInputStream().transferTo(out);
      }
    } catch (IOException e) {
      // The client or the upstream went away; the test sees what the client saw.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
