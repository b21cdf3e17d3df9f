/// 8-bit pixels in memory, rows top to bottom, `channels` interleaved samples (3 RGB, 4 RGBA).
package struct Raster: Sendable, Equatable {
    package var width: Int
    package var height: Int
    package var channels: Int
    package var pixels: [UInt8]

    package init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    package init(width: Int, height: Int, channels: Int) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: 0, count: width * height * channels))
    }

    package var hasAlpha: Bool { channels == 4 }
}
