/**
 * {@code pylon server}: the control plane. Desired state lives in SQLite ({@link
 * dev.pylon.control.daemon.Store}); the {@link dev.pylon.control.daemon.Reconciler} is the only
 * owner of what actually runs (instance sets and the router's snapshot); the admin API is how the
 * CLI changes desired state.
 *
 * <h2>Files in the state directory</h2>
 *
 * <ul>
 *   <li>{@code pylon.db} (+ {@code -wal}, {@code -shm}): services, revisions, traffic, environment,
 *       scaling, events. WAL mode; every write is one transaction; the schema is versioned ({@code
 *       schema_version}, steps in {@code Migrations}, only ever appended).
 *   <li>{@code admin-token}: the bearer token of the admin API, mode 0600, made at first start.
 *   <li>{@code server.json}: pid, admin port and router port of the running daemon; written once it
 *       listens, removed when it stops (a SIGKILLed daemon leaves it behind: the CLI then finds no
 *       one answering and says "start it with `pylon server`").
 *   <li>{@code daemon.lock}: one daemon per state directory.
 *   <li>{@code revisions/}, {@code envs/}, {@code lib/}: what the build part makes; {@code run/}:
 *       pid files of instances; {@code logs/}: what instances wrote, per revision.
 * </ul>
 *
 * <h2>Addresses</h2>
 *
 * The router listens on {@code --port} (default 8080): {@code SERVICE.localhost} splits a service's
 * traffic by weight, {@code TAG---SERVICE.localhost} goes to a tagged revision, and with {@code
 * --default-service} every other host goes to that service. The admin API listens on 127.0.0.1
 * {@code --admin-port} (default 8081, the port after the router's; 0 picks a free one, which {@code
 * server.json} tells the CLI).
 *
 * <h2>Revisions and traffic</h2>
 *
 * A revision is immutable: {@code <service>-<00001>-<abc>}, a built folder plus the exact command
 * and environment its instances start with, so a restarted daemon serves it without the app folder
 * and without building. A deploy starts the new revision beside the serving one and moves traffic
 * only once an instance is ready; a revision that never gets ready keeps no traffic. A traffic
 * change or a rollback first starts the revisions it names (a revision that lost its traffic was
 * stopped) and switches only once they are ready. A revision that leaves the routes finishes its
 * in-flight requests before it is stopped. {@code pylon env set} makes a new revision of the newest
 * ready code with the new variables, as Cloud Run does.
 *
 * <h2>Autoscaling</h2>
 *
 * Every serving or tagged revision is scaled by a {@link dev.pylon.autoscale.Scaler} (Knative's
 * KPA). Its sample is, on the metric {@code concurrency} (the default), the requests in flight at
 * its ready instances plus those queued for it in the router; on the metric {@code cpu}, the cores
 * its instances use (CPU seconds per second, from each instance's cgroup or the user + system time
 * of its whole process group), at least a trace while a request is in flight or waiting. Its policy
 * is the service's scaling: {@code pylon scale} ({@code --min}, {@code --max}, {@code
 * --concurrency} as the per-instance target at Knative's 0.7, {@code --metric}, {@code
 * --cpu-target} cores per instance at 1, {@code --cool-down} as the stable window), or what a
 * deploy's app.yaml declares ({@code cpu_utilization.target_utilization} x {@code resources.cpu}
 * without {@code target_concurrent_requests} means CPU; a written {@code cool_down_period_sec} is
 * the stable window, clamped to 6 s .. 1 h); Knative's defaults and the windows of {@link
 * dev.pylon.control.daemon.DaemonSettings} for the rest. A new service starts with Cloud Run's
 * defaults: min 0 (scale to zero), 80 requests per instance, on concurrency; max 10.
 *
 * <p>A changed count is an "autoscaled" event with the decision's reason, and is kept with the
 * revision: a restarted daemon starts each revision that was serving with the count it last wanted,
 * in panic mode ({@link dev.pylon.autoscale.ScalerState#afterRestart}), so it is not scaled down
 * before a stable window of real samples. {@code GET /v1/scalers} and {@code pylon instances} show
 * each revision's ready and desired counts and the last decision's reason.
 *
 * <p>With min 0 a revision idles to zero after the stable window plus the grace period; the router
 * then marks its backend activating and holds requests in its queue (up to the queue timeout),
 * telling the reconciler, which pokes the scaler so an instance starts at once. A revision a deploy
 * holds without traffic runs {@code max(1, min)} instances.
 */
package dev.pylon.control.daemon;
