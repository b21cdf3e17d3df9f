// libpng's classic API behind setjmp (the simplified png_image_* API decodes 16-bit Adam7
// wrongly: libpng issue #853). Input comes from memory through a read callback that reports
// running out of data as truncation; image data that stops early is truncation too.
#include "CImageCodecs.h"
#include "internal.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

typedef struct {
    const uint8_t *data;
    size_t length;
    size_t offset;
    int ran_out;
    uint32_t warnings;
    char first_warning[256];
    char error[256];
} cic_png_reader;

static void cic_png_error(png_structp png, png_const_charp text) {
    cic_png_reader *reader = png_get_error_ptr(png);
    snprintf(reader->error, sizeof reader->error, "%s", text);
    // The compressed image data stops before the last row (the file itself may go on, as when
    // a cut IDAT is followed by IEND): the same lost rows as a file that ends early. libpng has
    // no error codes, only this text.
    if (strcmp(text, "Not enough image data") == 0) reader->ran_out = 1;
    png_longjmp(png, 1);
}

static void cic_png_warning(png_structp png, png_const_charp text) {
    cic_png_reader *reader = png_get_error_ptr(png);
    if (reader->warnings == 0) snprintf(reader->first_warning, sizeof reader->first_warning, "%s", text);
    reader->warnings++;
}

static void cic_png_read(png_structp png, png_bytep out, png_size_t count) {
    cic_png_reader *reader = png_get_io_ptr(png);
    if (count > reader->length - reader->offset) {
        reader->ran_out = 1;
        png_error(png, "Read Error: the file ends before the image does (truncated)");
    }
    memcpy(out, reader->data + reader->offset, count);
    reader->offset += count;
}

static cic_status cic_png_run(const uint8_t *data, size_t length, uint64_t max_pixels,
                              int allow_truncated, int header_only, uint8_t *destination,
                              size_t destination_capacity, cic_image *image, char *message,
                              size_t message_capacity) {
    uint8_t *volatile owned = NULL;
    cic_png_reader reader;
    memset(&reader, 0, sizeof reader);
    reader.data = data;
    reader.length = length;
    memset(image, 0, sizeof(*image));
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, cic_png_error, cic_png_warning);
    if (png == NULL) {
        cic_set_message(message, message_capacity, "out of memory for the PNG reader");
        return CIC_NO_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    // volatile: assigned between setjmp and a possible longjmp.
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    volatile uint32_t width = 0, height = 0, channels = 0;
    volatile int pixels_ready = 0;
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        cic_set_message(message, message_capacity, "out of memory for the PNG reader");
        return CIC_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        if (reader.ran_out && allow_truncated && pixels != NULL) {
            // Accepted on request: rows never read stay mid-grey; the caller warns.
            png_destroy_read_struct(&png, &info, NULL);
            free(rows);
            image->pixels = pixels;
            image->width = width;
            image->height = height;
            image->channels = channels;
            image->warnings = reader.warnings + 1;
            image->truncated = 1;
            cic_set_message(message, message_capacity, reader.error);
            return CIC_OK;
        }
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(owned);
        cic_set_message(message, message_capacity, reader.error);
        (void)pixels_ready;
        return reader.ran_out ? CIC_TRUNCATED : CIC_ERROR;
    }
    png_set_read_fn(png, &reader, cic_png_read);
    png_set_user_limits(png, 1000000, 1000000);
    // libpng allocates a known ancillary chunk's declared length before reading it: a 57-byte
    // file declaring a 1 GB sPLT chunk took 1 GB and 6 s (found by scripts/fuzz/image.sh). None
    // of them is used here (no colour management; EXIF is read by ImageIngest from the bytes),
    // so all but tRNS are skipped unread, their CRCs still checked, as unknown chunks are.
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_read_info(png, info);
    png_uint_32 w = 0, h = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, NULL, NULL);
    if ((uint64_t)w * (uint64_t)h > max_pixels) {
        snprintf(reader.error, sizeof reader.error,
                 "PNG header declares %ux%u pixels, over the limit of %llu", (unsigned)w,
                 (unsigned)h, (unsigned long long)max_pixels);
        png_destroy_read_struct(&png, &info, NULL);
        cic_set_message(message, message_capacity, reader.error);
        return CIC_TOO_LARGE;
    }
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    // High byte of 16-bit samples, as most decoders (and Pillow) do.
    if (depth == 16) png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    channels = png_get_channels(png, info);
    width = w;
    height = h;
    size_t stride = png_get_rowbytes(png, info);
    if (stride != (size_t)w * channels || (channels != 3 && channels != 4)) {
        snprintf(reader.error, sizeof reader.error, "unexpected PNG row layout (%u channels)", (unsigned)channels);
        png_longjmp(png, 1);
    }
    if (header_only) {
        png_destroy_read_struct(&png, &info, NULL);
        image->width = width;
        image->height = height;
        image->channels = channels;
        return CIC_OK;
    }
    if (destination != NULL) {
        if (destination_capacity != stride * h) {
            snprintf(reader.error, sizeof reader.error, "PNG output buffer has the wrong size");
            png_longjmp(png, 1);
        }
        pixels = destination;
    } else {
        pixels = owned = malloc(stride * h);
    }
    rows = malloc(sizeof(png_bytep) * h);
    if (pixels == NULL || rows == NULL) {
        snprintf(reader.error, sizeof reader.error, "out of memory for %ux%u PNG pixels", (unsigned)w, (unsigned)h);
        png_longjmp(png, 1);
    }
    if (allow_truncated) memset(pixels, 128, stride * h);
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pixels + stride * y;
    pixels_ready = 1;
    png_read_image(png, rows);
    // Reading to IEND checks the remaining chunks' CRCs and finds files that stop early.
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    image->pixels = pixels;
    image->width = width;
    image->height = height;
    image->channels = channels;
    image->warnings = reader.warnings;
    cic_set_message(message, message_capacity, reader.warnings ? reader.first_warning : "");
    return CIC_OK;
}

