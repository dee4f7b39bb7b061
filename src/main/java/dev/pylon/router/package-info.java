/**
 * The data plane: an HTTP reverse proxy on Netty in front of the instances.
 *
 * <p>Entry points: {@link dev.pylon.router.Router} (start, publish, drain, close), its {@link
 * dev.pylon.router.RouterConfig}, and the {@link dev.pylon.router.RoutingSnapshot} of routes (host,
 * path prefix) to weighted {@link dev.pylon.router.Backend revisions} of {@link
 * dev.pylon.router.Upstream instances}.
 *
 * <p>A client connection is HTTP/1.1, h2c (prior knowledge, or {@code Upgrade: h2c} on the first
 * request: {@code CleartextUpgradeHandler}) or, with TLS, h2 or HTTP/1.1 by ALPN ({@code
 * ClientPipelines}). Every request becomes a {@code ProxyExchange} on the client's event loop:
 * {@code RequestValidator} and {@code StrictRequestDecoder} refuse anything ambiguous, {@code
 * LeastInFlightBalancer} claims a slot under the instance's concurrency cap (or the request waits
 * in the revision's {@code AdmissionQueue}), {@code UpstreamPool} lends a keep-alive connection
 * opened on the same event loop -- or, for an {@link dev.pylon.router.UpstreamProtocol#H2C}
 * instance, {@code Http2UpstreamConnections} opens an HTTP/2 stream on a shared connection of that
 * loop -- and bodies stream both ways with backpressure. Headers are rewritten by {@code
 * HopByHopHeaders}, {@code ForwardedHeaders} and {@code RequestIds}. A WebSocket upgrade turns both
 * connections into a {@code TunnelRelay}; the socket stays one request (its instance slot,
 * in-flight count and request timeout) until either side closes, as on Cloud Run. A request whose
 * pooled instance connection was closed under it is sent once more on a new connection when the
 * instance cannot have acted on it ({@code ProxyExchange}).
 *
 * <p>Per connection: with epoll each event loop accepts on its own SO_REUSEPORT socket, and the
 * header, keep-alive, body and request timeouts are {@code TimeoutList}s per event loop (O(1) to
 * set and clear) rather than a scheduled task each.
 *
 * <p>Latency: both sides run with TCP_NODELAY, one flush per read batch, and while an upstream
 * response is unfinished {@code UpstreamConnectionHandler} re-arms TCP_QUICKACK after each read, so
 * an instance that sends head and body apart with Nagle on (uvicorn with several workers) is not
 * held up by Linux's 40 ms delayed ACK.
 */
package dev.pylon.router;
