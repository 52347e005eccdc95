package iptq.symsrv;

import iptq.InputException;
import iptq.image.PeFile;
import iptq.symbols.PdbFile;
import iptq.symbols.PdbId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Puts files into a symbol store as symstore.exe lays it out: a PE image under its TimeDateStamp
 * and SizeOfImage, a PDB under its own GUID and age. Tests build a store from the sample's
 * binaries with it; a user can fill a cache from a build folder the same way.
 */
public final class StoreWriter {
  private StoreWriter() {}

  /** The key {@code file} is stored under, read from its contents (PE headers or PDB info stream). */
  public static StoreKey keyOf(Path file) {
    String name = file.getFileName().toString();
    byte[] head = new byte[32];
    try (var in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, head.length);
      if (n >= 2 && head[0] == 'M' && head[1] == 'Z') {
        try (PeFile pe = PeFile.open(file)) {
          return StoreKey.image(name, pe.timeDateStamp(), pe.sizeOfImage());
        }
      }
    } catch (IOException e) {
      throw new InputException(file, -1, "cannot read: " + e.getMessage());
    }
    PdbFile.Identity id = PdbFile.identity(file); // says what is wrong when it is no PDB either
    return StoreKey.pdb(new PdbId(name, id.guid(), id.age()));
  }

  /** Copies {@code file} into {@code store} at its key's place; the path written. */
  public static Path add(Path store, Path file) throws IOException {
    StoreKey key = keyOf(file);
    Path t = SymbolServer.target(store, key);
    Files.createDirectories(t.getParent());
    Files.copy(file, t, StandardCopyOption.REPLACE_EXISTING);
    return t;
  }
}
