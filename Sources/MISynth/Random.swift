import Foundation

/// SplitMix64: a small, fast, seedable generator; the same seed gives the same stream on every machine.
struct SplitMix64 {
  private var state: UInt64

  /// Creates a generator from a seed and a stream label, so that independent streams do not overlap.
  init(seed: UInt64, stream: UInt64 = 0) {
    state = seed &* 0x9E37_79B9_7F4A_7C15 ^ stream &* 0xD1B5_4A32_D192_ED03
    _ = next()
  }

  /// The next 64 random bits.
  @inline(__always) mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform integer in 0..<n.
  @inline(__always) mutating func below(_ n: Int) -> Int {
    Int(next().multipliedFullWidth(by: UInt64(n)).high)
  }

  /// A uniform double in [0, 1).
  @inline(__always) mutating func unit() -> Double {
    Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// True with probability p.
  @inline(__always) mutating func chance(_ p: Double) -> Bool { unit() < p }

  /// A standard normal deviate (Box–Muller; one of the pair is enough here).
  mutating func normal() -> Double {
    let u1 = max(unit(), 1e-300)
    let u2 = unit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// An index drawn from cumulative weights (the last element is the total).
  mutating func pick(cumulative: [Double]) -> Int {
    let x = unit() * cumulative[cumulative.count - 1]
    var lo = 0
    var hi = cumulative.count - 1
    while lo < hi {
      let mid = (lo + hi) / 2
      if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
    }
    return lo
  }
}

/// A stable 64-bit hash of text (FNV-1a), for choices that must not depend on the seed.
func stableHash(_ s: String, _ salt: UInt64 = 0) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
  for b in s.utf8 {
    h ^= UInt64(b)
    h = h &* 0x100_0000_01b3
  }
  return h
}
