package iptq.image;

import java.util.OptionalLong;

/**
 * Where an import lands in the trace: the address of {@code function} (a name, or {@code #N} for
 * an ordinal) exported by {@code dll} as loaded in the traced system. The caller knows the loaded
 * modules (from the trace's Image events); {@link ExportResolver} answers from their PE files.
 */
@FunctionalInterface
public interface ImportResolver {
  ImportResolver NONE = (dll, function) -> OptionalLong.empty();

  OptionalLong resolve(String dll, String function);
}
