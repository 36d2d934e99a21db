import Btrfs
import Foundation

/// A picture of a filesystem's block groups as SVG: every block group in address order (per device
/// when there are several), its outline coloured by type, filled from the bottom as far as it is
/// used, its width growing with its size. For a plan, the layout before and the predicted layout
/// after side by side: the block groups the plan relocates are marked in the first, the ones the
/// relocations allocate in the second.
public struct BlockGroupPicture: Sendable {
  /// One panel: a title and a layout, with the block groups to mark.
  public struct Panel: Sendable {
    public var title: String
    public var layout: Layout
    /// Block groups (by vaddr) drawn with the highlight stroke.
    public var marked: Set<UInt64>
    /// What the mark means, for the legend.
    public var markMeaning: String?
    /// The mark's colour.
    public var markColour: String

    public init(
      title: String, layout: Layout, marked: Set<UInt64> = [], markMeaning: String? = nil,
      markColour: String = "#d0021b"
    ) {
      self.title = title
      self.layout = layout
      self.marked = marked
      self.markMeaning = markMeaning
      self.markColour = markColour
    }
  }

  public var title: String
  public var panels: [Panel]

  public init(title: String, panels: [Panel]) {
    self.title = title
    self.panels = panels
  }

  /// The picture of a layout, for `usage --svg`.
  public init(usageOf layout: Layout) {
    self.init(
      title: "btrfs-steward usage: \(layout.mountpoint ?? layout.fsid)",
      panels: [Panel(title: Self.caption(layout), layout: layout)])
  }

  /// The picture of a plan, for `plan --svg`: the layout, and the layout the plan is predicted to
  /// leave (the plan's operations replayed on the simulator, as `plan` predicts them).
  public init(plan: Plan, before: Layout) throws(LayoutError) {
    let simulated = try SimulatedFilesystem(layout: before)
    for operation in plan.operations {
      _ = try? simulated.startBalance(operation.arguments)
    }
    let after = simulated.currentLayout
    let existing = Set(before.blockGroups.map(\.vaddr))
    let allocated = Set(after.blockGroups.map(\.vaddr).filter { !existing.contains($0) })
    self.init(
      title: "btrfs-steward plan: policy \(plan.policyName) on \(plan.mountpoint ?? plan.fsid)",
      panels: [
        Panel(
          title: "before: " + Self.caption(before), layout: before,
          marked: Set(plan.operations.map(\.target.vaddr)), markMeaning: "relocated by the plan"),
        Panel(
          title: "predicted after: " + Self.caption(after), layout: after, marked: allocated,
          markMeaning: "allocated by the relocations", markColour: "#7b1fa2"),
      ])
  }

  private static func caption(_ layout: Layout) -> String {
    "\(layout.blockGroups.count) block groups, \(ByteCount(layout.unallocatedBytes)) of "
      + "\(ByteCount(layout.totalBytes)) unallocated"
  }

  // MARK: Drawing

  /// Panel width in pixels, and the margin and gap between cells.
  static let panelWidth = 560.0
  static let margin = 16.0
  static let gap = 2.0
  static let cellHeight = 28.0
  /// The narrowest cell; the largest block group of the picture gets the widest, which is wider
  /// the fewer block groups a device has (from 28 up to 120 pixels).
  static let narrowest = 5.0

  static func widest(cellsPerRow count: Int) -> Double {
    min(120, max(28, (panelWidth * 0.8 / Double(max(count, 1))).rounded()))
  }

  /// The outline and fill colour of each type.
  static func colour(_ type: BlockGroupType) -> (stroke: String, fill: String) {
    switch type {
    case .data: ("#1f5fa8", "#5b9bd5")
    case .metadata: ("#b45f06", "#f4a442")
    case .system: ("#38761d", "#7bc96f")
    case .mixed: ("#674ea7", "#a48fd6")
    }
  }

  /// The SVG document.
  public var svg: String {
    let largest = Double(panels.flatMap { $0.layout.blockGroups.map(\.length) }.max() ?? 1)
    let widest = Self.widest(
      cellsPerRow: panels.map { $0.layout.blockGroups.count }.max() ?? 1)
    var body = ""
    var x = Self.margin
    var height = 0.0
    for panel in panels {
      let (text, panelHeight) = Self.draw(
        panel, x: x, top: 56, largest: largest, widest: widest)
      body += text
      height = max(height, panelHeight)
      x += Self.panelWidth + 2 * Self.margin
    }
    let width = x
    let legendTop = 56 + height + 12
    body += legend(top: legendTop)
    let total = legendTop + 40
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(total))" \
      viewBox="0 0 \(Self.number(width)) \(Self.number(total))" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="12">
      <title>\(Self.escaped(title))</title>
      <rect width="100%" height="100%" fill="#ffffff"/>
      <text x="\(Self.number(Self.margin))" y="24" font-size="16" font-weight="bold">\(Self.escaped(title))</text>

