#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H
// The only interface to libpng and libjpeg. Every function returns a status and fills a
// caller-owned message buffer; no function exits, prints, or longjmps into Swift.
#include <stddef.h>
#include <stdint.h>

typedef enum __attribute__((enum_extensibility(closed))) {
    CIC_OK = 0,
    CIC_ERROR = 1,
} cic_status;

/// Version strings of the linked libraries, for diagnostics.
const char *cic_libpng_version(void);
int cic_libjpeg_version(void);

#endif
