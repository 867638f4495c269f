/*
 * bcryptprimitives.dll for Debian's wine 8, for smoke tests only (scripts/smoke.sh): Go 1.22 and later
 * get their random numbers from ProcessPrng in this DLL, which wine 8 lacks. Real Windows has it.
 * One function, on top of RtlGenRandom (advapi32's SystemFunction036), which wine provides.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
	while (size > 0) {
		ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		size -= chunk;
	}
	return TRUE;
}
