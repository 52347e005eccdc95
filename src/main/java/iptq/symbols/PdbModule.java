package iptq.symbols;

/** One entry of the DBI module info substream: an object file and the stream of its symbols. */
public record PdbModule(String name, String objectName, int symbolStream, long symbolBytes) {}
