#ifndef CIMAGECODECS_INTERNAL_H
#define CIMAGECODECS_INTERNAL_H
#include <stddef.h>
void cic_set_message(char *message, size_t capacity, const char *text);
#endif
