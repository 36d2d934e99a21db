# Puts btrfs-steward's own man page sections (the first file, sections.mdoc) in place of the EXIT
# STATUS section that swift-argument-parser's generate-manual writes (the second file), and drops
# a SEE ALSO section of the generated page (sections.mdoc has its own). An empty line of the
# generated page (a paragraph break of a discussion) becomes the paragraph macro groff expects.
FNR == NR { sections = sections $0 "\n"; next }
/^\.Sh / {
  skipping = 0
  if ($0 ~ /^\.Sh "?EXIT STATUS"?$/) { printf "%s", sections; skipping = 1; next }
  if ($0 ~ /^\.Sh "?SEE ALSO"?$/) { skipping = 1; next }
}
skipping { next }
/^$/ { print ".Pp"; next }
{ print }
