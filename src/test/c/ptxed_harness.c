/*
 * Intel's reference instruction-flow decoder (libipt) run over a raw trace with raw code
 * sections, printing one line per instruction and one bracketed line per event, like ptxed.
 * The differential tests compare this output with iptq's and with the synthesizer's truth.
 *
 *   ptxed_harness [--raw FILE@ADDR[@OFFSET@SIZE]]... [--bench insn|blk [--repeat N]] TRACE
 *
 * Built against Debian's libipt 2.0.5 and against the kit's 2.2 (which also reports event trace
 * and trigger events).
 *
 * Lines:  IP in 16 hex digits                         an instruction
 *         [enabled, ip: X] [resumed, ip: X] ...       an event (see print_event)
 *         [error: MESSAGE, offset: X]                 a decode error; decoding resyncs
 *         [end of trace]                              the packets ran out while tracing was on
 * With --bench the decoder runs over the whole trace without printing and the last line is
 *   bench <insn|blk> instructions <N> blocks <B> errors <E> seconds <S>
 * where the time is the thread CPU time of decoding only (not loading the trace or starting the
 * process), so that a machine busy with other work does not distort the comparison. --repeat N
 * decodes N times, each with a new decoder and image section cache (so libipt's block cache
 * starts cold every time, as iptq's does in each of its passes), and reports the fastest.
 */
#include <intel-pt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness_file.h"

static uint64_t num(const char *s) { return strtoull(s, NULL, 0); }

/* Sections go through an image section cache, as ptxed does, so they stay mapped; without it
 * libipt maps and unmaps a file section around every read. */
static struct pt_image_section_cache *iscache;

static int add_raw(struct pt_image *image, char *spec) {
	char *parts[4];
	int n = 0;
	char *save = NULL;
	for (char *p = strtok_r(spec, "@", &save); p && n < 4; p = strtok_r(NULL, "@", &save)) parts[n++] = p;
	if (n != 2 && n != 4) { fprintf(stderr, "bad --raw %s\n", spec); exit(2); }
	uint64_t addr = num(parts[1]);
	uint64_t off = n == 4 ? num(parts[2]) : 0;
	uint64_t size = n == 4 ? num(parts[3]) : UINT64_MAX;
	if (size == UINT64_MAX) {
		FILE *f = fopen(parts[0], "rb");
		if (!f) { perror(parts[0]); exit(2); }
		fseek(f, 0, SEEK_END);
		size = (uint64_t) ftell(f) - off;
		fclose(f);
	}
	if (!iscache) iscache = pt_iscache_alloc(NULL);
	int isid = pt_iscache_add_file(iscache, parts[0], off, size, addr);
	if (isid < 0) { fprintf(stderr, "%s: %s\n", parts[0], pt_errstr(pt_errcode(isid))); exit(2); }
	int err = pt_image_add_cached(image, iscache, isid, NULL);
	if (err < 0) { fprintf(stderr, "%s: %s\n", parts[0], pt_errstr(pt_errcode(err))); exit(2); }
	return 0;
}

static const char *mode_name(enum pt_exec_mode m) {
	switch (m) {
	case ptem_16bit: return "16-bit";
	case ptem_32bit: return "32-bit";
	case ptem_64bit: return "64-bit";
	default: return "unknown";
	}
}

#if (LIBIPT_VERSION >= 0x201)
/* Ends an event line: its IP unless suppressed. */
static void print_ip(const struct pt_event *ev, uint64_t ip) {
	if (!ev->ip_suppressed) printf(", ip: %016" PRIx64, ip);
	printf("]\n");
}
#endif

