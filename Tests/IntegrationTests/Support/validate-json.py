"""Validates a JSON document against one of btrfs-steward's schemas (docs/schemas), with Debian's
python3-jsonschema. Usage: validate-json.py SCHEMA-DIRECTORY NAME DOCUMENT. Prints each error as
`path: message` and exits 1 when there is one.
"""
import glob
import json
import os
import sys

import jsonschema

directory, name, document = sys.argv[1:4]
store = {}
for path in glob.glob(os.path.join(directory, "*.schema.json")):
    with open(path) as file:
        schema = json.load(file)
    store[schema["$id"]] = schema
schema = store["https://btrfs-steward.example.org/schemas/%s.schema.json" % name]
validator = jsonschema.Draft202012Validator(
    schema,
    resolver=jsonschema.RefResolver.from_schema(schema, store=store),
    format_checker=jsonschema.FormatChecker(),
)
with open(document) as file:
    instance = json.load(file)
errors = sorted(validator.iter_errors(instance), key=str)
for error in errors:
    print("/".join(str(part) for part in error.absolute_path) + ": " + error.message)
sys.exit(1 if errors else 0)
