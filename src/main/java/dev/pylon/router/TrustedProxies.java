package dev.pylon.router;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Client addresses whose forwarding headers are believed: single addresses or CIDR ranges. */
final class TrustedProxies {
  private record Range(byte[] network, int prefixBits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int bits = prefixBits;
      for (int i = 0; i < address.length && bits > 0; i++, bits -= 8) {
        int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
        if ((address[i] & mask) != (network[i] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Range> ranges;
  private final boolean everyone;

  private TrustedProxies(List<Range> ranges, boolean everyone) {
    this.ranges = ranges;
    this.everyone = everyone;
  }

  /**
   * Parses entries such as {@code 127.0.0.1}, {@code 10.0.0.0/8}, {@code ::1} or {@code *}.
   *
   * @throws IllegalArgumentException naming the entry that is not an address or range
   */
  static TrustedProxies parse(List<String> entries) {
    List<Range> ranges = new ArrayList<>();
    boolean everyone = false;
    for (String raw : entries) {
      String entry = raw.trim();
      if (entry.equals("*")) {
        everyone = true;
        continue;
      }
      int slash = entry.indexOf('/');
      String addressPart = slash >= 0 ? entry.substring(0, slash) : entry;
      byte[] network = literalAddress(addressPart, raw);
      int prefix = network.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw invalid(raw);
        }
        if (prefix < 0 || prefix > network.length * 8) {
          throw invalid(raw);
        }
      }
      ranges.add(new Range(network, prefix));
    }
    return new TrustedProxies(List.copyOf(ranges), everyone);
  }

  boolean trusts(InetAddress client) {
    if (everyone) {
      return true;
    }
    if (client == null) {
      return false;
    }
    byte[] address = client.getAddress();
    for (Range range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] literalAddress(String text, String raw) {
    // Only literals: a host name here would mean a DNS lookup, which must not happen at runtime.
    boolean literal = text.indexOf(':') >= 0 || text.matches("[0-9.]+");
    if (!literal || text.isEmpty()) {
      throw invalid(raw);
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (java.net.UnknownHostException e) {
      throw invalid(raw);
    }
  }

  private static IllegalArgumentException invalid(String raw) {
    return new IllegalArgumentException(
        "trusted proxy '"
            + raw
            + "' is not an IP address or CIDR range; use e.g. 127.0.0.1, 10.0.0.0/8 or ::1");
  }
}
