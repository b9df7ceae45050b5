import CMIZlib
import Foundation

/// A minimal PNG reader for the browser test: 8-bit RGB or RGBA, not interlaced (what Chromium's screenshots are),
/// decoded to grey levels so the test can tell a blank page from a drawn one.
struct PNGImage {
  var width = 0
  var height = 0
  /// One grey level (0–255) per pixel, row by row.
  var grey: [UInt8] = []

  enum Failure: Error { case notPNG, unsupported(String), corrupt(String) }

  init(_ data: Data) throws {
    let b = [UInt8](data)
    guard b.count > 8, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw Failure.notPNG }
    var i = 8
    var idat: [UInt8] = []
    var channels = 0
    func be32(_ at: Int) -> Int { Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3]) }
    while i + 8 <= b.count {
      let length = be32(i)
      let type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
      let body = (i + 8)..<(i + 8 + length)
      guard body.upperBound <= b.count else { throw Failure.corrupt("chunk \(type) past the end") }
      if type == "IHDR" {
        width = be32(body.lowerBound)
        height = be32(body.lowerBound + 4)
        let depth = b[body.lowerBound + 8]
        let colour = b[body.lowerBound + 9]
        guard depth == 8, colour == 2 || colour == 6, b[body.lowerBound + 12] == 0 else {
          throw Failure.unsupported("depth \(depth) colour type \(colour)")
        }
        channels = colour == 6 ? 4 : 3
      } else if type == "IDAT" {
        idat += b[body]
      } else if type == "IEND" {
        break
      }
      i = body.upperBound + 4
    }
    let stride = width * channels
    let raw = try PNGImage.inflate(idat, expected: height * (stride + 1))
    var prev = [UInt8](repeating: 0, count: stride)
    grey.reserveCapacity(width * height)
    for y in 0..<height {
      let start = y * (stride + 1)
      let filter = raw[start]
      var row = Array(raw[(start + 1)..<(start + 1 + stride)])
      for x in 0..<stride {
        let a = x >= channels ? Int(row[x - channels]) : 0
        let up = Int(prev[x])
        let c = x >= channels ? Int(prev[x - channels]) : 0
        let add: Int
        switch filter {
        case 0: add = 0
        case 1: add = a
        case 2: add = up
        case 3: add = (a + up) / 2
        case 4:
          // Paeth predictor (PNG spec 9.4).
          let p = a + up - c
          let (pa, pb, pc) = (abs(p - a), abs(p - up), abs(p - c))
          add = pa <= pb && pa <= pc ? a : (pb <= pc ? up : c)
        default: throw Failure.corrupt("filter \(filter)")
        }
        row[x] = UInt8(truncatingIfNeeded: Int(row[x]) + add)
      }
      for x in 0..<width {
        let p = x * channels
        let r: Int = Int(row[p]) * 299
        let g: Int = Int(row[p + 1]) * 587
        let bl: Int = Int(row[p + 2]) * 114
        grey.append(UInt8((r + g + bl) / 1000))
      }
      prev = row
    }
  }

  /// The variance of the grey levels: about 0 for a blank page.
  var variance: Double {
    let n = Double(grey.count)
    guard n > 0 else { return 0 }
    let mean = grey.reduce(0.0) { $0 + Double($1) } / n
    return grey.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
  }

  static func inflate(_ input: [UInt8], expected: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: expected)
    var destLen = uLongf(expected)
    let rc = input.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        uncompress(dst.baseAddress, &destLen, src.baseAddress, uLong(src.count))
      }
    }
    guard rc == Z_OK, Int(destLen) == expected else { throw Failure.corrupt("zlib \(rc)") }
    return out
  }
}
