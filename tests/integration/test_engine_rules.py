"""The rules language over the generated basic.scap: macro and list
expansion, appends, overwrites, enabled, exceptions,
skip-if-unknown-filter, and every documented load error (exit 1 and a
message naming file, line and item).

Fixtures: tests/fixtures/rules/engine_*.yaml; error cases are written inline
so that their line numbers are next to the assertion.
"""

import unittest

from engine_testlib import EngineTest, evt_time_text, fixture


def alert(num, prio, text):
    return "%s: %s %s" % (evt_time_text(num), prio, text)


class ExpansionTest(EngineTest):

    def test_lists_and_macros_nested(self):
        # fapi_tools = [sh, "my proc", tee] through two levels of lists; the
        # macro chain selects execve exits; cron's children are excluded.
        r = self.run_ok(fixture("engine_lists_macros.yaml"))
        self.assertEqual(r.alerts, [
            alert(31, "Warning", "tool sh pid=1220"),
            alert(83, "Warning", "tool my proc pid=1240"),
        ], r.describe())
        self.assertEqual(r.summary(), (2, {"WARNING": 2}, {"tool_spawned": 2}))
        self.assertEqual(r.messages, [], r.describe())

    def test_append_list_macro_rule(self):
        # list append adds cat (7, 21, 157); macro append keeps alice's
        # processes only (drops 157, root in a container); rule append drops 21.
        r = self.run_ok([fixture("engine_lists_macros.yaml"), fixture("engine_lists_macros_append.yaml")])
        self.assertEqual(r.alerts, [
            alert(7, "Warning", "tool cat pid=1210"),
            alert(31, "Warning", "tool sh pid=1220"),
            alert(83, "Warning", "tool my proc pid=1240"),
        ], r.describe())
        self.assertEqual(r.summary(), (3, {"WARNING": 3}, {"tool_spawned": 3}))

    def test_append_in_same_file_after_use(self):
        path = self.rules_file(
            "- list: l_inner\n  items: [tee]\n"
            "- list: l_outer\n  items: [l_inner]\n"
            "- macro: m_inner\n  condition: evt.type = execve\n"
            "- macro: m_outer\n  condition: m_inner and evt.dir = <\n"
            "- rule: r\n  desc: d\n  condition: m_outer and proc.name in (l_outer)\n"
            "  output: \"r %proc.name %proc.pid\"\n  priority: INFO\n"
            "- list: l_inner\n  items: [curl]\n  append: true\n"
            "- macro: m_inner\n  condition: and container.id != host\n  append: true\n")
        r = self.run_ok(path)
        self.assertEqual(r.alerts, [alert(171, "Informational", "r curl 3020")], r.describe())

    def test_append_is_textual_and_exceptions_wrap_condition(self):
        # Falco appends " " + condition: "A or B and cat" is "A or (B and cat)";
        # exceptions wrap the whole condition: "(A or B) and not exc".
        path = self.rules_file(
            "- rule: r_or\n  desc: d\n"
            "  condition: evt.type = execve and evt.dir = < and proc.name = tee or"
            " evt.type = execve and evt.dir = < and proc.name = cat\n"
            "  output: \"or %proc.name %proc.pid\"\n  priority: INFO\n"
            "  exceptions:\n    - name: no_tee\n      fields: [proc.name]\n      values:\n        - [tee]\n"
            "- rule: r_app\n  desc: d\n"
            "  condition: evt.type = openat and evt.dir = < and fd.name = /etc/hosts or"
            " evt.type = openat and evt.dir = < and fd.name startswith /etc/s\n"
            "  output: \"app %proc.name %fd.name\"\n  priority: INFO\n"
            "- rule: r_app\n  condition: and proc.name = cat\n  append: true\n")
        r = self.run_ok(path)
        self.assertEqual(r.alerts, [
            alert(7, "Informational", "or cat 1210"),
            alert(21, "Informational", "or cat 1211"),
            alert(23, "Informational", "app cat /etc/shadow"),
            alert(135, "Informational", "app sh /etc/hosts"),
            alert(157, "Informational", "or cat 3010"),
            alert(159, "Informational", "app cat /etc/shadow"),
        ], r.describe())

    def test_redefinition_resets_enabled(self):
        path = self.rules_file(
            "- rule: r\n  desc: d\n  condition: evt.type = execve and evt.dir = < and proc.name = gcc\n"
            "  output: \"first %proc.name\"\n  priority: INFO\n  enabled: false\n"
            "- rule: r\n  desc: d\n  condition: evt.type = execve and evt.dir = < and proc.name = make\n"
            "  output: \"second %proc.name\"\n  priority: INFO\n")
        r = self.run_ok(path)
        self.assertEqual(r.alerts, [alert(50, "Informational", "second make")], r.describe())

    def test_first_matching_rule_wins(self):
        # as in Falco, one event yields at most one alert: the first rule in load order
        path = self.rules_file(
            "- rule: first\n  desc: d\n  condition: evt.type = execve and evt.dir = < and proc.name = cat\n"
            "  output: \"first %proc.pid\"\n  priority: INFO\n"
            "- rule: second\n  desc: d\n  condition: evt.type = execve and evt.dir = < and proc.name in (cat, tee)\n"
            "  output: \"second %proc.pid\"\n  priority: ERROR\n")
        r = self.run_ok(path)
        self.assertEqual(r.alerts, [alert(7, "Informational", "first 1210"), alert(21, "Informational", "first 1211"),
                                    alert(145, "Error", "second 1301"), alert(157, "Informational", "first 3010")],
                         r.describe())
        self.assertEqual(r.summary(), (4, {"INFO": 3, "ERROR": 1}, {"first": 3, "second": 1}))

    def test_overwrite_enabled_and_toggles(self):
        r = self.run_ok(fixture("engine_overwrite.yaml"))
        self.assertEqual(r.alerts, [
            alert(50, "Informational", "ow_macro make"),        # list and macro redefined
            alert(57, "Warning", "toggled_on gcc"),             # enabled: true item
            alert(113, "Informational", "ow_macro python3.11"),
            alert(171, "Notice", "overwritten curl"),            # overwritten, then appended
        ], r.describe())
        ev, sev, rules = r.summary()
        self.assertEqual(rules, {"ow_macro": 2, "toggled_on": 1, "ow_rule": 1})
        self.assertEqual(sev, {"INFO": 2, "WARNING": 1, "NOTICE": 1})

    def test_overwritten_rule_desc_in_list(self):
        r = self.run_engine(fixture("engine_overwrite.yaml"), cap=False, args=["-L"])
        self.assertEqual(r.rc, 0, r.describe())
        rows = {l.split()[0]: l.split(None, 1)[1] for l in r.lines[2:] if l.strip()}
        self.assertEqual(rows["ow_rule"], "overwritten", r.describe())


