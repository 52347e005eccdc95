package iptq.cli;

import iptq.InputException;
import iptq.flow.FlowDecoder;
import iptq.flow.FlowListing;
import iptq.image.RawImage;
import iptq.pt.RawTrace;
import iptq.x86.Disassembler;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The instruction listing of a raw trace, laid out like libipt's {@code ptxed}: one line per
 * instruction (IP in 16 hex digits, then capstone's text), events and errors in brackets.
 */
@Command(
    name = "insns",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List the instructions a raw Intel PT trace executed, in the layout of libipt's ptxed.",
      "One instruction per line, with events ([enabled], [disabled], [interrupt], [overflow], ...)"
          + " and decode errors in brackets."
    })
public final class InsnsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TRACE.pt", description = "raw Intel PT trace file")
  Path trace;

  @Option(
      names = "--image",
      required = true,
      paramLabel = "FILE@ADDR[@OFFSET@SIZE]",
      description = "raw code bytes mapped at ADDR (as ptxed --raw); repeat for more sections")
  List<String> images;

  @Option(names = "--ip-only", description = "print only the instruction addresses, no text")
  boolean ipOnly;

  @Override
  public Integer call() throws IOException {
    Inputs.requireRawTrace(trace, "insns");
    Inputs.requireImageFiles(images);
    RawImage image = RawImage.of(images);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    try (RawTrace rt = RawTrace.open(trace); Disassembler dis = ipOnly ? null : new Disassembler()) {
      FlowDecoder[] decoder = new FlowDecoder[1];
      byte[] code = new byte[16];
      LongFunction<String> text = dis == null ? null : ip -> {
        int n = image.read(decoder[0].asid(), ip, code, 0, code.length);
        return n == 0 ? null : dis.text(ip, code, 0, n, decoder[0].mode());
      };
      FlowListing listing = new FlowListing(line -> {
        try {
          out.append(line).append('\n');
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, text);
      decoder[0] = new FlowDecoder(rt.decoder(), image, listing);
      decoder[0].decode();
    } finally {
      out.flush();
    }
    return 0;
  }
}
