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
