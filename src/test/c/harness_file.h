/*
 * The one way the libipt harnesses read a file (a trace, or raw code): whole, into a 64-byte
 * aligned buffer followed by 64 zero bytes, so that benchmarks read aligned memory and a
 * decoder reading ahead stays inside the allocation. Exits with status 2, naming the file,
 * when it cannot.
 */
#ifndef IPTQ_HARNESS_FILE_H
#define IPTQ_HARNESS_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;
	uint8_t *buf;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		exit(2);
	}
	buf = aligned_alloc(64, ((size_t) n + 64 + 63) & ~(size_t) 63);
	if (!buf || (n && fread(buf, (size_t) n, 1, f) != 1)) {
		perror(path);
		exit(2);
	}
	fclose(f);
	memset(buf + n, 0, 64);
	*size = (size_t) n;
	return buf;
}

#endif