class ExceptionsTest(EngineTest):

    def test_exceptions(self):
        # by_proc (list) drops 147, by_proc_file drops 39, by_container_dir
        # drops 159, by_file (list in a tuple) drops 9.
        r = self.run_ok(fixture("engine_exceptions.yaml"))
        self.assertEqual(r.alerts, [
            alert(23, "Error", "etc cat /etc/shadow"),
            alert(135, "Error", "etc sh /etc/hosts"),
        ], r.describe())
        self.assertEqual(r.summary(), (2, {"ERROR": 2}, {"etc_opened": 2}))

    def test_exception_values_appended(self):
        r = self.run_ok([fixture("engine_exceptions.yaml"), fixture("engine_exceptions_append.yaml")])
        self.assertEqual(r.alerts, [alert(135, "Error", "etc sh /etc/hosts")], r.describe())

    def test_without_exceptions_all_six(self):
        # control: the same condition without exceptions
        path = self.rules_file(
            "- rule: etc_opened\n  desc: d\n"
            "  condition: evt.type in (open, openat) and evt.dir = < and fd.name startswith /etc\n"
            "  output: \"etc %proc.name %fd.name\"\n  priority: ERROR\n")
        r = self.run_ok(path)
        self.assertEqual([l.split(": ", 1)[0] for l in r.alerts],
                         [evt_time_text(n) for n in (9, 23, 39, 135, 147, 159)], r.describe())

    def test_new_exception_appended(self):
        path = self.rules_file(
            "- rule: etc_opened\n  append: true\n  exceptions:\n"
            "    - name: by_user\n      fields: [user.name]\n      values:\n        - [root]\n")
        r = self.run_ok([fixture("engine_exceptions.yaml"), path])
        self.assertEqual(r.alerts, [alert(23, "Error", "etc cat /etc/shadow")], r.describe())


