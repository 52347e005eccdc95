/*
 * Benchmark side of libipt: decodes a raw Intel PT file with libipt's packet decoder
 * (pt_pkt_sync_forward / pt_pkt_next, resynchronising after errors) RUNS times and prints, per
 * run, the packet count and the nanoseconds spent decoding. Loading the file is not timed.
 *
 *   usage: ptdump_bench FILE.pt RUNS
 *   output: "run N packets P errors E ns WALL cpu CPU" per run (thread CPU time, so that a
 *   busy machine disturbs the figures less)
 */
#include <intel-pt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "harness_file.h"

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct pt_config config;
	uint8_t *buffer;
	size_t size;
	int runs, run;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE.pt RUNS\n", argv[0]);
		return 2;
	}
	runs = atoi(argv[2]);
	buffer = read_file(argv[1], &size);

	pt_config_init(&config);
	config.begin = buffer;
	config.end = buffer + size;

	for (run = 0; run < runs; run++) {
		struct pt_packet_decoder *decoder;
		struct pt_packet packet;
		uint64_t packets = 0, errors = 0, sum = 0, start, end, cpu_start, cpu_end;
		int err;

		start = now_ns(CLOCK_MONOTONIC);
		cpu_start = now_ns(CLOCK_THREAD_CPUTIME_ID);
		decoder = pt_pkt_alloc_decoder(&config);
		if (!decoder)
			return 2;
		err = pt_pkt_sync_forward(decoder);
		while (err >= 0) {
			err = pt_pkt_next(decoder, &packet, sizeof(packet));
			if (err >= 0) {
				packets++;
				sum += packet.type + packet.size;
				continue;
			}
			if (pt_errcode(err) == pte_eos)
				break;
			errors++;
			err = pt_pkt_sync_forward(decoder);
		}
		pt_pkt_free_decoder(decoder);
		cpu_end = now_ns(CLOCK_THREAD_CPUTIME_ID);
		end = now_ns(CLOCK_MONOTONIC);
		printf("run %d packets %" PRIu64 " errors %" PRIu64 " ns %" PRIu64 " cpu %" PRIu64
		       " sum %" PRIu64 "\n", run, packets, errors, end - start, cpu_end - cpu_start, sum);
		fflush(stdout);
	}
	free(buffer);
	return 0;
}
