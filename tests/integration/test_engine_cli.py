"""falco-apid's Falco command line over the generated basic.scap: -t, -T,
-D, -A, -o priority, json_output and its include options,
time_format_iso_8601, -r DIRECTORY, -V, -L, and the errors for a missing
rules file and an unreadable capture. Every run's summary must agree with
its alert lines.
"""

import os
import shutil
import subprocess
import unittest

from engine_testlib import BUILD_DIR, EngineTest, capture, evt_time_text, fixture

# engine_cli.yaml over basic.scap: (evt.num, priority, rule, output)
CAT = [(7, "Error", "cat_started", "cat 1210"), (21, "Error", "cat_started", "cat 1211"),
       (157, "Error", "cat_started", "cat 3010")]
SH = [(31, "Warning", "sh_started", "sh 1220"), (133, "Warning", "sh_started", "sh 1300")]
TEE = [(145, "Critical", "tee_started_untagged", "tee 1301")]
CURL = [(171, "Debug", "curl_started", "curl 3020")]
# only with -A
SIMPLE = [(97, "Notice", "simple_consumer_events", "simple stat x*y?[z]"),
          (115, "Notice", "simple_consumer_events", "simple mmap python3.11"),
          (124, "Notice", "simple_consumer_events", "simple futex python3.11"),
          (200, "Notice", "simple_consumer_events", "simple stat nginx"),
          (202, "Notice", "simple_consumer_events", "simple stat nginx")]
TAGS = {"cat_started": ["files", "red"], "sh_started": ["shell", "red"], "curl_started": ["net"],
        "tee_started_untagged": [], "simple_consumer_events": ["simple"]}
SEVERITY = {"Error": "ERROR", "Warning": "WARNING", "Critical": "CRITICAL", "Debug": "DEBUG", "Notice": "NOTICE"}


def text(expected):
    return ["%s: %s %s" % (evt_time_text(n), p, o) for n, p, _, o in sorted(expected)]


def summary(expected):
    sev, rules = {}, {}
    for _, p, rule, _ in expected:
        sev[SEVERITY[p]] = sev.get(SEVERITY[p], 0) + 1
        rules[rule] = rules.get(rule, 0) + 1
    return len(expected), sev, rules