cic_status cic_png_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                          int allow_truncated, uint8_t *destination, size_t destination_capacity,
                          cic_image *image, char *message, size_t message_capacity) {
    return cic_png_run(data, length, max_pixels, allow_truncated, 0, destination,
                       destination_capacity, image, message, message_capacity);
}

cic_status cic_png_read_header(const uint8_t *data, size_t length, uint64_t max_pixels,
                               uint32_t *width, uint32_t *height, uint32_t *channels,
                               char *message, size_t message_capacity) {
    cic_image image;
    cic_status status = cic_png_run(data, length, max_pixels, 0, 1, NULL, 0, &image, message,
                                    message_capacity);
    *width = status == CIC_OK ? image.width : 0;
    *height = status == CIC_OK ? image.height : 0;
    *channels = status == CIC_OK ? image.channels : 0;
    return status;
}

typedef struct {
    uint8_t *bytes;
    size_t count;
    size_t capacity;
    int failed;
    char error[256];
} cic_png_writer;

static void cic_png_write(png_structp png, png_bytep bytes, png_size_t count) {
    cic_png_writer *writer = png_get_io_ptr(png);
    if (writer->count + count > writer->capacity) {
        size_t capacity = writer->capacity ? writer->capacity : 65536;
        while (capacity < writer->count + count) capacity *= 2;
        uint8_t *grown = realloc(writer->bytes, capacity);
        if (grown == NULL) png_error(png, "out of memory for PNG output");
        writer->bytes = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->bytes + writer->count, bytes, count);
    writer->count += count;
}

static void cic_png_flush(png_structp png) { (void)png; }

static void cic_png_write_error(png_structp png, png_const_charp text) {
    cic_png_writer *writer = png_get_error_ptr(png);
    snprintf(writer->error, sizeof writer->error, "%s", text);
    png_longjmp(png, 1);
}

static void cic_png_write_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

cic_status cic_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                          int channels, cic_buffer *output, char *message,
                          size_t message_capacity) {
    memset(output, 0, sizeof(*output));
    if (channels != 1 && channels != 3) {
        cic_set_message(message, message_capacity, "PNG encoder takes 1 or 3 channels");
        return CIC_ERROR;
    }
    cic_png_writer writer;
    memset(&writer, 0, sizeof writer);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &writer, cic_png_write_error, cic_png_write_warning);
    if (png == NULL) return CIC_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (info == NULL || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        free(writer.bytes);
        cic_set_message(message, message_capacity, writer.error[0] ? writer.error : "PNG encoding failed");
        return CIC_ERROR;
    }
    png_set_write_fn(png, &writer, cic_png_write, cic_png_flush);
    png_set_IHDR(png, info, width, height, 8, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (rows == NULL) png_error(png, "out of memory for PNG rows");
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)width * channels * y);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    output->bytes = writer.bytes;
    output->count = writer.count;
    return CIC_OK;
}
