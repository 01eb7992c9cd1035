"""Corrupted captures: replaying a capture whose bytes were flipped or cut
short must end in an error exit or a normal one, never in a crash signal
and never in a sanitizer report (under the ASan+UBSan build, where FAPI_BIN
is the instrumented daemon).

The corrupted copies come from the generated captures and Falco's own
(../shared/falco-0.31.1/captures, gzip; decompressed first so that the
corruption reaches the events rather than the deflate stream). Every copy is
derived with a fixed seed, so a failure names a reproducible file. The rules
use every shortcut of the syscall bridge that reads event parameters itself
(evt.arg.NAME contains on flags, bcontains/bstartswith on evt.buffer) plus
evt.type/evt.dir/evt.is_open_* and outputs that format many fields.
"""

import gzip
import os
import random
import struct
import unittest

import engine_testlib as lib

RULES = r"""
- rule: flags_shortcut
  desc: evt.arg.flags contains, answered from the flag table
  condition: evt.type in (open, openat, openat2) and evt.dir = < and evt.arg.flags contains O_RDONLY
  output: "flags %evt.arg.flags %fd.name %proc.cmdline %evt.args"
  priority: WARNING
- rule: buffer_shortcut
  desc: bcontains / bstartswith on the raw data parameter
  condition: evt.type in (read, write) and (evt.buffer bcontains 2f6574632f or evt.buffer bstartswith 7f454c46)
  output: "buffer %evt.buffer %fd.name %proc.name %evt.args"
  priority: WARNING
- rule: open_read
  desc: the open flag fields
  condition: evt.is_open_read = true and not fd.name startswith /proc
  output: "open %fd.name %proc.aname[2] %user.name %container.id %evt.args"
  priority: NOTICE
- rule: anything_else
  desc: every other event, formatted
  condition: evt.dir = > and proc.name != ""
  output: "evt %evt.type %evt.num %proc.exepath %proc.pname %fd.num %evt.args"
  priority: DEBUG
"""

BLOCK_EVENT_TYPES = {0x204, 0x216, 0x221, 0x208, 0x217, 0x222}
FLAGGED = {0x208, 0x217, 0x222}
LARGE = {0x221, 0x222}
SANITIZER_MARKERS = ("AddressSanitizer", "runtime error:", "LeakSanitizer", "UndefinedBehaviorSanitizer")


def scap_blocks(data):
    """(offset, type, total_length) of each well-formed block."""
    out, off = [], 0
    while off + 8 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if blen < 12 or off + blen > len(data):
            break
        out.append((off, btype, blen))
        off += blen
    return out


def event_fields(data, off, btype):
    """Offsets of an event block's header fields: len, type, nparams, lens."""
    p = off + 8 + 2 + (4 if btype in FLAGGED else 0)  # block header, cpuid, flags
    return {"len": p + 16, "type": p + 20, "nparams": p + 22, "lens": p + 26,
            "lensize": 4 if btype in LARGE else 2}


