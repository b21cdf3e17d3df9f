extension Raster {
    /// The background chosen for transparent pixels.
    package enum Background: Sendable, Equatable {
        case white, dark
        var value: Int { self == .white ? 255 : 32 }
    }

    /// Composites RGBA onto a background chosen from the visible pixels: white, unless what is
    /// visible is mostly light (white-on-transparent artwork would vanish on white), then dark.
    /// Returns nil for the background when no pixel is transparent (alpha ignored).
    package func flattened() -> (Raster, Background?) {
        guard channels == 4 else { return (self, nil) }
        var lightWeight = 0, visibleWeight = 0, transparent = false
        pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                let a = Int(p[i + 3])
                if a < 255 { transparent = true }
                if a > 0 {
                    let luma = (299 * Int(p[i]) + 587 * Int(p[i + 1]) + 114 * Int(p[i + 2])) / 1000
                    visibleWeight += a
                    if luma >= 200 { lightWeight += a }
                }
                i += 4
            }
        }
        let background: Background =
            transparent && visibleWeight > 0 && lightWeight * 10 >= visibleWeight * 7 ? .dark : .white
        let bg = background.value
        var out = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                var s = 0, d = 0
                while d < o.count {
                    let a = Int(p[s + 3]), na = 255 - a
                    for k in 0..<3 {
                        let v = Int(p[s + k]) * a + bg * na + 127
                        o[d + k] = UInt8((v + (v >> 8)) >> 8)
                    }
                    s += 4
                    d += 3
                }
            }
        }
        return (Raster(width: width, height: height, channels: 3, pixels: out), transparent ? background : nil)
    }
}
