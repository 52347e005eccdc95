package iptq.cli;

import picocli.CommandLine;

/** Integers on the command line in decimal or 0x-hex, as Windows tools print them. */
final class HexIntConverter implements CommandLine.ITypeConverter<Integer> {
  @Override
  public Integer convert(String s) {
    String t = s.strip();
    try {
      return t.startsWith("0x") || t.startsWith("0X")
          ? Integer.parseUnsignedInt(t.substring(2), 16)
          : Integer.parseInt(t);
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + s + "' is not a number (decimal or 0x-hex)");
    }
  }
}
