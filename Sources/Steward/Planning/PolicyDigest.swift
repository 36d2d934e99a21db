/// How a plan names the policy it was made from: the 64-bit FNV-1a hash of the policy file's bytes,
/// as `fnv1a64:<16 hex digits>`. It changes with any edit to the file (comments included) and never
/// otherwise, across versions and machines, so the executor can tell that a journaled plan belongs to
/// the policy file it is given. It detects changes; it is not a cryptographic digest and does not
/// guard against a file crafted to collide.
public enum PolicyDigest {
  /// The digest of a policy file's bytes.
  public static func of(_ fileContents: some Collection<UInt8>) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in fileContents {
      hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    let hex = String(hash, radix: 16)
    return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
  }
}
