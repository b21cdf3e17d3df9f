#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H
// The only interface to libpng and libjpeg. Every function returns a status and fills a
// caller-owned message buffer; no function exits, prints, or longjmps into Swift. Pixel and
// byte buffers handed out are malloc'd here and must be released with `cic_free`.
#include <stddef.h>
#include <stdint.h>

typedef enum __attribute__((enum_extensibility(closed))) {
    CIC_OK = 0,
    /// The data is damaged or not what it claims; the message has the library's reason.
    CIC_ERROR = 1,
    /// The header declares more pixels than allowed; nothing was allocated for pixels.
    CIC_TOO_LARGE = 2,
    /// A valid file in a form the libraries cannot decode (e.g. 12-bit JPEG).
    CIC_UNSUPPORTED = 3,
    /// The data ends before the image does (and truncation was not allowed).
    CIC_TRUNCATED = 4,
    /// An allocation failed.
    CIC_NO_MEMORY = 5,
} cic_status;

/// Decoded pixels: 8 bits per sample, rows top to bottom, `channels` is 3 (RGB) or 4 (RGBA).
typedef struct {
    uint8_t *pixels;
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    /// Number of warnings the library emitted (first one copied into the message buffer).
    uint32_t warnings;
    /// 1 when the data ended early and truncation was allowed: missing rows are mid-grey.
    int32_t truncated;
} cic_image;

/// What a JPEG header says, read without decoding any pixel.
typedef struct {
    uint32_t width;
    uint32_t height;
    int32_t components;
    int32_t precision;
    int32_t progressive;
    int32_t arithmetic;
    /// libjpeg's J_COLOR_SPACE of the file (1 gray, 2 RGB, 3 YCbCr, 4 CMYK, 5 YCCK).
    int32_t color_space;
} cic_jpeg_header;

/// An encoded file.
typedef struct {
    uint8_t *bytes;
    size_t count;
} cic_buffer;

const char *cic_libpng_version(void);
int cic_libjpeg_version(void);

/// Reads the JPEG header only (dimensions, precision, coding); allocates no pixel memory.
cic_status cic_jpeg_read_header(const uint8_t *data, size_t length, cic_jpeg_header *header,
                                char *message, size_t message_capacity);

/// Decodes a JPEG to RGB, scaled by 1/`scale_denom` (1, 2, 4 or 8) with libjpeg's DCT scaling.
/// CMYK and YCCK (Adobe inverted or not) are converted to RGB here. Refuses images with more
/// than `max_pixels` pixels before allocating. With `allow_truncated` 0, a premature end of
/// data, or any warning that means lost data (a data segment that ends early, corrupt entropy
/// data, skipped bytes inside the scans), is CIC_TRUNCATED; otherwise the missing part is
/// mid-grey (or garbled), `truncated` is set and the message has the first such warning.
/// When `destination` is not NULL the pixels go there (it must hold exactly
/// ceil(width / scale_denom) * ceil(height / scale_denom) * 3 bytes) and `image->pixels` is
/// `destination`: callers that own their buffer avoid a copy of the largest allocation.
cic_status cic_jpeg_decode(const uint8_t *data, size_t length, int scale_denom,
                           uint64_t max_pixels, int allow_truncated, uint8_t *destination,
                           size_t destination_capacity, cic_image *image,
                           char *message, size_t message_capacity);

/// Decodes any PNG (every colour type and bit depth, palette, tRNS, Adam7) to RGB or RGBA
/// 8-bit with libpng's classic API. Same limits and truncation rules as `cic_jpeg_decode`
/// (image data that stops before the last row, "Not enough image data", is truncation).
/// `destination` as for `cic_jpeg_decode`: width * height * channels bytes, channels from
/// `cic_png_read_header`.
cic_status cic_png_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                          int allow_truncated, uint8_t *destination, size_t destination_capacity,
                          cic_image *image, char *message, size_t message_capacity);

/// Reads the PNG header only: size, and the channels (3 or 4) `cic_png_decode` will produce.
/// Refuses sizes over `max_pixels` like the decoder.
cic_status cic_png_read_header(const uint8_t *data, size_t length, uint64_t max_pixels,
                               uint32_t *width, uint32_t *height, uint32_t *channels,
                               char *message, size_t message_capacity);

/// Encodes 8-bit RGB (`channels` 3) or gray (`channels` 1) pixels as a baseline JPEG with no
/// metadata: 4:2:0 chroma, or 4:4:4 when `full_chroma` is not 0.
cic_status cic_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                           int channels, int quality, int full_chroma, cic_buffer *output,
                           char *message, size_t message_capacity);

/// Encodes 8-bit RGB (3) or gray (1) pixels as a non-interlaced PNG with no metadata.
cic_status cic_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                          int channels, cic_buffer *output, char *message,
                          size_t message_capacity);

/// One pass of a separable resampler over 8-bit rows: output row `y` is the sum over
/// `count[y]` input rows from `start[y]` of the row times `weights[y * taps + t]`, in fixed
/// point with `precision_bits` fraction bits, clipped to 0-255. `acc` holds `stride` ints.
void cic_resample_vertical(const uint8_t *src, size_t stride, uint8_t *dst, uint32_t out_height,
                           const int32_t *start, const int32_t *count, const int16_t *weights,
                           uint32_t taps, int precision_bits, int32_t *acc);

/// The same along rows: output pixel `x` mixes `count[x]` input pixels from `start[x]`.
void cic_resample_horizontal(const uint8_t *src, uint32_t in_width, uint32_t height,
                             uint32_t channels, uint8_t *dst, uint32_t out_width,
                             const int32_t *start, const int32_t *count, const int16_t *weights,
                             uint32_t taps, int precision_bits);

/// Tunes the C allocator (glibc only) to reuse large decode buffers instead of mapping fresh,
/// zero-filled pages for every image. Process-wide; called once by batch ingestion.
void cic_keep_large_buffers(void);

/// Releases a buffer handed out by this module.
void cic_free(void *pointer);

#endif
