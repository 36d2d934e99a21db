/// A binary min-heap: built from an array in linear time, popped in logarithmic time.
struct MinHeap<Element: Comparable> {
  private var elements: [Element]

  /// A heap of `elements` (Floyd's construction).
  init(_ elements: [Element]) {
    self.elements = elements
    var index = elements.count / 2
    while index > 0 {
      index -= 1
      siftDown(from: index)
    }
  }

  var isEmpty: Bool { elements.isEmpty }

  mutating func push(_ element: Element) {
    elements.append(element)
    var child = elements.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard elements[child] < elements[parent] else { break }
      elements.swapAt(child, parent)
      child = parent
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

  private mutating func siftDown(from start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < elements.count, elements[left] < elements[smallest] { smallest = left }
      if right < elements.count, elements[right] < elements[smallest] { smallest = right }
      guard smallest != parent else { return }
      elements.swapAt(parent, smallest)
      parent = smallest
    }
  }
}
