/*
 * Oracle for last-IP decompression: libipt's query decoder (pt_qry_*) reconstructs the full IP
 * of each TIP from its compressed payload. Prints, for a trace of PSB+ blocks followed by TIPs,
 *
 *   sync IP            the IP of the FUP in PSB+ where pt_qry_sync_forward starts
 *   ovf IP             an overflow, resuming at the FUP's IP (last-IP compression restarts at OVF)
 *   tip IP | tip suppressed
 *   error NAME
 *
 * iptq.pt.LastIpDiffTest prints the same from iptq's packet decoder.
 */
#include <intel-pt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness_file.h"

static int drain_events(struct pt_query_decoder *decoder, int status)
{
	while (status >= 0 && (status & pts_event_pending)) {
		struct pt_event event;

		status = pt_qry_event(decoder, &event, sizeof(event));
		if (status >= 0 && event.type == ptev_overflow) {
			if (event.ip_suppressed)
				printf("ovf suppressed\n");
			else
				printf("ovf %" PRIx64 "\n", event.variant.overflow.ip);
		}
	}
	return status;
}

int main(int argc, char **argv)
{
	struct pt_query_decoder *decoder;
	struct pt_config config;
	uint8_t *buffer;
	size_t size;
	int status;

	if (argc != 2)
		return 2;
	buffer = read_file(argv[1], &size);

	pt_config_init(&config);
	config.begin = buffer;
	config.end = buffer + size;
	decoder = pt_qry_alloc_decoder(&config);
	if (!decoder)
		return 2;

	for (;;) {
		uint64_t ip = 0;

		status = pt_qry_sync_forward(decoder, &ip);
		if (status < 0)
			break;
		printf("sync %" PRIx64 "\n", ip);
		for (;;) {
			status = drain_events(decoder, status);
			if (status < 0)
				break;
			status = pt_qry_indirect_branch(decoder, &ip);
			if (status < 0)
				break;
			if (status & pts_ip_suppressed)
				printf("tip suppressed\n");
			else
				printf("tip %" PRIx64 "\n", ip);
		}
		if (pt_errcode(status) == pte_eos)
			break;
		printf("error %s\n", pt_errstr(pt_errcode(status)));
	}
	pt_qry_free_decoder(decoder);
	free(buffer);
	return 0;
}