class CliTest(EngineTest):

    def setUp(self):
        self.rules = fixture("engine_cli.yaml")

    def expect(self, args, expected):
        r = self.run_ok(self.rules, args=args)
        self.assertEqual(r.alerts, text(expected), r.describe())
        self.assertEqual(r.summary(), summary(expected), r.describe())
        return r

    # -- selection ----------------------------------------------------------

    def test_all_rules(self):
        self.expect([], CAT + SH + TEE + CURL)

    def test_all_events_flag(self):
        # futex, mmap and stat are EF_DROP_SIMPLE_CONS: skipped unless -A
        self.expect(["-A"], CAT + SH + TEE + CURL + SIMPLE)

    def test_enable_tags(self):
        self.expect(["-t", "red"], CAT + SH)
        self.expect(["-t", "net", "-t", "shell"], SH + CURL)
        self.expect(["-t", "nosuchtag"], [])

    def test_disable_tags(self):
        self.expect(["-T", "red"], TEE + CURL)
        self.expect(["-T", "files", "-T", "net"], SH + TEE)
        self.expect(["-T", "simple", "-A"], CAT + SH + TEE + CURL)

    def test_disable_by_substring(self):
        self.expect(["-D", "_started"], [])
        self.expect(["-D", "t_st"], SH + TEE + CURL)  # inside "cat_started" only
        self.expect(["-D", "cat"], SH + TEE + CURL)
        self.expect(["-D", "sh_", "-D", "untagged"], CAT + CURL)
        self.expect(["-D", "nomatch"], CAT + SH + TEE + CURL)

    def test_enable_and_disable_tags_conflict(self):
        for args in (["-t", "red", "-T", "shell"], ["-t", "red", "-D", "cat"]):
            with self.subTest(args=args):
                r = self.run_engine(self.rules, args=args)
                self.assertEqual(r.rc, 1, r.describe())
                self.assertIn("You can not specify both disabled (-D/-T) and enabled (-t) rules", r.stderr)

    def test_priority_threshold(self):
        self.expect(["-o", "priority=error"], CAT + TEE)
        self.expect(["-o", "priority=critical"], TEE)
        self.expect(["-o", "priority=warning"], CAT + SH + TEE)
        self.expect(["-o", "priority=notice", "-A"], CAT + SH + TEE + SIMPLE)
        self.expect(["-o", "priority=debug"], CAT + SH + TEE + CURL)

    # -- output formats -------------------------------------------------------

    def json_run(self, args, expected):
        r = self.run_ok(self.rules, args=["-o", "json_output=true"] + list(args))
        got = r.json_alerts()
        self.assertEqual(len(got), len(expected), r.describe())
        self.assertEqual(r.summary(), summary(expected), r.describe())
        return r, got

    def test_json_output(self):
        r, got = self.json_run([], CAT + SH + TEE + CURL)
        for (n, prio, rule, out), a in zip(sorted(CAT + SH + TEE + CURL), got):
            self.assertEqual(list(a.keys()),
                             ["output", "priority", "rule", "source", "tags", "time", "output_fields"], a)
            self.assertEqual(a["output"], "%s: %s %s" % (evt_time_text(n), prio, out))
            self.assertEqual(a["priority"], prio)
            self.assertEqual(a["rule"], rule)
            self.assertEqual(a["source"], "syscall")
            # Falco keeps tags in a set: sorted
            self.assertEqual(a["tags"], sorted(TAGS[rule]))
            ns = (n - 1) * 1000
            self.assertEqual(a["time"], "2022-03-01T00:00:00.%09dZ" % ns)
            self.assertEqual(a["output_fields"]["evt.time"], 1646092800000000000 + ns)
            self.assertIsInstance(a["output_fields"]["proc.pid"], int)
            self.assertEqual(a["output_fields"]["proc.pid"], int(out.split()[-1]))
            self.assertEqual(sorted(a["output_fields"]), ["evt.time", "proc.pid"])

    def test_json_without_output_property(self):
        r, got = self.json_run(["-o", "json_include_output_property=false", "-t", "red"], CAT + SH)
        for a in got:
            self.assertNotIn("output", a)
            self.assertEqual(sorted(a), ["output_fields", "priority", "rule", "source", "tags", "time"])

    def test_json_without_tags_property(self):
        r, got = self.json_run(["-o", "json_include_tags_property=false", "-t", "red"], CAT + SH)
        for a in got:
            self.assertNotIn("tags", a)
            self.assertEqual(sorted(a), ["output", "output_fields", "priority", "rule", "source", "time"])

    def test_json_escaping(self):
        path = self.rules_file(
            "- rule: j\n  desc: d\n"
            "  condition: evt.type in (read, execve) and evt.dir = < and proc.name in (cc1, \"caf\u00e9\")\n"
            "  output: '%proc.name said \"%evt.buffer\" cmd=%proc.cmdline'\n  priority: INFO\n")
        r = self.run_ok(path, args=["-A", "-o", "json_output=true"])
        got = r.json_alerts()
        self.assertEqual([a["output"] for a in got], [
            evt_time_text(62) + ': Informational cc1 said "<NA>" cmd=cc1 -quiet main.c -o /tmp/ccA1b2C3.s',
            evt_time_text(66) + ': Informational cc1 said "#include <stdio.h>.int main(void) { puts(\"hi\"); '
                                'return 0; }." cmd=cc1 -quiet main.c -o /tmp/ccA1b2C3.s',
            evt_time_text(103) + ': Informational caf\u00e9 said "<NA>" cmd=caf\u00e9 -v',
        ], r.describe())
        self.assertEqual(got[1]["output_fields"]["evt.buffer"],
                         '#include <stdio.h>.int main(void) { puts("hi"); return 0; }.')
        self.assertEqual(got[2]["output_fields"]["proc.cmdline"], "caf\u00e9 -v")
        self.assertEqual(got[2]["tags"], [])

    def test_text_time_is_local(self):
        r = self.run_ok(self.rules, args=["-t", "net"], tz="Asia/Tokyo")
        self.assertEqual(r.alerts, ["09:00:00.000170000: Debug curl 3020"], r.describe())

    def test_time_format_iso_8601(self):
        want = ["2022-03-01T00:00:00.%09d+0000: %s %s" % ((n - 1) * 1000, p, o)
                for n, p, _, o in sorted(SH + CURL)]
        for tz in ("UTC", "Asia/Tokyo"):
            with self.subTest(tz=tz):
                r = self.run_ok(self.rules, args=["-t", "shell", "-t", "net", "-o", "time_format_iso_8601=true"],
                                tz=tz)
                self.assertEqual(r.alerts, want, r.describe())
        r, got = self.json_run(["-t", "net", "-o", "time_format_iso_8601=true"], CURL)
        self.assertEqual(got[0]["output"], "2022-03-01T00:00:00.000170000+0000: Debug curl 3020")
        self.assertEqual(got[0]["time"], "2022-03-01T00:00:00.000170000Z")

    # -- rules from a directory -------------------------------------------------

    def test_rules_directory_in_name_order(self):
        d = os.path.join(self.tmp, "rules.d")
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d)
        # written in reverse order, so directory order is not name order
        files = [
            ("30-toggle.yaml", "- rule: dir_rule\n  enabled: true\n"),
            ("20-append.yaml", "- rule: dir_rule\n  condition: and proc.name = cat\n  append: true\n"
                               "- list: dir_list\n  items: [make]\n  append: true\n"),
            ("10-base.yaml", "- list: dir_list\n  items: [tee]\n"
                             "- rule: dir_rule\n  desc: d\n  condition: evt.type = execve and evt.dir = <\n"
                             "  output: \"dir %proc.name %proc.pid\"\n  priority: WARNING\n  enabled: false\n"
                             "- rule: dir_list_rule\n  desc: d\n"
                             "  condition: evt.type = execve and evt.dir = < and proc.name in (dir_list)\n"
                             "  output: \"list %proc.name\"\n  priority: INFO\n"),
        ]
        for name, body in files:
            with open(os.path.join(d, name), "w") as f:
                f.write(body)
        r = self.run_ok(d)
        self.assertEqual(r.alerts, [
            "%s: Warning dir cat 1210" % evt_time_text(7),
            "%s: Warning dir cat 1211" % evt_time_text(21),
            "%s: Informational list make" % evt_time_text(50),
            "%s: Informational list tee" % evt_time_text(145),
            "%s: Warning dir cat 3010" % evt_time_text(157),
        ], r.describe())
        self.assertEqual(r.summary(), (5, {"WARNING": 3, "INFO": 2}, {"dir_rule": 3, "dir_list_rule": 2}))

    def test_rules_directory_error_names_the_file(self):
        d = os.path.join(self.tmp, "bad.d")
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d)
        with open(os.path.join(d, "a.yaml"), "w") as f:
            f.write("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n")
        with open(os.path.join(d, "b.yaml"), "w") as f:
            f.write("- rule: r\n  condition: and proc.name = x\n  append: true\n"
                    "- macro: m\n  condition: and x\n  append: true\n")
        r = self.run_fail(d)
        self.assert_error(r, os.path.join(d, "b.yaml"), 4, "macro 'm'", "no macro by that name")

    # -- -V and -L ----------------------------------------------------------------

    def test_validate(self):
        r = self.run_engine(cap=False, args=["-V", self.rules])
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(r.stdout.strip().splitlines()[-1], "Ok", r.describe())
        bad = self.rules_file("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: SEVERE\n")
        r = self.run_engine(cap=False, args=["-V", bad])
        self.assertEqual(r.rc, 1, r.describe())
        self.assertNotIn("Ok", r.stdout)
        self.assert_error(r, bad, 5, "rule 'r'", "Invalid priority level: SEVERE")
        # several -V: one bad file fails the whole validation
        r = self.run_engine(cap=False, args=["-V", self.rules, "-V", bad])
        self.assertEqual(r.rc, 1, r.describe())

    def test_list_rules(self):
        r = self.run_engine(self.rules, cap=False, args=["-L"])
        self.assertEqual(r.rc, 0, r.describe())
        rows = {l.split()[0]: l.split(None, 1)[1] for l in r.lines[2:] if l.strip()}
        self.assertEqual(rows, {"cat_started": "cat was started", "sh_started": "sh was started",
                                "curl_started": "curl was started", "tee_started_untagged": "tee was started",
                                "simple_consumer_events": "events Falco skips unless -A"}, r.describe())

    # -- errors ---------------------------------------------------------------------

    def test_nonexistent_rules_file(self):
        missing = os.path.join(self.tmp, "no_such_rules.yaml")
        r = self.run_fail(missing)
        self.assertEqual(r.stdout, "", r.describe())
        self.assertTrue(any(missing in m for m in r.messages), r.describe())

    def test_unreadable_capture(self):
        garbage = os.path.join(self.tmp, "garbage.scap")
        with open(garbage, "wb") as f:
            f.write(b"this is not a capture file\n" * 10)
        for cap in (garbage, os.path.join(self.tmp, "no_such.scap")):
            with self.subTest(cap=cap):
                r = self.run_engine(self.rules, cap=cap)
                self.assertEqual(r.rc, 1, r.describe())
                self.assertEqual(r.alerts, [], r.describe())
                self.assertTrue(any(cap in m for m in r.messages), r.describe())

    # -- summary vs. alerts on a larger capture ----------------------------------------

    def test_summary_counts_match_sinsp_on_mix_small(self):
        # an independent oracle: fapi-capcheck counts the same filter through sinsp
        mix = capture("mix-small")
        checker = os.path.join(BUILD_DIR, "tests", "gen", "fapi-capcheck")
        self.assertTrue(os.access(checker, os.X_OK), "fapi-capcheck missing at %s" % checker)
        conds = {
            "failed_open": "evt.type = openat and evt.dir = < and evt.res != SUCCESS",
            "spawned": "evt.type = execve and evt.dir = < and proc.name in (date, ls)",
        }
        text = "".join("- rule: %s\n  desc: d\n  condition: %s\n  output: \"%s %%proc.name\"\n  priority: %s\n"
                       % (name, cond, name, prio)
                       for (name, cond), prio in zip(conds.items(), ("WARNING", "INFO")))
        r = self.run_ok(self.rules_file(text), cap=mix)
        events, sev, rules = r.summary()
        for name, cond in conds.items():
            p = subprocess.run([checker, "-c", "-F", cond, mix], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            n = int(p.stdout.split()[-1])
            self.assertGreater(n, 0)
            self.assertEqual(rules.get(name), n, r.describe()[:2000])
            self.assertEqual(sum(1 for b in r.bodies() if b.startswith(name + " ")), n)
        self.assertEqual(sev, {"WARNING": rules["failed_open"], "INFO": rules["spawned"]})


if __name__ == "__main__":
    unittest.main()
