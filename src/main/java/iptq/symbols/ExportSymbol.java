package iptq.symbols;

/** An exported function of an image, the fallback name source when no PDB is found. */
public record ExportSymbol(long rva, String name) {}
