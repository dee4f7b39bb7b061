/**
 * The web console of {@code pylon server}: pages a person reads at a glance, on the admin port
 * under {@code /console/}, with the same operations as the CLI.
 *
 * <ul>
 *   <li>{@link dev.pylon.control.console.Console} wires it: counts requests per instance from the
 *       router's access log ({@code UpstreamTally}), samples the counters into a small ring every 2
 *       s ({@code ConsoleSampler}, {@code SampleRing}), and answers requests ({@code
 *       ConsoleHandler}).
 *   <li>{@code ConsoleAuth}: one-time login tokens (Jupyter's convention: the server prints a URL,
 *       {@code pylon console} makes another) traded for a session in an HttpOnly, SameSite=Strict
 *       cookie; each session's CSRF token.
 *   <li>{@code ConsolePages}, {@code Charts}: server-rendered HTML and inline SVG; {@code
 *       console.js} (in the jar) only refreshes the live parts, checks traffic shares and follows
 *       the log over Server-Sent Events.
 *   <li>{@link dev.pylon.control.console.ConsoleBackend}: what it reads and does; the daemon's
 *       {@code ConsoleBridge} implements it with the store, deployer, reconciler and logs the admin
 *       API uses, so a refusal reads as the CLI's.
 * </ul>
 */
package dev.pylon.control.console;
