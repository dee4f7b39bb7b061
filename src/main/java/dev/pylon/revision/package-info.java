/**
 * Builds: a source folder becomes an immutable revision that can be started any number of times.
 *
 * <p>Entry points: {@link dev.pylon.revision.RevisionBuilder} for a whole build, or its parts:
 * {@link dev.pylon.revision.EnvironmentBuilder} (the virtualenv, from the cache, with the
 * interpreter the spec chose), {@link dev.pylon.revision.RevisionSnapshots} (the source snapshot
 * and its bytecode), {@link dev.pylon.revision.PreStartRunner} (the release step); {@link
 * dev.pylon.revision.EnvironmentGc} and {@link dev.pylon.revision.RevisionGc} for {@code pylon gc}.
 * Progress goes to a {@link dev.pylon.revision.BuildProgress} the caller supplies; failures come
 * back as values holding a message for a person and the failing tool's last lines.
 *
 * <h2>Layout of the state folder</h2>
 *
 * <pre>
 * envs/&lt;key&gt;/                    a virtualenv; trusted only with .pylon-complete inside
 * envs/&lt;key&gt;.lock                held while the entry is built or deleted
 * revisions/&lt;service&gt;/&lt;id&gt;/       a read-only snapshot with its bytecode
 * revisions/&lt;service&gt;/&lt;id&gt;.pre-start   the pre-start step succeeded (holds the command)
 * revisions/&lt;service&gt;/.tmp-*       a snapshot being made, or left by a crash (gc removes it)
 * </pre>
 *
 * <p>The rules that keep builds safe (each explained where it is implemented): the cache key is
 * content ({@link dev.pylon.revision.EnvironmentKey}); a virtualenv is built in place under a lock
 * and trusted only with its marker, because virtualenvs cannot be moved ({@link
 * dev.pylon.revision.EnvironmentBuilder}); a snapshot is copied aside and renamed into place
 * ({@link dev.pylon.revision.RevisionSnapshots}); one ignore file decides what a snapshot holds
 * ({@link dev.pylon.revision.IgnoreRules}); nothing existing is ever changed in place, so a failed
 * build cannot harm what is serving.
 */
package dev.pylon.revision;
