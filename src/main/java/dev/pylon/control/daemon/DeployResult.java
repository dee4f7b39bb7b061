package dev.pylon.control.daemon;

/**
 * A revision that is ready.
 *
 * @param revision the new revision
 * @param serving whether it got traffic
 * @param url where it is reached: the service's URL, or the tag's when it got no traffic
 */
public record DeployResult(RevisionRecord revision, boolean serving, String url) {}
