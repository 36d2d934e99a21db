/// A binary min-heap: pushed and popped in logarithmic time.
struct MinHeap<Element: Comparable> {
  private var elements: [Element] = []

  /// The smallest element, left in place.
  var first: Element? { elements.first }

  mutating func push(_ element: Element) {
    elements.append(element)
    elements.withUnsafeMutableBufferPointer { elements in
      var child = elements.count - 1
      while child > 0 {
        let parent = (child - 1) / 2
        guard element < elements[parent] else { break }
        elements[child] = elements[parent]
        child = parent
      }
      elements[child] = element
    }
  }

  /// Removes and returns the smallest element.
  mutating func pop() -> Element? {
    guard !elements.isEmpty else { return nil }
    elements.swapAt(0, elements.count - 1)
    let smallest = elements.removeLast()
    siftDown(from: 0)
    return smallest
  }

  /// Moves the element at `start` down until neither child is smaller, shifting smaller children up
  /// into the hole instead of swapping.
  private mutating func siftDown(from start: Int) {
    elements.withUnsafeMutableBufferPointer { elements in
      let count = elements.count
      guard start < count else { return }
      let element = elements[start]
      var parent = start
      while true {
        var child = 2 * parent + 1
        guard child < count else { break }
        if child + 1 < count, elements[child + 1] < elements[child] { child += 1 }
        guard elements[child] < element else { break }
        elements[parent] = elements[child]
        parent = child
      }
      elements[parent] = element
    }
  }
}
