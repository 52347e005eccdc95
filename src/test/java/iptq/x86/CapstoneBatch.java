package iptq.x86;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Batch disassembly with the native capstone 4 library: one {@code cs_disasm} call per chunk
 * (count=0, detail off), the resulting {@code cs_insn} array copied out in one read and parsed in
 * Java. capstone-java builds objects field by field through JNA (microseconds per instruction);
 * this keeps the oracle test and the benchmark's capstone figure about capstone, not JNA.
 */
public final class CapstoneBatch implements AutoCloseable {
  /** Layout of capstone 4's cs_insn on x86-64 (checked by offsetof: 0 8 16 18 34 66, 240). */
  static final int INSN_SIZE = 240;

  private static final int OFF_ID = 0;
  private static final int OFF_ADDRESS = 8;
  private static final int OFF_SIZE = 16;
  private static final int OFF_MNEMONIC = 34;
  private static final int OFF_OPSTR = 66;

  interface Lib extends Library {
    int cs_open(int arch, int mode, PointerByReference handle);

    NativeLong cs_disasm(Pointer handle, Pointer code, NativeLong size, long address,
        NativeLong count, PointerByReference insn);

    void cs_free(Pointer insn, NativeLong count);

    int cs_close(PointerByReference handle);
  }

  private static final int CS_ARCH_X86 = 3;

  private static volatile Lib lib;

  static Lib lib() {
    if (lib == null) {
      synchronized (CapstoneBatch.class) {
        if (lib == null) {
          iptq.testing.Required.capstone();
          Disassembler.configureLibraryPath();
          lib = Native.load("capstone", Lib.class);
        }
      }
    }
    return lib;
  }

  private final PointerByReference handleRef = new PointerByReference();
  private final Pointer handle;
  private Memory code = new Memory(1);
  private byte[] raw = new byte[0];

  /** Decoded instructions of the last {@link #disasm} call, {@link #count()} of them. */
  private int count;
  private ByteBuffer view = ByteBuffer.allocate(0);

  public CapstoneBatch(Mode mode) {
    int csMode = mode == Mode.BITS64 ? 8 : mode == Mode.BITS32 ? 4 : 2;
    int err = lib().cs_open(CS_ARCH_X86, csMode, handleRef);
    if (err != 0) {
      throw new IllegalStateException("cs_open failed: " + err);
    }
    handle = handleRef.getValue();
  }

  /** Copies {@code len} bytes of {@code src} to native memory for the following calls. */
  public void load(byte[] src, int off, int len) {
    if (code.size() < Math.max(len, 1)) {
      code = new Memory(Math.max(len, 1));
    }
    code.write(0, src, off, len);
  }

  /**
   * Disassembles loaded bytes [from, from+len) at address {@code address} until the first byte
   * capstone cannot decode or the end; returns the instruction count.
   */
  public int disasm(int from, int len, long address) {
    PointerByReference out = new PointerByReference();
    NativeLong n = lib().cs_disasm(handle, code.share(from), new NativeLong(len), address,
        new NativeLong(0), out);
    count = (int) n.longValue();
    if (count > 0) {
      Pointer insns = out.getValue();
      int bytes = count * INSN_SIZE;
      if (raw.length < bytes) {
        raw = new byte[bytes];
      }
      insns.read(0, raw, 0, bytes);
      lib().cs_free(insns, n);
      view = ByteBuffer.wrap(raw, 0, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    return count;
  }

  public int count() {
    return count;
  }

  public int id(int i) {
    return view.getInt(i * INSN_SIZE + OFF_ID);
  }

  public long address(int i) {
    return view.getLong(i * INSN_SIZE + OFF_ADDRESS);
  }

  public int size(int i) {
    return view.getShort(i * INSN_SIZE + OFF_SIZE) & 0xffff;
  }

  public String mnemonic(int i) {
    return cString(i * INSN_SIZE + OFF_MNEMONIC, 32);
  }

  public String opStr(int i) {
    return cString(i * INSN_SIZE + OFF_OPSTR, 160);
  }

  private String cString(int at, int max) {
    int n = 0;
    while (n < max && raw[at + n] != 0) {
      n++;
    }
    return new String(raw, at, n, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    lib().cs_close(handleRef);
  }
}
