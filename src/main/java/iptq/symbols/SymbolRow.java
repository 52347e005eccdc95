package iptq.symbols;

/**
 * One row of the {@code symbols} table: a function of {@code module} at {@code rva} (offset from
 * the module base). {@code source} is {@code pdb-proc}, {@code pdb-public} or {@code exports}.
 */
public record SymbolRow(String module, long rva, long size, String name, String source) {}
