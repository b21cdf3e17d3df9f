// Inner loops of the Lanczos resampler (weights are computed in Swift). In C because clang
// vectorizes the 8-bit x 16-bit multiply-accumulate with baseline SSE2, which the Swift
// compiler did not: this is where most of the non-decoding time goes.
#include "CImageCodecs.h"

static inline uint8_t cic_clip(int32_t v, int bits) {
    v >>= bits;
    return v < 0 ? 0 : (v > 255 ? 255 : (uint8_t)v);
}

void cic_resample_vertical(const uint8_t *src, size_t stride, uint8_t *dst, uint32_t out_height,
                           const int32_t *start, const int32_t *count, const int16_t *weights,
                           uint32_t taps, int precision_bits, int32_t *acc) {
    const int32_t half = 1 << (precision_bits - 1);
    for (uint32_t y = 0; y < out_height; y++) {
        for (size_t i = 0; i < stride; i++) acc[i] = half;
        const int16_t *w = weights + (size_t)y * taps;
        int32_t t = 0;
        // Two taps at a time: pairs of 16-bit products map onto pmaddwd.
        for (; t + 1 < count[y]; t += 2) {
            const uint8_t *r0 = src + (size_t)(start[y] + t) * stride;
            const uint8_t *r1 = r0 + stride;
            const int16_t w0 = w[t], w1 = w[t + 1];
            for (size_t i = 0; i < stride; i++)
                acc[i] += (int32_t)(int16_t)r0[i] * w0 + (int32_t)(int16_t)r1[i] * w1;
        }
        for (; t < count[y]; t++) {
            const uint8_t *r = src + (size_t)(start[y] + t) * stride;
            const int16_t w0 = w[t];
            for (size_t i = 0; i < stride; i++) acc[i] += (int32_t)(int16_t)r[i] * w0;
        }
        uint8_t *out = dst + (size_t)y * stride;
        for (size_t i = 0; i < stride; i++) out[i] = cic_clip(acc[i], precision_bits);
    }
}

void cic_resample_horizontal(const uint8_t *src, uint32_t in_width, uint32_t height,
                             uint32_t channels, uint8_t *dst, uint32_t out_width,
                             const int32_t *start, const int32_t *count, const int16_t *weights,
                             uint32_t taps, int precision_bits) {
    const int32_t half = 1 << (precision_bits - 1);
    const size_t in_stride = (size_t)in_width * channels, out_stride = (size_t)out_width * channels;
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *row = src + (size_t)y * in_stride;
        uint8_t *out = dst + (size_t)y * out_stride;
        if (channels == 3) {
            for (uint32_t x = 0; x < out_width; x++) {
                const uint8_t *p = row + (size_t)start[x] * 3;
                const int16_t *w = weights + (size_t)x * taps;
                int32_t a0 = half, a1 = half, a2 = half;
                for (int32_t t = 0; t < count[x]; t++, p += 3) {
                    a0 += p[0] * w[t];
                    a1 += p[1] * w[t];
                    a2 += p[2] * w[t];
                }
                out[3 * x] = cic_clip(a0, precision_bits);
                out[3 * x + 1] = cic_clip(a1, precision_bits);
                out[3 * x + 2] = cic_clip(a2, precision_bits);
            }
        } else {
            for (uint32_t x = 0; x < out_width; x++) {
                const uint8_t *p = row + (size_t)start[x] * channels;
                const int16_t *w = weights + (size_t)x * taps;
                int32_t a[4] = {half, half, half, half};
                for (int32_t t = 0; t < count[x]; t++, p += channels)
                    for (uint32_t k = 0; k < channels && k < 4; k++) a[k] += p[k] * w[t];
                for (uint32_t k = 0; k < channels && k < 4; k++)
                    out[channels * x + k] = cic_clip(a[k], precision_bits);
            }
        }
    }
}