class SkipUnknownTest(EngineTest):

    def test_skip_if_unknown_filter(self):
        path = fixture("engine_skip_unknown.yaml")
        r = self.run_ok(path)
        self.assertTrue(any(m.startswith("Rule uses_unknown_field: warning (unknown-field):") for m in r.messages),
                        r.describe())
        # the skipped rule never fires, the rest of the file is loaded
        ev, sev, rules = r.summary()
        self.assertNotIn("uses_unknown_field", rules, r.describe())
        self.assertNotIn("CRITICAL", sev, r.describe())
        self.assertIn(alert(145, "Notice", "still tee"), r.alerts, r.describe())
        self.assertTrue(all(b == "still tee" for b in r.bodies()), r.describe())
        listed = self.run_engine(path, cap=False, args=["-L"])
        self.assertEqual(listed.rc, 0, listed.describe())
        self.assertEqual([l.split()[0] for l in listed.lines[2:] if l.strip()], ["still_loaded"], listed.describe())

    def test_skip_if_unknown_filter_no_shared_leaf(self):
        # the skipped rule shares no comparison with the next rule
        path = self.rules_file(
            "- rule: skipped\n  desc: d\n  condition: evt.type = open and fapi.no_such_field = x\n"
            "  output: o\n  priority: CRITICAL\n  skip-if-unknown-filter: true\n"
            "- rule: still_loaded\n  desc: d\n  condition: evt.type = execve and evt.dir = < and proc.name = tee\n"
            "  output: \"still %proc.name\"\n  priority: NOTICE\n")
        r = self.run_ok(path)
        self.assertEqual(r.alerts, [alert(145, "Notice", "still tee")], r.describe())
        self.assertEqual(r.messages, ["Rule skipped: warning (unknown-field):"], r.describe())

    def test_skip_if_unknown_filter_shared_leaf(self):
        r = self.run_ok(fixture("engine_skip_unknown.yaml"))
        self.assertEqual(r.alerts, [alert(145, "Notice", "still tee")], r.describe())
        self.assertEqual(r.summary(), (1, {"NOTICE": 1}, {"still_loaded": 1}))
        self.assertEqual(r.messages, ["Rule uses_unknown_field: warning (unknown-field):"], r.describe())

    def test_unknown_field_without_skip_is_an_error(self):
        for skip in ("", "  skip-if-unknown-filter: false\n"):
            with self.subTest(skip=skip):
                path = self.rules_file(
                    "- rule: uses_unknown_field\n  desc: d\n"
                    "  condition: evt.type = execve and fapi.no_such_field = x\n"
                    "  output: o\n  priority: INFO\n" + skip)
                r = self.run_fail(path)
                self.assert_error(r, path, 3, "rule 'uses_unknown_field'", r"Rule uses_unknown_field: error filter_check called with nonexistent field fapi\.no_such_field$")

    def test_no_evttype_warning(self):
        path = self.rules_file(
            "- rule: any_type\n  desc: d\n  condition: proc.name = tee and evt.dir = <\n"
            "  output: \"t %evt.type\"\n  priority: INFO\n"
            "- rule: quiet\n  desc: d\n  condition: proc.name = curl and evt.dir = <\n"
            "  output: \"c %evt.type\"\n  priority: INFO\n  warn_evttypes: false\n")
        r = self.run_ok(path)
        self.assertIn("Rule any_type: warning (no-evttype):", r.messages, r.describe())
        self.assertFalse(any(m.startswith("Rule quiet:") for m in r.messages), r.describe())
        # any_type sees every tee exit event the capture keeps without -A
        self.assertEqual(r.bodies()[:2], ["t execve", "t openat"], r.describe())


