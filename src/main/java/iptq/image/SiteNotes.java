package iptq.image;

/**
 * Implemented by code images that know why their bytes may differ from what ran: a PE image's
 * import sites the DVRT emulation could not rewrite. A flow decoder that loses sync at an
 * address asks {@code image instanceof SiteNotes n ? n.siteNote(asid, ip) : null} and puts the
 * answer into its decode_errors row.
 */
public interface SiteNotes {
  /** A one-line explanation for the site holding {@code address}, or null when there is none. */
  String siteNote(long asid, long address);
}
