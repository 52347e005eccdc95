/*
 * Oracle for TSC/TMA/MTC time estimates: libipt's query decoder tracks time as it reads
 * packets; after each TIP this prints pt_qry_time's TSC (or "none"):
 *
 *   usage: time_harness FILE.pt MTC_FREQ CPUID15_EAX CPUID15_EBX
 *   output: "tip TSC" per TIP (hex), "error NAME" on errors
 *
 * iptq.pt.PacketClockDiffTest prints the same from iptq's PacketClock.
 */
#include <intel-pt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness_file.h"

int main(int argc, char **argv)
{
	struct pt_query_decoder *decoder;
	struct pt_config config;
	uint8_t *buffer;
	size_t size;
	int status;

	if (argc != 5)
		return 2;
	buffer = read_file(argv[1], &size);

	pt_config_init(&config);
	config.begin = buffer;
	config.end = buffer + size;
	config.mtc_freq = (uint8_t) atoi(argv[2]);
	config.cpuid_0x15_eax = (uint32_t) strtoul(argv[3], NULL, 0);
	config.cpuid_0x15_ebx = (uint32_t) strtoul(argv[4], NULL, 0);
	decoder = pt_qry_alloc_decoder(&config);
	if (!decoder)
		return 2;

	status = pt_qry_sync_forward(decoder, NULL);
	while (status >= 0) {
		uint64_t ip, tsc;
		uint32_t lost_mtc, lost_cyc;

		while (status >= 0 && (status & pts_event_pending)) {
			struct pt_event event;

			status = pt_qry_event(decoder, &event, sizeof(event));
		}
		if (status < 0)
			break;
		status = pt_qry_indirect_branch(decoder, &ip);
		if (status < 0)
			break;
		if (pt_qry_time(decoder, &tsc, &lost_mtc, &lost_cyc) < 0)
			printf("tip none\n");
		else
			printf("tip %" PRIx64 "\n", tsc);
	}
	if (pt_errcode(status) != pte_eos)
		printf("error %s\n", pt_errstr(pt_errcode(status)));
	pt_qry_free_decoder(decoder);
	free(buffer);
	return 0;
}