class LoadErrorsTest(EngineTest):
    """Each case: exit 1, nothing on stdout, and one error on stderr
    "FILE:LINE:COL: ITEM: message"."""

    RULE = "- rule: r\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"

    # Falco 0.31's own messages where it has one (its test/falco_tests*.yaml)
    CASES = [
        # name, rules text, line, item, message (regex)
        ("undefined_macro",
         "- rule: r1\n  desc: d\n  condition: evt.type = open and no_such_macro\n  output: o\n  priority: INFO\n",
         3, "rule 'r1'", r"undefined macro 'no_such_macro'"),
        ("macro_before_definition",
         "- macro: a\n  condition: b and evt.dir = <\n- macro: b\n  condition: evt.type = open\n"
         "- rule: r1\n  desc: d\n  condition: a\n  output: o\n  priority: INFO\n",
         2, "macro 'a'", r"undefined macro 'b'"),
        ("list_before_definition",
         "- list: l1\n  items: [l2, x]\n- list: l2\n  items: [y]\n"
         "- rule: r1\n  desc: d\n  condition: evt.type = open and proc.name in (l1)\n  output: o\n  priority: INFO\n",
         1, "list 'l1'", r"uses list 'l2' before its definition"),
        ("dangling_list_append",
         "- list: l\n  items: [x]\n  append: true\n",
         1, "list 'l'", r"List l has 'append' key but no list by that name already exists"),
        ("dangling_macro_append",
         "- macro: m\n  condition: and proc.name = x\n  append: true\n",
         1, "macro 'm'", r"Macro m has 'append' key but no macro by that name already exists"),
        ("dangling_rule_append",
         RULE + "- rule: other\n  condition: and proc.name = x\n  append: true\n",
         6, "rule 'other'", r"Rule other has 'append' key but no rule by that name already exists"),
        ("dangling_enabled_toggle",
         "- rule: nothing_here\n  enabled: false\n",
         1, "rule 'nothing_here'", r"no rule by that name already exists"),
        ("tags_not_a_list",
         RULE + "  tags: not_a_list\n",
         6, "rule 'r'", r"tags must be a list of strings"),
        ("tag_not_a_string",
         RULE + "  tags: [a, [b]]\n",
         6, "rule 'r'", r"tags must be a list of strings"),
        ("unknown_priority",
         "- rule: r\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: SEVERE\n",
         5, "rule 'r'", r"Invalid priority level: SEVERE"),
        ("condition_not_a_string",
         "- rule: r\n  desc: d\n  condition: [evt.type = openat]\n  output: o\n  priority: INFO\n",
         3, "rule 'r'", r"condition must be a string"),
        ("enabled_not_a_bool",
         RULE + "  enabled: maybe\n",
         6, "rule 'r'", r"enabled must be a boolean"),
        ("missing_output",
         "- rule: r\n  desc: d\n  condition: evt.type = openat\n  priority: INFO\n",
         1, "rule 'r'", r"Rule must have property output"),
        ("missing_condition",
         "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n",
         1, "rule 'r'", r"Rule must have property condition"),
        ("engine_version_too_high",
         "- required_engine_version: 1000\n" + RULE,
         1, "required_engine_version", r"Rules require engine version 1000, but engine version is \d+"),
        ("condition_parse_error",
         "- rule: r1\n  desc: d\n  condition: evt.type = open and (proc.name = x\n  output: o\n  priority: INFO\n",
         3, "rule 'r1'", r"unexpected end of input at 1:35 \(offset 34\): expected '\)'"),
        ("condition_bad_operator",
         "- rule: r1\n  desc: d\n  condition: evt.type = open and proc.name ==== x\n  output: o\n  priority: INFO\n",
         3, "rule 'r1'", r"unexpected '==' at 1:33 \(offset 32\)"),
        ("unknown_event_type",
         "- rule: r1\n  desc: d\n  condition: evt.type = nosuch and proc.name = x\n  output: o\n  priority: INFO\n",
         3, "rule 'r1'", r"unknown event type nosuch"),
        ("unknown_field",
         "- rule: r1\n  desc: d\n  condition: evt.type = open and foo.bar = x\n  output: o\n  priority: INFO\n",
         3, "rule 'r1'", r"error filter_check called with nonexistent field foo\.bar"),
        ("bad_output_field",
         "- rule: r1\n  desc: d\n  condition: evt.type = open\n  output: \"x %foo.bar y\"\n  priority: INFO\n",
         4, "rule 'r1'", r"invalid output format.*foo\.bar"),
        ("empty_rule_name",
         "- rule:\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n",
         1, "rule", r"Rule name is empty$"),
        ("empty_list_name",
         "- list:\n  items: [a]\n",
         1, "list", r"List name is empty$"),
        ("empty_macro_name",
         "- macro: ~\n  condition: evt.type = openat\n",
         1, "macro", r"Macro name is empty$"),
        ("exception_unknown_field",
         RULE + "  exceptions:\n    - name: e\n      fields: [proc.name, fapi.nope]\n",
         7, "rule 'r'", r"Rule exception item e: field name fapi\.nope is not a supported filter field$"),
        ("exception_unknown_field_single",
         RULE + "  exceptions:\n    - name: e\n      fields: proc.nope\n      values: [a]\n",
         7, "rule 'r'", r"Rule exception item e: field name proc\.nope is not a supported filter field$"),
        ("exception_unknown_comp",
         RULE + "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, resembles]\n",
         9, "rule 'r'", r"Rule exception item e: comparison operator resembles is not a supported comparison operator$"),
        ("exception_values_tuple_length",
         RULE + "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      values:\n"
                "        - [tee, /etc]\n        - [tee]\n",
         11, "rule 'r'", r"Exception item e: fields and values lists must have equal length$"),
        ("exception_without_name",
         RULE + "  exceptions:\n    - fields: [proc.name]\n",
         7, "rule 'r'", r"Rule exception item must have name property$"),
        ("exception_without_fields",
         RULE + "  exceptions:\n    - name: e\n      values: [[a]]\n",
         7, "rule 'r'", r"Rule exception item e: must have fields property with a list of fields$"),
        ("list_of_several_as_one_value",
         "- list: tools\n  items: [tee, cat]\n"
         "- rule: r1\n  desc: d\n  condition: evt.type = execve and proc.name = tools\n  output: o\n  priority: INFO\n",
         5, "rule 'r1'", r"list 'tools' used at 1:35 \(offset 34\) as the value of '=' has 2 items"),
        ("exception_fields_comps_mismatch",
         RULE + "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=]\n"
                "      values:\n        - [a, b]\n",
         9, "rule 'r'", r"Rule exception item e: fields and comps lists must have equal length"),
    ]

    def test_load_errors(self):
        for name, text, line, item, msg in self.CASES:
            with self.subTest(case=name):
                path = self.rules_file(text, name + ".yaml")
                r = self.run_fail(path)
                self.assertEqual(r.stdout, "", r.describe())
                self.assert_error(r, path, line, item, msg)

    def test_malformed_yaml(self):
        path = self.rules_file("- list: ok\n  items: [a, b]\n- rule: broken\n  desc: \"unterminated\n  condition: x\n")
        r = self.run_fail(path)
        self.assertTrue(any(m.startswith(path + ":") and "YAML" in m for m in r.messages), r.describe())

    def test_not_a_sequence(self):
        path = self.rules_file("just a string\n")
        r = self.run_fail(path)
        self.assertTrue(any(m.startswith(path + ":1:") for m in r.messages), r.describe())

    def test_error_in_second_file_names_it(self):
        good = self.rules_file(self.RULE)
        bad = self.rules_file("- rule: r\n  condition: and proc.name = x\n  append: true\n"
                              "- rule: q\n  condition: and proc.name = x\n  append: true\n")
        r = self.run_fail([good, bad])
        self.assert_error(r, bad, 4, "rule 'q'", r"no rule by that name already exists")

    def test_overwrite_then_append_is_ok(self):
        path = self.rules_file(
            self.RULE +
            "- rule: r\n  desc: d2\n  condition: evt.type = execve and evt.dir = <\n"
            "  output: \"o2 %proc.name\"\n  priority: INFO\n"
            "- rule: r\n  condition: and proc.name = tee\n  append: true\n")
        r = self.run_ok(path)
        self.assertEqual(r.alerts, [alert(145, "Informational", "o2 tee")], r.describe())