static void print_event(const struct pt_event *ev) {
	switch (ev->type) {
	case ptev_enabled:
		printf("[%s, ip: %016" PRIx64 "]\n", ev->variant.enabled.resumed ? "resumed" : "enabled",
		       ev->variant.enabled.ip);
		break;
	case ptev_disabled:
		if (ev->ip_suppressed) printf("[disabled]\n");
		else printf("[disabled, ip: %016" PRIx64 "]\n", ev->variant.disabled.ip);
		break;
	case ptev_async_disabled:
		if (ev->ip_suppressed) printf("[disabled, at: %016" PRIx64 "]\n", ev->variant.async_disabled.at);
		else printf("[disabled, at: %016" PRIx64 ", ip: %016" PRIx64 "]\n",
			    ev->variant.async_disabled.at, ev->variant.async_disabled.ip);
		break;
	case ptev_async_branch:
		if (ev->ip_suppressed) printf("[interrupt, from: %016" PRIx64 "]\n", ev->variant.async_branch.from);
		else printf("[interrupt, from: %016" PRIx64 ", to: %016" PRIx64 "]\n",
			    ev->variant.async_branch.from, ev->variant.async_branch.to);
		break;
	case ptev_paging:
		printf("[paging, cr3: %016" PRIx64 "%s]\n", ev->variant.paging.cr3,
		       ev->variant.paging.non_root ? ", nr" : "");
		break;
	case ptev_async_paging:
		printf("[paging, cr3: %016" PRIx64 "%s]\n", ev->variant.async_paging.cr3,
		       ev->variant.async_paging.non_root ? ", nr" : "");
		break;
	case ptev_overflow:
		if (ev->ip_suppressed) printf("[overflow]\n");
		else printf("[overflow, ip: %016" PRIx64 "]\n", ev->variant.overflow.ip);
		break;
	case ptev_exec_mode:
		printf("[exec mode: %s]\n", mode_name(ev->variant.exec_mode.mode));
		break;
	case ptev_tsx:
		printf("[tsx: %s]\n", ev->variant.tsx.aborted ? "abort"
		       : ev->variant.tsx.speculative ? "begin" : "commit");
		break;
	case ptev_stop:
		printf("[stopped]\n");
		break;
	case ptev_vmcs:
		printf("[vmcs, base: %016" PRIx64 "]\n", ev->variant.vmcs.base);
		break;
	case ptev_async_vmcs:
		printf("[vmcs, base: %016" PRIx64 "]\n", ev->variant.async_vmcs.base);
		break;
	case ptev_exstop:
		if (ev->ip_suppressed) printf("[exstop]\n");
		else printf("[exstop, ip: %016" PRIx64 "]\n", ev->variant.exstop.ip);
		break;
	case ptev_mwait:
		printf("[mwait: %x, %x]\n", ev->variant.mwait.hints, ev->variant.mwait.ext);
		break;
	case ptev_pwre:
		printf("[pwre: c%u.%u%s]\n", ev->variant.pwre.state, ev->variant.pwre.sub_state,
		       ev->variant.pwre.hw ? ", hw" : "");
		break;
	case ptev_pwrx:
		printf("[pwrx: c%u, c%u%s%s%s]\n", ev->variant.pwrx.last, ev->variant.pwrx.deepest,
		       ev->variant.pwrx.interrupt ? ", int" : "", ev->variant.pwrx.store ? ", st" : "",
		       ev->variant.pwrx.autonomous ? ", hw" : "");
		break;
	case ptev_ptwrite:
		printf("[ptwrite: %" PRIx64 "]\n", ev->variant.ptwrite.payload);
		break;
	case ptev_tick:
		printf("[tick]\n");
		break;
	case ptev_cbr:
		printf("[cbr: %u]\n", ev->variant.cbr.ratio);
		break;
	case ptev_mnt:
		printf("[mnt: %" PRIx64 "]\n", ev->variant.mnt.payload);
		break;
#if (LIBIPT_VERSION >= 0x201)
	/* Event trace (2.1+) and trigger tracing (2.2), in ptxed's words, always with the IP. */
	case ptev_interrupt:
		printf("[interrupt %u", ev->variant.interrupt.vector);
		if (ev->variant.interrupt.has_cr2) printf(", cr2: %016" PRIx64, ev->variant.interrupt.cr2);
		print_ip(ev, ev->variant.interrupt.ip);
		break;
	case ptev_iret: printf("[iret"); print_ip(ev, ev->variant.iret.ip); break;
	case ptev_smi: printf("[smi"); print_ip(ev, ev->variant.smi.ip); break;
	case ptev_rsm: printf("[rsm"); print_ip(ev, ev->variant.rsm.ip); break;
	case ptev_sipi: printf("[sipi: %x]\n", ev->variant.sipi.vector); break;
	case ptev_init: printf("[init"); print_ip(ev, ev->variant.init.ip); break;
	case ptev_vmentry: printf("[vmentry"); print_ip(ev, ev->variant.vmentry.ip); break;
	case ptev_vmexit:
		printf("[vmexit");
		if (ev->variant.vmexit.has_vector) printf(", intr: %u", ev->variant.vmexit.vector);
		if (ev->variant.vmexit.has_vmxr) printf(", vmxr: %016" PRIx64, ev->variant.vmexit.vmxr);
		if (ev->variant.vmexit.has_vmxq) printf(", vmxq: %016" PRIx64, ev->variant.vmexit.vmxq);
		print_ip(ev, ev->variant.vmexit.ip);
		break;
	case ptev_shutdown: printf("[shutdown"); print_ip(ev, ev->variant.shutdown.ip); break;
	case ptev_uintr: printf("[uintr %u", ev->variant.uintr.vector); print_ip(ev, ev->variant.uintr.ip); break;
	case ptev_uiret: printf("[uiret"); print_ip(ev, ev->variant.uiret.ip); break;
	case ptev_iflags:
		printf("[interrupts %s", ev->variant.iflags.iflag ? "enabled" : "disabled");
		print_ip(ev, ev->variant.iflags.ip);
		break;
#endif
#if (LIBIPT_VERSION >= 0x202)
	case ptev_trig:
		printf("[trig %x%s", ev->variant.trig.trbv, ev->variant.trig.mult ? ", mult" : "");
		print_ip(ev, ev->variant.trig.ip);
		break;
	case ptev_swintr: printf("[swintr %u", ev->variant.swintr.vector); print_ip(ev, ev->variant.swintr.ip); break;
	case ptev_syscall: printf("[syscall"); print_ip(ev, ev->variant.syscall.ip); break;
#endif
	default:
		printf("[event %d]\n", ev->type);
	}
}

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t errors;

