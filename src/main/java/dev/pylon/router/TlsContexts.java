package dev.pylon.router;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS context, rebuilt when the PEM files change so a renewed certificate is served to
 * new connections without a restart. TLS 1.2 and 1.3 only; OpenSSL (netty-tcnative) when it is on
 * the class path, the JDK's implementation otherwise.
 */
final class TlsContexts {
  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private record Loaded(SslContext context, FileTime certModified, FileTime keyModified) {}

  private final TlsFiles files;
  private final AtomicReference<Loaded> current = new AtomicReference<>();

  /**
   * @throws RouterTlsException when the files cannot be read or do not hold a certificate and key
   */
  TlsContexts(TlsFiles files) {
    this.files = files;
    current.set(load());
  }

  SslHandler newHandler(ByteBufAllocator alloc) {
    return current.get().context().newHandler(alloc);
  }

  /** Reloads if either file changed; a broken new pair is logged and the old one kept. */
  void reloadIfChanged() {
    Loaded loaded = current.get();
    try {
      if (loaded.certModified().equals(modified(files.certificateChain()))
          && loaded.keyModified().equals(modified(files.privateKey()))) {
        return;
      }
      current.set(load());
      log.info("reloaded TLS certificate from {}", files.certificateChain());
    } catch (IOException | RouterTlsException e) {
      log.warn("keeping the current TLS certificate: {}", e.getMessage());
    }
  }

  private Loaded load() {
    try {
      FileTime certModified = modified(files.certificateChain());
      FileTime keyModified = modified(files.privateKey());
      SslContext context =
          SslContextBuilder.forServer(
                  files.certificateChain().toFile(), files.privateKey().toFile())
              .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
              .protocols(PROTOCOLS)
              .applicationProtocolConfig(
                  new ApplicationProtocolConfig(
                      ApplicationProtocolConfig.Protocol.ALPN,
                      ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                      ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                      ApplicationProtocolNames.HTTP_2,
                      ApplicationProtocolNames.HTTP_1_1))
              .build();
      return new Loaded(context, certModified, keyModified);
    } catch (IOException | RuntimeException e) {
      throw new RouterTlsException(
          "Cannot use the TLS certificate "
              + files.certificateChain()
              + " with key "
              + files.privateKey()
              + " ("
              + e.getMessage()
              + "). Give a PEM certificate chain and its unencrypted PEM private key.",
          e);
    }
  }

  private static FileTime modified(java.nio.file.Path file) throws IOException {
    return Files.getLastModifiedTime(file);
  }
}