class ListSubstitutionTest(EngineTest):
    """Falco 0.31 replaces a list name by its items as text wherever
    blanks, parentheses, commas or '=' surround it."""

    def test_list_name_as_the_value_of_equals(self):
        for cond in ("proc.name=tee_binaries", "proc.name= tee_binaries or proc.name=nopey",
                     "proc.name = tee_binaries", "proc.name in (nopey, tee_binaries)"):
            with self.subTest(cond=cond):
                path = self.rules_file(
                    "- list: tee_binaries\n  items: [tee]\n"
                    "- macro: is_tee\n  condition: " + cond + "\n"
                    "- rule: r\n  desc: d\n  condition: evt.type = execve and evt.dir = < and is_tee\n"
                    "  output: \"t %proc.name\"\n  priority: NOTICE\n")
                r = self.run_ok(path)
                self.assertEqual(r.alerts, [alert(145, "Notice", "t tee")], r.describe())

    def test_quoted_name_is_not_a_list(self):
        path = self.rules_file(
            "- list: tee_binaries\n  items: [tee]\n"
            "- rule: r\n  desc: d\n  condition: evt.type = execve and evt.dir = < and proc.name = \"tee_binaries\"\n"
            "  output: \"t %proc.name\"\n  priority: NOTICE\n")
        r = self.run_ok(path)
        self.assertEqual(r.alerts, [], r.describe())


