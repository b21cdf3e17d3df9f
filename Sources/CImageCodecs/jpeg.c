// libjpeg-turbo behind setjmp: the default error manager calls exit() and prints to stderr, so
// both are replaced. Warnings are counted; those that mean picture data was lost (the file or
// a data segment ends early, corrupt entropy data) count as truncation.
#include "CImageCodecs.h"
#include "internal.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    int allow_truncated;
    int saw_truncation;
    int abort_on_truncation;
    uint32_t warnings;
    char first_warning[JMSG_LENGTH_MAX];
    char first_loss[JMSG_LENGTH_MAX];
    char error[JMSG_LENGTH_MAX];
} cic_jpeg_error;

static void cic_jpeg_error_exit(j_common_ptr cinfo) {
    cic_jpeg_error *err = (cic_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->error);
    longjmp(err->jump, 1);
}

// libjpeg reports damaged entropy data as a warning and goes on, filling what it could not
// decode with grey (or with garbage decoded out of step): the model would describe a picture
// nobody sees. These warnings mean part of the picture is lost.
static int cic_jpeg_warning_loses_data(j_common_ptr cinfo, int code) {
    switch (code) {
    case JWRN_JPEG_EOF:          // the file ends before the image does
    case JWRN_HIT_MARKER:        // a data segment ends early ("premature end of data segment")
    case JWRN_HUFF_BAD_CODE:     // corrupt Huffman data
    case JWRN_ARITH_BAD_CODE:    // corrupt arithmetic-coded data
    case JWRN_MUST_RESYNC:       // a restart marker is missing: the decoder skips ahead
    case JWRN_BOGUS_PROGRESSION: // a progressive refinement without its first scan
        return 1;
    case JWRN_EXTRANEOUS_DATA:
        // Bytes the decoder did not use before a marker. Before the first scan (junk between
        // header segments, as in some Photoshop files) or before the final EOI (padding) no
        // pixel is lost; inside or between scans they are entropy data it skipped.
        if (!cinfo->is_decompressor) return 0;
        return ((j_decompress_ptr)cinfo)->input_scan_number > 0 && cinfo->err->msg_parm.i[1] != 0xD9;
    default:
        return 0;
    }
}

static void cic_jpeg_emit_message(j_common_ptr cinfo, int level) {
    cic_jpeg_error *err = (cic_jpeg_error *)cinfo->err;
    if (level >= 0) return;  // trace messages
    int code = cinfo->err->msg_code;
    if (err->warnings == 0) (*cinfo->err->format_message)(cinfo, err->first_warning);
    err->warnings++;
    // Lost data is truncation: stop at once when truncation is not allowed (longjmp from here
    // is as safe as from error_exit), otherwise remember the first reason for the warning.
    if (cic_jpeg_warning_loses_data(cinfo, code)) {
        if (!err->saw_truncation) (*cinfo->err->format_message)(cinfo, err->first_loss);
        err->saw_truncation = 1;
        if (err->abort_on_truncation) {
            (*cinfo->err->format_message)(cinfo, err->error);
            longjmp(err->jump, 2);
        }
    }
}

static void cic_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void cic_jpeg_install(struct jpeg_decompress_struct *cinfo, cic_jpeg_error *err) {
    memset(err, 0, sizeof(*err));
    cinfo->err = jpeg_std_error(&err->manager);
    err->manager.error_exit = cic_jpeg_error_exit;
    err->manager.emit_message = cic_jpeg_emit_message;
    err->manager.output_message = cic_jpeg_output_message;
}

static cic_status cic_jpeg_status_for(int code) {
    switch (code) {
    case JERR_BAD_PRECISION:
    case JERR_NOT_COMPILED:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NO_ARITH_TABLE:
        return CIC_UNSUPPORTED;
    case JERR_OUT_OF_MEMORY:
        return CIC_NO_MEMORY;
    case JERR_INPUT_EMPTY:
    case JERR_INPUT_EOF:
        return CIC_TRUNCATED;
    default:
        return CIC_ERROR;
    }
}

