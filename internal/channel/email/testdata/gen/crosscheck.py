#!/usr/bin/env python3
"""Cross-check the corpus with a second parser (Python's email package).

For every testdata/corpus/NAME.eml, decode Subject and From with Python and
compare them with NAME.json. Disagreements are printed; some are expected
(Python does not guess charsets of raw 8-bit headers or repair lying
labels — the cases the Go parser exists for). The point is to catch a
generator that writes bytes which only our own parser "understands".

    python3 testdata/gen/crosscheck.py testdata/corpus
"""

import email
import email.policy
import glob
import json
import os
import sys

corpus = sys.argv[1] if len(sys.argv) > 1 else "testdata/corpus"
agree = differ = 0
for path in sorted(glob.glob(os.path.join(corpus, "*.eml"))):
    with open(path[:-4] + ".json", encoding="utf-8") as f:
        exp = json.load(f)
    if exp.get("parse_error"):
        continue
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    try:
        subject = str(msg["Subject"] or "")
        frm = msg["From"]
        addr = frm.addresses[0] if frm is not None and frm.addresses else None
        got = (subject, addr.addr_spec if addr else "", addr.display_name if addr else "")
    except Exception as e:  # Python gives up where Go repairs
        got = ("<error %s>" % e, "", "")
    want = (exp["subject"], exp["from_address"], exp["from_name"])
    if got == want:
        agree += 1
    else:
        differ += 1
        print(f"{os.path.basename(path)}:\n  python: {got}\n  expect: {want}")
print(f"{agree} agree, {differ} differ")