static void print_error(int status, uint64_t offset) {
	errors++;
	printf("[error: %s, offset: %" PRIx64 "]\n", pt_errstr(pt_errcode(status)), offset);
}

static void decode_insn(struct pt_insn_decoder *dec, int quiet, uint64_t *ninsn) {
	for (;;) {
		int status = pt_insn_sync_forward(dec);
		if (status < 0) {
			if (status != -pte_eos) {
				uint64_t off = 0;
				pt_insn_get_offset(dec, &off);
				if (!quiet) print_error(status, off);
			}
			return;
		}
		for (;;) {
			while (status & pts_event_pending) {
				struct pt_event ev;
				status = pt_insn_event(dec, &ev, sizeof(ev));
				if (status < 0) break;
				/* libipt 2.2 also reports, as a status update, whether tracing is on where it
				 * syncs at a PSB+ (2.0.5 does not); ptxed does not print it, nor do we. */
				if ((ev.type == ptev_enabled || ev.type == ptev_disabled) && ev.status_update) continue;
				if (!quiet) print_event(&ev);
			}
			if (status < 0) break;
			/* The trace ended (libipt says so once the TNT bits are used up): stop here, as ptxed
			 * does, rather than walking on until an instruction needs trace that is not there. */
			if (status & pts_eos) {
				if (!(status & pts_ip_suppressed) && !quiet) printf("[end of trace]\n");
				return;
			}
			struct pt_insn insn;
			status = pt_insn_next(dec, &insn, sizeof(insn));
			if (status >= 0) {
				(*ninsn)++;
				if (!quiet) printf("%016" PRIx64 "\n", insn.ip);
			}
			if (status < 0) break;
		}
		if (status == -pte_eos) return;
		uint64_t off = 0;
		pt_insn_get_offset(dec, &off);
		if (quiet) errors++; else print_error(status, off);
	}
}

static void decode_blk(struct pt_block_decoder *dec, uint64_t *ninsn, uint64_t *nblk) {
	for (;;) {
		int status = pt_blk_sync_forward(dec);
		if (status < 0) return;
		for (;;) {
			while (status & pts_event_pending) {
				struct pt_event ev;
				status = pt_blk_event(dec, &ev, sizeof(ev));
				if (status < 0) break;
			}
			if (status < 0) break;
			if (status & pts_eos) return;
			struct pt_block block;
			status = pt_blk_next(dec, &block, sizeof(block));
			*ninsn += block.ninsn;
			if (block.ninsn) (*nblk)++;
			if (status < 0) break;
		}
		if (status == -pte_eos) return;
		errors++;
	}
}

int main(int argc, char **argv) {
	struct pt_config config;
	pt_config_init(&config);
	const char *trace = NULL, *bench = NULL;
	int repeat = 1;
	char *raws[256];
	int nraw = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--raw") && i + 1 < argc && nraw < 256) raws[nraw++] = argv[++i];
		else if (!strcmp(argv[i], "--bench") && i + 1 < argc) bench = argv[++i];
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
		else if (argv[i][0] != '-') trace = argv[i];
		else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
	}
	if (!trace) { fprintf(stderr, "usage: ptxed_harness [--raw FILE@ADDR]... [--bench insn|blk] TRACE\n"); return 2; }
	size_t size;
	uint8_t *buf = read_file(trace, &size);
	config.begin = buf;
	config.end = buf + size;
	uint64_t ninsn = 0, nblk = 0;
	double best = -1;
	for (int r = 0; r < repeat; r++) {
		if (iscache) { pt_iscache_free(iscache); iscache = NULL; }
		ninsn = nblk = errors = 0;
		double t0, t1;
		if (bench && !strcmp(bench, "blk")) {
			struct pt_block_decoder *dec = pt_blk_alloc_decoder(&config);
			if (!dec) { fprintf(stderr, "cannot allocate decoder\n"); return 2; }
			for (int i = 0; i < nraw; i++) add_raw(pt_blk_get_image(dec), strdup(raws[i]));
			t0 = now();
			decode_blk(dec, &ninsn, &nblk);
			t1 = now();
			pt_blk_free_decoder(dec);
		} else {
			struct pt_insn_decoder *dec = pt_insn_alloc_decoder(&config);
			if (!dec) { fprintf(stderr, "cannot allocate decoder\n"); return 2; }
			for (int i = 0; i < nraw; i++) add_raw(pt_insn_get_image(dec), strdup(raws[i]));
			t0 = now();
			decode_insn(dec, bench != NULL, &ninsn);
			t1 = now();
			pt_insn_free_decoder(dec);
		}
		if (best < 0 || t1 - t0 < best) best = t1 - t0;
	}
	if (bench)
		printf("bench %s instructions %" PRIu64 " blocks %" PRIu64 " errors %" PRIu64 " seconds %.6f\n",
		       bench, ninsn, nblk, errors, best);
	free(buf);
	return 0;
}
