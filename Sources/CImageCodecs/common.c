#include "CImageCodecs.h"
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include <jpeglib.h>

const char *cic_libpng_version(void) { return png_get_libpng_ver(NULL); }
int cic_libjpeg_version(void) { return JPEG_LIB_VERSION; }
void cic_free(void *pointer) { free(pointer); }

void cic_set_message(char *message, size_t capacity, const char *text) {
    if (message == NULL || capacity == 0) return;
    snprintf(message, capacity, "%s", text != NULL ? text : "");
}

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void cic_keep_large_buffers(void) {
#if defined(__GLIBC__)
    // glibc maps every large block afresh and the kernel zeroes its pages on first touch: for
    // a stream of 10-50 MB decode buffers that cost about 15% of the time. Keep them in the
    // heap so the pages are reused; peak memory is still bounded by the images in flight.
    // One arena: each arena keeps its own freed blocks, so one per thread multiplies the
    // retained memory (14 photos of 4096x4096 at the default size: 205 MB peak with the
    // default arenas, 213 MB with two, 172 MB with one). Small allocations rarely take the
    // lock (glibc's per-thread cache serves them).
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}