      """ + body + "</svg>\n"
  }

  /// A panel's SVG and its height: its title, then per device (or once for one device) a heading
  /// and the cells flowing left to right, row by row.
  private static func draw(
    _ panel: Panel, x: Double, top: Double, largest: Double, widest: Double
  ) -> (String, Double) {
    var text = "<g class=\"panel\">\n"
    text +=
      "<text x=\"\(number(x))\" y=\"\(number(top - 12))\" font-weight=\"bold\">\(escaped(panel.title))</text>\n"
    var y = top
    let layout = panel.layout
    let chunks = Dictionary(layout.chunks.map { ($0.vaddr, $0) }) { first, _ in first }
    let devices: [UInt64?] =
      layout.devices.count > 1 ? layout.devices.map(\.devid).sorted() : [nil]
    for devid in devices {
      let groups = layout.blockGroups.filter { group in
        guard let devid else { return true }
        return chunks[group.vaddr]?.devids.contains(devid) ?? false
      }.sorted { $0.vaddr < $1.vaddr }
      if let devid, let device = layout.devices.first(where: { $0.devid == devid }) {
        text +=
          "<text x=\"\(number(x))\" y=\"\(number(y + 10))\" fill=\"#444\">device \(devid) "
          + "\(escaped(device.path)): \(ByteCount(device.unallocatedBytes)) unallocated</text>\n"
        y += 16
      }
      var cellX = x
      for group in groups {
        let width = max(narrowest, widest * Double(group.length) / largest).rounded()
        if cellX + width > x + panelWidth {
          cellX = x
          y += cellHeight + gap
        }
        text += cell(
          group, x: cellX, y: y, width: width,
          mark: panel.marked.contains(group.vaddr) ? panel.markColour : nil)
        cellX += width + gap
      }
      y += cellHeight + 12
    }
    text += "</g>\n"
    return (text, y - top)
  }

  /// One block group: the outline in its type's colour, the used part filled from the bottom, a
  /// heavy outline in the mark's colour when marked, and a tooltip with its figures.
  private static func cell(
    _ group: BlockGroup, x: Double, y: Double, width: Double, mark: String?
  ) -> String {
    let (stroke, fill) = colour(group.type)
    let usedHeight = (cellHeight - 2) * min(group.usagePercent, 100) / 100
    var text = "<g><title>\(group.type.rawValue)/\(group.profile.rawValue) \(group.vaddr): "
    text += "\(ByteCount(group.used)) of \(ByteCount(group.length)) used ("
    text += "\(String(format: "%.1f", group.usagePercent))%)\(mark == nil ? "" : " *")</title>"
    text +=
      "<rect x=\"\(number(x + 0.5))\" y=\"\(number(y + 0.5))\" width=\"\(number(width - 1))\" "
      + "height=\"\(number(cellHeight - 1))\" fill=\"#f4f4f4\" stroke=\"\(stroke)\"/>"
    if usedHeight > 0 {
      text +=
        "<rect x=\"\(number(x + 1))\" y=\"\(number(y + 1 + cellHeight - 2 - usedHeight))\" "
        + "width=\"\(number(width - 2))\" height=\"\(number(usedHeight))\" fill=\"\(fill)\"/>"
    }
    if let mark {
      text +=
        "<rect class=\"marked\" x=\"\(number(x - 1))\" y=\"\(number(y - 1))\" width=\"\(number(width + 2))\" "
        + "height=\"\(number(cellHeight + 2))\" fill=\"none\" stroke=\"\(mark)\" stroke-width=\"2\"/>"
    }
    return text + "</g>\n"
  }

  /// The key: a swatch per type present, the fill, and what the marks mean.
  private func legend(top: Double) -> String {
    let types = Set(panels.flatMap { $0.layout.blockGroups.map(\.type) }).sorted()
    var x = Self.margin
    var text = "<g class=\"legend\">\n"
    for type in types {
      let (stroke, fill) = Self.colour(type)
      text +=
        "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(top))\" width=\"14\" height=\"14\" "
        + "fill=\"\(fill)\" stroke=\"\(stroke)\"/>"
        + "<text x=\"\(Self.number(x + 20))\" y=\"\(Self.number(top + 12))\">\(type.rawValue)</text>\n"
      x += 100
    }
    text +=
      "<text x=\"\(Self.number(x))\" y=\"\(Self.number(top + 12))\" fill=\"#444\">"
      + "fill: used part; width: size</text>\n"
    x += 190
    for panel in panels {
      guard let meaning = panel.markMeaning else { continue }
      text +=
        "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(top))\" width=\"14\" height=\"14\" "
        + "fill=\"none\" stroke=\"\(panel.markColour)\" stroke-width=\"2\"/>"
        + "<text x=\"\(Self.number(x + 20))\" y=\"\(Self.number(top + 12))\">\(Self.escaped(meaning))</text>\n"
      x += 210
    }
    return text + "</g>\n"
  }

  private static func number(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
  }

  private static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
