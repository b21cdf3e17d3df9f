import Foundation

/// Lanczos3 resampling (separable, fixed-point, Pillow's kernel and rounding), with an
/// optional box pre-shrink by an integer factor when the reduction is large (Pillow's
/// `reducing_gap`), so the filter never sees more than about twice the target.
package enum Resampler {
    private static let precisionBits = 22
    private static let support = 3.0

    private static func lanczos(_ x: Double) -> Double {
        if x == 0 { return 1 }
        if x <= -3 || x >= 3 { return 0 }
        let px = Double.pi * x
        return 3 * sin(px) * sin(px / 3) / (px * px)
    }

    /// Per output index: first input index, and fixed-point weights.
    private struct Kernel {
        var start: [Int]
        var count: [Int]
        var taps: Int
        var weights: [Int32]
    }

    private static func kernel(inSize: Int, outSize: Int) -> Kernel {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let radius = support * filterScale
        let taps = Int(radius.rounded(.up)) * 2 + 1
        var start = [Int](repeating: 0, count: outSize)
        var count = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
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
                weights[i * taps + k] = Int32((normalized * Double(1 << precisionBits)).rounded())
            }
            start[i] = lo
            count[i] = n
        }
        return Kernel(start: start, count: count, taps: taps, weights: weights)
    }

    @inline(__always)
    private static func clip(_ v: Int) -> UInt8 {
        let shifted = v >> precisionBits
        return shifted < 0 ? 0 : (shifted > 255 ? 255 : UInt8(shifted))
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
        if image.width != width { image = horizontal(image, width) }
        if image.height != height { image = vertical(image, height) }
        return image
    }

    private static func horizontal(_ src: Raster, _ outW: Int) -> Raster {
        let k = kernel(inSize: src.width, outSize: outW)
        let c = src.channels, h = src.height, inStride = src.width * c, outStride = outW * c
        var out = [UInt8](repeating: 0, count: outStride * h)
        let half = 1 << (precisionBits - 1)
        src.pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                k.weights.withUnsafeBufferPointer { wt in
                    for y in 0..<h {
                        let row = y * inStride, orow = y * outStride
                        for x in 0..<outW {
                            var a0 = half, a1 = half, a2 = half, a3 = half
                            var p = row + k.start[x] * c
                            let wBase = x * k.taps
                            for t in 0..<k.count[x] {
                                let w = Int(wt[wBase + t])
                                a0 &+= Int(s[p]) &* w
                                a1 &+= Int(s[p + 1]) &* w
                                a2 &+= Int(s[p + 2]) &* w
                                if c == 4 { a3 &+= Int(s[p + 3]) &* w }
                                p += c
                            }
                            let d = orow + x * c
                            o[d] = clip(a0); o[d + 1] = clip(a1); o[d + 2] = clip(a2)
                            if c == 4 { o[d + 3] = clip(a3) }
                        }
                    }
                }
            }
        }
        return Raster(width: outW, height: h, channels: c, pixels: out)
    }

    private static func vertical(_ src: Raster, _ outH: Int) -> Raster {
        let k = kernel(inSize: src.height, outSize: outH)
        let stride = src.width * src.channels
        var out = [UInt8](repeating: 0, count: stride * outH)
        let half = 1 << (precisionBits - 1)
        src.pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                k.weights.withUnsafeBufferPointer { wt in
                    var acc = [Int](repeating: 0, count: stride)
                    acc.withUnsafeMutableBufferPointer { a in
                        for y in 0..<outH {
                            for i in 0..<stride { a[i] = half }
                            let wBase = y * k.taps
                            for t in 0..<k.count[y] {
                                let w = Int(wt[wBase + t])
                                let row = (k.start[y] + t) * stride
                                for i in 0..<stride { a[i] &+= Int(s[row + i]) &* w }
                            }
                            let orow = y * stride
                            for i in 0..<stride { o[orow + i] = clip(a[i]) }
                        }
                    }
                }
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

