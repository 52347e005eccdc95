/* sampapp.exe: the sample's program. It hands a fixed script of requests to samplib.dll, which
 * parses them, answers some from its cache and sends the rest to the driver by SYSCALL. */
#include "../include/samp.h"

__declspec(dllimport) u64 SampRunScript(const char *script);
__declspec(dllimport) i64 SampRunRequest(const char *line);

static const char Script[] =
    "PUT 7=3*(2+4)\n"
    "PUT 12=100-1\n"
    "PUT 40=(1+2)*(3+4)*5\n"
    "GET 7\n"
    "GET 99\n"
    "PUT 3=42\n"
    "PUT 25=6*7+0\n"
    "DEPTH\n"
    "SUM\n"
    "DEL 12\n"
    "GET 12\n"
    "TICK\n"
    "PUT 12=((2))*((3+3))\n"
    "SUM\n"
    "BOGUS 1\n"
    "FLUSH\n";

int SampMain(void) {
  u64 digest = SampRunScript(Script);
  i64 last = SampRunRequest("DEPTH");
  return (int)(digest ^ (u64)last) & 0x7f;
}