cic_status cic_jpeg_read_header(const uint8_t *data, size_t length, cic_jpeg_header *header,
                                char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    cic_jpeg_error err;
    cic_jpeg_install(&cinfo, &err);
    memset(header, 0, sizeof(*header));
    if (setjmp(err.jump)) {
        cic_status status = cic_jpeg_status_for(err.manager.msg_code);
        cic_set_message(message, message_capacity, err.error);
        jpeg_destroy_decompress(&cinfo);
        return status;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)length);
    jpeg_read_header(&cinfo, TRUE);
    header->width = cinfo.image_width;
    header->height = cinfo.image_height;
    header->components = cinfo.num_components;
    header->precision = cinfo.data_precision;
    header->progressive = cinfo.progressive_mode;
    header->arithmetic = cinfo.arith_code;
    header->color_space = (int32_t)cinfo.jpeg_color_space;
    jpeg_destroy_decompress(&cinfo);
    return CIC_OK;
}

static inline uint8_t cic_mul255(unsigned a, unsigned b) {
    unsigned t = a * b + 128;
    return (uint8_t)((t + (t >> 8)) >> 8);
}

cic_status cic_jpeg_decode(const uint8_t *data, size_t length, int scale_denom,
                           uint64_t max_pixels, int allow_truncated, uint8_t *destination,
                           size_t destination_capacity, cic_image *image,
                           char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    cic_jpeg_error err;
    uint8_t *volatile owned = NULL;
    // volatile: these change between setjmp and a possible longjmp.
    uint8_t *volatile pixels = NULL;
    JSAMPLE *volatile cmyk_row = NULL;
    cic_jpeg_install(&cinfo, &err);
    err.allow_truncated = allow_truncated;
    err.abort_on_truncation = !allow_truncated;
    memset(image, 0, sizeof(*image));
    if (setjmp(err.jump)) {
        cic_status status =
            err.saw_truncation ? CIC_TRUNCATED : cic_jpeg_status_for(err.manager.msg_code);
        cic_set_message(message, message_capacity, err.error);
        jpeg_destroy_decompress(&cinfo);
        free(owned);
        free(cmyk_row);
        return status;
    }
    jpeg_create_decompress(&cinfo);
    // Progressive files keep every coefficient in memory; bound it rather than trust headers.
    cinfo.mem->max_memory_to_use = 1024L * 1024L * 1024L;
    jpeg_mem_src(&cinfo, data, (unsigned long)length);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.image_width == 0 || cinfo.image_height == 0) {
        cic_set_message(message, message_capacity, "JPEG header declares an empty image");
        jpeg_destroy_decompress(&cinfo);
        return CIC_ERROR;
    }
    if ((uint64_t)cinfo.image_width * (uint64_t)cinfo.image_height > max_pixels) {
        char text[200];
        snprintf(text, sizeof text, "JPEG header declares %ux%u pixels, over the limit of %llu",
                 cinfo.image_width, cinfo.image_height, (unsigned long long)max_pixels);
        cic_set_message(message, message_capacity, text);
        jpeg_destroy_decompress(&cinfo);
        return CIC_TOO_LARGE;
    }
    int is_cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = is_cmyk ? JCS_CMYK : JCS_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)(scale_denom == 2 || scale_denom == 4 || scale_denom == 8
                                       ? scale_denom : 1);
    jpeg_start_decompress(&cinfo);
    uint32_t width = cinfo.output_width, height = cinfo.output_height;
    size_t stride = (size_t)width * 3;
    if (destination != NULL) {
        if (destination_capacity != stride * height) {
            cic_set_message(message, message_capacity, "JPEG output buffer has the wrong size");
            jpeg_destroy_decompress(&cinfo);
            return CIC_ERROR;
        }
        pixels = destination;
    } else {
        pixels = owned = malloc(stride * height);
    }
    if (pixels == NULL) {
        cic_set_message(message, message_capacity, "out of memory for JPEG pixels");
        jpeg_destroy_decompress(&cinfo);
        return CIC_NO_MEMORY;
    }
    if (allow_truncated) memset(pixels, 128, stride * height);
    if (is_cmyk) {
        cmyk_row = malloc((size_t)width * 4);
        if (cmyk_row == NULL) longjmp(err.jump, 3);
    }
    // Photoshop writes Adobe CMYK inverted (0 = full ink); plain CMYK is not.
    int inverted = cinfo.saw_Adobe_marker;
    while (cinfo.output_scanline < height) {
        uint8_t *row = pixels + stride * cinfo.output_scanline;
        if (!is_cmyk) {
            JSAMPROW rows[1] = {row};
            jpeg_read_scanlines(&cinfo, rows, 1);
            continue;
        }
        JSAMPROW rows[1] = {cmyk_row};
        jpeg_read_scanlines(&cinfo, rows, 1);
        for (uint32_t x = 0; x < width; x++) {
            unsigned c = cmyk_row[4 * x], m = cmyk_row[4 * x + 1], y = cmyk_row[4 * x + 2],
                     k = cmyk_row[4 * x + 3];
            if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
            row[3 * x] = cic_mul255(c, k);
            row[3 * x + 1] = cic_mul255(m, k);
            row[3 * x + 2] = cic_mul255(y, k);
        }
    }
    jpeg_finish_decompress(&cinfo);
    image->pixels = pixels;
    image->width = width;
    image->height = height;
    image->channels = 3;
    image->warnings = err.warnings;
    image->truncated = err.saw_truncation;
    // The reason for accepting lost data matters more than the first warning.
    cic_set_message(message, message_capacity,
                    err.saw_truncation ? err.first_loss : (err.warnings ? err.first_warning : ""));
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);
    return CIC_OK;
}

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char error[JMSG_LENGTH_MAX];
} cic_jpeg_encode_error;

