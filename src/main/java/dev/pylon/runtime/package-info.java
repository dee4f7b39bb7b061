/**
 * Instances of a revision: starting, watching and stopping the processes that serve it.
 *
 * <p>{@link dev.pylon.runtime.InstanceSet} is the entry point: given an {@link
 * dev.pylon.runtime.InstanceTemplate} and a count, it runs each instance on its own free port on
 * 127.0.0.1 as the leader of its own session, reports the ready ones (readiness probe passed) to an
 * {@link dev.pylon.runtime.InstanceListener}, restarts the ones that exit with {@link
 * dev.pylon.runtime.RestartBackoff back-off}, ends the ones failing liveness, and stops them all
 * group-wide (SIGTERM, grace, SIGKILL) so that nothing they started survives. {@link
 * dev.pylon.runtime.SupervisorOptions} holds every knob with its default.
 *
 * <p>Limits: with a memory limit ({@link dev.pylon.runtime.SupervisorOptions#withMemoryLimitMiB})
 * or a CPU limit ({@link dev.pylon.runtime.SupervisorOptions#withCpuLimit}) each instance process
 * starts inside a cgroup of its own, made under Pylon's own cgroup ({@link
 * dev.pylon.runtime.CgroupSupport#detect()}: v2 where the memory controller is delegated, else the
 * v1 memory and cpu controllers). A process the kernel kills there for memory ends the whole
 * instance and is reported as MEMORY_LIMIT "killed: memory limit (N MiB)", as Kubernetes reports
 * OOMKilled. Where no cgroup can be made, one WARNING event says so and Pylon watches resident
 * memory instead (and cannot limit CPU).
 *
 * <p>{@link dev.pylon.runtime.RevisionLog} keeps a revision's output lines and events as JSON in a
 * bounded ring file.
 *
 * <p>{@link dev.pylon.runtime.BuiltinWorker} ships Pylon's own standard-library WSGI server for
 * apps that bring none. {@link dev.pylon.runtime.Sandbox} runs instances under bubblewrap; {@link
 * dev.pylon.runtime.StrayInstances} ends what a killed Pylon left behind; {@link
 * dev.pylon.runtime.LogLine} and {@link dev.pylon.runtime.LogRing} keep instance output the way
 * Cloud Logging does; {@link dev.pylon.runtime.MetadataServer} stands in for the Compute Engine
 * metadata server.
 *
 * <p>This package depends on nothing else of Pylon.
 */
package dev.pylon.runtime;
