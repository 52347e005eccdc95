-- iptq database schema: the version stamp. Applied first.

CREATE TABLE meta (
  key   VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL
);
COMMENT ON TABLE meta IS 'What wrote this database: iptq_version, schema_version, created_at (UTC ISO-8601).';
COMMENT ON COLUMN meta.key IS 'Name of the setting: iptq_version, schema_version, created_at.';
COMMENT ON COLUMN meta.value IS 'Its value, as text.';
