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
 * ClientPipelines}). Every request becomes a {@code ProxyExchange} on the client's event loop,
 * which only sequences the parts that each own one decision or one job:
 *
 * <ul>
 *   <li>{@code RequestValidator} and {@code StrictRequestDecoder} refuse anything ambiguous; {@code
 *       RequestHead} rewrites the head ({@code HopByHopHeaders}, {@code ForwardedHeaders}, {@code
 *       RequestIds}); {@code RequestBody} holds the body until there is a connection and keeps what
 *       was sent for one resend; {@code TrailerFields} drops what a trailer may not carry.
 *   <li>{@code Admission} (pure) decides pick, queue or refuse; {@code AdmissionTurn} carries it
 *       out: {@code LeastInFlightBalancer} claims a slot under the instance's concurrency cap,
 *       passing over instances {@code UpstreamHealth} (pure) has ejected, or the request waits in
 *       the revision's {@code AdmissionQueue}.
 *   <li>{@code UpstreamConnector} gets a channel: a keep-alive connection from {@code UpstreamPool}
 *       opened on the same event loop, a new one, or for an {@link
 *       dev.pylon.router.UpstreamProtocol#H2C} instance a stream from {@code
 *       Http2UpstreamConnections}; {@code UpstreamLink} holds the slot and the channel until they
 *       are given back.
 *   <li>{@code ResponseRelay} carries the response back with backpressure; a WebSocket upgrade
 *       becomes a {@code WebSocketTunnel} of two {@code TunnelRelay}s, one request (its instance
 *       slot, in-flight count and request timeout) until either side closes, as on Cloud Run.
 *   <li>When the instance fails the request, {@code ResendRule} (pure) decides, from what {@code
 *       Attempts} recorded, whether it is sent again (only what the instance cannot have acted on,
 *       at most once) or which 502 it gets; {@code InstanceExits} holds what the control plane said
 *       of instance processes that ended ({@link dev.pylon.router.Router#instanceExited}), so a
 *       request that killed its instance is named, not passed on to kill the next.
 * </ul>
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
