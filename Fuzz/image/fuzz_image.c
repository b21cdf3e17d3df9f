// libFuzzer harness for the image shim (Sources/CImageCodecs): every input goes through the
// same C entry points ImageIngest calls, so AddressSanitizer sees what the shim does with
// hostile bytes (setjmp/longjmp paths, buffer sizes, the CMYK loop, the encoders).
// Built and run by scripts/fuzz/image.sh; not part of `swift build`.
#include "CImageCodecs.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

// Far below the 100-megapixel default: the fuzzer should spend its time on code paths, not on
// filling huge buffers (the size check itself is still exercised by every larger header).
#define FUZZ_MAX_PIXELS (1u << 20)
#define MESSAGE 512

static void encode_back(const cic_image *image) {
    // The encoders take RGB or grey, so RGBA results are not encoded back. Small images only:
    // the decoders are what is fuzzed.
    if (image->channels != 3 || (uint64_t)image->width * image->height > (1u << 16)) return;
    char message[MESSAGE];
    cic_buffer out;
    int full_chroma = image->width % 2;  // both chroma layouts, chosen by the input
    if (cic_jpeg_encode(image->pixels, image->width, image->height, 3, 85, full_chroma, &out, message,
                        sizeof message) == CIC_OK)
        cic_free(out.bytes);
    if (cic_png_encode(image->pixels, image->width, image->height, 3, &out, message, sizeof message) == CIC_OK)
        cic_free(out.bytes);
}

static void fuzz_jpeg(const uint8_t *data, size_t size) {
    char message[MESSAGE];
    cic_jpeg_header header;
    if (cic_jpeg_read_header(data, size, &header, message, sizeof message) != CIC_OK) return;
    // Vary DCT scaling and the truncation rule with the input, deterministically.
    static const int scales[4] = {1, 2, 4, 8};
    int scale = scales[size % 4];
    int allow_truncated = (int)((size / 4) % 2);
    cic_image image;
    if (cic_jpeg_decode(data, size, scale, FUZZ_MAX_PIXELS, allow_truncated, NULL, 0, &image, message,
                        sizeof message) == CIC_OK) {
        encode_back(&image);
        cic_free(image.pixels);
    }
    // The caller-owned buffer path ImageIngest uses, sized from the header as it does.
    if ((uint64_t)header.width * header.height > FUZZ_MAX_PIXELS || header.width == 0 || header.height == 0) return;
    size_t w = (header.width + scale - 1) / scale, h = (header.height + scale - 1) / scale;
    size_t capacity = w * h * 3;
    uint8_t *buffer = malloc(capacity);
    if (buffer == NULL) return;
    (void)cic_jpeg_decode(data, size, scale, FUZZ_MAX_PIXELS, !allow_truncated, buffer, capacity, &image,
                          message, sizeof message);
    free(buffer);
}

static void fuzz_png(const uint8_t *data, size_t size) {
    char message[MESSAGE];
    uint32_t width = 0, height = 0, channels = 0;
    if (cic_png_read_header(data, size, FUZZ_MAX_PIXELS, &width, &height, &channels, message, sizeof message)
        != CIC_OK)
        return;
    int allow_truncated = (int)(size % 2);
    cic_image image;
    if (cic_png_decode(data, size, FUZZ_MAX_PIXELS, allow_truncated, NULL, 0, &image, message, sizeof message)
        == CIC_OK) {
        encode_back(&image);
        cic_free(image.pixels);
    }
    size_t capacity = (size_t)width * height * channels;
    uint8_t *buffer = malloc(capacity ? capacity : 1);
    if (buffer == NULL) return;
    (void)cic_png_decode(data, size, FUZZ_MAX_PIXELS, !allow_truncated, buffer, capacity, &image, message,
                         sizeof message);
    free(buffer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // Both decoders see every input, as a mislabeled file would reach either one.
    fuzz_jpeg(data, size);
    fuzz_png(data, size);
    return 0;
}