class FalcoVerdictTest(EngineTest):
    """-V prints Falco 0.31's verdicts on stdout: "Ok", or "1 errors:", the
    message (with this project's FILE:LINE:COL: ITEM: prefix) and the
    offending item between "---" lines; "FILE: " before each with several
    files. The error goes to stderr as Falco's "Runtime error"; exit 1."""

    def validate(self, *paths):
        args = []
        for p in paths:
            args += ["-V", p]
        return self.run_engine(cap=False, args=args)

    def test_ok(self):
        good = self.rules_file(LoadErrorsTest.RULE)
        r = self.validate(good)
        self.assertEqual((r.rc, r.stdout), (0, "Ok\n"), r.describe())
        r = self.validate(good, good)
        self.assertEqual((r.rc, r.stdout), (0, "%s: Ok\n%s: Ok\n" % (good, good)), r.describe())

    def test_error_with_its_item(self):
        text = ("# comment before the first item\n"
                "- list: l\n  items: [a]\n\n"
                "- rule:\n  desc: some desc\n\n  condition: evt.type=execve\n  output: some output\n"
                "# a comment belongs to the item above it, as in Falco\n"
                "- rule: next\n  desc: d\n")
        path = self.rules_file(text)
        r = self.validate(path)
        block = ("1 errors:\n%s:5:8: rule: Rule name is empty\n---\n"
                 "- rule:\n  desc: some desc\n  condition: evt.type=execve\n  output: some output\n"
                 "# a comment belongs to the item above it, as in Falco\n---\n" % path)
        self.assertEqual((r.rc, r.stdout), (1, block), r.describe())
        self.assertIn("Runtime error: " + block + ". Exiting.\n", r.stderr, r.describe())

    def test_second_file_fails_after_an_append(self):
        base = self.rules_file("- macro: m\n  condition: evt.type = execve\n")
        bad = self.rules_file("- list: x\n  items: [a]\n- macro: m\n  condition: nonsense here\n  append: true\n")
        later = self.rules_file(LoadErrorsTest.RULE)
        r = self.validate(base, bad, later)
        self.assertEqual(r.rc, 1, r.describe())
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], base + ": Ok", r.describe())
        self.assertEqual(lines[1], bad + ": 1 errors:", r.describe())
        self.assertTrue(lines[2].startswith(base + ":2:14: macro 'm': "), r.describe())
        # the macro's context: its definition, then each append, as Falco accumulates it
        self.assertEqual(lines[3:], ["---", "- macro: m", "  condition: evt.type = execve", "",
                                     "- macro: m", "  condition: nonsense here", "  append: true", "---"],
                         r.describe())
        self.assertNotIn(later, r.stdout, r.describe())

    def test_failed_append_shows_itself(self):
        path = self.rules_file(LoadErrorsTest.RULE + "\n- rule: r\n  exceptions:\n    - values: [[a]]\n  append: true\n")
        r = self.validate(path)
        self.assertEqual(r.stdout, "1 errors:\n%s:9:7: rule 'r': Rule exception item must have name property\n---\n"
                         "- rule: r\n  exceptions:\n    - values: [[a]]\n  append: true\n---\n" % path, r.describe())

    def test_document_error_shows_the_line(self):
        path = self.rules_file("foo: bar\n")
        r = self.validate(path)
        self.assertEqual(r.stdout, "1 errors:\n%s:1:1: Rules content is not yaml array of objects\n---\nfoo: bar\n---\n"
                         % path, r.describe())


