package iptq.image;

import iptq.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** What a code-source file is, by its first bytes. */
public enum ImageKind {
  MINIDUMP, KERNEL_DUMP, PE, OTHER;

  public static ImageKind of(Path file) {
    byte[] head = new byte[8];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, 8);
    } catch (NoSuchFileException e) {
      throw new InputException(file, -1, "no such file");
    } catch (IOException e) {
      throw new InputException(file, -1, "cannot read: " + e.getMessage());
    }
    String s = new String(head, 0, n, StandardCharsets.ISO_8859_1);
    if (s.startsWith("MDMP")) return MINIDUMP;
    if (s.startsWith("PAGEDU64")) return KERNEL_DUMP;
    if (s.startsWith("MZ")) return PE;
    return OTHER;
  }
}
