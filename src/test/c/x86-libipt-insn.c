/*
 * libipt's instruction decoder as a length and class oracle for iptq's X86Decoder.
 *
 * usage: x86-libipt-insn CODEFILE VADDR TRACEFILE STRIDE
 *
 * CODEFILE is mapped at VADDR. TRACEFILE holds fixed-size PSB+ blocks of STRIDE bytes, each
 * PSB, MODE.Exec, FUP(ip), PSBEND, TNT-8 with one taken bit, written by X86LibiptTest. For
 * every block this syncs there, drains the status events and decodes one instruction, printing
 * "ip size iclass next" (iclass is enum pt_insn_class; next is the IP of the instruction libipt
 * decodes after it, taking a conditional branch, or "-" when it cannot go on) or "ip error CODE"
 * when libipt cannot decode it.
 */
#include <intel-pt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness_file.h"

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s CODEFILE VADDR TRACEFILE STRIDE\n", argv[0]);
    return 2;
  }
  size_t codeSize, traceSize;
  uint8_t *code = read_file(argv[1], &codeSize);
  free(code);
  uint64_t vaddr = strtoull(argv[2], NULL, 0);
  uint8_t *trace = read_file(argv[3], &traceSize);
  size_t stride = strtoul(argv[4], NULL, 0);

  struct pt_config config;
  pt_config_init(&config);
  config.begin = trace;
  config.end = trace + traceSize;
  struct pt_insn_decoder *d = pt_insn_alloc_decoder(&config);
  if (!d) {
    fprintf(stderr, "cannot allocate the decoder\n");
    return 2;
  }
  int err = pt_image_add_file(pt_insn_get_image(d), argv[1], 0, codeSize, NULL, vaddr);
  if (err < 0) {
    fprintf(stderr, "pt_image_add_file: %s\n", pt_errstr(pt_errcode(err)));
    return 2;
  }
  for (size_t off = 0; off + stride <= traceSize; off += stride) {
    uint64_t ip = 0;
    for (int i = 0; i < 8; i++) {
      ip |= (uint64_t) trace[off + 19 + i] << (8 * i);
    }
    int status = pt_insn_sync_set(d, off);
    while (status >= 0 && (status & pts_event_pending)) {
      struct pt_event ev;
      status = pt_insn_event(d, &ev, sizeof(ev));
    }
    if (status < 0) {
      printf("%" PRIx64 " error %d\n", ip, pt_errcode(status));
      continue;
    }
    struct pt_insn insn;
    status = pt_insn_next(d, &insn, sizeof(insn));
    /* The instruction is filled in even when finding the next IP fails (it would need the
     * TNT or TIP that the next PSB is not). */
    if (insn.size == 0) {
      printf("%" PRIx64 " error %d\n", ip, pt_errcode(status));
    } else if (status < 0) {
      printf("%" PRIx64 " %u %d -\n", insn.ip, insn.size, (int) insn.iclass);
    } else {
      struct pt_insn next;
      while (status >= 0 && (status & pts_event_pending)) {
        struct pt_event ev;
        status = pt_insn_event(d, &ev, sizeof(ev));
      }
      /* The next instruction's IP is set even when its bytes are not mapped. */
      next.ip = 0;
      next.size = 0;
      int st2 = status < 0 ? status : pt_insn_next(d, &next, sizeof(next));
      if (next.ip != 0 || st2 >= 0) {
        printf("%" PRIx64 " %u %d %" PRIx64 "\n", insn.ip, insn.size, (int) insn.iclass,
               next.ip);
      } else {
        printf("%" PRIx64 " %u %d -\n", insn.ip, insn.size, (int) insn.iclass);
      }
    }
  }
  pt_insn_free_decoder(d);
  free(trace);
  return 0;
}
