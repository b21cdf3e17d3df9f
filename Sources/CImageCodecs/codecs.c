#include "CImageCodecs.h"
#include <stdio.h>
#include <png.h>
#include <jpeglib.h>

const char *cic_libpng_version(void) { return png_get_libpng_ver(NULL); }
int cic_libjpeg_version(void) { return JPEG_LIB_VERSION; }
