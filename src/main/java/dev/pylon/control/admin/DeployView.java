package dev.pylon.control.admin;

/**
 * A revision a deploy (or an env change) made ready.
 *
 * @param serving whether it got traffic
 * @param url where it is reached: the service's URL, or its tag's when it got no traffic
 */
public record DeployView(String revision, String service, boolean serving, String url)
    implements EnvOutcome {}
