package dev.pylon.runtime;

import java.util.List;

/**
 * What an {@link InstanceSet} reports. {@link #readyChanged} and {@link #event} are called from the
 * set's own supervisor thread, in order; {@link #output} from one reader thread per stream.
 * Implementations must return quickly and must not call back into the set.
 */
public interface InstanceListener {
  /** The full current list of ready instances, after every change. */
  void readyChanged(List<ReadyInstance> ready);

  void event(InstanceEvent event);

  /** One line the instance wrote to its stdout ({@code stderr} false) or stderr. */
  void output(String instance, boolean stderr, String line);
}
