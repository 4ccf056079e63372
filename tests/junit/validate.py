"""Validate a JUnit XML file against an XSD. Exit 0 valid, 1 invalid, 3 validator missing."""
import sys

try:
    import xmlschema
except ImportError:
    sys.exit(3)

schema = xmlschema.XMLSchema(sys.argv[1])
errors = list(schema.iter_errors(sys.argv[2]))
for e in errors[:10]:
    print(e.reason, "at", e.path)
sys.exit(1 if errors else 0)
