"""Prints a PNG's width, height and its pixels' colours with their counts, as JSON.

Test support for the SVG picture tests (a screenshot taken by headless Chromium): decodes 8-bit
RGB or RGBA PNGs, non-interlaced, with the standard library only.
"""
import json
import struct
import sys
import zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
position, idat = 8, b""
while position < len(data):
    length, kind = struct.unpack(">I4s", data[position:position + 8])
    body = data[position + 8:position + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    position += 12 + length
assert depth == 8 and colour_type in (2, 6) and interlace == 0, "unsupported PNG"
channels = 3 if colour_type == 2 else 4
raw = zlib.decompress(idat)
stride = width * channels
previous = bytearray(stride)
colours = {}
for row in range(height):
    start = row * (stride + 1)
    kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        upper_left = previous[i - channels] if i >= channels else 0
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 2:
            line[i] = (line[i] + up) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - upper_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
            line[i] = (line[i] + predictor) & 255
    for i in range(0, stride, channels):
        key = "#%02x%02x%02x" % (line[i], line[i + 1], line[i + 2])
        colours[key] = colours.get(key, 0) + 1
    previous = line
print(json.dumps({"width": width, "height": height, "colours": colours}))
