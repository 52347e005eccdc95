-- Names for addresses.

CREATE TABLE symbols (
  module_id BIGINT  NOT NULL,
  rva       BIGINT  NOT NULL,
  size      BIGINT,
  name      VARCHAR NOT NULL,
  source    VARCHAR NOT NULL
);
COMMENT ON TABLE symbols IS 'One row per function symbol of a module that code ran in.';
COMMENT ON COLUMN symbols.module_id IS 'The module (modules.module_id); address = modules.base + rva.';
COMMENT ON COLUMN symbols.rva IS 'Offset from the module base.';
COMMENT ON COLUMN symbols.size IS 'Size in bytes (from the PDB''s procedure records, else distance to the next symbol).';
COMMENT ON COLUMN symbols.name IS 'Symbol name (undecorated as the PDB gives it).';
COMMENT ON COLUMN symbols.source IS 'pdb-proc, pdb-public, exports.';
