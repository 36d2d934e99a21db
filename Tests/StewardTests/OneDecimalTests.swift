import Steward
import Testing

@Suite("one decimal")
struct OneDecimalTests {
  @Test(
    "tenths, rounded, with no grouping and a point whatever the locale",
    arguments: [
      (22.5, "22.5"), (0, "0.0"), (0.04, "0.0"), (0.05, "0.1"), (99.96, "100.0"),
      (1234.56, "1234.6"), (-0.3, "-0.3"), (-0.04, "0.0"), (-2.25, "-2.3"),
    ])
  func tenths(_ value: Double, _ text: String) {
    #expect(oneDecimal(value) == text)
  }

  @Test("values it cannot write as tenths are written as Swift writes them")
  func outOfRange() {
    #expect(oneDecimal(.infinity) == "inf")
    #expect(oneDecimal(.nan) == "nan")
    #expect(oneDecimal(1e16) == "1e+16")
  }
}
