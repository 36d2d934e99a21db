extension Array {
  /// Sorts the array by a 64-bit key, stably: elements with equal keys keep their order.
  ///
  /// A least-significant-digit radix sort over 11-bit digits, which skips every digit that all keys
  /// share (the high bits of block-group usages, say). It takes a handful of linear passes where a
  /// comparison sort of the candidates of a million block groups takes twenty, and it is what lets
  /// the planner order them in a few milliseconds.
  mutating func radixSort(by key: (Element) -> UInt64) {
    guard count > 1 else { return }
    let digitBits = 11
    let digitMask = UInt64(1 << digitBits - 1)
    var anyBits: UInt64 = 0
    var everyBits = UInt64.max
    for element in self {
      let value = key(element)
      anyBits |= value
      everyBits &= value
    }
    let varyingBits = anyBits ^ everyBits
    var scratch = self
    var counts = [Int](repeating: 0, count: 1 << digitBits)
    var sortedIntoScratch = false
    for shift in stride(from: 0, to: UInt64.bitWidth, by: digitBits)
    where (varyingBits >> shift) & digitMask != 0 {
      withUnsafeMutableBufferPointer { elements in
        scratch.withUnsafeMutableBufferPointer { scratch in
          if sortedIntoScratch {
            Self.distribute(
              scratch, into: elements, counts: &counts, key: key, shift: shift, mask: digitMask)
          } else {
            Self.distribute(
              elements, into: scratch, counts: &counts, key: key, shift: shift, mask: digitMask)
          }
        }
      }
      sortedIntoScratch.toggle()
    }
    if sortedIntoScratch { swap(&self, &scratch) }
  }

  /// One pass: moves `source` into `target` ordered by the digit of each key at `shift`, keeping
  /// the order within a digit. `counts` has a slot per digit value.
  private static func distribute(
    _ source: UnsafeMutableBufferPointer<Element>, into target: UnsafeMutableBufferPointer<Element>,
    counts: inout [Int], key: (Element) -> UInt64, shift: Int, mask: UInt64
  ) {
    func digit(_ element: Element) -> Int { Int((key(element) >> shift) & mask) }
    for bucket in counts.indices { counts[bucket] = 0 }
    for element in source { counts[digit(element)] += 1 }
    var offset = 0
    for bucket in counts.indices {
      (counts[bucket], offset) = (offset, offset + counts[bucket])
    }
    for element in source {
      let bucket = digit(element)
      target[counts[bucket]] = element
      counts[bucket] += 1
    }
  }
}