class OutputValidationTest(EngineTest):
    """-V checks outputs without building a formatter per rule
    (compile/format_check.c): its verdict must be libsinsp's, which -r
    builds the formatters with."""

    OUTPUTS = ["%proc.name.", "%5proc.name", "(%evt.arg.flags)", "x %", "%%", "% x", "%proc.aname[2]", "%bogus",
               "%proc.bogus", "%evt.arg[0]", "%proc.name%user.name", "%fd.name]", "%proc.aname[", "%evt.time.s",
               "%user.name:%proc.name", "%container.info x", "%evt.arg.NAME-x", "%evt.arg.fd-x", "%proc.env[HOME]x",
               "%container.label.abc-x", "%k8s.pod.label.abc-x", "%k8s.pod.label[abc-x]", "%proc.apid[1]-",
               "%user.name=%user.uid", "%evt.type:x %evt.dir"]

    def test_same_verdict_as_the_formatter(self):
        for out in self.OUTPUTS:
            with self.subTest(output=out):
                path = self.rules_file("- rule: r\n  desc: d\n  condition: evt.type = openat\n"
                                       "  output: '%s'\n  priority: INFO\n" % out)
                v = self.run_engine(cap=False, args=["-V", path])
                r = self.run_engine(path)
                self.assertIn(v.rc, (0, 1), v.describe())
                self.assertEqual(v.rc, r.rc, v.describe() + r.describe())
                if v.rc:
                    msg = [l for l in v.stdout.splitlines() if l.startswith(path + ":")]
                    self.assertEqual(len(msg), 1, v.describe())
                    self.assertIn(msg[0], r.messages, r.describe())


class FalcoCommandLineTest(EngineTest):

    def test_disabled_and_enabled_rules(self):
        for flags in (["-D", "x", "-t", "y"], ["-T", "x", "-t", "y"]):
            with self.subTest(flags=flags):
                r = self.run_engine(fixture("engine_skip_unknown.yaml"), args=flags)
                self.assertEqual(r.rc, 1, r.describe())
                self.assertEqual(r.stdout, "", r.describe())
                self.assertEqual(r.stderr, "Runtime error: You can not specify both disabled (-D/-T) and enabled (-t) "
                                 "rules. Exiting.\n", r.describe())

    def test_unknown_field_error_in_falco_words(self):
        path = self.rules_file("- rule: Not Skipping\n  desc: d\n  condition: proc.nobody=cat\n  output: Never\n"
                               "  skip-if-unknown-filter: false\n  priority: INFO\n")
        r = self.run_fail(path)
        self.assertEqual(r.stdout, "", r.describe())
        self.assertEqual(r.stderr,
                         "Runtime error: Could not load rules file %s: 1 errors:\n"
                         "%s:3:14: rule 'Not Skipping': Rule Not Skipping: error filter_check called with nonexistent field"
                         " proc.nobody\n---\n"
                         "- rule: Not Skipping\n  desc: d\n  condition: proc.nobody=cat\n  output: Never\n"
                         "  skip-if-unknown-filter: false\n  priority: INFO\n---\n. Exiting.\n" % (path, path),
                         r.describe())


if __name__ == "__main__":
    unittest.main()
