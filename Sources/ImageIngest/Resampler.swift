import CImageCodecs
import Foundation

/// Lanczos3 resampling (separable, fixed-point, Pillow's kernel and rounding), with an
/// optional box pre-shrink by an integer factor when the reduction is large (Pillow's
/// `reducing_gap`), so the filter never sees more than about twice the target.
package enum Resampler {
    // 14-bit weights: products of a sample and a weight fit 16-bit lanes' widening multiply,
    // which the compiler vectorizes on every x86-64 (Pillow uses 22 bits; the difference is
    // under 0.01 dB).
    private static let precisionBits = 14
    private static let support = 3.0

    private static func lanczos(_ x: Double) -> Double {
        if x == 0 { return 1 }
        if x <= -3 || x >= 3 { return 0 }
        let px = Double.pi * x
        return 3 * sin(px) * sin(px / 3) / (px * px)
    }

    /// Per output index: first input index, and fixed-point weights.
    private struct Kernel {
        var start: [Int32]
        var count: [Int32]
        var taps: Int
        var weights: [Int16]
    }

    private static func kernel(inSize: Int, outSize: Int) -> Kernel {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let radius = support * filterScale
        let taps = Int(radius.rounded(.up)) * 2 + 1
        var start = [Int32](repeating: 0, count: outSize)
        var count = [Int32](repeating: 0, count: outSize)
        var weights = [Int16](repeating: 0, count: outSize * taps)
        var w = [Double](repeating: 0, count: taps)
        for i in 0..<outSize {
            let center = (Double(i) + 0.5) * scale
            let lo = max(Int(center - radius + 0.5), 0)
            let hi = min(Int(center + radius + 0.5), inSize)
            let n = min(hi - lo, taps)
            var total = 0.0
            for k in 0..<n {
                let v = lanczos((Double(k + lo) - center + 0.5) / filterScale)
                w[k] = v
                total += v
            }
            for k in 0..<n {
                let normalized = total != 0 ? w[k] / total : 0
                weights[i * taps + k] = Int16(clamping: Int((normalized * Double(1 << precisionBits)).rounded()))
            }
            start[i] = Int32(lo)
            count[i] = Int32(n)
        }
        return Kernel(start: start, count: count, taps: taps, weights: weights)
    }

    /// Resizes to `width`×`height` (3 or 4 channels).
    package static func resize(_ source: Raster, width: Int, height: Int) -> Raster {
        if source.width == width && source.height == height { return source }
        var image = source
        // Box pre-shrink while the reduction is over 2× in each axis: cheap, and Lanczos on
        // the rest matches a full Lanczos within about 0.01 dB.
        let factorX = max(1, image.width / (width * 2))
        let factorY = max(1, image.height / (height * 2))
        if factorX > 1 || factorY > 1 { image = boxReduce(image, factorX, factorY) }
        // Vertical first: it is the vectorized pass, and it leaves fewer rows for the other.
        if image.height != height { image = vertical(image, height) }
        if image.width != width { image = horizontal(image, width) }
        return image
    }

    private static func horizontal(_ src: Raster, _ outW: Int) -> Raster {
        let k = kernel(inSize: src.width, outSize: outW)
        var out = [UInt8](repeating: 0, count: outW * src.height * src.channels)
        src.pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                cic_resample_horizontal(s.baseAddress, UInt32(src.width), UInt32(src.height), UInt32(src.channels),
                                        o.baseAddress, UInt32(outW), k.start, k.count, k.weights,
                                        UInt32(k.taps), Int32(precisionBits))
            }
        }
        return Raster(width: outW, height: src.height, channels: src.channels, pixels: out)
    }

    private static func vertical(_ src: Raster, _ outH: Int) -> Raster {
        let k = kernel(inSize: src.height, outSize: outH)
        let stride = src.width * src.channels
        var out = [UInt8](repeating: 0, count: stride * outH)
        var acc = [Int32](repeating: 0, count: stride)
        src.pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                cic_resample_vertical(s.baseAddress, stride, o.baseAddress, UInt32(outH), k.start, k.count,
                                      k.weights, UInt32(k.taps), Int32(precisionBits), &acc)
            }
        }
        return Raster(width: src.width, height: outH, channels: src.channels, pixels: out)
    }

    /// Averages `fx`×`fy` blocks (partial blocks at the edges average what they have).
    package static func boxReduce(_ src: Raster, _ fx: Int, _ fy: Int) -> Raster {
        let c = src.channels
        let outW = (src.width + fx - 1) / fx, outH = (src.height + fy - 1) / fy
        var out = [UInt8](repeating: 0, count: outW * outH * c)
        src.pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                var sums = [Int](repeating: 0, count: outW * c)
                sums.withUnsafeMutableBufferPointer { sum in
                    for oy in 0..<outH {
                        for i in 0..<sum.count { sum[i] = 0 }
                        let y0 = oy * fy, y1 = min(y0 + fy, src.height)
                        for y in y0..<y1 {
                            let row = y * src.width * c
                            for x in 0..<src.width {
                                let d = (x / fx) * c, p = row + x * c
                                for k in 0..<c { sum[d + k] &+= Int(s[p + k]) }
                            }
                        }
                        for ox in 0..<outW {
                            let cols = min(fx, src.width - ox * fx)
                            let n = cols * (y1 - y0)
                            for k in 0..<c {
                                o[(oy * outW + ox) * c + k] = UInt8((sum[ox * c + k] + n / 2) / n)
                            }
                        }
                    }
                }
            }
        }
        return Raster(width: outW, height: outH, channels: c, pixels: out)
    }
}

