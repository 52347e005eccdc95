package iptq.ingest;

import iptq.image.CodeImage;
import iptq.image.RawImage;
import iptq.symbols.ModuleSymbols;
import iptq.symbols.SymbolMap;
import iptq.table.TableWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Code given as raw bytes at addresses ({@code --image FILE@ADDR}), as libipt's ptxed takes it:
 * one address space for every segment, each file a module named after it, with no symbols.
 */
final class RawCodeContext implements CodeContext {
  private final RawImage image;
  private final SymbolMap symbols;

  RawCodeContext(RawImage image) {
    this.image = image;
    List<SymbolMap.Module> mods = new ArrayList<>();
    for (RawImage.Section s : image.sections()) {
      mods.add(new SymbolMap.Module(s.name(), s.start(), s.bytes().length, ModuleSymbols.none(s.name())));
    }
    this.symbols = new SymbolMap(mods);
  }

  @Override
  public CodeImage imageFor(SegmentInput segment) {
    return image;
  }

  @Override
  public SymbolMap symbolsFor(SegmentInput segment) {
    return symbols;
  }

  @Override
  public long pidOf(long cr3) {
    return TableWriter.NULL;
  }
}
