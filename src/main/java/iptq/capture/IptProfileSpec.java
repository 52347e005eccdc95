package iptq.capture;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What an IPT recording profile asks WPR for: the profile's name, the code mode, the per-event
 * IPT buffer in KiB, and the kernel events that get an IPT buffer attached.
 *
 * @param commandLine the {@code iptq profile} arguments that produce this profile, recorded in the
 *     file so that it can be regenerated and compared
 */
public record IptProfileSpec(
    String name, CodeMode codeMode, int bufferKb, List<String> events, List<String> commandLine) {
  /** The buffer sizes the ProcessorTrace element accepts, in KiB. */
  public static final List<Integer> BUFFER_SIZES = List.of(4, 8, 16, 32);

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

  public IptProfileSpec {
    events = List.copyOf(events);
    commandLine = List.copyOf(commandLine);
    if (!NAME.matcher(name).matches())
      throw new IllegalArgumentException(
          "profile name '" + name + "' must be a letter then up to 63 letters, digits, _ or -"
              + " (WPR names the profile on its command line as FILE!NAME)");
    if (!BUFFER_SIZES.contains(bufferKb))
      throw new IllegalArgumentException(
          "IPT buffer size " + bufferKb + " KiB is not one of 4, 8, 16, 32");
    if (events.isEmpty()) throw new IllegalArgumentException("at least one --event is needed");
    if (events.stream().distinct().count() != events.size())
      throw new IllegalArgumentException("an --event is named twice: " + events);
  }
}
