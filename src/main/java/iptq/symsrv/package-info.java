/**
 * The symbol server client, as Microsoft's symsrv uses one: {@code _NT_SYMBOL_PATH} and
 * {@code --symbols} entries ({@link iptq.symsrv.StorePath}), the keys files are stored under
 * ({@link iptq.symsrv.StoreKey}), and the fetch of PDBs and PE images into the local cache in the
 * symbol-store layout ({@link iptq.symsrv.SymbolServer}). What it fetches is then read exactly as a
 * local file: the PDB by {@link iptq.symbols.PdbLocator}, the PE through the image path.
 */
package iptq.symsrv;
