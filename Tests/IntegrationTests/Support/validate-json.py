"""Validates a JSON document against one of btrfs-steward's schemas (docs/schemas), with Debian's
python3-jsonschema. Usage: validate-json.py SCHEMA-DIRECTORY NAME DOCUMENT [--lines]. With --lines
the document is a stream of JSON objects, one per line (run --json), each validated. Prints each
error as `[line N: ]path: message` and exits 1 when there is one.
"""
import glob
import json
import os
import sys

import jsonschema

directory, name, document = sys.argv[1:4]
lines = sys.argv[4:5] == ["--lines"]
store = {}
for path in glob.glob(os.path.join(directory, "*.schema.json")):
    with open(path) as file:
        schema = json.load(file)
    store[schema["$id"]] = schema
schema = store["https://btrfs-steward.example.org/schemas/%s.schema.json" % name]
# RefResolver, deprecated in jsonschema 4.18 for the `referencing` package, is what Debian 12's
# jsonschema 4.10 has.
validator = jsonschema.Draft202012Validator(
    schema,
    resolver=jsonschema.RefResolver.from_schema(schema, store=store),
    format_checker=jsonschema.FormatChecker(),
)
with open(document) as file:
    if lines:
        instances = [json.loads(line) for line in file if line.strip()]
    else:
        instances = [json.load(file)]
failed = False
for number, instance in enumerate(instances, 1):
    prefix = "line %d: " % number if lines else ""
    for error in sorted(validator.iter_errors(instance), key=str):
        failed = True
        print(prefix + "/".join(str(part) for part in error.absolute_path) + ": " + error.message)
sys.exit(1 if failed else 0)
