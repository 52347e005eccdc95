/*
 * Differential-test harness: decodes a raw Intel PT file with libipt's packet decoder
 * (pt_pkt_sync_forward / pt_pkt_next) and prints one canonical line per packet:
 *
 *   OFFSET SIZE KIND FIELDS...      (offset and values in hex)
 *   OFFSET error KIND               (bad-opcode | bad-packet | truncated | nosync)
 *
 * After an error it resynchronises with pt_pkt_sync_forward, as ptdump does. The Java side
 * (iptq.pt.PacketDiffTest) prints the same format from iptq's decoder. Built against libipt 2.2
 * (the kit) it prints CFE, EVD and TRIG too; against 2.0.5 (Debian) it does not know them.
 */
#include <intel-pt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness_file.h"

static const char *error_kind(int err)
{
	switch (pt_errcode(err)) {
	case pte_bad_opc: return "bad-opcode";
	case pte_bad_packet: return "bad-packet";
	case pte_eos: return "truncated";
	default: return pt_errstr(pt_errcode(err));
	}
}

static void print_packet(uint64_t off, const struct pt_packet *p)
{
	printf("%" PRIx64 " %u ", off, (unsigned) p->size);
	switch (p->type) {
	case ppt_pad: printf("pad"); break;
	case ppt_psb: printf("psb"); break;
	case ppt_psbend: printf("psbend"); break;
	case ppt_ovf: printf("ovf"); break;
	case ppt_stop: printf("stop"); break;
	case ppt_fup: printf("fup"); goto ip;
	case ppt_tip: printf("tip"); goto ip;
	case ppt_tip_pge: printf("tip.pge"); goto ip;
	case ppt_tip_pgd: printf("tip.pgd"); goto ip;
	ip:
		printf(" ipc=%d raw=%" PRIx64, (int) p->payload.ip.ipc, p->payload.ip.ip);
		break;
	case ppt_tnt_8: printf("tnt.8"); goto tnt;
	case ppt_tnt_64: printf("tnt.64"); goto tnt;
	tnt:
		printf(" n=%u bits=%" PRIx64, (unsigned) p->payload.tnt.bit_size, p->payload.tnt.payload);
		break;
	case ppt_mode:
		if (p->payload.mode.leaf == pt_mol_exec)
			printf("mode.exec csl=%u csd=%u", p->payload.mode.bits.exec.csl,
			       p->payload.mode.bits.exec.csd);
		else if (p->payload.mode.leaf == pt_mol_tsx)
			printf("mode.tsx intx=%u abrt=%u", p->payload.mode.bits.tsx.intx,
			       p->payload.mode.bits.tsx.abrt);
		else
			printf("mode leaf=%x", (unsigned) p->payload.mode.leaf);
		break;
	case ppt_pip:
		printf("pip cr3=%" PRIx64 " nr=%u", p->payload.pip.cr3, p->payload.pip.nr);
		break;
	case ppt_vmcs: printf("vmcs base=%" PRIx64, p->payload.vmcs.base); break;
	case ppt_cbr: printf("cbr ratio=%x", p->payload.cbr.ratio); break;
	case ppt_tsc: printf("tsc tsc=%" PRIx64, p->payload.tsc.tsc); break;
	case ppt_tma: printf("tma ctc=%x fc=%x", p->payload.tma.ctc, p->payload.tma.fc); break;
	case ppt_mtc: printf("mtc ctc=%x", p->payload.mtc.ctc); break;
	case ppt_cyc: printf("cyc value=%" PRIx64, p->payload.cyc.value); break;
	case ppt_mnt: printf("mnt payload=%" PRIx64, p->payload.mnt.payload); break;
	case ppt_exstop: printf("exstop ip=%u", p->payload.exstop.ip); break;
	case ppt_mwait:
		printf("mwait hints=%x ext=%x", p->payload.mwait.hints, p->payload.mwait.ext);
		break;
	case ppt_pwre:
		printf("pwre state=%x sub=%x hw=%u", p->payload.pwre.state, p->payload.pwre.sub_state,
		       p->payload.pwre.hw);
		break;
	case ppt_pwrx:
		printf("pwrx last=%x deepest=%x int=%u store=%u hw=%u", p->payload.pwrx.last,
		       p->payload.pwrx.deepest, p->payload.pwrx.interrupt, p->payload.pwrx.store,
		       p->payload.pwrx.autonomous);
		break;
	case ppt_ptw:
		printf("ptw plc=%u ip=%u payload=%" PRIx64, p->payload.ptw.plc, p->payload.ptw.ip,
		       p->payload.ptw.payload);
		break;
#if (LIBIPT_VERSION >= 0x201)
	case ppt_cfe:
		printf("cfe type=%x vector=%x ip=%u", (unsigned) p->payload.cfe.type,
		       p->payload.cfe.vector, p->payload.cfe.ip);
		break;
	case ppt_evd:
		printf("evd type=%x payload=%" PRIx64, (unsigned) p->payload.evd.type,
		       p->payload.evd.payload);
		break;
#endif
#if (LIBIPT_VERSION >= 0x202)
	case ppt_trig:
		printf("trig trbv=%x ip=%u mult=%u icntv=%u", p->payload.trig.trbv,
		       p->payload.trig.ip, p->payload.trig.mult, p->payload.trig.icntv);
		if (p->payload.trig.icntv)
			printf(" icnt=%x", p->payload.trig.icnt);
		break;
#endif
	case ppt_invalid: printf("invalid"); break;
	default:
		printf("type%d", (int) p->type);
		break;
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	struct pt_packet_decoder *decoder;
	struct pt_config config;
	struct pt_packet packet;
	uint8_t *buffer;
	size_t size;
	int err;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: %s FILE.pt [FAMILY MODEL]\n", argv[0]);
		return 2;
	}
	buffer = read_file(argv[1], &size);

	pt_config_init(&config);
	if (argc == 4) {
		/* decode with the errata workarounds of that processor */
		config.cpu.vendor = pcv_intel;
		config.cpu.family = (uint16_t) strtoul(argv[2], NULL, 0);
		config.cpu.model = (uint8_t) strtoul(argv[3], NULL, 0);
		if (pt_cpu_errata(&config.errata, &config.cpu) < 0) {
			fprintf(stderr, "unknown cpu\n");
			return 2;
		}
	}
	config.begin = buffer;
	config.end = buffer + size;
	decoder = pt_pkt_alloc_decoder(&config);
	if (!decoder) {
		fprintf(stderr, "cannot allocate decoder\n");
		return 2;
	}

	err = pt_pkt_sync_forward(decoder);
	if (err < 0) {
		if (size > 0)
			printf("0 error nosync\n");
		return 0;
	}
	for (;;) {
		uint64_t off = 0;

		pt_pkt_get_offset(decoder, &off);
		err = pt_pkt_next(decoder, &packet, sizeof(packet));
		if (err >= 0) {
			print_packet(off, &packet);
			continue;
		}
		if (pt_errcode(err) == pte_eos && off == (uint64_t) size)
			break;
		printf("%" PRIx64 " error %s\n", off, error_kind(err));
		if (pt_pkt_sync_forward(decoder) < 0)
			break;
	}
	pt_pkt_free_decoder(decoder);
	free(buffer);
	return 0;
}
