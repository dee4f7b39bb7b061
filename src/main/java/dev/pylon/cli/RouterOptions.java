package dev.pylon.cli;

import dev.pylon.control.RouterSettings;
import dev.pylon.control.RunFailure;
import dev.pylon.control.SelfSignedCertificate;
import dev.pylon.router.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import picocli.CommandLine.Option;

/** The router's flags: TLS, concurrency and queueing, timeouts, trusted proxies, buffering. */
final class RouterOptions {
  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description =
          "Requests one instance takes at once; more wait in the queue (default: 80, or service.yaml's containerConcurrency)")
  Integer concurrency;

  @Option(
      names = "--timeout",
      converter = DurationConverter.class,
      description =
          "A request that takes longer gets 504 (default: 300s, or service.yaml's timeoutSeconds)")
  Duration timeout;

  @Option(
      names = "--queue-timeout",
      converter = DurationConverter.class,
      description = "How long a request may wait for a free instance before 503 (default: 30s)")
  Duration queueTimeout;

  @Option(
      names = "--trusted-proxies",
      paramLabel = "ADDRS",
      description =
          "Comma-separated addresses or CIDR ranges whose X-Forwarded-* headers are kept (default: 127.0.0.1,::1)")
  String trustedProxies;

  @Option(
      names = "--max-body",
      paramLabel = "SIZE",
      converter = MemorySizeConverter.class,
      description = "Largest request body, e.g. 32Mi; larger gets 413 (default: 32Mi)")
  Long maxBodyMiB;

  @Option(
      names = "--buffer-requests",
      negatable = true,
      description =
          "Read request bodies before they reach an instance, so slow uploads hold no worker (default: on for gunicorn and the built-in worker)")
  Boolean bufferRequests;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description =
          "Client connections held open at once; past it new ones are closed unanswered (default: 10000)")
  Integer maxConnections;

  @Option(
      names = "--tls",
      paramLabel = "self-signed",
      description =
          "Serve HTTPS with a local certificate Pylon makes and keeps in the state directory")
  String tlsMode;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "Serve HTTPS with this certificate chain (reloaded when it changes)")
  Path tlsCertificate;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "The private key of --tls-cert")
  Path tlsKey;

  RouterSettings settings(Path stateDir) {
    if (concurrency != null && concurrency < 1) {
      throw new UserError("--concurrency " + concurrency + " must be at least 1.", 2);
    }
    if (maxConnections != null && maxConnections < 1) {
      throw new UserError("--max-connections " + maxConnections + " must be at least 1.", 2);
    }
    return new RouterSettings(
        concurrency == null ? OptionalInt.empty() : OptionalInt.of(concurrency),
        Optional.ofNullable(timeout),
        Optional.ofNullable(queueTimeout),
        Optional.ofNullable(trustedProxies)
            .map(list -> Arrays.stream(list.split(",")).map(String::strip).toList())
            .map(List::copyOf),
        maxBodyMiB == null ? OptionalLong.empty() : OptionalLong.of(maxBodyMiB * 1024 * 1024),
        Optional.ofNullable(bufferRequests),
        tls(stateDir),
        maxConnections == null ? OptionalInt.empty() : OptionalInt.of(maxConnections));
  }

  boolean tls() {
    return tlsMode != null || tlsCertificate != null;
  }

  private Optional<TlsFiles> tls(Path stateDir) {
    if (tlsMode != null) {
      if (!tlsMode.equals("self-signed")) {
        throw new UserError(
            "--tls takes only `self-signed`; for your own certificate use --tls-cert and --tls-key.",
            2);
      }
      if (tlsCertificate != null || tlsKey != null) {
        throw new UserError("use either --tls self-signed or --tls-cert/--tls-key, not both.", 2);
      }
      try {
        return Optional.of(SelfSignedCertificate.ensure(stateDir));
      } catch (RunFailure failure) {
        throw new UserError(failure.getMessage(), failure.exitCode());
      }
    }
    if (tlsCertificate == null && tlsKey == null) {
      return Optional.empty();
    }
    if (tlsCertificate == null || tlsKey == null) {
      throw new UserError("--tls-cert and --tls-key go together: give both PEM files.", 2);
    }
    for (Path file : List.of(tlsCertificate, tlsKey)) {
      if (!Files.isReadable(file)) {
        throw new UserError(
            file.toAbsolutePath() + " cannot be read; check the path and its permissions.", 2);
      }
    }
    return Optional.of(new TlsFiles(tlsCertificate.toAbsolutePath(), tlsKey.toAbsolutePath()));
  }
}