static void cic_jpeg_encode_error_exit(j_common_ptr cinfo) {
    cic_jpeg_encode_error *err = (cic_jpeg_encode_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->error);
    longjmp(err->jump, 1);
}

cic_status cic_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                           int channels, int quality, int full_chroma, cic_buffer *output,
                           char *message, size_t message_capacity) {
    struct jpeg_compress_struct cinfo;
    cic_jpeg_encode_error err;
    memset(output, 0, sizeof(*output));
    if (channels != 1 && channels != 3) {
        cic_set_message(message, message_capacity, "JPEG encoder takes 1 or 3 channels");
        return CIC_ERROR;
    }
    // jpeg_mem_dest may reallocate a buffer it was given and leave the caller's pointer
    // dangling; a worst-case buffer (libjpeg-turbo's tjBufSize bound for 4:4:4) never grows.
    size_t capacity = (((size_t)width + 15) & ~(size_t)15) * (((size_t)height + 15) & ~(size_t)15) * 6 + 65536;
    unsigned char *volatile buffer = malloc(capacity);
    if (buffer == NULL) {
        cic_set_message(message, message_capacity, "out of memory for JPEG output");
        return CIC_NO_MEMORY;
    }
    unsigned char *dest = buffer;
    unsigned long size = capacity;
    cinfo.err = jpeg_std_error(&err.manager);
    err.manager.error_exit = cic_jpeg_encode_error_exit;
    err.manager.output_message = cic_jpeg_output_message;
    if (setjmp(err.jump)) {
        cic_set_message(message, message_capacity, err.error);
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return CIC_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &dest, &size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    if (full_chroma && channels == 3) {
        // jpeg_set_defaults chose 2x2 luma sampling (4:2:0); 1x1 gives chroma every pixel.
        cinfo.comp_info[0].h_samp_factor = 1;
        cinfo.comp_info[0].v_samp_factor = 1;
    }
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (cinfo.next_scanline < height) {
        JSAMPROW rows[1] = {(JSAMPROW)(pixels + stride * cinfo.next_scanline)};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    if (dest != buffer) free(buffer);  // never expected: see the capacity comment
    output->bytes = dest;
    output->count = size;
    return CIC_OK;
}