def corrupt(data, rng, kind):
    """One corrupted copy of a plain scap capture."""
    buf = bytearray(data)
    events = [b for b in scap_blocks(data) if b[1] in BLOCK_EVENT_TYPES]
    if kind == "truncate":
        start = events[0][0] if events and rng.random() < 0.8 else 0
        return bytes(buf[:rng.randrange(start, len(buf))])
    if kind == "flip":
        start = events[0][0] if events else 0
        for _ in range(24):
            i = rng.randrange(start, len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        return bytes(buf)
    for off, btype, blen in rng.sample(events, min(len(events), 24)):
        f = event_fields(buf, off, btype)
        if kind == "lens":
            nparams = struct.unpack_from("<I", buf, f["nparams"])[0]
            if 0 < nparams < 64:
                j = f["lens"] + f["lensize"] * rng.randrange(nparams)
                big = rng.choice([0xFFFF, 0x8000, 0x1000, 0xFF, 0xFFFFFFFF])
                if f["lensize"] == 2:
                    struct.pack_into("<H", buf, j, big & 0xFFFF)
                else:
                    struct.pack_into("<I", buf, j, big)
        elif kind == "header":
            field = rng.choice(["len", "type", "nparams"])
            if field == "len":
                struct.pack_into("<I", buf, f["len"], rng.choice([0, 1, 26, blen * 4, 0x7FFFFFFF]))
            elif field == "type":
                struct.pack_into("<H", buf, f["type"], rng.randrange(0, 0x10000))
            else:
                struct.pack_into("<I", buf, f["nparams"], rng.choice([0, 1, 7, 200, 0xFFFFFFFF]))
    return bytes(buf)


def sources():
    """(name, plain bytes) of every capture to corrupt."""
    out = [("basic", lib.capture("basic")), ("shadow-small", lib.capture("shadow-small"))]
    shared = os.environ.get("FAPI_SHARED_DIR", "")
    falco = []
    for name in ("cat_write", "open-multiple-files", "syscall"):
        path = os.path.join(shared, "captures", name + ".scap")
        if shared and os.path.isfile(path):
            falco.append((name, path))
    blobs = []
    for name, path in out + falco:
        with open(path, "rb") as f:
            raw = f.read()
        blobs.append((name, gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw))
    return blobs, bool(falco)


class CorruptCaptureTest(lib.EngineTest):
    # Per capture and kind; kept small so that the normal suite stays fast.
    COPIES = int(os.environ.get("FAPI_CORRUPT_COPIES", "3"))

    def test_corrupted_captures_never_crash(self):
        rules = self.rules_file(RULES)
        blobs, have_falco = sources()
        if not have_falco:
            print("Falco's captures are absent (FAPI_SHARED_DIR): only generated captures are corrupted")
        failures, runs, refused = [], 0, 0
        for name, data in blobs:
            self.assertTrue(scap_blocks(data), "%s does not parse as scap blocks" % name)
            for kind in ("lens", "header", "flip", "truncate"):
                for i in range(self.COPIES):
                    rng = random.Random("%s/%s/%d" % (name, kind, i))
                    path = os.path.join(self.tmp, "%s-%s-%d.scap" % (name, kind, i))
                    with open(path, "wb") as f:
                        f.write(corrupt(data, rng, kind))
                    r = self.run_engine(rules, cap=path, timeout=120)
                    runs += 1
                    bad = r.rc < 0 or any(m in r.stderr for m in SANITIZER_MARKERS)
                    refused += kind == "lens" and r.rc == 1 and "is malformed" in r.stderr
                    if bad:
                        failures.append("%s: exit %s\n%s" % (path, r.rc, r.stderr[-3000:]))
                    else:
                        os.unlink(path)
        self.assertGreater(runs, 0)
        self.assertEqual(failures, [], "\n\n".join(failures))
        # Parameter lengths that no longer add up to the event length are
        # refused before libsinsp reads them, naming the block's offset.
        self.assertGreater(refused, 0)

    def test_corruption_reaches_the_events(self):
        """The copies differ from the original inside event blocks, so the
        test exercises the event readers and not only the file header."""
        blobs, _ = sources()
        name, data = blobs[0]
        events = [b for b in scap_blocks(data) if b[1] in BLOCK_EVENT_TYPES]
        self.assertGreater(len(events), 10, name)
        first_event = events[0][0]
        for kind in ("lens", "header", "flip"):
            copy = corrupt(data, random.Random("probe/%s" % kind), kind)
            self.assertEqual(len(copy), len(data))
            diff = [i for i in range(len(data)) if copy[i] != data[i]]
            self.assertTrue(diff and min(diff) >= first_event, kind)
        cut = corrupt(data, random.Random("probe/truncate"), "truncate")
        self.assertLess(len(cut), len(data))


if __name__ == "__main__":
    unittest.main()
