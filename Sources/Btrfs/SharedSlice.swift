/// Some elements of an array that many values share: what a read of a tree gives each of thousands
/// of items (a chunk's stripes, a block group's extents) without an allocation per item. Indices
/// start at zero; equality, hashing and coding see only the elements (coded as a plain list). A
/// change (append, remove) copies the elements into an array of their own; until then a slice keeps
/// the whole shared array alive.
public struct SharedSlice<Element: Hashable & Sendable>: RandomAccessCollection,
  RangeReplaceableCollection, Hashable, Sendable, ExpressibleByArrayLiteral
{
  /// The shared array.
  @usableFromInline let storage: [Element]
  /// The range of ``storage`` that holds the elements.
  @usableFromInline let range: Range<Int>

  /// All of `elements`, in an array no other slice was cut from.
  public init(_ elements: [Element]) {
    self.init(sharing: elements, range: elements.indices)
  }

  public init() {
    self.init([])
  }

  public init(arrayLiteral elements: Element...) {
    self.init(elements)
  }

  /// The elements `storage[range]`, sharing `storage`.
  init(sharing storage: [Element], range: Range<Int>) {
    precondition(
      range.lowerBound >= 0 && range.upperBound <= storage.count, "range past the storage")
    self.storage = storage
    self.range = range
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { range.count }

  @inlinable public subscript(position: Int) -> Element {
    precondition(position >= 0 && position < range.count, "index out of range")
    return storage[range.lowerBound + position]
  }

  public mutating func replaceSubrange(
    _ subrange: Range<Int>, with newElements: some Collection<Element>
  ) {
    var elements = Array(self)
    elements.replaceSubrange(subrange, with: newElements)
    self = Self(elements)
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.elementsEqual(rhs)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(count)
    for element in self { hasher.combine(element) }
  }
}

extension SharedSlice: Codable where Element: Codable {
  public init(from decoder: any Decoder) throws {
    self.init(try decoder.singleValueContainer().decode([Element].self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(Array(self))
  }
}
