/// The kinds of filesystem the corpus benchmark builds: the hard cases of real life (several
/// devices of unequal size, dup, mixed block groups, nearly full, one light block group among full
/// ones, many small files, compressed, reflinked and preallocated extents), a plain one, and the
/// multi-device cases of a device added to a filled filesystem (spread; converted to raid1), each
/// small enough that the whole corpus runs in minutes.
enum CorpusKinds {
  /// Bash functions every script may use: `write FILE BYTES` (incompressible data), `text FILE
  /// BYTES` (compressible text), and `thin PREFIX COUNT` (deletes a deterministic share of
  /// `PREFIX0 … PREFIX<COUNT-1>`, the share kept varying from region to region, as
  /// `ScratchImage.fragment` does). `thin` commits first: a file deleted before writeback took
  /// no space at all, and the files kept would be written side by side, so how fragmented an
  /// image came out depended on whether the kernel's flusher had run (the same kind measured
  /// data block groups used 100, 100 and 88 % in one run, 0, 50, 100 and 41 % in the next).
  static let prelude = """
    write() { head -c "$2" /dev/urandom > "$1"; }
    text() {
      local bytes=$(numfmt --from=iec "$2")
      head -c $(( bytes * 3 / 4 )) /dev/urandom | base64 -w 100 | head -c "$bytes" > "$1"
    }
    thin() {
      local keep=(5 60 20 90 35 10 75) i
      btrfs filesystem sync "$M" >/dev/null
      for ((i = 0; i < $2; i++)); do
        if (( (i * 37 + 11) % 100 >= keep[i * 7 / $2] )); then rm -rf "$1$i"; fi
      done
      btrfs filesystem sync "$M" >/dev/null
    }

    """

  /// Every kind, in the order the benchmark runs them.
  static let all: [CorpusKind] = [
    CorpusKind(
      name: "single", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      script: "for ((i = 0; i < 150; i++)); do write $M/f$i 8M; done\nthin $M/f 150"),
    CorpusKind(
      name: "dup", deviceSizes: ["3G"], mkfsArguments: ["-d", "dup", "-m", "dup"],
      script: "for ((i = 0; i < 80; i++)); do write $M/f$i 8M; done\nthin $M/f 80"),
    CorpusKind(
      name: "raid1-unequal", deviceSizes: ["1G", "1536M", "2560M"],
      mkfsArguments: ["-d", "raid1", "-m", "raid1"],
      script: "for ((i = 0; i < 110; i++)); do write $M/f$i 8M; done\nthin $M/f 110"),
    CorpusKind(
      name: "raid10", deviceSizes: ["1280M", "1280M", "1280M", "1280M"],
      mkfsArguments: ["-d", "raid10", "-m", "raid10"],
      script: "for ((i = 0; i < 120; i++)); do write $M/f$i 8M; done\nthin $M/f 120"),
    CorpusKind(
      name: "mixed", deviceSizes: ["1G"], mkfsArguments: ["--mixed"], dataChunkSize: nil,
      script: "for ((i = 0; i < 120; i++)); do write $M/f$i 4M; done\nthin $M/f 120"),
    CorpusKind(
      name: "nearly-full", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      script: """
        # Each file is fsync'd, so that ENOSPC ends the loop at the write that meets it: left to
        # writeback it came at a file that varied from build to build, and with the file count
        # the share thin keeps.
        for ((i = 0; i < 400; i++)); do
          { write $M/f$i 8M && sync $M/f$i; } 2>/dev/null || { rm -f $M/f$i; break; }
        done
        btrfs filesystem sync $M
        thin $M/f $i
        """),
    CorpusKind(
      name: "one-light-bg", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      script: """
        for ((i = 0; i < 760; i++)); do write $M/f$i 1M; done
        btrfs filesystem sync $M
        for ((i = 0; i < 20; i++)); do write $M/s$i 64K; done
        btrfs filesystem sync $M
        for ((i = 760; i < 860; i++)); do write $M/f$i 1M; done
        btrfs filesystem sync $M
        for ((i = 0; i < 20; i += 2)); do rm $M/s$i; done
        for ((i = 0; i < 60; i += 2)); do rm $M/f$i; done
        btrfs filesystem sync $M
        """),
    CorpusKind(
      name: "many-small-files", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      script: """
        /usr/bin/python3 - "$M" <<'PY'
        import os, random, sys
        random.seed(9)
        root = sys.argv[1]
        for d in range(40):
            os.mkdir(f"{root}/d{d}")
            for f in range(300):
                with open(f"{root}/d{d}/f{f}", "wb") as out:
                    out.write(os.urandom(random.choice([4, 8, 16, 32, 64, 96, 200]) * 1024))
        PY
        btrfs filesystem sync $M
        for ((d = 0; d < 40; d++)); do
          for ((f = d % 3; f < 300; f += 2)); do rm $M/d$d/f$f; done
        done
        thin $M/d 40
        """),
    CorpusKind(
      name: "compressed", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      populateOptions: "compress=zstd",
      script: "for ((i = 0; i < 120; i++)); do text $M/f$i 8M; done\nthin $M/f 120"),
    CorpusKind(
      name: "reflinked", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      script: """
        for ((i = 0; i < 90; i++)); do write $M/f$i 8M; done
        for ((i = 0; i < 90; i++)); do cp --reflink=always $M/f$i $M/c$i; done
        for ((i = 0; i < 90; i += 3)); do rm $M/c$i; done
        thin $M/f 90
        """),
    CorpusKind(
      name: "preallocated", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      script: """
        for ((i = 0; i < 130; i++)); do fallocate -l 8M $M/f$i; done
        for ((i = 0; i < 130; i += 2)); do
          dd if=/dev/urandom of=$M/f$i bs=1M count=3 conv=notrunc status=none
        done
        thin $M/f 130
        """),
    // Multi-device: an empty device added to a filled one, then spread; and converted to raid1.
    CorpusKind(
      name: "spread-added", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      script: "for ((i = 0; i < 260; i++)); do write $M/f$i 8M; done\nthin $M/f 260",
      deviceChange: DeviceChange(
        addedDeviceSizes: ["3G"],
        rule: "    select: { type: data }\n    spread-within: 256MiB", peerFilters: ["-d"])),
    CorpusKind(
      name: "spread-kernel-chunks", deviceSizes: ["2G"],
      mkfsArguments: ["-d", "single", "-m", "dup"], dataChunkSize: nil,
      script: "for ((i = 0; i < 12; i++)); do write $M/f$i 100M; btrfs filesystem sync $M; done",
      deviceChange: DeviceChange(
        addedDeviceSizes: ["2G"],
        rule: "    select: { type: data }\n    spread-within: 208MiB", peerFilters: ["-d"])),
    CorpusKind(
      name: "raid1-after-add", deviceSizes: ["3G"], mkfsArguments: ["-d", "single", "-m", "dup"],
      script: "for ((i = 0; i < 150; i++)); do write $M/f$i 8M; done\nthin $M/f 150",
      deviceChange: DeviceChange(
        addedDeviceSizes: ["3G"], rule: "    select: { type: data }\n    convert: raid1",
        peerFilters: ["-dconvert=raid1,soft"])),
  ]
}
