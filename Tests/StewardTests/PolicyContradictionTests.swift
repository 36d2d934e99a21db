import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Sizes and percentages of one policy compared on a filesystem")
struct PolicyContradictionTests {
  /// The emergency policy as it shipped before: a 256 MiB floor beside 5 % triggers.
  private let floorAboveTrigger = """
    version: 1
    name: emergency
    conditions:
      min-unallocated: 256MiB
    rules:
      - name: drop-empty
        when:
          unallocated-below: 5%
        select:
          type: data
          usage-below: 1%
        until:
          unallocated-above: 10%
    """

  @Test("a 256 MiB floor above a 5 % trigger on 2 GiB: the policy's mistake, with both positions")
  func floorAboveTriggerOnSmallFilesystem() throws {
    let policy = try PolicyLoader().load(yaml: floorAboveTrigger, file: "e.yaml")
    let found = policy.contradictions(totalBytes: 2 << 30)
    #expect(found.count == 1)
    let contradiction = try #require(found.first)
    #expect(contradiction.kind == .triggerAtOrBelowFloor)
    #expect(contradiction.source?.description == "e.yaml:8:26")
    #expect(contradiction.otherSource?.description == "e.yaml:4:20")
    #expect(
      contradiction.description.hasPrefix(
        "e.yaml:8:26: error: rule 'drop-empty' can never fire on this filesystem of 2.00GiB"))
    #expect(contradiction.description.contains("(at e.yaml:4:20)"))
    #expect(contradiction.description.contains("5% (102.40MiB)"))
    // On 10 GiB, 5 % is 512 MiB: above the floor, no contradiction.
    #expect(policy.contradictions(totalBytes: 10 << 30).isEmpty)
  }

  @Test("a goal in percent below a trigger in bytes: it would fire and be done at once")
  func goalBelowTrigger() throws {
    let yaml = """
      version: 1
      name: g
      rules:
        - name: r
          when:
            unallocated-below: 1GiB
          select:
            type: data
          until:
            unallocated-above: 10%
      """
    let policy = try PolicyLoader().load(yaml: yaml, file: "g.yaml")
    let found = policy.contradictions(totalBytes: 5 << 30)
    #expect(found.map(\.kind) == [.goalBelowTrigger])
    #expect(found.first?.source?.description == "g.yaml:10:26")
    #expect(found.first?.otherSource?.description == "g.yaml:6:26")
    #expect(policy.contradictions(totalBytes: 20 << 30).isEmpty)
  }

  @Test("plan notes the contradiction instead of the floor")
  func planNotes() throws {
    let policy = try PolicyLoader().load(yaml: floorAboveTrigger, file: "e.yaml")
    let layout = SimulationFixtures.layout(
      [.data(0, of: 256), .data(200, of: 256)], unallocated: 8)
    let plan = try Planner(policy: policy, policyDigest: "d").plan(for: layout, at: Date())
    #expect(plan.notes.contains { $0.hasPrefix("e.yaml:8:26: error: rule 'drop-empty'") })
    #expect(!plan.notes.contains { $0.contains("is below min-unallocated") })
  }
}
