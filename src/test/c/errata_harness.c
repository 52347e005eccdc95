/*
 * Prints the errata libipt's pt_cpu_errata reports for every family 0-0x20 and model 0-0xff
 * (stepping 0): one line "FAMILY/MODEL NAME..." per processor it knows, in hex; nothing for
 * the others (pte_bad_cpu). iptq.pt.ErrataTest prints the same from iptq.pt.Errata.
 */
#include <intel-pt.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	unsigned family, model;

	for (family = 0; family <= 0x20; family++) {
		for (model = 0; model <= 0xff; model++) {
			struct pt_errata e;
			struct pt_cpu cpu;

			memset(&cpu, 0, sizeof(cpu));
			cpu.vendor = pcv_intel;
			cpu.family = (uint16_t) family;
			cpu.model = (uint8_t) model;
			if (pt_cpu_errata(&e, &cpu) < 0)
				continue;
			printf("%x/%x", family, model);
			if (e.bdm70) printf(" bdm70");
			if (e.bdm64) printf(" bdm64");
			if (e.skd007) printf(" skd007");
			if (e.skd022) printf(" skd022");
			if (e.skd010) printf(" skd010");
			if (e.skl014) printf(" skl014");
			if (e.apl12) printf(" apl12");
			if (e.apl11) printf(" apl11");
			if (e.skl168) printf(" skl168");
			if (e.skz84) printf(" skz84");
			printf("\n");
		}
	}
	return 0;
}
