/// How a plan names the policy it was made from: the SHA-256 of the policy file's bytes, as
/// `sha256:<64 hex digits>`. It changes with any edit to the file (comments included) and never
/// otherwise, across versions and machines, so the executor can tell that a journaled plan belongs to
/// the policy file it is given.
public enum PolicyDigest {
  /// The digest of a policy file's bytes.
  public static func of(_ fileContents: some Collection<UInt8>) -> String {
    "sha256:"
      + SHA256.digest(fileContents).map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
      }.joined()
  }
}
